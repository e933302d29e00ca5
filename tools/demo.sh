#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# tools/demo.sh: the README's main command, a live migration on
# 127.0.0.1 in about 40 s after the build:
#   1. installs what is missing (tools/install-deps.sh) and builds sluice;
#   2. starts two throwaway MariaDB servers, a source (binlog ROW/FULL) and
#      a target (standing in for TiDB), in temporary directories;
#   3. creates the sysbench tables on the source and copies them to the
#      target (mariadb-dump), so the target holds a consistent copy;
#   4. runs the job of examples/demo.yaml (start: now) with `sluice run`,
#      its host, ports and account filled in from DEMO_* variables;
#   5. puts a sysbench oltp_write_only load on the source, creates a new
#      table there mid-way, pauses and resumes the job, while
#      `sluice status --watch` shows the progress;
#   6. when the load ends, waits until the job has caught up, compares
#      CHECKSUM TABLE of every table on both sides, then `sluice delete`.
# Exit status 0 when source and target are identical, 1 otherwise.  The
# servers, sluice and sysbench are stopped on exit, also on Ctrl-C or an
# error.
# Env: DEMO_SECONDS (load duration, default 30), DEMO_RATE (sysbench
# transactions/s, default 150), SL_TMP (parent of the temp dirs),
# SL_KEEP=1 (keep them).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
secs=${DEMO_SECONDS:-30}
rate=${DEMO_RATE:-150}
bash "$root/tools/install-deps.sh"

echo "== building sluice (Release)"
cmake -S "$root" -B "$root/build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$root/build" -j"$(nproc)" --target sluice >/dev/null
sluice="$root/build/sluice"
t0=$SECONDS

# shellcheck source-path=SCRIPTDIR/../tests/lib source=../tests/lib/mariadb.sh
. "$root/tests/lib/mariadb.sh"
work=$(mktemp -d "${SL_TMP:-/tmp}/sluice-demo-XXXX")
spid='' lpid='' wpid=''
cleanup() {
	local p failed
	for p in "$wpid" "$lpid" "$spid"; do
		[[ -n $p ]] && kill -TERM "$p" 2>/dev/null || true
	done
	for p in "$wpid" "$lpid" "$spid"; do
		[[ -n $p ]] && wait "$p" 2>/dev/null || true
	done
	case ${MDB_EXIT_STATUS:-0} in
	0 | 129 | 130 | 143) failed=0 ;; # success, or stopped by a signal (Ctrl-C)
	*) failed=1 ;;
	esac
	if ((failed)) && [[ -s $work/sluice.log ]]; then
		echo "--- last lines of sluice's log ($work/sluice.log)" >&2
		tail -n 15 "$work/sluice.log" >&2
	fi
	if ((failed)) || [[ ${SL_KEEP:-0} == 1 ]]; then
		echo "demo: files kept in $work" >&2
	else
		rm -rf "$work"
	fi
}
mdb_trap cleanup
fail() {
	echo "demo: FAIL: $*" >&2
	exit 1
}
step() { printf '\n== %s\n' "$*"; }

step "starting a MariaDB source and a MariaDB target (standing in for TiDB)"
mdb_start_source src "$(mdb_free_port 24306)" --binlog-row-metadata=FULL
mdb_start tgt "$(mdb_free_port 24406)"
# what examples/demo.yaml reads
export DEMO_SOURCE_PORT DEMO_TARGET_PORT DEMO_HTTP_PORT DEMO_USER
export DEMO_SOURCE_PASSWORD DEMO_TARGET_PASSWORD
DEMO_SOURCE_PORT=$(mdb_port src)
DEMO_TARGET_PORT=$(mdb_port tgt)
DEMO_HTTP_PORT=$(mdb_free_port 8250)
DEMO_USER=$MDB_USER
DEMO_SOURCE_PASSWORD=$MDB_PASSWORD
DEMO_TARGET_PASSWORD=$MDB_PASSWORD
job=$root/examples/demo.yaml
http=(--http "127.0.0.1:$DEMO_HTTP_PORT")
echo "source 127.0.0.1:$DEMO_SOURCE_PORT, target 127.0.0.1:$DEMO_TARGET_PORT, job HTTP 127.0.0.1:$DEMO_HTTP_PORT"

