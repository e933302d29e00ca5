#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# 032_run_missing_table: `sluice run` failures that the operator fixes and
# resumes from.
#  1. Missing target table: the source has db.a and db.b, the target only
#     db.a.  (a) The precheck refuses to start, naming `db`.`b` and saying
#     to create it.  (b) db.b created, the job started, then db.b dropped
#     on the target: writing both makes sluice exit 1 with one line naming
#     `db`.`b` and saying to create it; after CREATE TABLE db.b on the
#     target (same definition, empty) the same job resumes and ends
#     identical.
#  2. Conflicting pre-existing row: the target already holds a row of db.a
#     that the source then inserts with other values.  sluice must exit 1
#     with a message naming the table, the key and the binlog position;
#     with `on-conflict: replace` added to the job, resuming ends identical.
#  3. Missing rows: the target lacks a row the source then updates (and
#     one it deletes).  With the default `on-missing-row: fail` sluice exits
#     1 naming the table, the row's key and the position; with
#     `on-missing-row: warn` the resumed job logs the rows, writes the
#     update's row and ends identical.
#
# Env: SLUICE, SL_TMP, SL_KEEP=1, SL_RUN_WAIT.
set -euo pipefail

T=032_run_missing_table
JOB=t032
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR/../lib source=run_common.sh
. "$here/../lib/run_common.sh"

start_pair 24000 24100

ddl_a="CREATE TABLE db.a (id INT PRIMARY KEY, v VARCHAR(20), n INT)"
ddl_b="CREATE TABLE db.b (id INT PRIMARY KEY, w VARCHAR(20))"
mdb_sql src "CREATE DATABASE db; $ddl_a; $ddl_b; INSERT INTO db.a VALUES (1, 'one', 1)"
mdb_sql tgt "CREATE DATABASE db; $ddl_a; INSERT INTO db.a VALUES (1, 'one', 1)"

job() { write_job '"db.*"' '{ workers: 2, batch: 50 }' "${1:-}"; } # job [EXTRA-LINE]
job

echo "$T: part 1a: db.b missing on the target when the job starts"
start_sluice --no-wait
wait_exit 30
f=$work/sluice-$run_no.err
((rc == 1)) || fail "sluice started although the precheck should fail on db.b: $(tail -n 3 "$f")"
# shellcheck disable=SC2016 # backquotes are literal
grep -q 'precheck: \[Failed\] table `db`\.`b` does not exist on the target: create it' "$f" || {
	cat "$f" >&2
	fail "the precheck did not name \`db\`.\`b\` with its fix"
}
echo "$T: part 1a: exit 1 with: $(grep 'does not exist' "$f")"

echo "$T: part 1b: db.b dropped on the target while the job runs"
mdb_sql tgt "$ddl_b"
start_sluice
mdb_sql tgt "DROP TABLE db.b"
mdb_sql src "INSERT INTO db.a VALUES (2, 'two', 2), (3, 'three', 3);
	INSERT INTO db.b VALUES (1, 'b-one'), (2, 'b-two');
	UPDATE db.a SET n = n + 10;
	INSERT INTO db.b VALUES (3, 'b-three');
	DELETE FROM db.b WHERE id = 2"
wait_exit 30
f=$work/sluice-$run_no.err
((rc == 1)) || fail "sluice exited $rc on a missing target table, not 1: $(tail -n 3 "$f")"
# shellcheck disable=SC2016 # backquotes are literal
pat='`db`\.`b`.*create it'
n=$(grep -c "$pat" "$f" || true)
((n == 1)) || {
	cat "$f" >&2
	fail "expected exactly one line naming \`db\`.\`b\` and saying to create it, got $n"
}
echo "$T: part 1: exit 1 with: $(grep "$pat" "$f")"

mdb_sql tgt "$ddl_b"
start_sluice
grep -q 'resuming at' "$work/sluice-$run_no.err" || fail "the job did not resume from its checkpoints"
mdb_sql src "INSERT INTO db.b VALUES (4, 'b-four')"
caught_up
stop_sluice
compare "part 1 resumed" db a b

echo "$T: part 2: a conflicting pre-existing row on the target"
mdb_sql tgt "INSERT INTO db.a VALUES (100, 'target', -1)"
start_sluice
mdb_sql src "INSERT INTO db.a VALUES (99, 'before', 0);
	INSERT INTO db.a VALUES (100, 'source', 100);
	INSERT INTO db.b VALUES (100, 'b-100')"
wait_exit 30
f=$work/sluice-$run_no.err
((rc == 1)) || fail "sluice exited $rc on a conflicting row, not 1: $(tail -n 3 "$f")"
line=$(grep -iE 'duplicate|conflict' "$f" | tail -n 1 || true)
[[ -n $line ]] || {
	cat "$f" >&2
	fail "no conflict message"
}
echo "$T: part 2: exit 1 with: $line"
bad=
[[ $line =~ \`?db\`?\.\`?a\`? ]] || bad+=" table(db.a)"
[[ $line == *"'100'"* ]] || bad+=" key('100')"
[[ $line =~ [A-Za-z0-9_.-]+\.[0-9]{6}:[0-9]+ ]] || bad+=" position(file:pos)"
conflict_bad=$bad

job "on-conflict: replace"
start_sluice
grep -q 'resuming at' "$work/sluice-$run_no.err" || fail "the job did not resume from its checkpoints"
caught_up
stop_sluice
grep -q 'applying the batch again with REPLACE' "$work/sluice-$run_no.err" ||
	echo "$T: note: no 'again with REPLACE' line in the resumed run"
compare "part 2 resumed with replace" db a b
[[ -z $conflict_bad ]] || fail "the conflict message lacks:$conflict_bad: $line"

echo "$T: part 3: rows the target lacks"
job
mdb_sql tgt "DELETE FROM db.a WHERE id IN (2, 3)"
start_sluice
mdb_sql src "UPDATE db.a SET v = 'two again' WHERE id = 2;
	UPDATE db.a SET n = n + 1 WHERE id = 1;
	DELETE FROM db.a WHERE id = 3"
wait_exit 30
f=$work/sluice-$run_no.err
((rc == 1)) || fail "sluice exited $rc on a missing row, not 1: $(tail -n 3 "$f")"
line=$(grep -E 'missing on the target' "$f" | tail -n 1 || true)
[[ $line =~ db\.a ]] && [[ $line =~ \`id\`\ IN\ \((2|3)\) ]] &&
	[[ $line =~ [A-Za-z0-9_.-]+\.[0-9]{6}:[0-9]+ ]] || {
	cat "$f" >&2
	fail "no line naming db.a, key 2 or 3 and the position"
}
echo "$T: part 3: exit 1 with: $line"
job "on-missing-row: warn"
start_sluice
caught_up
stop_sluice
grep -q 'missing on the target.*on-missing-row: warn' "$work/sluice-$run_no.err" ||
	fail "no warning line for the missing rows"
compare "part 3 resumed with warn" db a b
echo "$T: PASS"
