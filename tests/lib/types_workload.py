#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""tests/lib/types_workload.py: the seeded-random workload of 033_run_types.

Writes, into OUT_DIR:
  schema.sql         CREATE DATABASE + every table (run on source and target)
  part1.sql, part2.sql   the workload, in two halves (run on the source)
  tables.txt         one line per table: name TAB key columns (comma list)
  summary.txt        transactions, statements and row changes per part

Tables: every column type of 001_decode_types.sql (integers of each size
signed and unsigned, DECIMAL up to (65,30), FLOAT/DOUBLE, BIT, the temporal
types with every fsp, CHAR/VARCHAR/TEXT in utf8mb4, latin1, ascii, utf16,
BINARY/VARBINARY/BLOB, ENUM/SET, JSON, UUID, INET6, GEOMETRY) with primary
keys of several shapes (INT, composite, VARCHAR _ci, VARBINARY, BINARY(16),
UUID), and four tables with secondary UNIQUE keys (single column,
composite with a _ci column, nullable columns, and a table without a
primary key whose not-null unique key is the row's identity).

The workload is generated against an exact model of every table (primary
keys and unique keys under their collations), so every statement succeeds
on the source: INSERT (single and multi-row), UPDATE (single, multi-row,
to NULL), DELETE, primary-key changes (also case-only and trailing-space
changes of a _ci key, and swaps of two rows' keys through a temporary key
in one transaction), and unique-key collisions that cross rows: a unique
value moved from one row to another, DELETE then INSERT of another key
with the same unique value, swaps and rotations of unique values through
a temporary value, each in one transaction or in back-to-back
transactions.  Also ROLLBACK (nothing logged) and ROLLBACK TO SAVEPOINT.
`DO SLEEP(…)` between transactions (not logged) spreads it over time.

Usage: types_workload.py OUT_DIR [--seed N] [--txns N] [--pace F]
                         [--no-collide] [--check-rows]
  --txns: transactions per part (default 700); --pace: sleep factor
  (default 1.0, 0 for none); --no-collide: a unique value stays with the
  key that first held it (no collisions at all: types and primary keys
  alone); --check-rows: after each INSERT/UPDATE/DELETE a SELECT prints
  ROWCOUNT, ROW_COUNT(), the model's count and the verb (a self-test;
  ROW_COUNT() is 0 for an UPDATE that sets the values a row has).