step "sysbench prepare on the source (4 tables x 10000 rows), copied to the target with mariadb-dump"
sb=(sysbench /usr/share/sysbench/oltp_write_only.lua --db-driver=mysql
	--mysql-socket="$(mdb_sock src)" --mysql-user=root --mysql-db=sbtest
	--tables=4 --table-size=10000 --rand-seed=42)
mdb_sql src "CREATE DATABASE sbtest"
"${sb[@]}" prepare >"$work/prepare.log" 2>&1 ||
	fail "sysbench prepare: $(tail -n 3 "$work/prepare.log")"
mariadb-dump --no-defaults --protocol=socket --socket="$(mdb_sock src)" -uroot \
	--single-transaction --databases sbtest >"$work/sbtest.sql"
mdb_client tgt <"$work/sbtest.sql"
for t in sbtest1 sbtest2 sbtest3 sbtest4; do
	printf 'sbtest.%s: %s rows on the source, %s on the target\n' "$t" \
		"$(mdb_sql src "SELECT COUNT(*) FROM sbtest.$t")" "$(mdb_sql tgt "SELECT COUNT(*) FROM sbtest.$t")"
done

step "sluice check examples/demo.yaml (the job file as read is printed first; here only the precheck items)"
rc=0
"$sluice" check "$job" >"$work/check.txt" 2>&1 || rc=$?
grep -E '^\[|^precheck:' "$work/check.txt" || cat "$work/check.txt"
((rc == 0)) || fail "sluice check exited $rc"

step "sluice run examples/demo.yaml --ignore-warnings (in the background; its log in $work/sluice.log)"
"$sluice" run "$job" --ignore-warnings 2>"$work/sluice.log" &
spid=$!
json() { "$sluice" status "${http[@]}" --json 2>/dev/null; }
deadline=$((SECONDS + 30))
until [[ $(json | jq -r .stage 2>/dev/null) == running ]] &&
	grep -qE 'starting at|resuming at' "$work/sluice.log"; do
	kill -0 "$spid" 2>/dev/null || fail "sluice run exited: $(tail -n 5 "$work/sluice.log")"
	((SECONDS < deadline)) || fail "the job is not running 30 s after the start"
	sleep 0.2
done
sed 's/^/  | /' "$work/sluice.log"
shown=$(wc -l <"$work/sluice.log")

step "load: sysbench oltp_write_only, $rate transactions/s for $secs s, on the source"
"${sb[@]}" run --threads=4 --rate="$rate" --time="$secs" --report-interval=5 \
	>"$work/load.log" 2>&1 &
lpid=$!
# While --watch runs in the background, a table the job has never seen
# is created and filled on the source, and the job is paused for 4 s,
# then resumed (their messages go to play.log).  Everything that lasts
# runs in the background and is waited for with `wait PID`, so that
# Ctrl-C reaches the trap at once.
play() {
	sleep "$((secs / 4))"
	mdb_sql src "USE sbtest; CREATE TABLE orders (id INT PRIMARY KEY AUTO_INCREMENT,
		customer INT NOT NULL, total DECIMAL(10,2), note VARCHAR(64), KEY (customer));
		INSERT INTO orders (customer, total, note)
		SELECT seq % 97, seq * 1.25, CONCAT('order ', seq) FROM seq_1_to_500" || return 1
	echo "created sbtest.orders with 500 rows"
	sleep "$((secs / 4))"
	"$sluice" pause "${http[@]}" || return 1
	sleep 4
	"$sluice" resume "${http[@]}" || return 1
	mdb_sql src "UPDATE sbtest.orders SET total = total * 2 WHERE customer = 7;
		DELETE FROM sbtest.orders WHERE customer = 13" || return 1
	echo "updated and deleted rows of sbtest.orders"
}

