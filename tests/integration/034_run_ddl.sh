#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# 034_run_ddl: DDL mid-stream under load (issue 4, acceptance item 3:
# ADD COLUMN, DROP COLUMN, MODIFY, ADD UNIQUE KEY, RENAME TABLE, TRUNCATE
# under load, identical at the end).
# A source and a target get the same tables before the job starts: four
# sysbench tables in `sb` (prepared on the source) and a few hand-made
# tables in `dd`, copied with mariadb-dump.  sluice runs the job (4
# workers, start now) while sysbench oltp_write_only and oltp_insert
# write `sb` (rate-limited) the whole time, and this script issues the
# DDL below a second apart, writing rows of each new shape in between (so
# that they flow through the pipeline while the other workers are busy
# with sysbench's rows):
#   * sysbench tables, DDL that keeps sysbench's statements working:
#     ADD COLUMN with a default, ADD COLUMN NOT NULL DEFAULT … AFTER id
#     (in the middle), MODIFY pad CHAR(60) -> CHAR(80), MODIFY k INT ->
#     BIGINT (then values past 2^32), ADD UNIQUE KEY (id, k), and at the
#     end DROP COLUMN of the added columns;
#   * dd.t1: ADD COLUMN (a default; NOT NULL with a non-ASCII default,
#     AFTER id), DROP COLUMN of an original column, MODIFY INT -> BIGINT
#     (then values past 2^31), MODIFY VARCHAR(20) -> VARCHAR(200);
#   * dd.nk (no key): ADD UNIQUE KEY on a NOT NULL column (the routing
#     key appears mid-stream), then updates that change it;
#   * RENAME TABLE away and back (dd.r, then a VIRTUAL column added and
#     dropped again), a swap of two tables of different shapes (dd.s1 <->
#     dd.s2), a table created mid-stream (dd.m), loaded, renamed to a name
#     that needs backquotes, written, ALTER TABLE … RENAME, written, moved
#     to a database created mid-stream (dd2) and written again;
#   * TRUNCATE TABLE dd.tr (qualified, and `TRUNCATE tr` from `USE dd`),
#     rows written before and after, reusing the same keys;
#   * CREATE TABLE / DROP TABLE (dd.tmp1), DROP TABLE IF EXISTS of a
#     missing table, CREATE TABLE … LIKE, CREATE TABLE … SELECT;
#   * CREATE DATABASE dd2 (kept) and dd3 (a table written, then DROP
#     DATABASE);
#   * dd.u: ADD UNIQUE KEY on a second column, then rows whose unique
#     value moves from one primary key to another in separate
#     transactions (delete + insert, update + update): rows that land on
#     different workers and must still apply in source order;
#   * two common ways of issuing DDL: with a leading comment (as drivers
#     and online-schema-change tools send it, `mariadb --comments`), and
#     from a session whose current database (`scratch`, on the source
#     only) is not replicated, on a replicated table.
# Then the load stops, every checkpoint must reach the source's end with
# sluice still running (it must never stop; SIGTERM then exits 0), there
# must be one "DDL applied" line per DDL statement, and the two servers
# must agree on the databases, the tables of each, every definition (SHOW
# CREATE DATABASE / TABLE, AUTO_INCREMENT=N left out) and every table's
# rows (CHECKSUM TABLE and a primary-key ordered dump).
#
# Env: SLUICE, SL_TMP, SL_KEEP=1, SL_RUN_WAIT.
set -euo pipefail

T=034_run_ddl
JOB=t034
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR/../lib source=run_common.sh
. "$here/../lib/run_common.sh"
command -v sysbench >/dev/null || fail "sysbench not installed"
tables=4 table_size=2000
t0=$SECONDS
lpids=()
_034_cleanup() { # the load first, then run_common's cleanup
	local p
	for p in "${lpids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
	_rc_cleanup
}
mdb_trap _034_cleanup

start_pair 24200 24300

sb() { # sb SCRIPT sysbench-args…: exec'd, so that `sb … &` gives its pid
	local script=$1
	shift
	exec sysbench "/usr/share/sysbench/$script.lua" --db-driver=mysql \
		--mysql-socket="$(mdb_sock src)" --mysql-user=root --mysql-db=sb \
		--tables="$tables" --table-size="$table_size" "$@"
}

