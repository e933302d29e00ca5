#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""compare_select.py: checks `sluice binlog --json` output against SELECT.

Replays the decoded row changes of one database (INSERT adds the row,
UPDATE checks its before-image against the row's previous image and
replaces it, DELETE checks and removes it) to get the final state of
every table, then compares that state, row by row and column by column,
with what the server returns for the same tables.

Conventions: every table of the database has a column `id` (an integer
primary key).  The server is reached with the mariadb client (socket or
TCP); stdlib only.

Value comparison (see the `sluice binlog --json` contract):
  integers, YEAR, BIT    exact integer (SELECT col / col+0 / CAST AS UNSIGNED)
  FLOAT                  equal after rounding both to float32
                         (SELECT CAST(col AS DOUBLE) gives the exact widened value)
  DOUBLE                 equal as doubles (SELECT CAST(col AS DOUBLE): MariaDB
                         prints the shortest round trip, not the (M,D) display)
  DECIMAL                exact text
  DATE, TIME, DATETIME,  exact text (the session runs with time_zone '+00:00')
  TIMESTAMP
  strings, blobs, JSON   bytes (SELECT HEX(col); latin1 columns through
                         CONVERT(col USING utf8mb4), as sluice prints UTF-8
                         for them); the JSON form must be a string
                         for a non-binary charset with valid UTF-8 bytes, and
                         {"hex": …} otherwise
  ENUM, SET              member names (bytes of HEX(col)); ENUM index 0 may be
                         "" or 0
  GEOMETRY, UUID, INET6  bytes, {"hex": …}

