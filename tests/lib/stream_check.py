#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""tests/lib/stream_check.py: checks what `sluice binlog --remote` printed
against the source's own binlog (stdlib only).

    stream_check.py OUT --format json|text --after GTIDPOS --upto GTIDPOS
                    [--binlog FILE...] [--mysqlbinlog PATH]
                    [--expect 'DB.TABLE:OP=N'...] [--expect-net 'DB.TABLE=N'...]
                    [--min-reconnects N] [--label NAME]

OUT is sluice's stdout: --json (one object per row change, with "gtid")
or text ("# at OFFSET TYPE ..." per event, "db.table OP (...)" per row,
"# reconnected: ..." after each reconnect).

The window is, per GTID domain, the transactions after --after (a MariaDB
GTID position, "D-S-N[,D-S-N...]"; "" means from the first) up to and
including --upto.  Checks:

  * every transaction in OUT is in the window: none before the start, none
    after the end;
  * no transaction comes twice (JSON: a GTID that comes back after another
    one; text: a GTID event printed twice);
  * per domain the sequence numbers go up by exactly one from the first
    of the window to --upto: nothing lost, nothing out of order;
  * with --binlog, the transactions (and, per transaction, the number of
    row changes per table and operation) equal those that MariaDB's own
    mysqlbinlog reads in the server's binlog files for the same window (in
    JSON mode only the transactions that change rows, since the others
    print nothing); a transaction cut and printed twice shows up here as
    too many rows;
  * --expect DB.TABLE:OP=N: the number of row changes (TABLE may be a
    glob, OP INSERT, UPDATE, DELETE or *); --expect-net DB.TABLE=N: the
    INSERTs minus the DELETEs (the change of COUNT(*));
  * --min-reconnects N (text): at least N "# reconnected" lines; each
    must name, in its GTID set, the last transaction printed before it.

