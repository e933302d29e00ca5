#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# 012_stream_faults: the replication stream survives a lost connection and
# reports what it cannot survive in one line.
#
# Part 1, faults mid-stream.  Two `sluice binlog --remote` streams (text
# output), one started at a GTID and one at a file + position, read a
# steady sysbench load (oltp_write_only with --rate, transactions of ~30 row
# changes; and one-row transactions in a second GTID domain) while the test
#   * KILLs the source's Binlog Dump threads (SHOW PROCESSLIST) 3 times,
#     each time in the middle of a 20000-row transaction (the streams are
#     SIGSTOPped until the dump threads block sending it, then KILLed and
#     SIGCONTed), waiting each time until both streams are back; the
#     outputs up to there are checked as below;
#   * stops the source server (SIGSTOP) for 5 s, longer than 3 heartbeat
#     periods, so the streams must take the silent link for lost;
#   * restarts the source server (mdb_restart: TERM, then the same datadir,
#     port and options) once, with the load running.
# Then the load stops, both streams catch up with @@gtid_binlog_pos, and
# tests/lib/stream_check.py checks each output: every transaction exactly
# once, in order, gapless GTIDs, the same row changes per transaction as
# mysqlbinlog reads in the server's binlogs, INSERTs - DELETEs = the change
# of COUNT(*), at least 5 "# reconnected" lines, each naming the GTID of
# the last whole transaction printed before it.
#
# Part 2, failures that no reconnect can heal: a wrong password, an unknown
# host, a port where nothing listens, a purged start file, a purged start
# GTID, binlog_format=STATEMENT and binlog_row_image=MINIMAL.  Each must end
# sluice within 20 s with exit 1 and exactly one line on stderr, "sluice
# binlog: source HOST:PORT: …" (HOST:PORT not said twice), naming the cause.
#
# Every check runs; the failures are listed at the end.
# Knobs: SLUICE (default build/sluice), SL_STREAM_WAIT (seconds to wait
# for a stream to catch up, default 60), SL_KEEP=1 (keep the outputs).
# The set-up it shares with 010_stream is in tests/lib/stream_setup.sh.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR/../lib source=mariadb.sh
. "$here/../lib/mariadb.sh"
# shellcheck source-path=SCRIPTDIR/../lib source=stream_setup.sh
. "$here/../lib/stream_setup.sh"
# shellcheck source-path=SCRIPTDIR/../lib source=stream_errors.sh
. "$here/../lib/stream_errors.sh"

T=012_stream_faults
KILLS=3
stream_setup 23330

declare -a problems=()
problem() {
	problems+=("$*")
	printf '%s: FAIL: %s\n' "$T" "$*" >&2
}

# sysbench's tables (sb, counts: tests/lib/stream_setup.sh) and the others counted.
tables=2 table_size=2000 count_tables="sb.big sb.dom2"
dumps() { mdb_sql src "SELECT ID FROM information_schema.PROCESSLIST WHERE COMMAND = 'Binlog Dump'"; }
# wait_dumps N: until N Binlog Dump threads run (the streams are back).
wait_dumps() {
	local deadline=$((SECONDS + WAIT_S)) got
	while :; do
		got=$(dumps | grep -c . || true)
		((got >= $1)) && return 0
		((SECONDS < deadline)) || return 1
		sleep 0.1
	done
}
alive() { kill -0 "$1" 2>/dev/null; }
# wait_back OLD-IDS WHAT: until two dump threads run that are not among
# OLD-IDS (each stream reconnected); a problem when not within WAIT_S.
wait_back() {
	local old=$1 what=$2 deadline=$((SECONDS + WAIT_S)) now id back
	while :; do
		now=$(dumps | tr '\n' ' ')
		back=0
		for id in $now; do
			[[ " ${old//$'\n'/ } " == *" $id "* ]] || back=$((back + 1))
		done
		((back >= 2)) && return 0
		if ((SECONDS >= deadline)); then
			problem "$what: the streams did not reconnect within $WAIT_S s (dump threads: '$now', before: '${old//$'\n'/ }')"
			return 1
		fi
		sleep 0.1
	done
}