Exit status: 0 all equal; 1 any mismatch, or nothing decoded; 2 usage or
a failing client / unreadable input.
"""

import argparse
import json
import math
import struct
import subprocess
import sys

INT_TYPES = {"tinyint", "smallint", "mediumint", "int", "bigint"}
TEMPORAL_TYPES = {"date", "time", "datetime", "timestamp"}
STRING_TYPES = {"char", "varchar", "binary", "varbinary", "tinyblob", "blob",
                "mediumblob", "longblob", "tinytext", "text", "mediumtext",
                "longtext", "json"}
GEOMETRY_TYPES = {"geometry", "point", "linestring", "polygon", "multipoint",
                  "multilinestring", "multipolygon", "geometrycollection"}
HEX_ONLY_TYPES = GEOMETRY_TYPES | {"uuid", "inet6"}


class Column:
    def __init__(self, name, data_type, column_type, charset):
        self.name = name
        self.data_type = data_type.lower()
        self.column_type = column_type
        self.charset = None if charset in (None, "NULL") else charset
        dt = self.data_type
        if dt in INT_TYPES:
            self.kind = "int"
        elif dt == "year":
            self.kind = "year"
        elif dt == "bit":
            self.kind = "bit"
        elif dt == "float":
            self.kind = "float"
        elif dt == "double":
            self.kind = "double"
        elif dt == "decimal":
            self.kind = "decimal"
        elif dt in TEMPORAL_TYPES:
            self.kind = "temporal"
        elif dt in ("enum", "set"):
            self.kind = dt
        elif dt in STRING_TYPES:
            self.kind = "string"
        elif dt in HEX_ONLY_TYPES:
            self.kind = "hexonly"
        else:
            raise SystemExit(f"compare_select: column {name}: type {dt} not handled")

    def select_expr(self):
        q = "`" + self.name.replace("`", "``") + "`"
        if self.kind == "string" and self.charset == "latin1":
            # sluice prints latin1 text as UTF-8 (the contract): compare
            # with the server's own conversion
            return f"HEX(CONVERT({q} USING utf8mb4))"
        if self.kind in ("string", "enum", "set", "hexonly"):
            return f"HEX({q})"
        if self.kind in ("float", "double"):
            # the stored value, not the FLOAT(M,D)/DOUBLE(M,D) display
            return f"CAST({q} AS DOUBLE)"
        if self.kind == "bit":
            return f"CAST({q} AS UNSIGNED)"
        if self.kind == "year":
            return f"{q} + 0"
        return q


class Client:
    def __init__(self, args):
        base = [args.client, "--no-defaults", "--batch", "--raw",
                "--skip-column-names", "--default-character-set=utf8mb4",
                "--max-allowed-packet=1G"]
        if args.socket:
            base += ["--protocol=socket", "--socket", args.socket, "-u", args.user]
        else:
            base += ["--protocol=tcp", "-h", args.host, "-P", str(args.port),
                     "-u", args.user]
        if args.password:
            base += ["-p" + args.password]
        self.base = base

    def query(self, sql):
        """Rows of SQL as lists of str (None for NULL)."""
        sql = "SET time_zone = '+00:00'; " + sql
        p = subprocess.run(self.base + ["-e", sql], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE)
        if p.returncode != 0:
            sys.stderr.write(p.stderr.decode("utf-8", "replace"))
            raise SystemExit(2)
        rows = []
        for line in p.stdout.decode("utf-8").split("\n"):
            if line == "":
                continue
            rows.append([None if f == "NULL" else f for f in line.split("\t")])
        return rows


def sql_str(s):
    return "'" + s.replace("\\", "\\\\").replace("'", "''") + "'"


def utf8_valid(b):
    try:
        b.decode("utf-8", "strict")
        return True
    except UnicodeDecodeError:
        return False


def f32(x):
    return struct.unpack("<f", struct.pack("<f", x))[0]


def short(v, limit=120):
    s = v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)
    if len(s) > limit:
        s = s[:limit] + f"…({len(s)} chars)"
    return s


def bytes_diff(exp, got):
    """A short description of how two byte strings differ."""
    n = min(len(exp), len(got))
    i = next((k for k in range(n) if exp[k] != got[k]), n)
    lo = max(0, i - 8)
    msg = (f"{len(exp)} bytes expected, {len(got)} decoded; first difference at "
           f"byte {i}: expected …{exp[lo:i + 24].hex()}… decoded …{got[lo:i + 24].hex()}…")
    if (len(got) < len(exp) and exp.startswith(got)
            and exp[len(got):] == b"\x00" * (len(exp) - len(got))):
        msg += " (decoded lacks the trailing 0x00 padding of the fixed-length binary column)"
    return msg


def show_expected(col, sel):
    """The SELECT value as text for a message (HEX() output decoded)."""
    if col.kind in ("string", "enum", "set", "hexonly"):
        b = bytes.fromhex(sel)
        if col.kind != "hexonly" and col.charset not in (None, "binary") and utf8_valid(b):
            return short(json.dumps(b.decode("utf-8"), ensure_ascii=False))
        return "0x" + short(b.hex())
    return short(sel)


def is_num(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def compare_cell(col, sel, got):
    """None when equal, else a message.  sel: the SELECT text or None."""
    if isinstance(got, dict) and got.get("absent") is True:
        return "decoded {\"absent\":true} in a FULL row image"
    if sel is None:
        return None if got is None else f"expected NULL, decoded {short(got)}"
    if got is None:
        return f"expected {show_expected(col, sel)}, decoded null"
    k = col.kind
    if k in ("int", "year", "bit"):
        exp = int(sel)
        if not isinstance(got, int) or isinstance(got, bool):
            return f"expected integer {exp}, decoded {short(got)} (not a JSON integer)"
        return None if got == exp else f"expected {exp}, decoded {got}"
    if k == "float":
        exp = f32(float(sel))
        if not is_num(got):
            return f"expected number {exp!r}, decoded {short(got)}"
        try:
            g = f32(float(got))
        except OverflowError:
            return f"expected float32 {exp!r}, decoded {got!r} (out of float32 range)"
        if g == exp and math.copysign(1, g) == math.copysign(1, exp):
            return None
        if g == exp:  # 0.0 vs -0.0
            return None
        return f"expected float32 {exp!r} (SELECT CAST AS DOUBLE {sel}), decoded {got!r}"
    if k == "double":
        exp = float(sel)
        if not is_num(got):
            return f"expected number {sel}, decoded {short(got)}"
        return None if float(got) == exp else f"expected {sel}, decoded {got!r}"
    if k in ("decimal", "temporal"):
        if not isinstance(got, str):
            return f"expected string \"{sel}\", decoded {short(got)} (not a JSON string)"
        return None if got == sel else f"expected \"{sel}\", decoded \"{short(got)}\""
    exp = bytes.fromhex(sel)
    if k in ("enum", "set"):
        if k == "enum" and exp == b"" and got == 0:
            return None
        if not isinstance(got, str):
            return (f"expected member names \"{exp.decode('utf-8', 'replace')}\", "
                    f"decoded {short(got)} (names are in the binlog with "
                    f"binlog_row_metadata=FULL)")
        gb = got.encode("utf-8", "surrogatepass")
        return None if gb == exp else \
            f"expected \"{exp.decode('utf-8', 'replace')}\", decoded \"{short(got)}\""
    # string / hexonly: bytes, and the JSON form from the contract
    want_hex = (k == "hexonly" or col.charset is None or col.charset == "binary"
                or not utf8_valid(exp))
    if isinstance(got, str):
        gb = got.encode("utf-8", "surrogatepass")
        form = "string"
    elif isinstance(got, dict) and isinstance(got.get("hex"), str) and len(got) == 1:
        try:
            gb = bytes.fromhex(got["hex"])
        except ValueError:
            return f"decoded {{\"hex\": …}} is not hex: {short(got['hex'])}"
        if got["hex"] != got["hex"].lower():
            return "decoded {\"hex\": …} is not lowercase"
        form = "hex"
    else:
        return f"expected bytes {short(sel.lower())}, decoded {short(got)} (neither string nor {{\"hex\"}})"
    if gb != exp:
        return bytes_diff(exp, gb)
    if want_hex and form != "hex":
        why = "binary charset" if (col.charset in (None, "binary") or k == "hexonly") \
            else f"charset {col.charset}, bytes not valid UTF-8"
        return f"bytes equal, but decoded as a JSON string where {{\"hex\"}} is due ({why})"
    if not want_hex and form != "string":
        return f"bytes equal, but decoded as {{\"hex\"}} where a JSON string is due (charset {col.charset}, valid UTF-8)"
    return None


class Report:
    def __init__(self, limit):
        self.limit = limit
        self.count = 0

    def __call__(self, msg):
        self.count += 1
        if self.count <= self.limit:
            print("MISMATCH " + msg)
        elif self.count == self.limit + 1:
            print(f"(further mismatches not printed; limit {self.limit})")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--json", required=True, help="output of sluice binlog --json")
    ap.add_argument("--db", required=True)
    ap.add_argument("--socket")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=3306)
    ap.add_argument("--user", default="root")
    ap.add_argument("--password", default="")
    ap.add_argument("--client", default="mariadb")
    ap.add_argument("--name", default="compare_select", help="prefix of the summary line")
    ap.add_argument("--max-report", type=int, default=200)
    args = ap.parse_args()

    cli = Client(args)
    bad = Report(args.max_report)

    # Schema from the server.
    meta = cli.query(
        "SELECT TABLE_NAME, COLUMN_NAME, DATA_TYPE, COLUMN_TYPE, CHARACTER_SET_NAME "
        "FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = " + sql_str(args.db) +
        " ORDER BY TABLE_NAME, ORDINAL_POSITION")
    tables = {}
    for t, c, dt, ct, cs in meta:
        tables.setdefault(t, []).append(Column(c, dt, ct, cs))
    if not tables:
        print(f"{args.name}: FAIL: no tables in database {args.db}")
        return 1
    for t, cols in tables.items():
        if not any(c.name == "id" for c in cols):
            print(f"{args.name}: FAIL: table {args.db}.{t} has no column `id`")
            return 2

    # Replay the decoded changes.
    state = {t: {} for t in tables}  # table -> id -> row (list of decoded values)
    decoded = 0
    ops = {"INSERT": 0, "UPDATE": 0, "DELETE": 0}
    warned_cols = set()
    try:
        fh = open(args.json, "rb")
    except OSError as e:
        print(f"{args.name}: FAIL: cannot read {args.json}: {e}")
        return 2
    with fh:
        for lineno, raw in enumerate(fh, 1):
            if raw.strip() == b"":
                continue
            where = f"line {lineno}"
            try:
                ev = json.loads(raw.decode("utf-8"))
            except UnicodeDecodeError as e:
                bad(f"{where}: output is not valid UTF-8 ({e}): {raw[:160]!r}")
                continue
            except ValueError as e:
                bad(f"{where}: not a JSON object ({e}): {raw[:160]!r}")
                continue
            if not isinstance(ev, dict):
                bad(f"{where}: not a JSON object: {raw[:160]!r}")
                continue
            if ev.get("db") != args.db:
                continue
            t = ev.get("table")
            op = ev.get("op")
            where = f"line {lineno} (pos {ev.get('pos')}, {args.db}.{t} {op})"
            if t not in tables:
                bad(f"{where}: table not in the database (dropped?)")
                continue
            cols = tables[t]
            names = [c.name for c in cols]
            if op not in ops:
                bad(f"{where}: unknown op {op!r}")
                continue
            if not isinstance(ev.get("pos"), int):
                bad(f"{where}: \"pos\" is not an integer: {ev.get('pos')!r}")
            g = ev.get("gtid", None)
            if g is not None and not (isinstance(g, str) and g.count("-") == 2):
                bad(f"{where}: \"gtid\" is not \"domain-server-seq\" or null: {g!r}")
            if "cols" not in ev:
                if t not in warned_cols:
                    warned_cols.add(t)
                    bad(f"{where}: no \"cols\" although the binlog has binlog_row_metadata=FULL")
            elif ev["cols"] != names:
                if t not in warned_cols:
                    warned_cols.add(t)
                    bad(f"{where}: \"cols\" {ev['cols']} != table columns {names}")
            need = {"INSERT": ("after",), "UPDATE": ("before", "after"),
                    "DELETE": ("before",)}[op]
            shape_ok = True
            for key in need:
                img = ev.get(key)
                if not isinstance(img, list) or len(img) != len(cols):
                    bad(f"{where}: \"{key}\" should be a list of {len(cols)} values: {short(img)}")
                    shape_ok = False
            for key in ("before", "after"):
                if key not in need and key in ev:
                    bad(f"{where}: unexpected \"{key}\" for {op}")
            if not shape_ok:
                continue
            decoded += 1
            ops[op] += 1
            idx = names.index("id")
            rows = state[t]
            if op in ("UPDATE", "DELETE"):
                bid = ev["before"][idx]
                prev = rows.get(bid)
                if prev is None:
                    bad(f"{where}: before-image id={short(bid)} matches no row decoded earlier")
                elif prev != ev["before"]:
                    diffs = [f"{names[i]}: earlier {short(prev[i])} now {short(ev['before'][i])}"
                             for i in range(len(cols)) if prev[i] != ev["before"][i]]
                    bad(f"{where}: before-image of id={bid} differs from the row's previous "
                        f"decoded image: " + "; ".join(diffs[:5]))
                rows.pop(bid, None)
            if op in ("INSERT", "UPDATE"):
                aid = ev["after"][idx]
                if aid in rows:
                    bad(f"{where}: id={short(aid)} already present (duplicate insert)")
                try:
                    rows[aid] = ev["after"]
                except TypeError:
                    bad(f"{where}: id is not a scalar: {short(aid)}")

    if decoded == 0:
        print(f"{args.name}: FAIL: zero row changes decoded for database {args.db}")
        return 1

    # Compare the final state with SELECT.
    rows_cmp = 0
    cells_cmp = 0
    for t in sorted(tables):
        cols = tables[t]
        exprs = ", ".join(c.select_expr() for c in cols)
        qt = "`" + args.db.replace("`", "``") + "`.`" + t.replace("`", "``") + "`"
        sel = cli.query(f"SELECT {exprs} FROM {qt} ORDER BY `id`")
        idx = [c.name for c in cols].index("id")
        seen = set()
        for srow in sel:
            if len(srow) != len(cols):
                print(f"{args.name}: FAIL: SELECT on {t} gave {len(srow)} fields, "
                      f"expected {len(cols)} (a tab or newline in a value?)")
                return 2
            sid = int(srow[idx])
            seen.add(sid)
            drow = state[t].get(sid)
            if drow is None:
                bad(f"{args.db}.{t} id={sid}: row in SELECT but not in the decoded final state")
                continue
            rows_cmp += 1
            for i, c in enumerate(cols):
                cells_cmp += 1
                msg = compare_cell(c, srow[i], drow[i])
                if msg:
                    bad(f"{args.db}.{t} id={sid} column {c.name} ({c.column_type}): {msg}")
        for did in state[t]:
            if did not in seen:
                bad(f"{args.db}.{t} id={short(did)}: row in the decoded final state but not in SELECT")

    print(f"{args.name}: {decoded} row changes decoded (INSERT {ops['INSERT']}, UPDATE "
          f"{ops['UPDATE']}, DELETE {ops['DELETE']}); {rows_cmp} rows / {cells_cmp} values "
          f"compared with SELECT, {bad.count} mismatches")
    return 1 if bad.count else 0


if __name__ == "__main__":
    sys.exit(main())