echo "$T: preparing sb and dd on the source, copying them to the target"
sb_prepare
mdb_sql src "CREATE DATABASE dd"
# (seq_M_to_N, MariaDB's sequence engine, needs a current database)
mdb_client src -D dd -e "
	CREATE TABLE dd.t1 (id INT PRIMARY KEY, a INT NOT NULL, b VARCHAR(20), c INT);
	INSERT INTO dd.t1 SELECT seq, seq * 3, CONCAT('b', seq), seq FROM seq_1_to_300;
	CREATE TABLE dd.nk (a INT NOT NULL, b VARCHAR(20));
	INSERT INTO dd.nk SELECT seq, CONCAT('nk', seq) FROM seq_1_to_200;
	CREATE TABLE dd.u (id INT PRIMARY KEY, code INT NOT NULL, v INT NOT NULL DEFAULT 0);
	INSERT INTO dd.u SELECT seq, seq, 0 FROM seq_1_to_200;
	CREATE TABLE dd.r (id INT PRIMARY KEY, v VARCHAR(30));
	INSERT INTO dd.r SELECT seq, CONCAT('r', seq) FROM seq_1_to_200;
	CREATE TABLE dd.s1 (id INT PRIMARY KEY, v INT);
	INSERT INTO dd.s1 SELECT seq, seq FROM seq_1_to_100;
	CREATE TABLE dd.s2 (id BIGINT PRIMARY KEY, w VARCHAR(20), z INT NOT NULL);
	INSERT INTO dd.s2 SELECT seq, CONCAT('w', seq), -seq FROM seq_1_to_150;
	CREATE TABLE dd.tr (id INT PRIMARY KEY, v VARCHAR(30));
	INSERT INTO dd.tr SELECT seq, CONCAT('before', seq) FROM seq_1_to_300;"
# scratch: a database of the source only, which the job does not replicate
mdb_sql src "CREATE DATABASE scratch"
copy_to_target sb dd

write_job '"sb.*", "dd.*", "dd2.*", "dd3.*"' '{ workers: 4, batch: 200 }'

alive() { # alive WHEN: sluice must never stop by itself
	kill -0 "$spid" 2>/dev/null && return 0
	fail "sluice stopped (noticed $1): $(grep '^sluice' "$work/sluice-$run_no.err" |
		grep -vE 'DDL applied|progress:' | tail -n 2)"
}

# Source statements.  A write may meet a deadlock or lock wait with
# sysbench's transactions: it is run again (the source is the reference,
# so a half-done try changes nothing for the comparison).
n_ddl=0
src_try() { # src_try [CLIENT-ARGS…] SQL
	local i sql=${*: -1}
	local args=("${@:1:$#-1}")
	for i in 1 2 3 4 5 6; do
		if mdb_client src "${args[@]}" --batch --skip-column-names -e "$sql" \
			>/dev/null 2>"$work/src.err"; then
			return 0
		fi
		grep -qE '\b(1213|1205)\b' "$work/src.err" || break
		sleep 0.2
	done
	fail "source statement failed: $(cat "$work/src.err"): ${sql:0:200}"
}
ddl() { # ddl [CLIENT-ARGS…] STATEMENT: one DDL statement, then a pause
	src_try "$@"
	n_ddl=$((n_ddl + 1))
	alive "after DDL $n_ddl, ${*: -1}"
	sleep 1
}
dml() { src_try -D dd "$1"; }

echo "$T: start sluice (4 workers), sysbench oltp_write_only + oltp_insert"
start_sluice
lpids=()
sb oltp_write_only --threads=2 --rate=80 --time=600 --events=0 --rand-seed=34 \
	run >"$work/sysbench-oltp_write_only.log" 2>&1 &
lpids+=($!)
sb oltp_insert --threads=1 --rate=50 --time=600 --events=0 --rand-seed=43 \
	run >"$work/sysbench-oltp_insert.log" 2>&1 &
lpids+=($!)
sleep 2

echo "$T: DDL on the sysbench tables"
ddl "ALTER TABLE sb.sbtest1 ADD COLUMN e1 INT DEFAULT 7"
dml "UPDATE sb.sbtest1 SET e1 = id % 13 WHERE id BETWEEN 100 AND 400"
ddl "ALTER TABLE sb.sbtest2 ADD COLUMN e2 VARCHAR(16) NOT NULL DEFAULT 'dflt' AFTER id"
dml "UPDATE sb.sbtest2 SET e2 = CONCAT('e2-', id) WHERE id BETWEEN 200 AND 500;
	INSERT INTO sb.sbtest2 (k, c, pad, e2) VALUES (1, 'c-e2', 'pad-e2', 'new-e2')"
