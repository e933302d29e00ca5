#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# 033_run_types: `sluice run` with every column type and with row changes
# that collide on primary and secondary unique keys across workers.
#
# tests/lib/types_workload.py (seeded) writes the tables and a workload of
# ~1400 transactions / ~6000 row changes: the column types of
# 001_decode_types.sql with edge values (NULL, empty, min/max, zero dates,
# 4-byte UTF-8, latin1 bytes 0x80-0x9F, zero bytes, ~100 KB blobs), primary
# keys of several shapes (INT, composite, VARCHAR _ci, VARBINARY,
# BINARY(16), UUID), tables with secondary UNIQUE keys (single, composite
# with a _ci column, nullable, and one without a primary key); INSERT,
# UPDATE and DELETE, primary-key changes (also swaps through a temporary
# key in one transaction), and unique values that move from row to row
# (A parks its value, B takes it; DELETE A then INSERT C with A's value;
# swaps and rotations through a temporary value), in one transaction or in
# back-to-back transactions.  Part 1 starts with one row of NULLs per
# table, and one INSERT in non-strict mode stores invalid ENUM/SET values.
#
# The same tables are created on a source and a target MariaDB; sluice runs
# the job (`start: now`, SL_WORKERS workers) while the workload runs on the
# source: part 1 with `batch: 16`, then sluice is stopped (SIGTERM, exit
# 0), and resumed with the default batch for part 2.  After each part,
# once every checkpoint has reached the source's end: sluice must still be
# running and have logged no error, and every table must be identical
# (rows compared exactly: floats as doubles, binary as hex; then CHECKSUM
# TABLE and the mariadb-dump diff of run_common.sh).
#
# Env: SLUICE, SL_TMP, SL_KEEP=1, SL_RUN_WAIT, SL_SEED (workload seed, 33),
# SL_WORKERS (4), SL_TYPES_TXNS (transactions per part, 700),
# SL_TYPES_PACE (sleep factor between transactions, 1; 0 = none),
# SL_TYPES_CONFLICT (on-conflict, default fail; `replace` to see the
# final rows despite duplicate keys), SL_TYPES_COLLIDE=0 (no secondary
# unique value ever moves to another row: checks the types and primary
# keys alone).  Run it with SLUICE=build-asan/sluice too: memory errors
# (stale cells of NULL columns) show there at the first row, whereas a
# release build only crashes when the allocator's garbage happens to be
# bad.  With SL_KEEP=1 the work directory keeps the workload SQL (wl/) and
# the exact row dumps (exact-*.txt).
set -euo pipefail

T=033_run_types
JOB=t033
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR/../lib source=run_common.sh
. "$here/../lib/run_common.sh"
py=/usr/bin/python3
[[ -x $py ]] || py=$(command -v python3) || fail "python3 not found"
SEED=${SL_SEED:-33}
WORKERS=${SL_WORKERS:-4}
TXNS=${SL_TYPES_TXNS:-700}
PACE=${SL_TYPES_PACE:-1}
CONFLICT=${SL_TYPES_CONFLICT:-fail}
COLLIDE=${SL_TYPES_COLLIDE:-1}
DB=sl33
t0=$SECONDS

echo "$T: seed $SEED, $WORKERS workers, unique collisions $COLLIDE (SL_SEED, SL_WORKERS, SL_TYPES_COLLIDE)"
wl_opts=()
[[ $COLLIDE == 1 ]] || wl_opts+=(--no-collide)
"$py" "$here/../lib/types_workload.py" "$work/wl" --seed "$SEED" \
	--txns "$TXNS" --pace "$PACE" "${wl_opts[@]}" | sed "s/^/$T: /" ||
	fail "types_workload.py failed"
