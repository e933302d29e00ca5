-- SPDX-License-Identifier: Apache-2.0
-- sqlgen_extra.sql: what 001_decode_types.sql does not cover and the SQL
-- builder must get right, run after it on the same source by
-- tests/integration/020_sqlgen.sh: identifiers with backticks, composite
-- keys, key changes and swaps inside one transaction, rows born and
-- deleted in one transaction, a case-only change of a _ci key, id 0 with
-- AUTO_INCREMENT, tables without a key (duplicate rows), non-UTF-8
-- charsets (utf16, ucs2, cp1251, sjis, latin1 nopad) whose bytes would
-- be mangled by a utf8mb4 text literal, dates only ALLOW_INVALID_DATES
-- accepts, and many changes in one transaction (statement splitting).

SET time_zone = '+00:00';
SET sql_mode = 'STRICT_ALL_TABLES,NO_ENGINE_SUBSTITUTION,NO_AUTO_VALUE_ON_ZERO';
CREATE DATABASE sl_sqlgen DEFAULT CHARACTER SET utf8mb4;
USE sl_sqlgen;

CREATE TABLE `we``ird` (
  `id``x` INT NOT NULL PRIMARY KEY,
  `va l` VARCHAR(20),
  `sel"ect` INT
);
INSERT INTO `we``ird` VALUES (1, 'one', 1), (2, 'two`', 2), (3, 'th''ree', 3);
UPDATE `we``ird` SET `va l` = 'un' WHERE `id``x` = 1;
DELETE FROM `we``ird` WHERE `id``x` = 2;

-- composite key, in a different order than the columns
CREATE TABLE comp (
  v  VARCHAR(20),
  a  INT NOT NULL,
  b  VARCHAR(10) NOT NULL,
  PRIMARY KEY (b, a)
);
INSERT INTO comp VALUES ('x', 1, 'ab'), ('y', 1, 'a'), ('z', 2, 'bc'), ('w', 10, 'c');
BEGIN;
UPDATE comp SET a = 3 WHERE a = 1 AND b = 'ab';        -- key change
UPDATE comp SET v = 'x2' WHERE a = 3 AND b = 'ab';     -- then an update
INSERT INTO comp VALUES ('born', 5, 'dies');            -- born and
DELETE FROM comp WHERE a = 5 AND b = 'dies';            -- deleted
DELETE FROM comp WHERE a = 10 AND b = 'c';              -- deleted and
INSERT INTO comp VALUES ('again', 10, 'c');             -- re-inserted
COMMIT;

-- a swap of two keys through a third
CREATE TABLE swap (id INT NOT NULL PRIMARY KEY, s VARCHAR(10));
INSERT INTO swap VALUES (1, 'one'), (2, 'two'), (4, 'four');
BEGIN;
UPDATE swap SET id = 3 WHERE id = 1;
UPDATE swap SET id = 1 WHERE id = 2;
UPDATE swap SET id = 2 WHERE id = 3;
UPDATE swap SET id = 5 WHERE id = 4;
UPDATE swap SET id = 4, s = 'back' WHERE id = 5;
COMMIT;

-- the same row under a case-insensitive key, changed in case only
CREATE TABLE ci (k VARCHAR(10) NOT NULL PRIMARY KEY, n INT) COLLATE utf8mb4_general_ci;
INSERT INTO ci VALUES ('abc', 1), ('x', 2), ('Ü', 3);
BEGIN;
UPDATE ci SET k = 'ABC' WHERE k = 'abc';
UPDATE ci SET k = 'X' WHERE k = 'x';
UPDATE ci SET k = 'x', n = 20 WHERE k = 'X';
UPDATE ci SET k = 'ü' WHERE k = 'Ü';
COMMIT;

-- id 0 in an AUTO_INCREMENT column (NO_AUTO_VALUE_ON_ZERO on the target)
CREATE TABLE ai (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, t VARCHAR(5));
INSERT INTO ai VALUES (0, 'zero'), (5, 'five');
INSERT INTO ai (t) VALUES ('six');

-- no key at all: duplicate rows, deleting and updating one of them
CREATE TABLE nokey (a INT, b VARCHAR(10), f FLOAT, d DOUBLE);
INSERT INTO nokey VALUES (1, 'dup', 0.1, -0.0e0), (1, 'dup', 0.1, -0.0e0), (2, NULL, NULL, 1e-300),
  (3, 'x', 1.5, 2.5);
DELETE FROM nokey WHERE a = 1 LIMIT 1;
UPDATE nokey SET b = 'was null' WHERE a = 2;
UPDATE nokey SET d = 3.25 WHERE a = 3;

-- charsets whose bytes are not UTF-8 text
CREATE TABLE cs (
  id    INT NOT NULL PRIMARY KEY,
  u16   VARCHAR(20) CHARACTER SET utf16,
  u16le VARCHAR(20) CHARACTER SET utf16le,
  u32   TEXT CHARACTER SET utf32,
  ucs   CHAR(5) CHARACTER SET ucs2,
  cyr   VARCHAR(20) CHARACTER SET cp1251,
  sj    VARCHAR(20) CHARACTER SET sjis,
  lnp   VARCHAR(20) CHARACTER SET latin1 COLLATE latin1_swedish_nopad_ci,
  e     ENUM('Р°', 'б', 'в') CHARACTER SET cp1251,
  s     SET('Р°', 'б') CHARACTER SET cp1251
);
INSERT INTO cs VALUES
  (1, 'A😀', 'é', 'x😀', 'ab', 'Р°', 'ｱｲ', 'Ã©', 'Р°', 'Р°,б'),
  (2, '', '', '', '', '', '', '', 'в', ''),
  (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
  (4, 'plain', 'plain', 'plain', 'pl', 'plain', 'plain', 'plain', 'б', 'б');
UPDATE cs SET cyr = 'Привет', u16 = 'Zürich', ucs = 'ä' WHERE id = 4;
DELETE FROM cs WHERE id = 2;

-- invalid dates the source allowed (ALLOW_INVALID_DATES on the target too)
CREATE TABLE dates (id INT NOT NULL PRIMARY KEY, d DATE, dt DATETIME(3));
SET sql_mode = 'ALLOW_INVALID_DATES';
INSERT INTO dates VALUES (1, '2020-02-31', '2021-04-31 12:00:00.5'), (2, '0000-00-00', '0000-00-00 00:00:00');
SET sql_mode = 'STRICT_ALL_TABLES,NO_ENGINE_SUBSTITUTION,NO_AUTO_VALUE_ON_ZERO';

-- many rows, many changes per transaction: statements split by size
CREATE TABLE many (id INT NOT NULL PRIMARY KEY, pad VARCHAR(200), n INT);
INSERT INTO many SELECT seq, REPEAT(CHAR(65 + seq % 26), 150), seq FROM seq_1_to_3000;
BEGIN;
UPDATE many SET n = n + 1 WHERE id % 3 = 0;
UPDATE many SET n = n * 2 WHERE id % 6 = 0;
DELETE FROM many WHERE id % 7 = 0;
INSERT INTO many SELECT 10000 + seq, 'new', seq FROM seq_1_to_500;
DELETE FROM many WHERE id BETWEEN 10001 AND 10100;
UPDATE many SET id = id + 20000 WHERE id BETWEEN 100 AND 199;
COMMIT;

FLUSH BINARY LOGS;