step "sluice status --watch for $secs s (a new table appears after $((secs / 4)) s; pause at $((secs / 2)) s, resume 4 s later)"
if [[ -t 1 ]]; then
	timeout "$secs" "$sluice" status "${http[@]}" --watch &
else # not a terminal: --watch prints every second; show every 4th
	timeout "$secs" "$sluice" status "${http[@]}" --watch |
		awk '/^job /{n++} n % 4 == 1 {print; fflush()}' &
fi
wpid=$!
play >"$work/play.log" 2>&1 || fail "$(cat "$work/play.log")"
wait "$wpid" || true
wpid=''

step "the load ends (sysbench's report)"
rc=0
wait "$lpid" || rc=$?
lpid=
((rc == 0)) || fail "sysbench run: $(tail -n 3 "$work/load.log")"
grep -E '^\[ [0-9]+s \] thds|transactions:|queries:' "$work/load.log"
sed 's/^/  /' "$work/play.log"

step "waiting until the job has caught up (checkpoint = the source's SHOW MASTER STATUS)"
t_stop=$SECONDS
want=$(mdb_sql src "SHOW MASTER STATUS" | awk -F'\t' '{print $1 ":" $2}')
deadline=$((SECONDS + 60))
while :; do
	kill -0 "$spid" 2>/dev/null || fail "sluice run exited: $(tail -n 5 "$work/sluice.log")"
	s=$(json || true)
	got=$(jq -r '"\(.checkpoint.file):\(.checkpoint.position)"' <<<"$s" 2>/dev/null || true)
	if [[ $(jq -r .caught_up <<<"$s" 2>/dev/null) == true && $got == "$want" ]]; then
		break
	fi
	((SECONDS < deadline)) || fail "not caught up 60 s after the load: checkpoint $got, source $want"
	sleep 0.5
done
echo "caught up $((SECONDS - t_stop)) s after the load stopped; source at $want"
"$sluice" status "${http[@]}"
echo "  sluice's log:"
tail -n +"$((shown + 1))" "$work/sluice.log" | sed 's/^/  | /'

step "consistency: CHECKSUM TABLE on both sides"
mapfile -t tables < <(mdb_sql src "SELECT table_name FROM information_schema.tables
	WHERE table_schema = 'sbtest' ORDER BY table_name")
printf '%-16s %8s %12s %12s\n' table rows source target
same=0 rows=0
for t in "${tables[@]}"; do
	a=$(mdb_sql src "CHECKSUM TABLE sbtest.\`$t\`" | cut -f2)
	b=$(mdb_sql tgt "CHECKSUM TABLE sbtest.\`$t\`" | cut -f2)
	n=$(mdb_sql src "SELECT COUNT(*) FROM sbtest.\`$t\`")
	rows=$((rows + n))
	if [[ $a == "$b" && $a != NULL ]]; then
		verdict=same
		same=$((same + 1))
	else
		verdict=DIFFERENT
	fi
	printf '%-16s %8s %12s %12s  %s\n' "sbtest.$t" "$n" "$a" "$b" "$verdict"
done

step "sluice delete (the job stops; its checkpoints go, the target's data stays)"
"$sluice" delete "${http[@]}"
rc=0
wait "$spid" || rc=$?
spid=
tail -n 2 "$work/sluice.log" | sed 's/^/  | /'
((rc == 0)) || fail "sluice run exited $rc after delete"
echo "checkpoint rows left: $(mdb_sql tgt "SELECT COUNT(*) FROM sluice_meta.checkpoint WHERE job = 'demo'")"
mdb_stop src
mdb_stop tgt

echo
if ((same == ${#tables[@]})); then
	echo "demo: source and target are identical: ${#tables[@]} tables, $rows rows ($((SECONDS - t0)) s after the build)"
else
	echo "demo: source and target DIFFER: $((${#tables[@]} - same)) of ${#tables[@]} tables" >&2
	exit 1
fi
