#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# 031_run_crash: crash safety of `sluice run`.  While sysbench
# oltp_write_only, oltp_insert and bench/unique_update.lua (unique values
# moving between rows of sb.uniq1) write the source (rate-limited, for
# ~LOAD_S seconds), sluice is started and killed with SIGKILL at a random
# moment (0.3-2.5 s after its start) at least KILLS times, restarted each
# time.  No run may stop on its own, and none may log a duplicate key
# (1062 / "Duplicate").  After the load ends sluice runs once more until
# every checkpoint reaches the source's end, is stopped with SIGTERM (exit
# 0) and every table must be identical: CHECKSUM TABLE and a full,
# primary-key ordered row dump.
#
# Env: SLUICE, SL_TMP, SL_KEEP=1, SL_RUN_WAIT, SL_CRASH_KILLS (20),
# SL_CRASH_LOAD_S (40).
set -euo pipefail

T=031_run_crash
JOB=t031
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR/../lib source=run_common.sh
. "$here/../lib/run_common.sh"
command -v sysbench >/dev/null || fail "sysbench not installed"
KILLS=${SL_CRASH_KILLS:-20}
LOAD_S=${SL_CRASH_LOAD_S:-40}
tables=4 table_size=2000

start_pair 23800 23900

echo "$T: preparing sb on the source, copying it to the target"
sb_prepare
# uniq1: a copy of sbtest1 with a secondary UNIQUE key whose values
# bench/unique_update.lua moves from row to row inside a transaction: the
# causality set's conflicts (the workers involved commit part of a
# transaction, with a dirty checkpoint) are killed too.
mdb_sql src "CREATE TABLE sb.uniq1 (id INT NOT NULL PRIMARY KEY, k INT NOT NULL DEFAULT 0,
	u INT NOT NULL, c CHAR(120) NOT NULL DEFAULT '', pad CHAR(60) NOT NULL DEFAULT '',
	KEY k_1 (k), UNIQUE KEY u_1 (u)) ENGINE=InnoDB;
	INSERT INTO sb.uniq1 SELECT id, k, id, c, pad FROM sb.sbtest1"
copy_to_target sb

write_job '"sb.*"' '{ workers: 4, batch: 200 }'

# No run may have hit a duplicate key (the replay after a crash must be
# idempotent), nor failed in any other way.
check_log() { # check_log RUN
	local f=$work/sluice-$1.err
	if grep -qE 'Duplicate|error 1062|conflict error|duplicate key' "$f"; then
		grep -E 'Duplicate|error 1062|conflict error|duplicate key' "$f" | head -n 3 >&2
		fail "run $1 met a duplicate key"
	fi
	if grep -qiE 'error applying|fatal' "$f"; then
		grep -iE 'error applying|fatal' "$f" | head -n 3 >&2
		fail "run $1 logged a failure"
	fi
}

# The first run records the checkpoints ("start: now") before any load,
# so that every later run resumes.
echo "$T: run 1 (start now, 4 workers)"
start_sluice
((LOAD_S > 0)) || fail "SL_CRASH_LOAD_S must be > 0"
lpids=()
for s in oltp_write_only oltp_insert; do
	sb "$s" --threads=2 --time="$LOAD_S" --events=0 --rate=150 \
		--rand-seed=$RANDOM run >>"$work/sysbench-$s.log" 2>&1 &
	lpids+=($!)
done
sysbench "$here/../../bench/unique_update.lua" --db-driver=mysql \
	--mysql-socket="$(mdb_sock src)" --mysql-user=root --mysql-db=sb \
	--tables=1 --table_size="$table_size" --threads=2 --time="$LOAD_S" --events=0 \
	--rate=100 --rand-seed=$RANDOM run >>"$work/sysbench-unique.log" 2>&1 &
lpids+=($!)
load_running() {
	local p
	for p in "${lpids[@]}"; do kill -0 "$p" 2>/dev/null && return 0; done
	return 1
}

kills=0
while ((kills < KILLS)) || load_running; do
	if ((kills > 0)); then
		start_sluice --no-wait
	fi
	# 0.3 .. 2.5 s
	ms=$((300 + RANDOM % 2201))
	sleep "$((ms / 1000)).$(printf '%03d' $((ms % 1000)))"
	if ! kill -0 "$spid" 2>/dev/null; then
		rc=0
		wait "$spid" || rc=$?
		spid=
		check_log "$run_no"
		fail "run $run_no exited by itself (status $rc) before the kill: $(tail -n 3 "$work/sluice-$run_no.err")"
	fi
	kill -KILL "$spid"
	wait "$spid" 2>/dev/null || true
	spid=
	check_log "$run_no"
	kills=$((kills + 1))
	((kills % 5 == 0)) && echo "$T: $kills kills ($(grep -c 'safe mode until' "$work"/sluice-*.err | awk -F: '{s+=$2} END {print s+0}') safe-mode replays so far)"
	((kills < 200)) || fail "the load never ended"
done
for p in "${lpids[@]}"; do
	wait "$p" || {
		tail -n 20 "$work"/sysbench-*.log >&2
		fail "sysbench failed"
	}
done
echo "$T: $kills SIGKILLs done, load over ($(grep -hE '^ *(transactions|queries):' "$work"/sysbench-*.log | tr -s ' ' | tr '\n' ';'))"

echo "$T: final run (resume, catch up, SIGTERM)"
start_sluice
grep -q 'resuming at' "$work/sluice-$run_no.err" || fail "the final run did not resume from checkpoints"
caught_up
stop_sluice
check_log "$run_no"
compare "after $kills crashes" sb $(seq -f 'sbtest%g' 1 "$tables") uniq1
echo "$T: PASS"