mapfile -t tables < <(cut -f1 "$work/wl/tables.txt")
((${#tables[@]} >= 10)) || fail "tables.txt lists ${#tables[@]} tables"

start_pair 24200 24300
for s in src tgt; do
	mdb_client "$s" <"$work/wl/schema.sql" >"$work/schema-$s.log" 2>&1 || {
		cat "$work/schema-$s.log" >&2
		fail "creating the tables on $s failed"
	}
done

job() { write_job "\"$DB.*\"" "$1" "on-conflict: $CONFLICT"; } # job SPEC

# Lines of a run's log that mean trouble.
check_log() { # check_log RUN [final]
	local f=$work/sluice-$1.err bad
	# (a retried deadlock is no failure: it is counted below)
	bad=$(grep -iE 'error|fatal|fail|duplicate|error 1062|conflict|missing|sanitizer' "$f" |
		grep -vE '^sluice run: worker [0-9]+: retry [0-9]+ in [0-9]+ ms: .*error 1213: Deadlock' || true)
	if [[ -n $bad ]]; then
		printf '%s\n' "$bad" | head -n 5 >&2
		fail "run $1 logged errors (log: $f)"
	fi
	local n
	n=$(grep -c ': retry [0-9]' "$f" || true)
	((n == 0)) || [[ ${2:-} != final ]] ||
		echo "$T: note: run $1 retried $n batches after deadlocks"
}

# Runs SQL file on the source in the background while sluice applies it;
# fails as soon as sluice stops.
load() { # load FILE
	local lpid rc=0
	mdb_client src --batch <"$1" >"$work/load.log" 2>&1 &
	lpid=$!
	while kill -0 "$lpid" 2>/dev/null; do
		if ! kill -0 "$spid" 2>/dev/null; then
			kill -TERM "$lpid" 2>/dev/null || true
			wait "$lpid" 2>/dev/null || true
			wait "$spid" || rc=$?
			spid=
			((rc <= 128)) || rc="$rc (signal $((rc - 128)))"
			fail "sluice stopped during the workload, exit status $rc: $(grep -iE 'error|fail|sanitizer' "$work/sluice-$run_no.err" | head -n 3)"
		fi
		sleep 0.2
	done
	wait "$lpid" || rc=$?
	((rc == 0)) || {
		tail -n 5 "$work/load.log" >&2
		fail "the workload failed on the source (a bug of types_workload.py's model)"
	}
}

# Every row of every table, exactly: FLOAT as the double it widens to,
# binary types as hex, long strings as length:md5; ordered by the key.
exact_dump() { # exact_dump SERVER TABLE
	local s=$1 t=$2 key sel
	key=$(awk -F'\t' -v t="$t" '$1 == t {print $2}' "$work/wl/tables.txt")
	sel=$(mdb_sql src "SELECT GROUP_CONCAT(CASE
		WHEN data_type = 'float' THEN CONCAT('CAST(\`', column_name, '\` AS DOUBLE)')
		WHEN data_type IN ('binary', 'varbinary', 'bit', 'geometry', 'point', 'linestring',
			'polygon', 'multipoint', 'multilinestring', 'multipolygon', 'geometrycollection')
			THEN CONCAT('HEX(\`', column_name, '\`)')
		WHEN data_type IN ('tinyblob', 'blob', 'mediumblob', 'longblob', 'tinytext', 'text',
			'mediumtext', 'longtext')
			THEN CONCAT('CONCAT(LENGTH(\`', column_name, '\`), '':'', MD5(\`', column_name, '\`))')
		ELSE CONCAT('\`', column_name, '\`') END ORDER BY ordinal_position SEPARATOR ', ')
		FROM information_schema.columns WHERE table_schema = '$DB' AND table_name = '$t'")
	mdb_client "$s" --batch --skip-column-names -e \
		"SET SESSION time_zone = '+00:00'; SELECT $sel FROM \`$DB\`.\`$t\` ORDER BY ${key//,/, }"
}

compare_all() { # compare_all LABEL
	local t bad=0 n=0
	for t in "${tables[@]}"; do
		exact_dump src "$t" >"$work/exact-src-$t.txt"
		exact_dump tgt "$t" >"$work/exact-tgt-$t.txt"
		n=$((n + $(wc -l <"$work/exact-src-$t.txt")))
		if ! cmp -s "$work/exact-src-$t.txt" "$work/exact-tgt-$t.txt"; then
			printf '%s: %s: %s.%s differs (< source, > target):\n' "$T" "$1" "$DB" "$t" >&2
			diff "$work/exact-src-$t.txt" "$work/exact-tgt-$t.txt" | cut -c1-400 | head -n 12 >&2
			bad=1
		fi
	done
	((bad == 0)) || fail "$1: rows differ (full dumps: $work/exact-*.txt)"
	echo "$T: $1: $n rows of ${#tables[@]} tables equal"
	compare "$1" "$DB" "${tables[@]}"
}

part() { # part N SPEC LABEL
	job "$2"
	echo "$T: part $1: $3, workload $(grep -c '' "$work/wl/part$1.sql") lines"
	local t1=$SECONDS
	start_sluice
	((run_no == 1)) || grep -q 'resuming at' "$work/sluice-$run_no.err" ||
		fail "run $run_no did not resume from the checkpoints"
	load "$work/wl/part$1.sql"
	local t2=$SECONDS
	caught_up
	kill -0 "$spid" 2>/dev/null || fail "sluice stopped: $(tail -n 3 "$work/sluice-$run_no.err")"
	check_log "$run_no"
	stop_sluice
	check_log "$run_no" final
	echo "$T: part $1: workload $((t2 - t1)) s, caught up $((SECONDS - t2)) s later;" \
		"$(grep -o '[0-9]* row changes read.*;' "$work/sluice-$run_no.err" | tail -n 1)"
	compare_all "part $1 ($3)"
}

part 1 "{ workers: $WORKERS, batch: 16 }" "$WORKERS workers, batch 16, linger"
part 2 "{ workers: $WORKERS }" "$WORKERS workers, default batch"
echo "$T: PASS ($((SECONDS - t0)) s)"