mdb_sql src "CREATE DATABASE sb; CREATE TABLE sb.big (id INT AUTO_INCREMENT PRIMARY KEY, s VARCHAR(400));
	CREATE TABLE sb.dom2 (id INT AUTO_INCREMENT PRIMARY KEY, v INT)"
sb_prepare

# --- part 1: KILL and restart mid-stream -----------------------------------
g0=$(mdb_sql src "SELECT @@gtid_binlog_pos")
read -r file0 pos0 _ < <(mdb_sql src "SHOW MASTER STATUS")
c0=$(counts)
job "$work/gtid.yaml" "{ mode: gtid, gtid: \"$g0\" }"
job "$work/position.yaml" "{ mode: position, file: $file0, position: $pos0 }"
declare -A spid=()
sid=3000
for s in gtid position; do
	sid=$((sid + 1))
	"$SLUICE" binlog --remote "$work/$s.yaml" --server-id "$sid" \
		>"$work/$s.txt" 2>"$work/$s.err" &
	spid[$s]=$!
	bg_pids+=($!)
done
wait_dumps 2 || fail "the two streams did not start (stderr: $(cat "$work"/*.err))"

# load SECONDS: a steady load in the background; sets load_pid.
load() {
	sb oltp_write_only --threads=2 --rate=150 --time="$1" --events=0 \
		--delete_inserts=6 --index_updates=6 --non_index_updates=6 \
		--rand-seed=$RANDOM run >>"$work/sysbench.log" 2>&1 &
	load_pid=$!
	bg_pids+=($!)
}

