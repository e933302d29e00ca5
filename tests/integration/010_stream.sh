#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# 010_stream: `sluice binlog --remote JOB --json` streams a live sysbench
# workload from a MariaDB source, for each start mode:
#   now       started on a quiet source, then the workload runs;
#   gtid      started at a GTID left behind by the "now" phase, so it first
#             reads history, then the live workload (with a binlog rotation
#             in the middle);
#   position  started at byte 4 of a fresh binlog file (history written
#             before it starts, then the live workload), and in parallel a
#             second stream at a transaction boundary in the middle of the
#             same file.
# Alongside sysbench (GTID domain 0) a second session writes one-row
# transactions in GTID domain 2, so GTID starts and checks are per domain
# (the gtid start is a two-domain position).
# Each stream is stopped once the source's @@gtid_binlog_pos is in its
# output; tests/lib/stream_check.py then checks that every transaction of
# the window comes exactly once, in order, with gapless GTIDs, that each
# transaction's row changes equal what mysqlbinlog reads in the server's
# binlog, that the INSERT count equals sysbench's own event count, and
# that INSERTs minus DELETEs per table equal the change of COUNT(*).
# Knobs: SLUICE (default build/sluice), SL_STREAM_WAIT (seconds to wait
# for a stream to catch up, default 60), SL_KEEP=1 (keep the outputs).
# The set-up it shares with 012_stream_faults is in tests/lib/stream_setup.sh.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR/../lib source=mariadb.sh
. "$here/../lib/mariadb.sh"
# shellcheck source-path=SCRIPTDIR/../lib source=stream_setup.sh
. "$here/../lib/stream_setup.sh"

T=010_stream
stream_setup 23310

# sysbench's tables (sb, counts: tests/lib/stream_setup.sh) and the others counted.
tables=4 table_size=1000 count_tables=sb.dom2

# load SCRIPT EVENTS: runs the workload, prints sysbench's event count.
load() {
	local log=$work/sysbench-$1-$RANDOM.log n
	if ! sb "$1" --events="$2" --threads=2 --time=0 --rand-seed=$RANDOM run >"$log" 2>&1; then
		tail -n 20 "$log" >&2
		fail "sysbench $1 failed"
	fi
	n=$(sed -n 's/^ *total number of events: *\([0-9]*\).*/\1/p' "$log")
	[[ -n $n ]] || fail "no event count in sysbench output $log"
	printf '%s\n' "$n"
}
gtid_pos() { mdb_sql src "SELECT @@gtid_binlog_pos"; }
# dom2 N: N one-row transactions in GTID domain 2, in the background while
# sysbench writes domain 0; sets d2_pid.
dom2() {
	local i
	{
		echo "SET SESSION gtid_domain_id = 2;"
		for ((i = 0; i < $1; i++)); do
			echo "INSERT INTO sb.dom2 (v) VALUES ($i);"
		done
	} | mdb_sql src >"$work/dom2.log" 2>&1 &
	d2_pid=$!
}
# stream NAME JOB SERVER-ID: starts sluice in the background, output in
# $work/NAME.json, and waits until the source lists it as a replica (so a
# "now" start has read its position).  Sets the pid in spid[NAME].
declare -A spid=()
stream() {
	local name=$1 jobf=$2 sid=$3 deadline=$((SECONDS + WAIT_S))
	"$SLUICE" binlog --json --remote "$jobf" --server-id "$sid" \
		>"$work/$name.json" 2>"$work/$name.err" &
	spid[$name]=$!
	bg_pids+=($!)
	until mdb_sql src "SHOW SLAVE HOSTS" | awk -v s="$sid" '$1 == s { f = 1 } END { exit !f }'; do
		if ! kill -0 "${spid[$name]}" 2>/dev/null; then
			wait "${spid[$name]}" && rc=0 || rc=$?
			fail "$name: sluice exited ($rc) before registering: $(head -c 600 "$work/$name.err")"
		fi
		((SECONDS < deadline)) || fail "$name: sluice not registered as replica $sid after $WAIT_S s"
		sleep 0.1
	done
}