Prints one summary line, or the problems found (exit 1).
"""
import argparse
import fnmatch
import json
import re
import subprocess
import sys
from collections import Counter

GTID_RE = re.compile(r"^(\d+)-(\d+)-(\d+)$")
TEXT_GTID_RE = re.compile(r"^# at \d+ (?:MARIA_)?GTID .*?\bgtid=(\S+)")
TEXT_ROW_RE = re.compile(r"^([^ ]+) (INSERT|UPDATE|DELETE) \(")
TEXT_RECONNECT_RE = re.compile(
    r"^# reconnected: resuming at (\S+):(\d+) gtid (\S*)$")
ORACLE_GTID_RE = re.compile(r"\sGTID (\d+-\d+-\d+)(?: |$)")
ORACLE_ROW_RE = re.compile(
    r"^### (INSERT INTO|UPDATE|DELETE FROM) `([^`]*)`\.`([^`]*)`")
ORACLE_OP = {"INSERT INTO": "INSERT", "UPDATE": "UPDATE",
             "DELETE FROM": "DELETE"}


class Txn:
    __slots__ = ("gtid", "dom", "seq", "rows", "line")

    def __init__(self, gtid, line):
        m = GTID_RE.match(gtid)
        if not m:
            raise ValueError(f"line {line}: '{gtid}' is not a MariaDB GTID")
        self.gtid = gtid
        self.dom = int(m.group(1))
        self.seq = int(m.group(3))
        self.rows = Counter()  # (db.table, op) -> n
        self.line = line


def parse_pos(text):
    """A MariaDB GTID position "D-S-N,..." -> {domain: seq}."""
    pos = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        m = GTID_RE.match(part)
        if not m:
            sys.exit(f"stream_check: bad GTID position '{text}'")
        pos[int(m.group(1))] = int(m.group(3))
    return pos


def read_json(path, problems):
    txns = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                o = json.loads(line)
            except ValueError as e:
                problems.append(f"line {n}: not JSON ({e}): {line[:120]!r}")
                continue
            g = o.get("gtid")
            if not isinstance(g, str):
                problems.append(f"line {n}: row change without a gtid: "
                                f"{line[:120]!r}")
                continue
            if not txns or txns[-1].gtid != g:
                txns.append(Txn(g, n))
            txns[-1].rows[(f"{o.get('db')}.{o.get('table')}",
                           o.get("op"))] += 1
    return txns, []


def read_text(path, problems):
    txns, reconnects = [], []
    cur = None
    with open(path, encoding="utf-8", errors="replace") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            m = TEXT_GTID_RE.match(line)
            if m:
                cur = Txn(m.group(1), n)
                txns.append(cur)
                continue
            if line.startswith("# reconnected"):
                m = TEXT_RECONNECT_RE.match(line)
                if not m:
                    problems.append(f"line {n}: malformed reconnect line "
                                    f"{line!r}")
                elif txns:
                    # It resumes after the last whole transaction printed.
                    last = txns[-1]
                    have = {}
                    for part in filter(None, m.group(3).split(",")):
                        g = GTID_RE.match(part)
                        if g:
                            have[int(g.group(1))] = int(g.group(3))
                    if have.get(last.dom) != last.seq:
                        problems.append(
                            f"line {n}: '{line}' does not resume after "
                            f"{last.gtid}, the last transaction printed "
                            f"(line {last.line})")
                reconnects.append((n, line))
                cur = None  # the next transaction starts with its GTID
                continue
            if line.startswith("#"):
                continue
            m = TEXT_ROW_RE.match(line)
            if m:
                if cur is None:
                    problems.append(f"line {n}: row change outside a "
                                    f"transaction: {line[:120]!r}")
                    continue
                cur.rows[(m.group(1), m.group(2))] += 1
    return txns, reconnects


def read_oracle(mysqlbinlog, files):
    """Transactions of the binlog files as MariaDB's mysqlbinlog reads
    them: [(gtid, Counter)] in file order."""
    p = subprocess.run([mysqlbinlog, "--no-defaults",
                        "--base64-output=decode-rows", "-vv", *files],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       check=False)
    if p.returncode != 0:
        sys.exit("stream_check: mysqlbinlog failed: " +
                 p.stderr.decode(errors="replace").strip())
    txns = []
    for n, raw in enumerate(p.stdout.split(b"\n"), 1):
        line = raw.decode("utf-8", errors="replace")
        if line.startswith("#") and not line.startswith("###"):
            m = ORACLE_GTID_RE.search(line)
            if m and "Gtid list" not in line:
                txns.append(Txn(m.group(1), n))
            continue
        m = ORACLE_ROW_RE.match(line)
        if m and txns:
            txns[-1].rows[(f"{m.group(2)}.{m.group(3)}",
                           ORACLE_OP[m.group(1)])] += 1
    return txns


def fmt_rows(c):
    return ", ".join(f"{t} {op} x{n}" for (t, op), n in sorted(c.items())) \
        or "no rows"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--format", choices=("json", "text"), required=True)
    ap.add_argument("--after", required=True)
    ap.add_argument("--upto", required=True)
    ap.add_argument("--binlog", nargs="+", default=[])
    ap.add_argument("--mysqlbinlog", default="mysqlbinlog")
    ap.add_argument("--expect", action="append", default=[])
    ap.add_argument("--expect-net", action="append", default=[])
    ap.add_argument("--min-reconnects", type=int, default=0)
    ap.add_argument("--label", default="stream")
    a = ap.parse_args()

    after, upto = parse_pos(a.after), parse_pos(a.upto)
    problems = []
    reader = read_json if a.format == "json" else read_text
    try:
        txns, reconnects = reader(a.out, problems)
    except ValueError as e:
        print(f"{a.label}: FAIL: {e}", file=sys.stderr)
        return 1

    def in_window(t):
        return after.get(t.dom, 0) < t.seq <= upto.get(t.dom, -1)

    # Window, repeats, order.
    seen = {}
    last = {}
    for t in txns:
        if t.gtid in seen:
            problems.append(f"transaction {t.gtid} comes twice (output "
                            f"lines {seen[t.gtid]} and {t.line})")
        seen.setdefault(t.gtid, t.line)
        if not in_window(t):
            where = ("before the start" if t.seq <= after.get(t.dom, 0)
                     else "after the end")
            problems.append(f"transaction {t.gtid} (line {t.line}) is "
                            f"{where} of the window ({a.after or '-'} .. "
                            f"{a.upto}]")
            continue
        want = last.get(t.dom, after.get(t.dom, 0)) + 1
        if t.seq != want:
            what = "missing" if t.seq > want else "out of order/repeated"
            problems.append(f"domain {t.dom}: expected seq {want}, got "
                            f"{t.gtid} at line {t.line} ({what})")
        last[t.dom] = max(t.seq, last.get(t.dom, 0))
    for dom, hi in upto.items():
        if dom in after and after[dom] >= hi:
            continue
        if last.get(dom, after.get(dom, 0)) != hi:
            problems.append(f"domain {dom}: the output stops at seq "
                            f"{last.get(dom, '(nothing)')}, expected up to "
                            f"{hi}")

    # The oracle: the server's binlog read by mysqlbinlog.
    if a.binlog:
        want = [t for t in read_oracle(a.mysqlbinlog, a.binlog)
                if in_window(t) and (a.format == "text" or t.rows)]
        got = [t for t in txns if in_window(t)]
        if len(want) == 0:
            problems.append("mysqlbinlog finds no transaction in the window")
        for i in range(max(len(want), len(got))):
            w = want[i] if i < len(want) else None
            g = got[i] if i < len(got) else None
            if w is None:
                problems.append(f"transaction #{i + 1}: {g.gtid} is not in "
                                f"the binlog (mysqlbinlog ends before)")
                break
            if g is None:
                problems.append(f"transaction #{i + 1}: {w.gtid} "
                                f"({fmt_rows(w.rows)}) is missing from the "
                                f"output")
                break
            if w.gtid != g.gtid:
                problems.append(f"transaction #{i + 1}: binlog has {w.gtid}"
                                f", output has {g.gtid} (line {g.line})")
                break
            if w.rows != g.rows:
                problems.append(f"transaction {w.gtid} (line {g.line}): "
                                f"binlog has {fmt_rows(w.rows)}; output has "
                                f"{fmt_rows(g.rows)}")
                if len(problems) > 20:
                    break

    # Row totals.
    total = Counter()
    for t in txns:
        if in_window(t):
            total.update(t.rows)
    for spec in a.expect:
        m = re.match(r"^(.+):(INSERT|UPDATE|DELETE|\*)=(\d+)$", spec)
        if not m:
            sys.exit(f"stream_check: bad --expect '{spec}'")
        n = sum(v for (tb, op), v in total.items()
                if fnmatch.fnmatchcase(tb, m.group(1))
                and (m.group(2) == "*" or op == m.group(2)))
        if n != int(m.group(3)):
            problems.append(f"{m.group(1)} {m.group(2)}: {n} row changes in "
                            f"the output, expected {m.group(3)}")
    for spec in a.expect_net:
        m = re.match(r"^(.+)=(-?\d+)$", spec)
        if not m:
            sys.exit(f"stream_check: bad --expect-net '{spec}'")
        ins = sum(v for (tb, op), v in total.items()
                  if fnmatch.fnmatchcase(tb, m.group(1)) and op == "INSERT")
        dels = sum(v for (tb, op), v in total.items()
                   if fnmatch.fnmatchcase(tb, m.group(1)) and op == "DELETE")
        if ins - dels != int(m.group(2)):
            problems.append(f"{m.group(1)}: {ins} INSERTs - {dels} DELETEs "
                            f"= {ins - dels} in the output, but COUNT(*) "
                            f"changed by {m.group(2)}")
    if len(reconnects) < a.min_reconnects:
        problems.append(f"{len(reconnects)} '# reconnected' lines, expected "
                        f"at least {a.min_reconnects}")

    if problems:
        print(f"{a.label}: FAIL: {len(problems)} problem(s) in {a.out}:",
              file=sys.stderr)
        for p in problems[:25]:
            print(f"  {p}", file=sys.stderr)
        return 1
    ops = Counter()
    for (_, op), v in total.items():
        ops[op] += v
    inw = [t for t in txns if in_window(t)]
    lo, hi = {}, {}
    for t in inw:
        lo.setdefault(t.dom, t.gtid)
        hi[t.dom] = t.gtid
    span = ", ".join(f"{lo[d]}..{hi[d]}" for d in sorted(lo)) or "none"
    extra = f", {len(reconnects)} reconnects" if a.format == "text" else ""
    oracle = ", same as mysqlbinlog" if a.binlog else ""
    print(f"{a.label}: {len(inw)} transactions {span} exactly once, in "
          f"order{oracle}; rows INSERT {ops['INSERT']} UPDATE "
          f"{ops['UPDATE']} DELETE {ops['DELETE']}{extra}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