# A KILL while a dump thread is idle cuts the stream between transactions.
# To cut one in the middle, the streams are stopped (SIGSTOP) while a
# transaction bigger than the socket buffers is written, so that each dump
# thread blocks sending it ("Writing to net"), and only then KILLed; sluice
# continues (SIGCONT), reads the part that was sent, and must drop it.
load 12
# Meanwhile one-row transactions in GTID domain 2 (~10 s), so the GTID
# stream resumes from a two-domain position.
{
	echo "SET SESSION gtid_domain_id = 2;"
	for ((i = 0; i < 600; i++)); do
		echo "INSERT INTO sb.dom2 (v) VALUES ($i); DO SLEEP(0.015);"
	done
} | mdb_sql src >"$work/dom2.log" 2>&1 &
d2_pid=$!
bg_pids+=($!)
sleep 1.5
mid_cuts=0
for ((k = 1; k <= KILLS; k++)); do
	ids=$(dumps)
	[[ -n $ids ]] || problem "kill $k: no Binlog Dump thread to kill"
	for s in gtid position; do kill -STOP "${spid[$s]}" 2>/dev/null || true; done
	mdb_sql src "INSERT INTO sb.big (s) SELECT REPEAT(CHAR(97 + seq % 26), 300) FROM sb.seq_1_to_20000"
	deadline=$((SECONDS + 5))
	busy=0
	while ((SECONDS < deadline)); do
		busy=$(mdb_sql src "SELECT COUNT(*) FROM information_schema.PROCESSLIST
			WHERE COMMAND = 'Binlog Dump' AND STATE NOT LIKE 'Master has sent all binlog%'")
		((busy >= 2)) && break
		sleep 0.1
	done
	((busy >= 2)) && mid_cuts=$((mid_cuts + 1))
	for id in $ids; do
		mdb_sql src "KILL $id" 2>/dev/null || true
	done
	for s in gtid position; do kill -CONT "${spid[$s]}" 2>/dev/null || true; done
	wait_back "$ids" "kill $k" || true
	sleep 1
done
wait "$load_pid" || problem "sysbench failed during the KILLs: $(tail -n 3 "$work/sysbench.log")"
wait "$d2_pid" || problem "the domain 2 writer failed: $(tail -n 3 "$work/dom2.log")"
printf '%s: %d of %d KILLs cut both streams inside a transaction (dump threads blocked sending it)\n' \
	"$T" "$mid_cuts" "$KILLS"

# catch_up NAME UPTO: waits until the stream printed UPTO; 1 (a problem
# reported) when sluice died or did not get there in time.
catch_up() {
	local s=$1 pid=${spid[$1]} deadline=$((SECONDS + WAIT_S)) rc g
	local -a want=()
	IFS=, read -ra want <<<"$2"
	for g in "${want[@]}"; do
		until grep -qE "gtid=$g( |\$)" "$work/$s.txt"; do
			if ! alive "$pid"; then
				wait "$pid" && rc=0 || rc=$?
				problem "$s stream: sluice exited (status $rc) before $g; stderr: '$(cat "$work/$s.err")'"
				return 1
			fi
			if ((SECONDS >= deadline)); then
				problem "$s stream: $g not in the output after $WAIT_S s (last line: '$(tail -n 1 "$work/$s.txt" | cut -c 1-100)')"
				return 1
			fi
			sleep 0.2
		done
	done
	sleep 0.5
}
# check NAME OUTPUT UPTO MIN-RECONNECTS NET-ARGS…
check() {
	local s=$1 out=$2 upto=$3 minrec=$4
	shift 4
	stream_check "$out" "$s start" "$g0" "$upto" --format text \
		--min-reconnects "$minrec" "$@" ||
		problem "$s stream: not every transaction exactly once, in order, across the reconnects (${out##*/})"
}

# The KILLs alone: each stream, up to here, in a copy of its output.
gk=$(mdb_sql src "SELECT @@gtid_binlog_pos")
ck=$(counts)
mapfile -t net < <(net_args "$c0" "$ck")
for s in gtid position; do
	if catch_up "$s" "$gk"; then
		cp "$work/$s.txt" "$work/$s-kills.txt"
		check "$s" "$work/$s-kills.txt" "$gk" "$KILLS" "${net[@]}"
	fi
done

# A silent source: mariadbd stopped (SIGSTOP) for 5 s, longer than 3
# heartbeat periods (3 s by default): each stream must call the link lost,
# and reconnect once the server runs again.
load 20
sleep 2
ids=$(dumps)
kill -STOP "$(mdb_pid src)"
sleep 5
kill -CONT "$(mdb_pid src)"
wait_back "$ids" "silent source" || true
sleep 2

# The restart, with the load running (sysbench itself does not survive it).
mdb_restart src
wait "$load_pid" 2>/dev/null || true
for s in gtid position; do
	alive "${spid[$s]}" || {
		wait "${spid[$s]}" && rc=0 || rc=$?
		problem "$s stream: sluice exited (status $rc) when the source restarted instead of reconnecting; stderr: '$(cat "$work/$s.err")'; last output: '$(tail -n 1 "$work/$s.txt" | cut -c 1-100)'"
	}
done
load 4
wait "$load_pid" || problem "sysbench failed after the restart: $(tail -n 3 "$work/sysbench.log")"

g1=$(mdb_sql src "SELECT @@gtid_binlog_pos")
c1=$(counts)
mapfile -t net < <(net_args "$c0" "$c1")
for s in gtid position; do
	alive "${spid[$s]}" || continue # reported above
	catch_up "$s" "$g1" || continue
	kill -TERM "${spid[$s]}" 2>/dev/null || true
	wait "${spid[$s]}" 2>/dev/null || true
	[[ ! -s $work/$s.err ]] || problem "$s stream: sluice wrote to stderr: '$(head -c 400 "$work/$s.err")'"
	check "$s" "$work/$s.txt" "$g1" $((KILLS + 2)) "${net[@]}"
done

# --- part 2: one clear line for what cannot heal --------------------------
# one_line NAME JOB REGEX…: exit 1 within 20 s, one stderr line with the
# "sluice binlog: source HOST:PORT: " prefix, matching every REGEX.
one_line() {
	local name=$1 jf=$2 rc=0 t0=$SECONDS errtext hostport why
	shift 2
	hostport=$(sed -n 's/^source: { host: \([^,]*\), port: \([0-9]*\),.*/\1:\2/p' "$jf")
	timeout 60 "$SLUICE" binlog --remote "$jf" >"$work/one.out" 2>"$work/one.err" || rc=$?
	errtext=$(cat "$work/one.err")
	why=$(stream_error_problems "$rc" "$errtext" "$hostport" "$@")
	if ((SECONDS - t0 > 20)); then
		why+="${why:+; }took $((SECONDS - t0)) s"
	fi
	if [[ -n $why ]]; then
		problem "$name: $why; stderr: '$errtext'"
	else
		printf '%s: ok   %-30s %s\n' "$T" "$name" "$errtext"
	fi
}

job "$work/e1.yaml" "{ mode: now }" 127.0.0.1 "$port" not-the-password
one_line "wrong password" "$work/e1.yaml" 'access denied'
job "$work/e2.yaml" "{ mode: now }" no-such-host.invalid "$port"
one_line "unknown host" "$work/e2.yaml" 'no-such-host\.invalid.*(resolve|not known|unknown)|(resolve|unknown host).*no-such-host\.invalid'
dead=$(mdb_free_port $((port + 100)))
job "$work/e3.yaml" "{ mode: now }" 127.0.0.1 "$dead"
one_line "nothing listens" "$work/e3.yaml" 'refused'

mdb_sql src "FLUSH BINARY LOGS; FLUSH BINARY LOGS"
newest=$(mdb_sql src "SHOW MASTER STATUS" | cut -f1)
# A file is purged only once the binlog checkpoint has passed it: retry.
deadline=$((SECONDS + 20))
while mdb_sql src "PURGE BINARY LOGS TO '$newest'" &&
	[[ $(mdb_sql src "SHOW BINARY LOGS" | cut -f1) != "$newest" ]]; do
	((SECONDS < deadline)) || {
		problem "PURGE BINARY LOGS TO '$newest' left: $(mdb_sql src "SHOW BINARY LOGS" | cut -f1 | tr '\n' ' ')"
		break
	}
	sleep 0.5
done
job "$work/e4.yaml" "{ mode: position, file: $file0, position: 4 }"
one_line "purged start file" "$work/e4.yaml" '1236' 'could not find|purged'
job "$work/e5.yaml" "{ mode: gtid, gtid: \"$g0\" }"
one_line "purged start GTID" "$work/e5.yaml" '1236' 'gtid|purged'

mdb_sql src "SET GLOBAL binlog_format = 'STATEMENT'"
job "$work/e6.yaml" "{ mode: now }"
one_line "binlog_format=STATEMENT" "$work/e6.yaml" 'binlog_format' 'STATEMENT' 'ROW'
mdb_sql src "SET GLOBAL binlog_format = 'ROW'; SET GLOBAL binlog_row_image = 'MINIMAL'"
one_line "binlog_row_image=MINIMAL" "$work/e6.yaml" 'binlog_row_image' 'FULL'
mdb_sql src "SET GLOBAL binlog_row_image = 'FULL'"

if ((${#problems[@]} > 0)); then
	printf '%s: FAIL: %d problem(s):\n' "$T" "${#problems[@]}" >&2
	printf '  - %s\n' "${problems[@]}" >&2
	exit 1
fi
echo "$T: PASS: $KILLS dump-thread KILLs, a silent source and a restart under load: gtid and position streams exactly once up to $g1; 7 unhealable failures in one line each"
