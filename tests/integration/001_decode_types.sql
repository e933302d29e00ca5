-- SPDX-License-Identifier: Apache-2.0
-- 001_decode_types: every MariaDB 10.11 column type with edge values, then
-- updates and deletes.  Run by 001_decode_types.sh on a source with
-- binlog_format=ROW, binlog_row_image=FULL, binlog_row_metadata=FULL.
-- Conventions for compare_select.py: every table lives in sl_types and its
-- first column is `id`, the primary key.

SET time_zone = '+00:00';
-- Strict, but zero dates and zero parts in dates allowed (no NO_ZERO_DATE,
-- no NO_ZERO_IN_DATE).
SET sql_mode = 'STRICT_ALL_TABLES,NO_ENGINE_SUBSTITUTION';
SET SESSION group_concat_max_len = 67108864;

CREATE DATABASE sl_types DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci;
USE sl_types;

-- ---------------------------------------------------------------- integers
CREATE TABLE t_int (
  id   INT NOT NULL PRIMARY KEY,
  ti   TINYINT,            tiu  TINYINT UNSIGNED,
  si   SMALLINT,           siu  SMALLINT UNSIGNED,
  mi   MEDIUMINT,          miu  MEDIUMINT UNSIGNED,
  i    INT,                iu   INT UNSIGNED,
  bi   BIGINT,             biu  BIGINT UNSIGNED,
  nn   BIGINT NOT NULL DEFAULT 7,
  nnu  INT UNSIGNED NOT NULL DEFAULT 0
);
INSERT INTO t_int VALUES
  (1, -128, 0, -32768, 0, -8388608, 0, -2147483648, 0, -9223372036854775808, 0, -9223372036854775808, 0),
  (2, 127, 255, 32767, 65535, 8388607, 16777215, 2147483647, 4294967295, 9223372036854775807, 18446744073709551615, 9223372036854775807, 4294967295),
  (3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
  (4, -1, 1, -1, 1, -1, 1, -1, 1, -1, 1, -1, 1),
  (5, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 5, 5),
  (6, -127, 128, -32767, 32768, -8388607, 8388608, -2147483647, 2147483648, -9223372036854775807, 9223372036854775808, 1, 2147483648),
  (7, 100, 200, 12345, 54321, -1234567, 12345678, 123456789, 3000000000, -1234567890123456789, 12345678901234567890, 42, 42);
-- Many rows in one statement: the rows events split at ~8 KB.
INSERT INTO t_int (id, ti, tiu, si, siu, mi, miu, i, iu, bi, biu, nn, nnu)
  SELECT 100 + s, (s % 256) - 128, s % 256, (s * 97) % 65536 - 32768, (s * 131) % 65536, s * -4099, s * 8191,
         s * -1000003, s * 4000037, s * -9000000000000007, s * 9000000000000007, s, s
  FROM (SELECT CAST(seq AS SIGNED) AS s FROM seq_1_to_1000) AS g;
UPDATE t_int SET ti = NULL, biu = 18446744073709551614, nn = -1 WHERE id = 4;
UPDATE t_int SET tiu = tiu + 1, bi = -bi WHERE id BETWEEN 101 AND 160;
UPDATE t_int SET id = 1007 + 2000 WHERE id = 7;  -- the primary key changes
DELETE FROM t_int WHERE id = 3 OR id BETWEEN 500 AND 520;

-- ---------------------------------------------------------- float, double
CREATE TABLE t_float (
  id  INT NOT NULL PRIMARY KEY,
  f   FLOAT,
  d   DOUBLE,
  fu  FLOAT UNSIGNED,
  dm  DOUBLE(10,4),
  fm  FLOAT(7,3)
);
INSERT INTO t_float VALUES
  (1, 0, 0, 0, 0, 0),
  (2, 3.4028234e38, 1.7976931348623157e308, 3.4028234e38, 999999.9999, 9999.999),
  (3, -3.4028234e38, -1.7976931348623157e308, 1.17549435e-38, -999999.9999, -9999.999),
  (4, 1.17549435e-38, 2.2250738585072014e-308, 1e-45, 0.0001, 0.001),
  (5, 1e-45, 4.9e-324, 0.5, -0.0001, -0.001),
  (6, -0.1, 0.1e0 + 0.2e0, 16777217, 1234.5678, 123.456),
  (7, 1e0 / 3e0, 1e0 / 3e0, 0.1, -1234.5678, -123.456),
  (8, 16777217, -123456789.123456789e0, 1.5, 1, 1),
  (9, NULL, NULL, NULL, NULL, NULL),
  (10, -0.0, -0.0e0, 2.5e-10, 5e-5, 5e-4),
  (11, 123456.789e0, 1.2345678901234567e-300, 9.999999e37, 3.1416, 3.142),
  (12, 1e10, 9007199254740993e0, 7.0, 100000, 1000);
UPDATE t_float SET f = 2.5, d = -2.5e-300 WHERE id = 9;
UPDATE t_float SET f = NULL, d = NULL, fu = NULL, dm = NULL, fm = NULL WHERE id = 8;
DELETE FROM t_float WHERE id = 12;

-- ------------------------------------------------------------------ decimal
CREATE TABLE t_dec (
  id   INT NOT NULL PRIMARY KEY,
  d10_0  DECIMAL(10,0),
  d5_5   DECIMAL(5,5),
  d65_30 DECIMAL(65,30),
  d12_2  DECIMAL(12,2),
  d18_9  DECIMAL(18,9),
  d19_10 DECIMAL(19,10),
  d1_0   DECIMAL(1,0),
  d9_9   DECIMAL(9,9),
  d38_0  DECIMAL(38,0),
  d65_0  DECIMAL(65,0),
  d38_38 DECIMAL(38,38),
  d10_2u DECIMAL(10,2) UNSIGNED,
  d4_1   DECIMAL(4,1)
);
INSERT INTO t_dec VALUES
  (1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
  (2, 9999999999, 0.99999, 99999999999999999999999999999999999.999999999999999999999999999999,
      9999999999.99, 999999999.999999999, 999999999.9999999999, 9, 0.999999999,
      99999999999999999999999999999999999999, 99999999999999999999999999999999999999999999999999999999999999999,
      0.99999999999999999999999999999999999999, 99999999.99, 999.9),
  (3, -9999999999, -0.99999, -99999999999999999999999999999999999.999999999999999999999999999999,
      -9999999999.99, -999999999.999999999, -999999999.9999999999, -9, -0.999999999,
      -99999999999999999999999999999999999999, -99999999999999999999999999999999999999999999999999999999999999999,
      -0.99999999999999999999999999999999999999, 0, -999.9),
  (4, 1, 0.00001, 0.000000000000000000000000000001, 0.01, 0.000000001, 0.0000000001, 1, 0.000000001,
      1, 1, 0.00000000000000000000000000000000000001, 0.01, 0.1),
  (5, -1, -0.00001, -0.000000000000000000000000000001, -0.01, -0.000000001, -0.0000000001, -1, -0.000000001,
      -1, -1, -0.00000000000000000000000000000000000001, 1.00, -0.1),
  (6, -1234567890, -0.12345, -12345678901234567890123456789012345.123456789012345678901234567890,
      -1234567890.12, -123456789.123456789, -123456789.1234567891, -5, -0.123456789,
      -12345678901234567890123456789012345678, -12345678901234567890123456789012345678901234567890123456789012345,
      -0.12345678901234567890123456789012345678, 12345678.90, -123.4),
  (7, 1000000000, 0.50000, 1000000000.000000001000000000, -0.50, 100000000.000000001, 1.0000000001, 5, 0.5,
      1000000000000000000000000000, 10000000000000000000000000000000000000000000000000000000000000000,
      0.5, 0.50, 100.0),
  (8, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
  (9, 123456789, 0.00100, -0.000000001000000000000000000001, -12.50, -0.000000001, -100000000.0000000001, 0, -0.1,
      -10000000000000000000000000000000000000, 999999999000000000999999999000000000999999999000000000999999999,
      0.10000000000000000000000000000000000001, 0.05, 0.5);
UPDATE t_dec SET d65_30 = -0.5, d5_5 = NULL WHERE id = 1;
UPDATE t_dec SET d65_30 = 31415926535897932384626433832795.028841971693993751058209749445 WHERE id = 8;
DELETE FROM t_dec WHERE id = 7;

-- ----------------------------------------------------------------- temporal
CREATE TABLE t_time (
  id   INT NOT NULL PRIMARY KEY,
  y    YEAR,
  d    DATE,
  t    TIME,     t1 TIME(1),     t2 TIME(2),     t3 TIME(3),
  t4   TIME(4),  t5 TIME(5),     t6 TIME(6),
  dt   DATETIME, dt1 DATETIME(1), dt2 DATETIME(2), dt3 DATETIME(3),
  dt4  DATETIME(4), dt5 DATETIME(5), dt6 DATETIME(6),
  ts   TIMESTAMP NULL DEFAULT NULL,
  ts3  TIMESTAMP(3) NULL DEFAULT NULL,
  ts6  TIMESTAMP(6) NULL DEFAULT NULL
);
INSERT INTO t_time VALUES
  (1, 0, '0000-00-00', '00:00:00', '00:00:00.0', '00:00:00.00', '00:00:00.000', '00:00:00.0000', '00:00:00.00000', '00:00:00.000000',
      '0000-00-00 00:00:00', '0000-00-00 00:00:00.0', '0000-00-00 00:00:00.00', '0000-00-00 00:00:00.000',
      '0000-00-00 00:00:00.0000', '0000-00-00 00:00:00.00000', '0000-00-00 00:00:00.000000',
      '0000-00-00 00:00:00', '0000-00-00 00:00:00.000', '0000-00-00 00:00:00.000000'),
  (2, 1901, '1000-01-01', '-838:59:59', '-838:59:59.9', '-838:59:59.99', '-838:59:59.999', '-838:59:59.9999', '-838:59:59.99999', '-838:59:59.999999',
      '1000-01-01 00:00:00', '1000-01-01 00:00:00.1', '1000-01-01 00:00:00.01', '1000-01-01 00:00:00.001',
      '1000-01-01 00:00:00.0001', '1000-01-01 00:00:00.00001', '1000-01-01 00:00:00.000001',
      '1970-01-01 00:00:01', '1970-01-01 00:00:01.001', '1970-01-01 00:00:01.000001'),
  (3, 2155, '9999-12-31', '838:59:59', '838:59:59.9', '838:59:59.99', '838:59:59.999', '838:59:59.9999', '838:59:59.99999', '838:59:59.999999',
      '9999-12-31 23:59:59', '9999-12-31 23:59:59.9', '9999-12-31 23:59:59.99', '9999-12-31 23:59:59.999',
      '9999-12-31 23:59:59.9999', '9999-12-31 23:59:59.99999', '9999-12-31 23:59:59.999999',
      '2038-01-19 03:14:07', '2038-01-19 03:14:07.999', '2038-01-19 03:14:07.999999'),
  -- Negative times with fractions, one per fsp storage width.
  (4, 2000, '2000-02-29', '-00:00:01', '-00:00:00.1', '-00:00:00.01', '-00:00:00.001', '-00:00:00.0001', '-00:00:00.00001', '-00:00:00.000001',
      '2000-02-29 12:34:56', '2000-02-29 12:34:56.5', '2000-02-29 12:34:56.05', '2000-02-29 12:34:56.005',
      '2000-02-29 12:34:56.0005', '2000-02-29 12:34:56.00005', '2000-02-29 12:34:56.000005',
      '2000-02-29 12:34:56', '2000-02-29 12:34:56.5', '2000-02-29 12:34:56.000005'),
  (5, 2024, '2024-06-15', '-12:34:56', '-12:34:56.7', '-12:34:56.78', '-12:34:56.789', '-12:34:56.7891', '-12:34:56.78912', '-12:34:56.789123',
      '2024-06-15 01:02:03', '2024-06-15 01:02:03.7', '2024-06-15 01:02:03.78', '2024-06-15 01:02:03.789',
      '2024-06-15 01:02:03.7891', '2024-06-15 01:02:03.78912', '2024-06-15 01:02:03.789123',
      '2024-06-15 01:02:03', '2024-06-15 01:02:03.789', '2024-06-15 01:02:03.789123'),
  (6, 1999, '2020-00-00', '-01:00:00', '-01:00:00.0', '-01:00:00.00', '-01:00:00.000', '-01:00:00.0000', '-01:00:00.00000', '-01:00:00.000000',
      '2020-00-00 00:00:00', '2020-01-00 10:00:00.5', '2020-00-15 00:00:00.25', '0000-01-01 00:00:00.125',
      '2020-12-31 23:59:59.9999', '2020-12-31 23:59:59.99999', '2020-12-31 23:59:59.999999',
      '2000-01-01 00:00:00', '2000-01-01 00:00:00.100', '2000-01-01 00:00:00.100000'),
  (7, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
  (8, 1970, '1970-01-01', '-00:00:00.5', '-00:59:59.9', '-23:59:59.99', '-24:00:00.001', '-100:00:00.5', '-00:00:59.99999', '-00:00:00.500000',
      '1970-01-01 00:00:00', '2001-09-09 01:46:40.1', '2001-09-09 01:46:40.12', '2001-09-09 01:46:40.123',
      '2001-09-09 01:46:40.1234', '2001-09-09 01:46:40.12345', '2001-09-09 01:46:40.123456',
      '2001-09-09 01:46:40', '2001-09-09 01:46:40.123', '2001-09-09 01:46:40.123456'),
  (9, 2001, '0001-01-01', '01:02:03', '01:02:03.4', '01:02:03.45', '01:02:03.456', '01:02:03.4567', '01:02:03.45678', '01:02:03.456789',
      '0001-01-01 00:00:00', '0001-01-01 00:00:00.9', '1582-10-10 00:00:00.99', '1900-01-01 00:00:00.999',
      '2100-02-28 00:00:00.9999', '2100-03-01 00:00:00.99999', '9999-12-31 00:00:00.000001',
      '1999-12-31 23:59:59', '1999-12-31 23:59:59.999', '1999-12-31 23:59:59.999999');
UPDATE t_time SET t6 = '-00:00:00.000001', dt6 = '2000-01-01 00:00:00.000001', ts6 = '2030-01-01 00:00:00.5',
                  y = 2155 WHERE id = 7;
UPDATE t_time SET t3 = NULL, ts = NULL, d = '0000-00-00' WHERE id = 5;
DELETE FROM t_time WHERE id = 9;

-- ------------------------------------------------------------------ strings
CREATE TABLE t_str (
  id       INT NOT NULL PRIMARY KEY,
  c        CHAR(10),
  c255     CHAR(255),                    -- utf8mb4: up to 1020 bytes
  c_nn     CHAR(3) NOT NULL DEFAULT '',
  vc       VARCHAR(20),
  vc64     VARCHAR(64),                  -- 256 bytes max: 2-byte length
  vcl      VARCHAR(1000),
  c_lat    CHAR(10) CHARACTER SET latin1,
  vc_lat   VARCHAR(300) CHARACTER SET latin1,
  vc_asc   VARCHAR(20) CHARACTER SET ascii,
  vc_u16   VARCHAR(10) CHARACTER SET utf16,
  vc_bin   VARCHAR(20) COLLATE utf8mb4_bin,
  bn       BINARY(8),
  bn1      BINARY(1),
  vbn      VARBINARY(10),
  vbnl     VARBINARY(300),
  `naïve_ü` VARCHAR(10)
);
INSERT INTO t_str VALUES
  (1, '', '', '', '', '', '', '', '', '', '', '', '', '', '', '', ''),
  (2, NULL, NULL, 'x', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
  (3, 'a', 'b', 'abc', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 0x61, 0x62, 0x63, 0x64, 'k'),
  (4, '😀🎉x', REPEAT('😀', 255), '😀😀😀', 'héllo wörld ✓ 😀', REPEAT('🦀', 64), REPEAT('é', 1000),
      'café', REPEAT('ÿ', 300), 'plain ascii', 'ab😀', 'Zürich',
      0x0001020300000000, 0x00, 0x00, 0x00FF00FF00FF, 'ü'),
  (5, 'tab\tnl\n', CONCAT('q"uote', CHAR(92), 'bs'), 'a\0b', CONCAT('ctl', CHAR(1), CHAR(31), CHAR(127)), 'trail  ',
      CONCAT(REPEAT('x', 250), '\r\n'), 'é', 'back\\sl', '', 'a\0', 'A',
      0xFFFFFFFFFFFFFFFF, 0xFF, 0xC328, REPEAT(0x00, 300), '\'"'),
  (6, 'a  ', '  b', ' ', ' ', '  ', ' x ', CONVERT(0xC3A9 USING latin1), CONVERT(0xEDA080F4908080C0AF USING latin1), '  ', ' ', ' ',
      0x2020202020202020, 0x20, 0x2000, CONCAT(0xEDA080, 0xF4908080, 0xC0AF), '😀');
UPDATE t_str SET vc = 'changed 😀', bn = 0x00000000000000FF, vbn = NULL, `naïve_ü` = NULL WHERE id = 3;
UPDATE t_str SET c = NULL, vcl = CONCAT(SUBSTRING(vcl, 2), '!') WHERE id = 4;
INSERT INTO t_str (id, c, vc) VALUES (7, 'deleted', 'soon');
DELETE FROM t_str WHERE id = 7;

-- -------------------------------------------------------- blobs and texts
CREATE TABLE t_blob (
  id  INT NOT NULL PRIMARY KEY,
  tb  TINYBLOB,   b  BLOB,   mb  MEDIUMBLOB,   lb  LONGBLOB,
  tt  TINYTEXT,   t  TEXT,   mt  MEDIUMTEXT,   lt  LONGTEXT
);
-- 1 MB of pseudo-random bytes (zero bytes included) from SHA-512 blocks.
SET @mb1 = (SELECT GROUP_CONCAT(UNHEX(SHA2(seq, 512)) ORDER BY seq SEPARATOR '') FROM seq_1_to_16384);
SET @txt1 = REPEAT('héllo wörld ✓ 😀 — ', 43691);
INSERT INTO t_blob VALUES
  (1, '', '', '', '', '', '', '', ''),
  (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
  (3, 0x00, 0x0000, 0x00FF00, 0xFF00, 'a', 'b', 'c', 'd'),
  (4, REPEAT(0xAB, 255), REPEAT(0xCD, 65535), SUBSTRING(@mb1, 1, 1000000), @mb1,
      REPEAT('x', 255), REPEAT('é', 32767), REPEAT('😀', 100000), @txt1),
  (5, UNHEX(SHA2('x', 256)), CONCAT(0x00, 'text', 0x00), CONCAT('valid utf8 é', 0x00), 0xC328A0A1,
      '😀', 'line1\nline2\ttab "q" \\ end', CONCAT('nul', CHAR(0), 'in text'), REPEAT('ab', 100000));
UPDATE t_blob SET lb = REVERSE(lb), t = CONCAT('updated ', SUBSTRING(t, 10)) WHERE id = 4;
UPDATE t_blob SET tb = NULL, mb = 0x00, lt = NULL WHERE id = 3;
INSERT INTO t_blob (id, lb) VALUES (6, @mb1);
DELETE FROM t_blob WHERE id = 6;

-- -------------------------------------------------------------- enum, set
-- e300: more than 255 members (2-byte storage); s64: 8-byte storage.
SET @e300 = (SELECT GROUP_CONCAT(CONCAT('''m', seq, '''') ORDER BY seq) FROM seq_1_to_300);
SET @s64  = (SELECT GROUP_CONCAT(CONCAT('''b', seq, '''') ORDER BY seq) FROM seq_1_to_64);
SET @ddl = CONCAT('CREATE TABLE t_enum (',
  'id INT NOT NULL PRIMARY KEY, ',
  'e ENUM(''a'',''b'',''c''), ',
  'e_utf ENUM(''ü'',''😀'',''x y'',''comma,no''), ',
  'e300 ENUM(', @e300, '), ',
  's SET(''x'',''y'',''z''), ',
  's_utf SET(''ä'',''ö'',''😀''), ',
  's64 SET(', @s64, '), ',
  'e_nn ENUM(''on'',''off'') NOT NULL DEFAULT ''off'')');
PREPARE st FROM @ddl;
EXECUTE st;
DEALLOCATE PREPARE st;
INSERT INTO t_enum VALUES
  (1, 'a', 'ü', 'm1', '', '', '', 'on'),
  (2, 'c', '😀', 'm300', 'x,y,z', 'ä,ö,😀', (SELECT GROUP_CONCAT(CONCAT('b', seq) ORDER BY seq) FROM seq_1_to_64), 'off'),
  (3, NULL, NULL, NULL, NULL, NULL, NULL, 'on'),
  (4, 'b', 'x y', 'm256', 'z', 'ö', 'b64', 'off'),
  (5, 'a', 'comma,no', 'm255', 'x,z', '😀', 'b1,b32,b33,b63', 'on');
SET sql_mode = '';  -- an invalid member stores index 0 ('') with a warning
INSERT INTO t_enum (id, e, e300) VALUES (6, 'bogus', 'bogus');
SET sql_mode = 'STRICT_ALL_TABLES,NO_ENGINE_SUBSTITUTION';
UPDATE t_enum SET e = 'c', s = 'y', e300 = 'm257' WHERE id = 1;
UPDATE t_enum SET s64 = '' WHERE id = 5;

-- -------------------------------------------------------------------- bit
CREATE TABLE t_bit (
  id  INT NOT NULL PRIMARY KEY,
  b1  BIT(1), b7 BIT(7), b8 BIT(8), b9 BIT(9), b17 BIT(17), b33 BIT(33), b63 BIT(63), b64 BIT(64)
);
INSERT INTO t_bit VALUES
  (1, 0, 0, 0, 0, 0, 0, 0, 0),
  (2, 1, 127, 255, 511, 131071, 8589934591, 9223372036854775807, 18446744073709551615),
  (3, b'1', b'1010101', b'10000000', b'100000001', b'10000000000000001', 4294967296, 4611686018427387904, 9223372036854775808),
  (4, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
  (5, 1, 1, 1, 256, 65536, 1, 1, 0x0102030405060708);
UPDATE t_bit SET b64 = 1, b1 = 0 WHERE id = 2;

-- --------------------------------------------------------------- geometry
CREATE TABLE t_geo (
  id  INT NOT NULL PRIMARY KEY,
  g   GEOMETRY,
  p   POINT,
  ls  LINESTRING,
  pg  POLYGON,
  mp  MULTIPOINT,
  mpg MULTIPOLYGON,
  gc  GEOMETRYCOLLECTION
);
INSERT INTO t_geo VALUES
  (1, ST_GeomFromText('POINT(1 2)'), POINT(0, 0), ST_GeomFromText('LINESTRING(0 0,1 1,2 2)'),
      ST_GeomFromText('POLYGON((0 0,10 0,10 10,0 10,0 0),(2 2,3 2,3 3,2 2))'),
      ST_GeomFromText('MULTIPOINT(1 1,2 2)'),
      ST_GeomFromText('MULTIPOLYGON(((0 0,1 0,1 1,0 0)),((5 5,6 5,6 6,5 5)))'),
      ST_GeomFromText('GEOMETRYCOLLECTION(POINT(1 1),LINESTRING(0 0,1 1))')),
  (2, ST_GeomFromText('POINT(-71.0589 42.3601)', 4326), ST_GeomFromText('POINT(1e300 -1e-300)', 3857),
      ST_GeomFromText('LINESTRING(-1.5 2.25,3.125 -4.0625)', 4326), NULL, NULL, NULL,
      ST_GeomFromText('GEOMETRYCOLLECTION EMPTY')),
  (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
  (4, ST_GeomFromText(CONCAT('LINESTRING(', (SELECT GROUP_CONCAT(CONCAT(seq, ' ', seq * 0.5)) FROM seq_1_to_2000), ')')),
      POINT(-0.0, 1e-10), NULL, NULL, NULL, NULL, NULL);
UPDATE t_geo SET p = POINT(3, 4), g = ST_GeomFromText('POLYGON((0 0,1 0,1 1,0 0))', 4326) WHERE id = 3;

-- ------------------------------------------------------------------- JSON
-- MariaDB's JSON is LONGTEXT utf8mb4_bin with CHECK (JSON_VALID(...)).
CREATE TABLE t_json (
  id  INT NOT NULL PRIMARY KEY,
  j   JSON,
  j2  JSON NOT NULL DEFAULT '{}'
);
SET @big = CONCAT('{"items":[',
  (SELECT GROUP_CONCAT(JSON_OBJECT('n', seq, 's', CONCAT('välue 😀 ', seq), 'f', seq / 7,
                                   'q', 'quote" back\\slash', 'nul', NULL, 'ok', TRUE) ORDER BY seq)
   FROM seq_1_to_1100),
  '],"end":true}');
INSERT INTO t_json VALUES
  (1, '{}', '[]'),
  (2, NULL, 'null'),
  (3, '{"a": 1, "b": [1, 2.5, -3e10, "x"], "c": {"d": null, "e": true}}', '"just a string"'),
  (4, @big, '{"emoji": "😀", "esc": "\\u0000\\n\\t", "big": 18446744073709551615, "neg": -9223372036854775808}'),
  (5, '  [ 1 , 2 ]  ', '12.500');
UPDATE t_json SET j = JSON_SET(j, '$.end', 'changed'), j2 = '{"updated": 1}' WHERE id = 4;
DELETE FROM t_json WHERE id = 1;

-- ----------------------------------------------------- UUID and INET6 (10.7+)
CREATE TABLE t_uuid (
  id  INT NOT NULL PRIMARY KEY,
  u   UUID,
  ip  INET6,
  u2  UUID NOT NULL DEFAULT '00000000-0000-0000-0000-000000000000'
);
INSERT INTO t_uuid VALUES
  (1, '6ccd780c-baba-1026-9564-5b8c656024db', '2001:db8::ff00:42:8329', '123e4567-e89b-42d3-a456-426614174000'),
  (2, '00000000-0000-0000-0000-000000000000', '::', 'ffffffff-ffff-ffff-ffff-ffffffffffff'),
  (3, NULL, NULL, '01234567-89ab-4def-8123-456789abcdef'),
  (4, '123e4567-e89b-12d3-a456-426614174000', '::ffff:192.168.1.1', '00000000-0000-0000-0000-000000000100'),
  (5, '0e8a8b5a-0000-7000-8000-000000000000', '::1', 'abcdef00-0000-0000-0000-000000000000'),
  (6, 'ffffffff-ffff-ffff-ffff-ffffffffffff', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', '11111111-2222-3333-4444-555555555555');
UPDATE t_uuid SET u = 'aaaaaaaa-bbbb-1ccc-8ddd-eeeeeeeeeeee', ip = 'fe80::1' WHERE id = 3;
DELETE FROM t_uuid WHERE id = 6;

-- Close the current binlog file: the test decodes complete files.
FLUSH BINARY LOGS;