ddl "ALTER TABLE sb.sbtest3 MODIFY pad CHAR(80) NOT NULL DEFAULT ''"
dml "UPDATE sb.sbtest3 SET pad = RPAD(CONCAT('wide-', id), 78, '#') WHERE id BETWEEN 1 AND 300"
ddl "ALTER TABLE sb.sbtest4 MODIFY k BIGINT NOT NULL DEFAULT 0"
dml "UPDATE sb.sbtest4 SET k = k + 5000000000 WHERE id BETWEEN 50 AND 250"
ddl "ALTER TABLE sb.sbtest1 ADD UNIQUE KEY uk_id_k (id, k)"
dml "UPDATE sb.sbtest1 SET e1 = -e1 WHERE id BETWEEN 300 AND 600"

echo "$T: ADD / DROP / MODIFY COLUMN on dd.t1"
ddl "ALTER TABLE dd.t1 ADD COLUMN x INT DEFAULT 42"
dml "INSERT INTO dd.t1 (id, a, b, c, x) SELECT seq, seq, CONCAT('x', seq), seq, seq * 2 FROM seq_301_to_400;
	UPDATE dd.t1 SET x = x + 1 WHERE id % 7 = 0"
ddl "ALTER TABLE dd.t1 ADD COLUMN y VARCHAR(20) NOT NULL DEFAULT 'ñy' AFTER id"
dml "INSERT INTO dd.t1 (id, y, a, b, c, x) SELECT seq, CONCAT('ÿ', seq), seq, 'b', seq, 0 FROM seq_401_to_450;
	UPDATE dd.t1 SET y = CONCAT('u', id) WHERE id % 5 = 0; DELETE FROM dd.t1 WHERE id % 11 = 0"
ddl "ALTER TABLE dd.t1 DROP COLUMN a"
dml "INSERT INTO dd.t1 (id, y, b, c, x) SELECT seq, 'no-a', 'b', seq, 1 FROM seq_451_to_500;
	UPDATE dd.t1 SET b = CONCAT(b, '!') WHERE id % 3 = 0"
ddl "ALTER TABLE dd.t1 MODIFY c BIGINT"
dml "UPDATE dd.t1 SET c = c * 10000000000 WHERE id % 4 = 0;
	INSERT INTO dd.t1 (id, b, c) VALUES (501, 'big', 9000000000000000000)"
ddl "ALTER TABLE dd.t1 MODIFY b VARCHAR(200)"
dml "UPDATE dd.t1 SET b = REPEAT(CONCAT('long', id), 20) WHERE id % 6 = 1"

echo "$T: ADD UNIQUE KEY on a table without a key (dd.nk)"
dml "INSERT INTO dd.nk VALUES (201, 'before-key'); UPDATE dd.nk SET b = 'upd' WHERE a <= 20"
ddl "ALTER TABLE dd.nk ADD UNIQUE KEY uk_a (a)"
dml "INSERT INTO dd.nk SELECT seq, CONCAT('after', seq) FROM seq_300_to_350;
	UPDATE dd.nk SET a = a + 1000 WHERE a BETWEEN 50 AND 80;
	UPDATE dd.nk SET b = 'keyed' WHERE a % 9 = 0; DELETE FROM dd.nk WHERE a % 10 = 3"
echo "$T: RENAME TABLE"
ddl "RENAME TABLE dd.r TO dd.r_away"
dml "UPDATE dd.r_away SET v = CONCAT(v, '-away') WHERE id % 2 = 0;
	INSERT INTO dd.r_away SELECT seq, 'while-away' FROM seq_201_to_250"
ddl "RENAME TABLE dd.r_away TO dd.r"
dml "DELETE FROM dd.r WHERE id % 5 = 0; INSERT INTO dd.r VALUES (1000, 'back')"
ddl "ALTER TABLE dd.r ADD COLUMN vlen INT AS (CHAR_LENGTH(v)) VIRTUAL AFTER id"
dml "UPDATE dd.r SET v = CONCAT(v, '+gen') WHERE id % 7 = 0; INSERT INTO dd.r (id, v) VALUES (1001, 'gen')"
# dropped again: MariaDB's CHECKSUM TABLE of a table with a VIRTUAL column
# can differ between two tables holding the same rows (it changes after
# ALTER TABLE … FORCE), which would make the comparison meaningless
ddl "ALTER TABLE dd.r DROP COLUMN vlen"
dml "UPDATE dd.r SET v = CONCAT(v, '-') WHERE id % 9 = 0"
ddl "RENAME TABLE dd.s1 TO dd.s_tmp, dd.s2 TO dd.s1, dd.s_tmp TO dd.s2"
dml "INSERT INTO dd.s1 VALUES (1001, 'swapped', 7); UPDATE dd.s1 SET z = z * 2 WHERE id <= 50;
	INSERT INTO dd.s2 VALUES (1001, 1001); UPDATE dd.s2 SET v = v + 1 WHERE id <= 50"