"""

import argparse
import ipaddress
import json
import os
import random
import struct
import sys
import uuid

DB = "sl33"


# --------------------------------------------------------------- literals


def hexlit(b):
    return "X'" + b.hex().upper() + "'"


def text(s):
    """A utf8mb4 string literal that needs no escaping: _utf8mb4 X'..'."""
    return "_utf8mb4 " + hexlit(s.encode("utf-8"))


def latin1lit(b):
    return "_latin1 " + hexlit(b)


class V:
    """A value: its SQL literal and, for key columns, its normalised form
    (equal normalised forms collide under the column's collation)."""

    __slots__ = ("lit", "norm")

    def __init__(self, lit, norm=None):
        self.lit = lit
        self.norm = norm

    def is_null(self):
        return self.lit == "NULL"


NULL = V("NULL", None)

# ------------------------------------------------------------ generators

POOLS = [
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
    " .,;:!?-_'\"\\/%`()[]{}<>=+*&^$#@~|",
    "\t\n\r\0",
    "éèêëüöäßñçÅØæœÿÉÜ",
    "αβγδЖЩыњ",
    "中文字符日本語한국어",
    "€™‰•–—…“”‘’",
    "😀🎉🦀👍🏽💩🇫🇷𝄞𠀋",
    "\u0301\u200d\ufeff\ufffd\u202e\u00a0",
]


def rstr(rng, maxlen, pools=None, minlen=0):
    n = rng.randint(minlen, maxlen) if rng.random() < 0.7 else rng.choice(
        [minlen, maxlen])
    pools = pools or POOLS
    out = []
    for _ in range(n):
        p = rng.choice(pools)
        out.append(rng.choice(p))
    return "".join(out)


def fit_bytes(s, maxbytes, enc="utf-8"):
    while len(s.encode(enc)) > maxbytes:
        s = s[:-1]
    return s


def g_int(bits, unsigned, nullable=True):
    lo, hi = (0, (1 << bits) - 1) if unsigned else (-(1 << (bits - 1)),
                                                    (1 << (bits - 1)) - 1)

    def gen(rng):
        r = rng.random()
        if nullable and r < 0.08:
            return NULL
        if r < 0.35:
            v = rng.choice([lo, hi, 0, 1, hi - 1, lo + 1] +
                           ([] if unsigned else [-1]))
        else:
            v = rng.randint(lo, hi)
        return V(str(v), v)

    return gen


def g_dec(p, s, unsigned=False):
    ip = p - s

    def fmt(sign, idig, fdig):
        t = idig if idig else "0"
        if s:
            t += "." + fdig
        return ("-" if sign else "") + t

    def gen(rng):
        r = rng.random()
        if r < 0.08:
            return NULL
        sign = (not unsigned) and rng.random() < 0.5
        if r < 0.3:
            kind = rng.randrange(4)
            if kind == 0:  # max
                return V(fmt(sign, "9" * ip, "9" * s))
            if kind == 1:  # smallest step
                return V(fmt(sign, "", "0" * (s - 1) + "1") if s else fmt(
                    sign, "1", ""))
            if kind == 2:
                return V("0")
            return V(fmt(sign, "1" + "0" * (ip - 1) if ip else "", "0" * s))
        ni = rng.randint(0, ip)
        idig = "".join(rng.choice("0123456789") for _ in range(ni)).lstrip("0")
        fdig = "".join(rng.choice("0123456789") for _ in range(s))
        return V(fmt(sign, idig, fdig))

    return gen


def f32_from_bits(b):
    return struct.unpack("<f", struct.pack("<I", b))[0]


def f64_from_bits(b):
    return struct.unpack("<d", struct.pack("<Q", b))[0]


def g_float(unsigned=False):
    edges = [0.0, -0.0, 3.4028234663852886e38, 1.1754943508222875e-38,
             1.401298464324817e-45, 16777216.0, 0.1, 1.0 / 3, 2.5, 1e10,
             -1.0, 123456.789]

    def gen(rng):
        r = rng.random()
        if r < 0.08:
            return NULL
        if r < 0.35:
            v = rng.choice(edges)
            if not unsigned and rng.random() < 0.4:
                v = -v
        else:
            while True:
                v = f32_from_bits(rng.getrandbits(32))
                if v == v and abs(v) != float("inf"):
                    break
        if unsigned:
            v = abs(v)
            if str(v).startswith("-"):
                v = 0.0
        # repr of the float32's exact double value parses back to it
        return V(repr(float(v)) if repr(float(v)) != "-0.0" else "-0e0")

    return gen


def g_double():
    edges = [0.0, 1.7976931348623157e308, -1.7976931348623157e308,
             2.2250738585072014e-308, 5e-324, -5e-324, 0.1 + 0.2,
             9007199254740993.0, 1e-300, -1.0, 1.0 / 3]

    def gen(rng):
        r = rng.random()
        if r < 0.08:
            return NULL
        if r < 0.3:
            if rng.random() < 0.1:
                return V("-0e0")
            return V(repr(rng.choice(edges)))
        while True:
            v = f64_from_bits(rng.getrandbits(64))
            if v == v and abs(v) != float("inf"):
                break
        if v == 0:
            return V("-0e0" if str(v).startswith("-") else "0e0")
        return V(repr(v))

    return gen


def g_fixed_float(digits, scale):
    # FLOAT(7,3) / DOUBLE(10,4): a value with at most `digits` digits.
    lim = 10**digits - 1

    def gen(rng):
        if rng.random() < 0.08:
            return NULL
        n = rng.choice([lim, -lim, 0, 1, -1]) if rng.random() < 0.3 else \
            rng.randint(-lim, lim)
        sign = "-" if n < 0 else ""
        a = abs(n)
        return V("%s%d.%0*d" % (sign, a // 10**scale, scale, a % 10**scale))

    return gen


def g_bit(n):
    def gen(rng):
        r = rng.random()
        if r < 0.08:
            return NULL
        v = rng.choice([0, 1, (1 << n) - 1, 1 << (n - 1)]) if r < 0.35 else \
            rng.getrandbits(n)
        if rng.random() < 0.5:
            return V("b'" + format(v, "b") + "'")
        return V(str(v))

    return gen


def rdate(rng, zero_ok=True):
    r = rng.random()
    if zero_ok and r < 0.06:
        return "0000-00-00"
    if zero_ok and r < 0.1:
        return "%04d-%02d-%02d" % (rng.randint(0, 9999), rng.choice(
            [0, rng.randint(1, 12)]), 0)
    if r < 0.2:
        return rng.choice(["1000-01-01", "9999-12-31", "0001-01-01",
                           "2000-02-29", "1970-01-01", "1582-10-10"])
    y = rng.randint(1, 9999)
    m = rng.randint(1, 12)
    dim = [31, 29 if (y % 4 == 0 and (y % 100 or y % 400 == 0)) else 28, 31,
           30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]
    return "%04d-%02d-%02d" % (y, m, rng.randint(1, dim))


def frac(rng, fsp):
    if fsp == 0:
        return ""
    k = rng.random()
    if k < 0.2:
        return "." + "9" * fsp
    if k < 0.3:
        return "." + "0" * (fsp - 1) + "1"
    return "." + "".join(rng.choice("0123456789") for _ in range(fsp))


def g_time(fsp):
    def gen(rng):
        r = rng.random()
        if r < 0.08:
            return NULL
        if r < 0.2:
            h, m, s = rng.choice([(838, 59, 59), (0, 0, 0), (24, 0, 0)])
        else:
            h, m, s = rng.randint(0, 838), rng.randint(0, 59), rng.randint(
                0, 59)
        sign = "-" if rng.random() < 0.4 else ""
        return V("'%s%02d:%02d:%02d%s'" % (sign, h, m, s, frac(rng, fsp)))

    return gen


def g_date():
    def gen(rng):
        if rng.random() < 0.08:
            return NULL
        return V("'" + rdate(rng) + "'")

    return gen


def g_datetime(fsp):
    def gen(rng):
        r = rng.random()
        if r < 0.08:
            return NULL
        if r < 0.14:
            return V("'0000-00-00 00:00:00%s'" % ("." + "0" * fsp if fsp
                                                  else ""))
        if r < 0.2:
            return V("'9999-12-31 23:59:59%s'" % ("." + "9" * fsp if fsp
                                                  else ""))
        return V("'%s %02d:%02d:%02d%s'" % (rdate(rng), rng.randint(
            0, 23), rng.randint(0, 59), rng.randint(0, 59), frac(rng, fsp)))

    return gen


def g_timestamp(fsp):
    import datetime as dt

    def gen(rng):
        r = rng.random()
        if r < 0.08:
            return NULL
        if r < 0.14:
            return V("'0000-00-00 00:00:00'")
        if r < 0.22:
            t = rng.choice([1, 2147483647, 946684800, 951782400])
        else:
            t = rng.randint(1, 2147483647)
        d = dt.datetime.fromtimestamp(t, dt.timezone.utc)
        f = frac(rng, fsp)
        if t == 2147483647 and f:
            f = "." + "9" * fsp
        return V("'" + d.strftime("%Y-%m-%d %H:%M:%S") + f + "'")

    return gen


def g_year():
    def gen(rng):
        r = rng.random()
        if r < 0.08:
            return NULL
        if r < 0.3:
            return V(str(rng.choice([0, 1901, 2155, 2000, 1999])))
        return V(str(rng.randint(1901, 2155)))

    return gen


def g_str(maxchars, cs="utf8mb4", maxbytes=None, pools=None, nullable=True):
    def gen(rng):
        if nullable and rng.random() < 0.08:
            return NULL
        if cs == "ascii":
            s = rstr(rng, maxchars, [POOLS[0], POOLS[1], POOLS[2]])
            return V("_ascii " + hexlit(s.encode("ascii")))
        if cs == "latin1":
            n = rng.randint(0, maxchars)
            # every byte value, 0x80..0x9F (cp1252 in MariaDB) included
            b = bytes(rng.choice([rng.randrange(256), rng.randrange(0x80, 0xA0),
                                  rng.randrange(0x20, 0x7F)])
                      for _ in range(n))
            return V(latin1lit(b))
        s = rstr(rng, maxchars, pools)
        if maxbytes is not None:
            s = fit_bytes(s, maxbytes)
        if cs == "utf16":
            return V("CONVERT(" + text(s) + " USING utf16)")
        return V(text(s))

    return gen


def g_bytes(maxlen, fixed=None, nullable=True):
    def gen(rng):
        if nullable and rng.random() < 0.08:
            return NULL
        if fixed:
            n = fixed if rng.random() < 0.5 else rng.randint(0, fixed)
        else:
            n = rng.randint(0, maxlen) if rng.random() < 0.8 else maxlen
        k = rng.random()
        if k < 0.2:
            b = bytes(n)
        elif k < 0.3:
            b = b"\xff" * n
        else:
            b = bytes(rng.choice([0, rng.randrange(256)]) for _ in range(n))
        return V(hexlit(b) if b else "X''")

    return gen


def g_blob(maxbytes):
    # ~100 KB values are added by the operations (Gen.big_left)
    def gen(rng):
        if rng.random() < 0.08:
            return NULL
        n = rng.choice([0, 1, rng.randint(0, min(maxbytes, 2000))])
        b = rng.randbytes(n)
        if n and rng.random() < 0.3:
            b = b"\0" + b[1:]
        return V(hexlit(b) if b else "X''")

    return gen


def g_text(maxbytes):
    def gen(rng):
        if rng.random() < 0.08:
            return NULL
        s = rstr(rng, min(maxbytes // 4, 600))
        s = fit_bytes(s, maxbytes)
        return V(text(s))

    return gen


E300 = ["m%d" % i for i in range(1, 301)]
S64 = ["b%d" % i for i in range(1, 65)]
EUTF = ["ü", "😀", "x y", "comma,no"]
SUTF = ["ä", "ö", "😀"]


def enum_sql(members):
    return ",".join("'" + m + "'" for m in members)


def g_enum(members, nullable=True):
    def gen(rng):
        if nullable and rng.random() < 0.08:
            return NULL
        return V(text(rng.choice(members)))

    return gen


def g_set(members):
    def gen(rng):
        if rng.random() < 0.08:
            return NULL
        k = rng.random()
        if k < 0.15:
            pick = []
        elif k < 0.25:
            pick = list(members)
        else:
            pick = [m for m in members if rng.random() < 0.3]
        return V(text(",".join(pick)))

    return gen


def rjson(rng, depth=0):
    k = rng.random()
    if depth > 3 or k < 0.4:
        return rng.choice([
            None, True, False, 0, -1, 18446744073709551615,
            -9223372036854775808, 1.5e300, -2.5e-10,
            rng.randint(-10**6, 10**6), rng.random(),
            rstr(rng, 12)
        ])
    if k < 0.7:
        return [rjson(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    return {rstr(rng, 6, [POOLS[0], POOLS[3], POOLS[7]]): rjson(rng, depth + 1)
            for _ in range(rng.randint(0, 4))}


def g_json(nullable=True):
    def gen(rng):
        if nullable and rng.random() < 0.08:
            return NULL
        doc = rjson(rng)
        s = json.dumps(doc, ensure_ascii=rng.random() < 0.3,
                       separators=rng.choice([(",", ":"), (", ", ": ")]))
        if rng.random() < 0.1:
            s = "  " + s + " \n"
        return V(text(s))

    return gen


UUID_EDGES = ["00000000-0000-0000-0000-000000000000",
              "ffffffff-ffff-ffff-ffff-ffffffffffff",
              "00000000-0000-0000-0000-000000000001",
              "80000000-0000-0000-0000-000000000000"]


def ruuid(rng):
    if rng.random() < 0.5:
        u = str(uuid.UUID(int=rng.getrandbits(128), version=4))
    elif rng.random() < 0.5:
        # version 1 (time-based): MariaDB stores its parts swapped
        u = str(uuid.UUID(int=rng.getrandbits(128), version=1))
    else:
        # version 7 (time-ordered); MariaDB rejects some version/variant
        # combinations of random bits
        n = rng.getrandbits(128)
        n = (n & ~(0xF << 76)) | (7 << 76)
        n = (n & ~(0x3 << 62)) | (0x2 << 62)
        u = str(uuid.UUID(int=n))
    return u


def g_uuid(nullable=True):
    def gen(rng):
        if nullable and rng.random() < 0.08:
            return NULL
        u = rng.choice(UUID_EDGES) if rng.random() < 0.15 else ruuid(rng)
        return V("'" + u + "'", u)

    return gen


def g_inet6():
    def gen(rng):
        r = rng.random()
        if r < 0.08:
            return NULL
        if r < 0.25:
            a = rng.choice(["::", "::1", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
                            "fe80::1", "2001:db8::ff00:42:8329"])
        elif r < 0.4:
            a = "::ffff:%d.%d.%d.%d" % tuple(rng.randrange(256) for _ in range(4))
        else:
            a = str(ipaddress.IPv6Address(rng.getrandbits(128)))
        return V("'" + a + "'")

    return gen


def rnum(rng):
    return repr(rng.choice([0.0, 1.0, -1.5, rng.uniform(-1e6, 1e6),
                            rng.uniform(-1, 1) * 1e-10]))


def g_geom(kind):
    def gen(rng):
        if rng.random() < 0.1:
            return NULL
        k = kind or rng.choice(["POINT", "LINESTRING", "POLYGON",
                                "MULTIPOINT", "GEOMETRYCOLLECTION"])
        if k == "POINT":
            if kind:
                return V("POINT(%s, %s)" % (rnum(rng), rnum(rng)))
            wkt = "POINT(%s %s)" % (rnum(rng), rnum(rng))
        elif k == "LINESTRING":
            wkt = "LINESTRING(%s)" % ",".join(
                "%s %s" % (rnum(rng), rnum(rng))
                for _ in range(rng.randint(2, 30)))
        elif k == "POLYGON":
            x, y, d = rng.randint(-100, 100), rng.randint(-100, 100), \
                rng.randint(1, 50)
            wkt = "POLYGON((%d %d,%d %d,%d %d,%d %d,%d %d))" % (
                x, y, x + d, y, x + d, y + d, x, y + d, x, y)
        elif k == "MULTIPOINT":
            wkt = "MULTIPOINT(%s)" % ",".join(
                "%s %s" % (rnum(rng), rnum(rng)) for _ in range(3))
        else:
            wkt = rng.choice(["GEOMETRYCOLLECTION EMPTY",
                              "GEOMETRYCOLLECTION(POINT(1 1),LINESTRING(0 0,1 1))"])
        srid = rng.choice(["", ", 4326", ", 3857"])
        return V("ST_GeomFromText('%s'%s)" % (wkt, srid))

    return gen


# ---------------------------------------------------------- key generators


def k_int(lo, hi, edges=()):
    def gen(rng):
        v = rng.choice(edges) if edges and rng.random() < 0.05 else \
            rng.randint(lo, hi)
        return V(str(v), v)

    return gen


KEYCHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-@"


def ci_norm(s):
    # utf8mb4_general_ci on ASCII: case-insensitive, PAD SPACE
    return s.rstrip(" ").lower()


def k_ci(minlen, maxlen, chars=KEYCHARS):
    def gen(rng):
        s = "".join(rng.choice(chars) for _ in range(rng.randint(minlen,
                                                                 maxlen)))
        return V(text(s), ci_norm(s))

    return gen


def ci_val(s):
    return V(text(s), ci_norm(s))


def k_varbin(maxlen):
    def gen(rng):
        n = rng.randint(1, maxlen)
        b = bytes(rng.choice([0, 0, 0xff, rng.randrange(256)])
                  for _ in range(n))
        return V(hexlit(b), b)

    return gen


def k_bin16():
    def gen(rng):
        k = rng.random()
        if k < 0.2:
            b = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
            b = b + bytes(16 - len(b))  # trailing zero bytes
        elif k < 0.3:
            b = bytes(16)
            b = b[:15] + bytes([rng.randrange(256)])
        else:
            b = rng.randbytes(16)
        return V(hexlit(b), b)

    return gen


def k_uuid():
    def gen(rng):
        u = ruuid(rng)
        return V("'" + u + "'", u)

    return gen


# ----------------------------------------------------------------- model


class Col:
    def __init__(self, name, ddl, gen, nullable=True):
        self.name, self.ddl, self.gen, self.nullable = name, ddl, gen, nullable


def q(name):
    return "`" + name + "`"


class Table:
    def __init__(self, name, cols, key, uniques=(), tail=""):
        self.name = name
        self.cols = cols
        self.col = {c.name: c for c in cols}
        self.key = list(key)  # the row identity (PRIMARY KEY or NOT NULL UNIQUE)
        self.uniques = [(n, list(cs)) for n, cs in uniques]
        self.tail = tail  # extra DDL (keys)
        self.rows = {}  # key tuple -> {col: V}
        self.uidx = {n: {} for n, _ in self.uniques}
        # --no-collide: a unique value stays with the first key that held
        # it (never given to another row, nor carried to a new key)
        self.no_reuse = False
        self.used = {n: {} for n, _ in self.uniques}
        self.nonkey = [c.name for c in cols if c.name not in self.key]

    # --- keys
    def kt(self, row):
        return tuple(row[c].norm for c in self.key)

    def ut(self, row, cols):
        vals = [row[c] for c in cols]
        if any(v.is_null() for v in vals):
            return None  # NULL never collides
        return tuple(v.norm for v in vals)

    def fits(self, row, old=None):
        """True when row can exist with the row keyed old removed."""
        k = self.kt(row)
        if k in self.rows and k != old:
            return False
        for n, cs in self.uniques:
            u = self.ut(row, cs)
            if u is None:
                continue
            owner = self.uidx[n].get(u, old)
            if owner != old:
                return False
            if self.no_reuse and self.used[n].get(u, k) != k:
                return False
        return True

    def put(self, row):
        k = self.kt(row)
        assert k not in self.rows
        self.rows[k] = row
        for n, cs in self.uniques:
            u = self.ut(row, cs)
            if u is not None:
                assert u not in self.uidx[n]
                self.uidx[n][u] = k
                self.used[n].setdefault(u, k)

    def remove(self, k):
        row = self.rows.pop(k)
        for n, cs in self.uniques:
            u = self.ut(row, cs)
            if u is not None:
                del self.uidx[n][u]
        return row

    # --- SQL
    def where(self, row):
        return " AND ".join("%s=%s" % (q(c), row[c].lit) for c in self.key)

    def keylist(self, rows):
        if len(self.key) == 1:
            return "%s IN (%s)" % (q(self.key[0]), ",".join(
                r[self.key[0]].lit for r in rows))
        return "(%s) IN (%s)" % (",".join(q(c) for c in self.key), ",".join(
            "(" + ",".join(r[c].lit for c in self.key) + ")" for r in rows))

    def ddl(self):
        parts = ["  %s %s" % (q(c.name), c.ddl) for c in self.cols]
        if self.tail:
            parts.append("  " + self.tail)
        return "CREATE TABLE %s (\n%s\n)" % (q(self.name), ",\n".join(parts))

    def new_row(self, rng, tries=50):
        for _ in range(tries):
            row = {c.name: c.gen(rng) for c in self.cols}
            if self.fits(row):
                return row
        return None

    def pick(self, rng, n=1):
        if len(self.rows) < n:
            return None
        keys = rng.sample(sorted(self.rows.keys(), key=repr), n)
        return [self.rows[k] for k in keys]


# ----------------------------------------------------------------- tables


def build_tables():
    T = []
    # 1. integers, INT primary key (negative, 0 and the extremes included)
    T.append(Table("t_int", [
        Col("id", "INT NOT NULL", k_int(-3000, 3000, [-2147483648, 2147483647,
                                                      0, -1])),
        Col("ti", "TINYINT", g_int(8, False)),
        Col("tiu", "TINYINT UNSIGNED", g_int(8, True)),
        Col("si", "SMALLINT", g_int(16, False)),
        Col("siu", "SMALLINT UNSIGNED", g_int(16, True)),
        Col("mi", "MEDIUMINT", g_int(24, False)),
        Col("miu", "MEDIUMINT UNSIGNED", g_int(24, True)),
        Col("i", "INT", g_int(32, False)),
        Col("iu", "INT UNSIGNED", g_int(32, True)),
        Col("bi", "BIGINT", g_int(64, False)),
        Col("biu", "BIGINT UNSIGNED", g_int(64, True)),
        Col("nn", "BIGINT NOT NULL DEFAULT 7", g_int(64, False, False)),
        Col("nnu", "INT UNSIGNED NOT NULL DEFAULT 0", g_int(32, True, False)),
        Col("bo", "BOOLEAN", g_int(8, False)),
    ], ["id"], tail="PRIMARY KEY (`id`)"))
    # 2. decimal, float, double, bit; composite primary key
    T.append(Table("t_num", [
        Col("g", "TINYINT UNSIGNED NOT NULL", k_int(0, 3, [255])),
        Col("id", "BIGINT NOT NULL", k_int(-500, 500, [
            -9223372036854775808, 9223372036854775807])),
        Col("d10_0", "DECIMAL(10,0)", g_dec(10, 0)),
        Col("d5_5", "DECIMAL(5,5)", g_dec(5, 5)),
        Col("d65_30", "DECIMAL(65,30)", g_dec(65, 30)),
        Col("d12_2", "DECIMAL(12,2)", g_dec(12, 2)),
        Col("d18_9", "DECIMAL(18,9)", g_dec(18, 9)),
        Col("d19_10", "DECIMAL(19,10)", g_dec(19, 10)),
        Col("d1_0", "DECIMAL(1,0)", g_dec(1, 0)),
        Col("d9_9", "DECIMAL(9,9)", g_dec(9, 9)),
        Col("d38_0", "DECIMAL(38,0)", g_dec(38, 0)),
        Col("d65_0", "DECIMAL(65,0)", g_dec(65, 0)),
        Col("d38_38", "DECIMAL(38,38)", g_dec(38, 38)),
        Col("d10_2u", "DECIMAL(10,2) UNSIGNED", g_dec(10, 2, True)),
        Col("d4_1", "DECIMAL(4,1) NOT NULL DEFAULT 0", lambda r: V(
            "%.1f" % (r.randint(-9999, 9999) / 10))),
        Col("f", "FLOAT", g_float()),
        Col("fu", "FLOAT UNSIGNED", g_float(True)),
        Col("d", "DOUBLE", g_double()),
        Col("fm", "FLOAT(7,3)", g_fixed_float(7, 3)),
        Col("dm", "DOUBLE(10,4)", g_fixed_float(10, 4)),
        Col("b1", "BIT(1)", g_bit(1)),
        Col("b7", "BIT(7)", g_bit(7)),
        Col("b8", "BIT(8)", g_bit(8)),
        Col("b9", "BIT(9)", g_bit(9)),
        Col("b17", "BIT(17)", g_bit(17)),
        Col("b33", "BIT(33)", g_bit(33)),
        Col("b63", "BIT(63)", g_bit(63)),
        Col("b64", "BIT(64)", g_bit(64)),
    ], ["g", "id"], tail="PRIMARY KEY (`g`, `id`)"))
    # 3. temporal types; VARCHAR _ci primary key
    cols = [Col("k", "VARCHAR(40) COLLATE utf8mb4_general_ci NOT NULL",
                k_ci(1, 12)),
            Col("y", "YEAR", g_year()), Col("d", "DATE", g_date())]
    for f in range(7):
        cols.append(Col("t%d" % f, "TIME(%d)" % f, g_time(f)))
    for f in range(7):
        cols.append(Col("dt%d" % f, "DATETIME(%d)" % f, g_datetime(f)))
    for f in (0, 3, 6):
        cols.append(Col("ts%d" % f, "TIMESTAMP(%d) NULL DEFAULT NULL" % f,
                        g_timestamp(f)))
    T.append(Table("t_time", cols, ["k"], tail="PRIMARY KEY (`k`)"))
    # 4. strings; VARBINARY primary key (zero bytes)
    T.append(Table("t_str", [
        Col("k", "VARBINARY(32) NOT NULL", k_varbin(12)),
        Col("c", "CHAR(10)", g_str(10)),
        Col("c255", "CHAR(255)", g_str(255)),
        Col("c_nn", "CHAR(3) NOT NULL DEFAULT ''", g_str(3, nullable=False)),
        Col("vc", "VARCHAR(20)", g_str(20)),
        Col("vc64", "VARCHAR(64)", g_str(64)),
        Col("vcl", "VARCHAR(1000)", g_str(1000)),
        Col("c_lat", "CHAR(10) CHARACTER SET latin1", g_str(10, "latin1")),
        Col("vc_lat", "VARCHAR(300) CHARACTER SET latin1",
            g_str(300, "latin1")),
        Col("vc_asc", "VARCHAR(20) CHARACTER SET ascii", g_str(20, "ascii")),
        Col("vc_u16", "VARCHAR(10) CHARACTER SET utf16", g_str(10, "utf16")),
        Col("vc_bin", "VARCHAR(20) COLLATE utf8mb4_bin", g_str(20)),
        Col("bn", "BINARY(8)", g_bytes(8, fixed=8)),
        Col("bn1", "BINARY(1)", g_bytes(1, fixed=1)),
        Col("vbn", "VARBINARY(10)", g_bytes(10)),
        Col("vbnl", "VARBINARY(300)", g_bytes(300)),
        Col("naïve_ü", "VARCHAR(10)", g_str(10)),
    ], ["k"], tail="PRIMARY KEY (`k`)"))
    # 5. blobs and texts; BINARY(16) primary key
    T.append(Table("t_blob", [
        Col("id", "BINARY(16) NOT NULL", k_bin16()),
        Col("tb", "TINYBLOB", g_blob(255)),
        Col("b", "BLOB", g_blob(65535)),
        Col("mb", "MEDIUMBLOB", g_blob(200000)),
        Col("lb", "LONGBLOB", g_blob(200000)),
        Col("tt", "TINYTEXT", g_text(255)),
        Col("t", "TEXT", g_text(65535)),
        Col("mt", "MEDIUMTEXT", g_text(200000)),
        Col("lt", "LONGTEXT", g_text(200000)),
    ], ["id"], tail="PRIMARY KEY (`id`)"))
    # 6. enum, set, json, uuid, inet6, geometry; UUID primary key
    T.append(Table("t_misc", [
        Col("u", "UUID NOT NULL", k_uuid()),
        Col("e", "ENUM('a','b','c')", g_enum(["a", "b", "c"])),
        Col("e_utf", "ENUM(%s)" % enum_sql(EUTF), g_enum(EUTF)),
        Col("e300", "ENUM(%s)" % enum_sql(E300), g_enum(E300)),
        Col("s", "SET('x','y','z')", g_set(["x", "y", "z"])),
        Col("s_utf", "SET(%s)" % enum_sql(SUTF), g_set(SUTF)),
        Col("s64", "SET(%s)" % enum_sql(S64), g_set(S64)),
        Col("e_nn", "ENUM('on','off') NOT NULL DEFAULT 'off'",
            g_enum(["on", "off"], False)),
        Col("j", "JSON", g_json()),
        Col("j2", "JSON NOT NULL DEFAULT '{}'", g_json(False)),
        Col("u2", "UUID", g_uuid()),
        Col("ip", "INET6", g_inet6()),
        Col("geo", "GEOMETRY", g_geom(None)),
        Col("pt", "POINT", g_geom("POINT")),
    ], ["u"], tail="PRIMARY KEY (`u`)"))

    # ---- secondary unique keys
    # 7. one INT unique column
    T.append(Table("u_single", [
        Col("id", "INT NOT NULL", k_int(1, 4000)),
        Col("u", "INT NOT NULL", k_int(1, 999999)),
        Col("v", "VARCHAR(30)", g_str(30)),
        Col("n", "BIGINT", g_int(64, False)),
    ], ["id"], uniques=[("uk_u", ["u"])],
        tail="PRIMARY KEY (`id`), UNIQUE KEY `uk_u` (`u`)"))
    # 8. composite unique key with a _ci column
    T.append(Table("u_comp", [
        Col("id", "BIGINT NOT NULL", k_int(1, 4000)),
        Col("a", "VARCHAR(20) COLLATE utf8mb4_general_ci NOT NULL",
            k_ci(1, 3, "abcdeABCDE")),
        Col("b", "INT NOT NULL", k_int(0, 30)),
        Col("c", "DATETIME(3)", g_datetime(3)),
        Col("d", "DOUBLE", g_double()),
    ], ["id"], uniques=[("uk_ab", ["a", "b"])],
        tail="PRIMARY KEY (`id`), UNIQUE KEY `uk_ab` (`a`, `b`)"))
    # 9. nullable unique keys (single _ci column, and composite); composite PK
    T.append(Table("u_null", [
        Col("k1", "INT NOT NULL", k_int(1, 60)),
        Col("k2", "VARCHAR(10) COLLATE utf8mb4_general_ci NOT NULL",
            k_ci(1, 2, "abcXYZ")),
        Col("email", "VARCHAR(64) COLLATE utf8mb4_general_ci NULL",
            lambda r: NULL if r.random() < 0.2 else k_ci(3, 8, "abAB@.")(r)),
        Col("x", "INT NULL", lambda r: NULL if r.random() < 0.25 else
            k_int(0, 100)(r)),
        Col("y", "CHAR(4) NULL", lambda r: NULL if r.random() < 0.25 else
            V(text(c := r.choice(["p", "q", "r", "s"])), c)),
        Col("note", "TEXT", g_text(2000)),
    ], ["k1", "k2"], uniques=[("uk_email", ["email"]), ("uk_xy", ["x", "y"])],
        tail="PRIMARY KEY (`k1`, `k2`), UNIQUE KEY `uk_email` (`email`), "
        "UNIQUE KEY `uk_xy` (`x`, `y`)"))
    # 10. no primary key: the NOT NULL unique key `a_code` is the identity,
    # `b_alt` a second (nullable) unique key
    T.append(Table("u_nopk", [
        Col("code", "CHAR(8) COLLATE utf8mb4_general_ci NOT NULL",
            k_ci(1, 8, "abcdefgh0123")),
        Col("alt", "INT NULL", lambda r: NULL if r.random() < 0.15 else
            k_int(1, 3000)(r)),
        Col("val", "VARCHAR(20)", g_str(20)),
    ], ["code"], uniques=[("b_alt", ["alt"])],
        tail="UNIQUE KEY `a_code` (`code`), UNIQUE KEY `b_alt` (`alt`)"))
    return T


# --------------------------------------------------------------- workload


class Gen:
    def __init__(self, seed, pace, collide=True):
        self.rng = random.Random(seed)
        self.pace = pace
        self.collide = collide
        self.tables = build_tables()
        for t in self.tables:
            t.no_reuse = not collide
        self.t = {t.name: t for t in self.tables}
        self.out = []
        self.n_txn = 0
        self.n_stmt = 0
        self.n_rows = 0
        self.big_left = 6  # ~100 KB blobs
        self.check = False  # --check-rows: print ROW_COUNT() after DML

    # --- emit
    def stmt(self, sql, rows):
        self.out.append(sql + ";\n")
        self.n_stmt += 1
        self.n_rows += rows
        if self.check and sql.split(" ", 1)[0] in ("INSERT", "UPDATE",
                                                    "DELETE"):
            self.out.append("SELECT 'ROWCOUNT', ROW_COUNT(), %d, '%s';\n"
                            % (rows, sql.split(" ", 1)[0]))

    # --- primitive statements (each checks, applies to the model, emits)
    def insert(self, t, rows):
        for r in rows:
            t.put(r)
        cols = [c.name for c in t.cols]
        self.stmt("INSERT INTO %s (%s) VALUES %s" % (
            q(t.name), ",".join(q(c) for c in cols), ",".join(
                "(" + ",".join(r[c].lit for c in cols) + ")" for r in rows)),
            len(rows))

    def update(self, t, row, changes):
        """UPDATE one row (identified by its current key); False when the
        new row would collide."""
        new = dict(row)
        new.update(changes)
        old = t.kt(row)
        if not t.fits(new, old):
            return False
        where = t.where(row)
        t.remove(old)
        t.put(new)
        self.stmt("UPDATE %s SET %s WHERE %s" % (q(t.name), ", ".join(
            "%s=%s" % (q(c), v.lit) for c, v in changes.items()), where), 1)
        return True

    def delete(self, t, rows):
        for r in rows:
            t.remove(t.kt(r))
        if len(rows) == 1:
            self.stmt("DELETE FROM %s WHERE %s" % (q(t.name), t.where(rows[0])),
                      1)
        else:
            self.stmt("DELETE FROM %s WHERE %s" % (q(t.name), t.keylist(rows)),
                      len(rows))

    # --- helpers
    def fresh(self, t, cols, base=None, tries=60):
        """A copy of base (or a new row) with cols regenerated so that it
        fits; None when none found."""
        rng = self.rng
        for _ in range(tries):
            r = dict(base) if base else {c.name: c.gen(rng) for c in t.cols}
            for c in cols:
                r[c] = t.col[c].gen(rng)
            if t.fits(r, t.kt(base) if base else None):
                return r
        return None

    def free_key(self, t, base):
        r = self.fresh(t, t.key, base)
        if r is None:
            return None
        if t.kt(r) in t.rows:
            return None
        return {c: r[c] for c in t.key}

    def temp_key(self, t):
        """A key no row has, for swaps through a temporary key."""
        rng = self.rng
        for _ in range(100):
            r = {c.name: c.gen(rng) for c in t.cols}
            if t.kt(r) not in t.rows:
                return {c: r[c] for c in t.key}
        return None

    # --- operations on any table; each returns False when not possible
    def op_insert(self, t):
        n = 1 if self.rng.random() < 0.6 else self.rng.randint(2, 8)
        rows = []
        for _ in range(n):
            r = t.new_row(self.rng)
            if r is None:
                break
            # also no collision among the new rows
            if any(t.kt(r) == t.kt(x) for x in rows) or any(
                    t.ut(r, cs) is not None and t.ut(r, cs) == t.ut(x, cs)
                    for x in rows for _, cs in t.uniques):
                continue
            rows.append(r)
        if not rows:
            return False
        if t.name == "t_blob" and self.big_left > 0 and self.rng.random() < 0.3:
            self.big_left -= 1
            rows[0]["mb"] = V(hexlit(self.rng.randbytes(100 * 1024)))
            rows[0]["lt"] = V(text(rstr(self.rng, 40000)))
        self.insert(t, rows)
        return True

    def op_update(self, t):
        rows = t.pick(self.rng)
        if not rows or not t.nonkey:
            return False
        cols = self.rng.sample(t.nonkey, self.rng.randint(1, len(t.nonkey)))
        new = self.fresh(t, cols, rows[0])
        if new is None:
            return False
        if t.name == "t_blob" and self.big_left > 0 and self.rng.random() < 0.2:
            self.big_left -= 1
            new["lb"] = V(hexlit(self.rng.randbytes(100 * 1024)))
            cols = cols + ["lb"]
        return self.update(t, rows[0], {c: new[c] for c in cols})

    def op_update_null(self, t):
        rows = t.pick(self.rng)
        if not rows:
            return False
        ch = {c.name: NULL for c in t.cols
              if c.nullable and c.name not in t.key and "NOT NULL" not in c.ddl}
        return bool(ch) and self.update(t, rows[0], ch)

    def op_update_many(self, t):
        n = self.rng.randint(2, 6)
        rows = t.pick(self.rng, n)
        cands = [c for c in t.nonkey
                 if not any(c in cs for _, cs in t.uniques)]
        if not rows or not cands:
            return False
        c = self.rng.choice(cands)
        v = t.col[c].gen(self.rng)
        for r in rows:
            k = t.kt(r)
            t.rows[k] = dict(r, **{c: v})
        self.stmt("UPDATE %s SET %s=%s WHERE %s" % (q(t.name), q(c), v.lit,
                                                    t.keylist(rows)), n)
        return True

    def op_delete(self, t):
        n = 1 if self.rng.random() < 0.7 else self.rng.randint(2, 5)
        rows = t.pick(self.rng, n)
        if not rows:
            return False
        self.delete(t, rows)
        return True

    def op_key_change(self, t):
        rows = t.pick(self.rng)
        if not rows:
            return False
        if t.no_reuse and t.uniques:
            # the new key gets new unique values too
            cols = t.key + [c for _, cs in t.uniques for c in cs]
            r = self.fresh(t, cols, rows[0])
            if r is None or t.kt(r) in t.rows:
                return False
            nk = {c: r[c] for c in cols}
        else:
            nk = self.free_key(t, rows[0])
        if nk is None:
            return False
        ch = dict(nk)
        if self.rng.random() < 0.5 and t.nonkey:
            c = self.rng.choice(t.nonkey)
            if not any(c in cs for _, cs in t.uniques):
                ch[c] = t.col[c].gen(self.rng)
        return self.update(t, rows[0], ch)

    def op_key_shift_many(self, t):
        """UPDATE t SET id = id + OFF WHERE id IN (...): one statement, many
        key changes (integer single-column keys)."""
        if t.name not in ("t_int", "u_single", "u_comp") or (
                t.no_reuse and t.uniques):
            return False
        rows = t.pick(self.rng, self.rng.randint(2, 5))
        if not rows:
            return False
        off = self.rng.choice([7, 100000, -100000, 1])
        hi = 2147483647 if t.name != "u_comp" else 9223372036854775807
        olds = {t.kt(r) for r in rows}
        news = []
        for r in rows:
            v = r["id"].norm + off
            if v > hi or v < -hi - 1 or (v,) in t.rows or (v,) in olds:
                return False
            news.append(v)
        # MariaDB updates in key order; the new keys are all free, so the
        # order does not matter
        for r, v in zip(rows, news):
            t.remove(t.kt(r))
        for r, v in zip(rows, news):
            t.put(dict(r, id=V(str(v), v)))
        self.stmt("UPDATE %s SET `id` = `id` + (%d) WHERE %s" % (
            q(t.name), off, t.keylist(rows)), len(rows))
        return True

    def op_key_swap(self, t):
        """Two rows exchange their keys through a temporary key."""
        rows = t.pick(self.rng, 2)
        if not rows or (t.no_reuse and t.uniques):
            return False
        a, b = rows
        tmp = self.temp_key(t)
        if tmp is None:
            return False
        ka = {c: a[c] for c in t.key}
        kb = {c: b[c] for c in t.key}
        ok = self.update(t, a, tmp)
        assert ok
        a2 = t.rows[t.kt(dict(a, **tmp))]
        ok = self.update(t, b, ka)
        assert ok
        ok = self.update(t, a2, kb)
        assert ok
        return True

    def op_reinsert(self, t):
        """DELETE a row and INSERT another row with the same key."""
        rows = t.pick(self.rng)
        if not rows:
            return False
        r = self.fresh(t, t.nonkey, rows[0])
        if r is None:
            return False
        self.delete(t, rows)
        self.insert(t, [r])
        return True

    def op_ci_case(self, t):
        """Change only the case / trailing spaces of a _ci key."""
        if t.name not in ("t_time",):
            return False
        rows = t.pick(self.rng)
        if not rows:
            return False
        s = bytes.fromhex(rows[0]["k"].lit.split("'")[1]).decode()
        k = self.rng.random()
        if k < 0.4:
            n = s.swapcase()
        elif k < 0.7:
            n = s.upper() if s != s.upper() else s.lower()
        else:
            n = s.rstrip(" ") if s.endswith(" ") else s + " "
        if n == s:
            n = s + " "
        return self.update(t, rows[0], {"k": ci_val(n)})

    # --- unique-key collisions
    def uval(self, t, cs, row):
        return {c: row[c] for c in cs}

    def free_u(self, t, cs, base):
        """A value for cs that no row holds (base's own excluded)."""
        for _ in range(10):
            r = self.fresh(t, cs, base)
            if r is None:
                return None
            u = t.ut(r, cs)
            if u is None or u != t.ut(base, cs):
                return {c: r[c] for c in cs}
        return None

    def u_table(self):
        return self.rng.choice([t for t in self.tables if t.uniques])

    def u_cols(self, t):
        return self.rng.choice(t.uniques)[1]

    def two_with(self, t, cs, n=2):
        rows = [r for _, r in sorted(t.rows.items(), key=lambda kv: repr(kv[0]))
                if t.ut(r, cs) is not None]
        if len(rows) < n:
            return None
        return self.rng.sample(rows, n)

    def ci_variant(self, t, cs, vals):
        """The same unique value, spelt another way (other case, a trailing
        space) where the column's _ci / PAD SPACE collation makes it equal."""
        out = dict(vals)
        for c in cs:
            v = vals[c]
            if ("VARCHAR" in t.col[c].ddl and "_ci" in t.col[c].ddl
                    and v.lit.startswith("_utf8mb4") and self.rng.random() < 0.5):
                s = bytes.fromhex(v.lit.split("'")[1]).decode()
                s2 = s.swapcase()
                if self.rng.random() < 0.3:
                    s2 += " "
                out[c] = ci_val(s2)
        return out

    def op_u_move(self, t, split):
        """Row A's unique value moves to row B: A takes a parked/free value
        first, then B takes A's old one (B's value becomes free)."""
        cs = self.u_cols(t)
        rows = self.two_with(t, cs)
        if not rows:
            return False
        a, b = rows
        va = self.uval(t, cs, a)
        park = self.park(t, cs, a)
        if park is None:
            return False
        ops = [(a, park), (b, self.ci_variant(t, cs, va))]
        return self.run_ops(t, ops, split)

    def park(self, t, cs, row):
        """A free value for cs: u+1000000 style when integer, else random."""
        if cs == ["u"]:
            v = row["u"].norm + 1000000
            if (v,) not in t.uidx["uk_u"]:
                return {"u": V(str(v), v)}
        if self.rng.random() < 0.3 and all(t.col[c].nullable and "NULL" in
                                           t.col[c].ddl and "NOT NULL" not in
                                           t.col[c].ddl for c in cs):
            return {c: NULL for c in cs}
        return self.free_u(t, cs, row)

    def run_ops(self, t, ops, split):
        """Applies [(row, changes)] in order, rows looked up again by key
        (a row changed earlier in the list is found in its new state)."""
        if not split:
            self.begin()
        for row, ch in ops:
            cur = t.rows.get(t.kt(row))
            if cur is None:
                # the row was moved by an earlier op: find it by identity
                cur = row
            if not self.update(t, cur, ch):
                raise AssertionError("model: %s %r %r" % (t.name, t.kt(cur),
                                                          {k: v.lit for k, v in ch.items()}))
            if split:
                self.n_txn += 1
        if not split:
            self.commit()
        return True

    def op_u_swap(self, t, split):
        cs = self.u_cols(t)
        rows = self.two_with(t, cs)
        if not rows:
            return False
        a, b = rows
        va, vb = self.uval(t, cs, a), self.uval(t, cs, b)
        tmp = self.park(t, cs, a)
        if tmp is None:
            return False
        ka, kb = t.kt(a), t.kt(b)
        if not split:
            self.begin()
        self.update(t, t.rows[ka], tmp)
        self.update(t, t.rows[kb], self.ci_variant(t, cs, va))
        self.update(t, t.rows[ka], vb)
        if split:
            self.n_txn += 3
        else:
            self.commit()
        return True

    def op_u_rotate(self, t, split):
        cs = self.u_cols(t)
        rows = self.two_with(t, cs, 3)
        if not rows:
            return False
        a, b, c = rows
        va, vb, vc = (self.uval(t, cs, x) for x in rows)
        tmp = self.park(t, cs, a)
        if tmp is None:
            return False
        ka, kb, kc = t.kt(a), t.kt(b), t.kt(c)
        if not split:
            self.begin()
        self.update(t, t.rows[ka], tmp)       # a parks
        self.update(t, t.rows[kc], va)        # c takes a's
        self.update(t, t.rows[kb], vc)        # b takes c's
        self.update(t, t.rows[ka], vb)        # a takes b's
        if split:
            self.n_txn += 4
        else:
            self.commit()
        return True

    def op_u_del_ins(self, t, split):
        """DELETE row A, INSERT a row with another key and A's unique value."""
        cs = self.u_cols(t)
        rows = self.two_with(t, cs, 1)
        if not rows:
            return False
        a = rows[0]
        va = self.uval(t, cs, a)
        if not split:
            self.begin()
        self.delete(t, [a])
        if split:
            self.n_txn += 1
        new = None
        for _ in range(60):
            r = {c.name: c.gen(self.rng) for c in t.cols}
            r.update(self.ci_variant(t, cs, va))
            if t.fits(r):
                new = r
                break
        if new is None:
            # give A back its row
            new = a
        self.insert(t, [new])
        if split:
            self.n_txn += 1
        else:
            self.commit()
        return True

    def op_u_key_and_u(self, t, split):
        """Row A changes its primary key AND gives its unique value to a new
        row that takes A's old primary key."""
        cs = self.u_cols(t)
        rows = self.two_with(t, cs, 1)
        if not rows:
            return False
        a = rows[0]
        nk = self.free_key(t, a)
        park = self.park(t, cs, a)
        if nk is None or park is None:
            return False
        va = self.uval(t, cs, a)
        ch = dict(nk)
        ch.update(park)
        if not t.fits(dict(a, **ch), t.kt(a)):
            return False
        if not split:
            self.begin()
        self.update(t, a, ch)
        if split:
            self.n_txn += 1
        r = self.fresh(t, t.nonkey, None)
        if r is not None:
            for c in t.key:
                r[c] = a[c]
            r.update(va)
            if t.fits(r):
                self.insert(t, [r])
                if split:
                    self.n_txn += 1
        if not split:
            self.commit()
        return True

    def snapshot(self):
        return ([(dict(t.rows), {n: dict(ix) for n, ix in t.uidx.items()})
                 for t in self.tables], self.big_left)

    def restore(self, snap):
        for t, (rows, uidx) in zip(self.tables, snap[0]):
            t.rows, t.uidx = rows, uidx
        self.big_left = snap[1]

    # --- transactions
    def begin(self):
        self.stmt("BEGIN", 0)

    def commit(self):
        self.stmt("COMMIT", 0)
        self.n_txn += 1

    def any_op(self, t):
        rng = self.rng
        ops = [(self.op_insert, 30), (self.op_update, 25),
               (self.op_update_null, 2), (self.op_update_many, 5),
               (self.op_delete, 12), (self.op_key_change, 8),
               (self.op_key_shift_many, 3), (self.op_key_swap, 4),
               (self.op_reinsert, 4), (self.op_ci_case, 4)]
        # grow first, so that later operations find rows
        if len(t.rows) < 40:
            return self.op_insert(t)
        for _ in range(10):
            f = rng.choices([o for o, _ in ops], [w for _, w in ops])[0]
            if f(t):
                return True
        return self.op_insert(t)

    def u_op(self, split):
        t = self.u_table()
        if not self.collide:
            self.n_txn += 1
            return self.any_op(t)
        if len(t.rows) < 40:
            self.n_txn += 1
            return self.op_insert(t)
        f = self.rng.choice([self.op_u_move, self.op_u_move, self.op_u_swap,
                             self.op_u_rotate, self.op_u_del_ins,
                             self.op_u_del_ins, self.op_u_key_and_u])
        return f(t, split)

    def txn(self):
        rng = self.rng
        k = rng.random()
        if k < 0.3:
            # a unique-key collision scenario, in one transaction or in
            # back-to-back transactions
            self.u_op(split=rng.random() < 0.35)
        elif k < 0.6:
            # autocommit statement (a key swap is wrapped in a transaction)
            t = rng.choice(self.tables)
            before = len(self.out)
            self.out.append(None)  # placeholder for BEGIN
            self.any_op(t)
            stmts = len(self.out) - before - 1
            if stmts > 1:
                self.out[before] = "BEGIN;\n"
                self.stmt("COMMIT", 0)
            else:
                self.out[before] = ""
            self.n_txn += 1
        elif k < 0.97:
            self.begin()
            for _ in range(rng.randint(2, 7)):
                if rng.random() < 0.25 and self.collide:
                    t = self.u_table()
                    # collision inside a larger transaction
                    if len(t.rows) >= 40:
                        f = rng.choice([self.op_u_move, self.op_u_swap,
                                        self.op_u_del_ins])
                        self.inner(f, t)
                        continue
                self.any_op(rng.choice(self.tables))
            self.commit()
        elif k < 0.985:
            # a rolled back transaction: nothing reaches the binlog
            saved = self.snapshot()
            self.begin()
            for _ in range(rng.randint(1, 4)):
                self.any_op(rng.choice(self.tables))
            self.stmt("ROLLBACK", 0)
            self.restore(saved)
        else:
            # ROLLBACK TO SAVEPOINT inside a committed transaction
            self.begin()
            self.any_op(rng.choice(self.tables))
            saved = self.snapshot()
            self.stmt("SAVEPOINT sp1", 0)
            for _ in range(rng.randint(1, 3)):
                self.any_op(rng.choice(self.tables))
            self.stmt("ROLLBACK TO SAVEPOINT sp1", 0)
            self.restore(saved)
            self.any_op(rng.choice(self.tables))
            self.commit()

    def inner(self, f, t):
        """Runs a u-op inside an open transaction (no BEGIN/COMMIT)."""
        saved_begin, saved_commit = self.begin, self.commit
        self.begin = lambda: None
        self.commit = lambda: None
        try:
            f(t, False)
        finally:
            self.begin, self.commit = saved_begin, saved_commit

    def null_rows(self):
        """One row per table with every nullable column NULL, the first
        row events of the workload (a row image of NULLs before any
        value has been seen)."""
        for t in self.tables:
            for _ in range(50):
                r = {c.name: c.gen(self.rng) for c in t.cols}
                for c in t.cols:
                    if c.name not in t.key and "NOT NULL" not in c.ddl:
                        r[c.name] = NULL
                if t.fits(r):
                    self.insert(t, [r])
                    self.n_txn += 1
                    break

    def part(self, ntxn, odd_enum):
        self.out = []
        start = self.n_txn
        s0, r0 = self.n_stmt, self.n_rows
        i = 0
        if odd_enum:
            self.null_rows()
        burst = False
        while self.n_txn - start < ntxn:
            if i % 50 == 0:
                burst = self.rng.random() < 0.25
            self.txn()
            i += 1
            if self.pace > 0 and not burst and i % 3 == 0:
                self.out.append("DO SLEEP(%.3f);\n" % (0.02 * self.pace))
            if odd_enum and i == ntxn // 2:
                self.odd_enum()
        return (self.out, self.n_txn - start, self.n_stmt - s0,
                self.n_rows - r0)

    def odd_enum(self):
        """Non-strict mode: an invalid ENUM value stores index 0 ('')."""
        t = self.t["t_misc"]
        r = None
        for _ in range(50):
            u = k_uuid()(self.rng)
            if (u.norm,) not in t.rows:
                r = {c.name: NULL for c in t.cols}
                r["u"] = u
                break
        if r is None:
            return
        t.put(r)
        self.stmt("SET SESSION sql_mode=''", 0)
        self.stmt("INSERT INTO `t_misc` (`u`, `e`, `e300`, `s`) VALUES "
                  "(%s, 'bogus', 'bogus', 'x,bogus')" % u.lit, 1)
        self.stmt("SET SESSION sql_mode='STRICT_ALL_TABLES,"
                  "NO_ENGINE_SUBSTITUTION'", 0)
        self.n_txn += 1


HEADER = """SET NAMES utf8mb4;
SET SESSION time_zone = '+00:00';
SET SESSION sql_mode = 'STRICT_ALL_TABLES,NO_ENGINE_SUBSTITUTION';
SET SESSION max_statement_time = 0;
USE %s;
""" % DB


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=33)
    ap.add_argument("--txns", type=int, default=700)
    ap.add_argument("--pace", type=float, default=1.0)
    ap.add_argument("--check-rows", action="store_true",
                    help="after each INSERT/UPDATE/DELETE print ROWCOUNT, "
                    "ROW_COUNT() and the model's count (a self-test)")
    ap.add_argument("--no-collide", action="store_true",
                    help="never give a secondary unique value to another "
                    "row (no unique-key collisions at all)")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    g = Gen(a.seed, a.pace, collide=not a.no_collide)
    g.check = a.check_rows
    with open(os.path.join(a.out, "schema.sql"), "w") as f:
        f.write("SET NAMES utf8mb4;\nCREATE DATABASE %s DEFAULT CHARACTER SET "
                "utf8mb4 COLLATE utf8mb4_general_ci;\nUSE %s;\n" % (DB, DB))
        for t in g.tables:
            f.write(t.ddl() + ";\n")
    with open(os.path.join(a.out, "tables.txt"), "w") as f:
        for t in g.tables:
            f.write("%s\t%s\n" % (t.name, ",".join(t.key)))
    summary = []
    for p in (1, 2):
        out, nt, ns, nr = g.part(a.txns, odd_enum=(p == 1))
        with open(os.path.join(a.out, "part%d.sql" % p), "w") as f:
            f.write(HEADER)
            f.writelines(x for x in out if x)
        summary.append("part%d: %d transactions, %d statements, %d row changes"
                       % (p, nt, ns, nr))
    summary.append("final rows: " + ", ".join(
        "%s %d" % (t.name, len(t.rows)) for t in g.tables))
    with open(os.path.join(a.out, "summary.txt"), "w") as f:
        f.write("\n".join(summary) + "\n")
    print("\n".join(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