# finish NAME UPTO: waits for the GTID UPTO in the output, then stops sluice.
finish() {
	local name=$1 upto=$2 deadline=$((SECONDS + WAIT_S)) pid=${spid[$1]} rc g
	local -a want=()
	IFS=, read -ra want <<<"$upto"
	for g in "${want[@]}"; do
		until grep -qF "\"gtid\":\"$g\"" "$work/$name.json"; do
			if ! kill -0 "$pid" 2>/dev/null; then
				wait "$pid" && rc=0 || rc=$?
				fail "$name: sluice exited ($rc) before reaching $g; stderr: $(head -c 600 "$work/$name.err")"
			fi
			((SECONDS < deadline)) ||
				fail "$name: $g not in the output after $WAIT_S s (last: $(tail -n 1 "$work/$name.json" | cut -c 1-120))"
			sleep 0.2
		done
	done
	sleep 0.5 # anything that should not be there has time to show
	kill -0 "$pid" 2>/dev/null || fail "$name: sluice exited on its own: $(head -c 600 "$work/$name.err")"
	kill -TERM "$pid"
	wait "$pid" 2>/dev/null || true
	[[ ! -s $work/$name.err ]] || fail "$name: sluice wrote to stderr: $(head -c 600 "$work/$name.err")"
}

# check NAME AFTER UPTO INSERTS NET-ARGS…: runs the checker.
check() {
	local name=$1 after=$2 upto=$3 inserts=$4
	shift 4
	stream_check "$work/$name.json" "$name" "$after" "$upto" --format json \
		--expect "sb.sbtest*:INSERT=$inserts" "$@" ||
		fail "$name: the stream is not the source's transactions exactly once, in order"
}

mdb_sql src "CREATE DATABASE sb; CREATE TABLE sb.dom2 (id INT AUTO_INCREMENT PRIMARY KEY, v INT)"
sb_prepare

# --- mode now --------------------------------------------------------------
g0=$(gtid_pos)
c0=$(counts)
job "$work/now.yaml" "{ mode: now }"
stream now "$work/now.yaml" 1001
dom2 300
r1=$(load oltp_insert 2000)
wait "$d2_pid" || fail "domain 2 writer failed: $(cat "$work/dom2.log")"
gA=$(gtid_pos) # the gtid phase starts here
cA=$(counts)
r2=$(load oltp_write_only 300)
g1=$(gtid_pos)
c1=$(counts)
finish now "$g1"
mapfile -t net < <(net_args "$c0" "$c1")
check now "$g0" "$g1" $((r1 + r2)) "${net[@]}" --expect "sb.dom2:INSERT=300"

# --- mode gtid -------------------------------------------------------------
job "$work/gtid.yaml" "{ mode: gtid, gtid: \"$gA\" }"
stream gtid "$work/gtid.yaml" 1002
dom2 300
r3=$(load oltp_insert 1000)
wait "$d2_pid" || fail "domain 2 writer failed: $(cat "$work/dom2.log")"
mdb_sql src "FLUSH BINARY LOGS" # a rotation while streaming live
r4=$(load oltp_write_only 300)
g2=$(gtid_pos)
c2=$(counts)
finish gtid "$g2"
mapfile -t net < <(net_args "$cA" "$c2")
check gtid "$gA" "$g2" $((r2 + r3 + r4)) "${net[@]}" --expect "sb.dom2:INSERT=300"

# --- mode position ---------------------------------------------------------
mdb_sql src "FLUSH BINARY LOGS"
file=$(mdb_sql src "SHOW MASTER STATUS" | cut -f1)
gF=$(gtid_pos)
cF=$(counts)
r5=$(load oltp_insert 500) # history: in the file before the stream starts
read -r _ mid < <(mdb_sql src "SHOW MASTER STATUS")
mid=${mid%%$'\t'*}
g5=$(gtid_pos)
c5=$(counts)
r6=$(load oltp_insert 300) # more history, after the mid-file position
job "$work/position.yaml" "{ mode: position, file: $file, position: 4 }"
job "$work/position-mid.yaml" "{ mode: position, file: $file, position: $mid }"
stream position "$work/position.yaml" 1003
stream position-mid "$work/position-mid.yaml" 1004
dom2 300
r7=$(load oltp_insert 1000)
wait "$d2_pid" || fail "domain 2 writer failed: $(cat "$work/dom2.log")"
r8=$(load oltp_write_only 300)
g3=$(gtid_pos)
c3=$(counts)
finish position "$g3"
finish position-mid "$g3"
mapfile -t net < <(net_args "$cF" "$c3")
check position "$gF" "$g3" $((r5 + r6 + r7 + r8)) "${net[@]}" --expect "sb.dom2:INSERT=300"
mapfile -t net < <(net_args "$c5" "$c3")
check position-mid "$g5" "$g3" $((r6 + r7 + r8)) "${net[@]}" --expect "sb.dom2:INSERT=300"

echo "$T: PASS: start modes now, gtid ($gA), position ($file:4 and :$mid): every transaction up to $g3 exactly once, in order"