ddl "CREATE TABLE dd.m (id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(30), n INT)"
dml "INSERT INTO dd.m (v, n) SELECT CONCAT('m', seq), seq FROM seq_1_to_200"
ddl "RENAME TABLE dd.m TO dd.\`m 2-x\`"
dml "INSERT INTO dd.\`m 2-x\` (v, n) SELECT CONCAT('m2-', seq), seq FROM seq_1_to_50;
	UPDATE dd.\`m 2-x\` SET n = -n WHERE id % 3 = 0; DELETE FROM dd.\`m 2-x\` WHERE id % 8 = 0"
ddl "ALTER TABLE dd.\`m 2-x\` RENAME TO dd.m3"
dml "UPDATE dd.m3 SET v = 'm3' WHERE id % 4 = 1; INSERT INTO dd.m3 (v, n) VALUES ('m3-new', 3)"

echo "$T: TRUNCATE TABLE"
dml "UPDATE dd.tr SET v = CONCAT(v, '-upd') WHERE id % 2 = 1"
ddl "TRUNCATE TABLE dd.tr"
dml "INSERT INTO dd.tr SELECT seq, CONCAT('after', seq) FROM seq_1_to_150;
	UPDATE dd.tr SET v = 'again' WHERE id % 10 = 0"
ddl -D dd "TRUNCATE tr"
dml "INSERT INTO dd.tr SELECT seq, CONCAT('third', seq) FROM seq_100_to_180"

echo "$T: CREATE / DROP TABLE, LIKE, ... SELECT"
ddl "CREATE TABLE dd.tmp1 (id INT PRIMARY KEY, v VARCHAR(10))"
dml "INSERT INTO dd.tmp1 SELECT seq, 'tmp' FROM seq_1_to_100; UPDATE dd.tmp1 SET v = 'tmp2' WHERE id < 10"
ddl "DROP TABLE dd.tmp1"
ddl "DROP TABLE IF EXISTS dd.never_was"
ddl "CREATE TABLE dd.t1_like LIKE dd.t1"
dml "INSERT INTO dd.t1_like SELECT * FROM dd.t1 WHERE id < 100; DELETE FROM dd.t1_like WHERE id % 2 = 0"
ddl "CREATE TABLE dd.ctas (PRIMARY KEY (id)) SELECT id, v FROM dd.tr"
dml "UPDATE dd.ctas SET v = 'ctas' WHERE id % 3 = 0; INSERT INTO dd.ctas VALUES (5000, 'x')"

echo "$T: CREATE DATABASE / DROP DATABASE"
ddl "CREATE DATABASE dd2"
ddl "CREATE TABLE dd2.k (id INT PRIMARY KEY, v VARCHAR(20))"
dml "INSERT INTO dd2.k SELECT seq, CONCAT('k', seq) FROM seq_1_to_100"
ddl "RENAME TABLE dd.m3 TO dd2.m3"
dml "INSERT INTO dd2.m3 (v, n) VALUES ('moved', 1); UPDATE dd2.m3 SET n = n + 1 WHERE id < 20"
ddl "CREATE DATABASE dd3"
ddl -D dd3 "CREATE TABLE z (id INT PRIMARY KEY, v INT)"
dml "INSERT INTO dd3.z SELECT seq, seq FROM seq_1_to_100"
ddl "DROP DATABASE dd3"

echo "$T: a second unique key (dd.u), then rows moving its values between rows"
ddl "ALTER TABLE dd.u ADD UNIQUE KEY uk_code (code)"
# the unique value moves from one primary key to another
moves=""
for i in $(seq 1 60); do
	moves+="DELETE FROM dd.u WHERE id = $i; INSERT INTO dd.u VALUES ($((i + 1000)), $i, 1);"
done
for i in $(seq 61 100); do
	moves+="UPDATE dd.u SET code = code + 100000 WHERE id = $i;"
	moves+="UPDATE dd.u SET code = $i WHERE id = $((i + 100));"
	moves+="UPDATE dd.u SET v = 2 WHERE id = $i;"
done
dml "$moves"
sleep 1
alive "after moving unique values of dd.u between rows"

echo "$T: DDL with a leading comment, DDL from a database the job does not replicate"
ddl --comments "/* app=034 */ ALTER TABLE dd.t1 ADD COLUMN cm INT NOT NULL DEFAULT 1"
dml "UPDATE dd.t1 SET cm = id WHERE id % 2 = 0; INSERT INTO dd.t1 (id, b, cm) VALUES (600, 'cm', 600)"
ddl -D scratch "ALTER TABLE dd.s2 ADD COLUMN from_scratch INT NOT NULL DEFAULT 3"
dml "INSERT INTO dd.s2 VALUES (2000, 2000, 4); UPDATE dd.s2 SET from_scratch = 5 WHERE id <= 30"

echo "$T: dropping the added columns of the sysbench tables"
ddl "ALTER TABLE sb.sbtest1 DROP COLUMN e1"
ddl "ALTER TABLE sb.sbtest2 DROP COLUMN e2"
dml "UPDATE sb.sbtest2 SET c = CONCAT('after-drop-', id) WHERE id BETWEEN 700 AND 800"
sleep 1

for p in "${lpids[@]}"; do
	kill -0 "$p" 2>/dev/null || {
		tail -n 20 "$work"/sysbench-*.log >&2
		fail "sysbench stopped during the DDL (its statements must keep working)"
	}
done
for p in "${lpids[@]}"; do
	kill -TERM "$p"
	wait "$p" 2>/dev/null || true
done
lpids=()
if grep -qE 'FATAL|ALERT' "$work"/sysbench-*.log; then
	grep -hE 'FATAL|ALERT' "$work"/sysbench-*.log | head -n 5 >&2
	fail "sysbench met errors"
fi
echo "$T: $n_ddl DDL statements issued under load, load stopped ($((SECONDS - t0)) s)"

caught_up
alive "after catching up"
f=$work/sluice-$run_no.err
# a retried deadlock or lock wait (1213/1205) is no failure: the batch
# was applied again whole
bad=$(grep -iE 'error|fatal|safe mode' "$f" |
	grep -vE '^sluice run: worker [0-9]+: retry [0-9]+ in [0-9]+ ms: .*error (1213|1205): ' || true)
if [[ -n $bad ]]; then
	printf '%s\n' "$bad" | head -n 5 >&2
	fail "sluice logged an error"
fi
n_applied=$(grep -c 'DDL applied' "$f" || true)
((n_applied == n_ddl)) || {
	grep 'DDL applied' "$f" >&2
	fail "$n_applied 'DDL applied' lines for $n_ddl DDL statements"
}

# Databases, tables, definitions
dbs_of() { mdb_sql "$1" "SELECT schema_name FROM information_schema.schemata
	WHERE schema_name IN ('sb', 'dd', 'dd2', 'dd3') ORDER BY 1"; }
tables_of() { mdb_sql "$1" "SELECT table_schema, table_name, table_type
	FROM information_schema.tables WHERE table_schema IN ('sb', 'dd', 'dd2', 'dd3')
	ORDER BY 1, 2"; }
defs_of() { # defs_of SERVER: every definition, AUTO_INCREMENT=N left out
	local db t
	for db in $(dbs_of "$1"); do
		mdb_sql "$1" "SHOW CREATE DATABASE \`$db\`"
		mdb_sql "$1" "SELECT table_name FROM information_schema.tables
			WHERE table_schema = '$db' ORDER BY 1" | while IFS= read -r t; do
			mdb_sql "$1" "SHOW CREATE TABLE \`$db\`.\`$t\`"
		done
	done | sed -E 's/ AUTO_INCREMENT=[0-9]+//'
}
[[ $(dbs_of src) == "$(dbs_of tgt)" ]] ||
	fail "databases differ: source [$(dbs_of src | tr '\n' ' ')] target [$(dbs_of tgt | tr '\n' ' ')]"
[[ $(dbs_of src | tr '\n' ' ') == "dd dd2 sb " ]] || fail "unexpected databases: $(dbs_of src | tr '\n' ' ')"
tables_of src >"$work/tables-src.txt"
tables_of tgt >"$work/tables-tgt.txt"
diff "$work/tables-src.txt" "$work/tables-tgt.txt" >&2 || fail "the lists of tables differ"
defs_of src >"$work/defs-src.sql"
defs_of tgt >"$work/defs-tgt.sql"
diff "$work/defs-src.sql" "$work/defs-tgt.sql" >&2 || fail "table definitions differ"
echo "$T: $(wc -l <"$work/tables-src.txt") tables in $(dbs_of src | wc -l) databases, same definitions"

# Rows
for db in $(dbs_of src); do
	mapfile -t tbls < <(mdb_sql src "SELECT table_name FROM information_schema.tables
		WHERE table_schema = '$db' ORDER BY 1")
	compare "$db" "$db" "${tbls[@]}"
done
alive "at the end"
stop_sluice
echo "$T: PASS ($((SECONDS - t0)) s)"
