#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# 050_service: `sluice run` as a service (issue 5, acceptance 2 and 5).
# A job with an HTTP interface and a token replicates sysbench tables
# while oltp_write_only runs on the source:
#   * GET /status and /metrics answer while the job runs: stage running,
#     workers, rows, lag; the Prometheus names; `sluice status` prints the
#     summary;
#   * every request without the token, or with a wrong one, gets 401;
#   * when the load stops, the reported lag falls under 1 s and the job
#     says it is caught up; a trickle of writes shows each one
#     read and applied on /status within 0.4 s;
#   * pause: the target's checksum stays fixed while the source changes;
#     resume: the job catches up to identical data;
#   * delete: the process exits 0 and the job's checkpoint rows are gone.
# Env: SLUICE, SL_TMP, SL_KEEP=1.
set -euo pipefail

T=050_service
JOB=t050
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR/../lib source=run_common.sh
. "$here/../lib/run_common.sh"
command -v sysbench >/dev/null || fail "sysbench not installed"
command -v curl >/dev/null || fail "curl not installed"
tables=2 table_size=2000

start_pair 25000 25100
hport=$(mdb_free_port 25200)
export SL_T050_TOKEN=tok-$RANDOM$RANDOM

sb_prepare
copy_to_target sb
write_job '"sb.*"' '{ workers: 4, batch: 100 }' \
	"http: { addr: \"127.0.0.1:$hport\", token: \"\${SL_T050_TOKEN}\" }"

api() { # api METHOD PATH [TOKEN]: prints the body, then the status
	local auth=()
	[[ -n ${3:-} ]] && auth=(-H "Authorization: Bearer $3")
	curl -s -m 5 -X "$1" "${auth[@]}" -w '\n%{http_code}' "http://127.0.0.1:$hport$2"
}
json() { # json FIELD < status JSON
	python3 -c 'import json,sys; d=json.load(sys.stdin); v=d
for k in sys.argv[1].split("."): v=v[k]
print(str(v).lower() if isinstance(v, bool) else v)' "$1"
}
status() { api GET /status "$SL_T050_TOKEN" | sed '$d'; }
wait_stage() { # wait_stage STAGE SECS
	local deadline=$((SECONDS + $2)) st=
	while ((SECONDS < deadline)); do
		st=$(status | json stage 2>/dev/null || true)
		[[ $st == "$1" ]] && return 0
		sleep 0.2
	done
	fail "stage is '$st', not '$1', after $2 s"
}
sum() { mdb_sql "$1" "CHECKSUM TABLE sb.sbtest1, sb.sbtest2" | cut -f2 | tr '\n' ' '; }

run_no=1
"$SLUICE" run "$work/job.yaml" --ignore-warnings 2>"$work/sluice-1.err" &
spid=$!
wait_stage running 30
echo "$T: job running, HTTP on $hport"

sb oltp_write_only run --time=8 --rate=100 --threads=2 >"$work/load.log" 2>&1 &
lpid=$!
sleep 3

# status and metrics while the load runs
s=$(status)
[[ $(json stage <<<"$s") == running ]] || fail "stage: $s"
[[ $(json workers <<<"$s" | grep -o "'id'" | wc -l) == 4 ]] || fail "4 workers expected: $s"
(($(json rows.read <<<"$s") > 0)) || fail "no rows read under load: $s"
json lag_seconds <<<"$s" >/dev/null || fail "no lag_seconds: $s"
m=$(api GET /metrics "$SL_T050_TOKEN")
[[ $(tail -n 1 <<<"$m") == 200 ]] || fail "/metrics: $(tail -n 1 <<<"$m")"
for name in 'sluice_stage{stage="running"} 1' sluice_lag_seconds \
	'sluice_rows_applied_total{op="insert"}' 'sluice_rows_applied_total{op="update"}' \
	'sluice_rows_applied_total{op="delete"}' sluice_rows_read_total \
	'sluice_worker_queue_depth{worker="3"}' '# TYPE sluice_lag_seconds gauge'; do
	grep -qF "$name" <<<"$m" || fail "/metrics lacks $name"
done
echo "$T: /status and /metrics answer under load (rows read $(json rows.read <<<"$s"), lag $(json lag_seconds <<<"$s") s)"

# the token is required
for args in "GET /status" "GET /metrics" "POST /pause" "POST /delete"; do
	# shellcheck disable=SC2086 # two words on purpose
	code=$(api $args | tail -n 1)
	[[ $code == 401 ]] || fail "$args without a token: HTTP $code, not 401"
	# shellcheck disable=SC2086
	code=$(api $args wrong-token | tail -n 1)
	[[ $code == 401 ]] || fail "$args with a wrong token: HTTP $code, not 401"
done
if "$SLUICE" status --http "127.0.0.1:$hport" >/dev/null 2>&1; then
	fail "sluice status without the token succeeded"
fi
"$SLUICE" status --http "127.0.0.1:$hport" --token "$SL_T050_TOKEN" >"$work/status.txt" ||
	fail "sluice status with the token failed"
grep -q "job $JOB: running" "$work/status.txt" || fail "sluice status: $(cat "$work/status.txt")"
echo "$T: 401 without or with a wrong token; sluice status works with it"

# the lag falls under 1 s once the load stops
wait "$lpid" || fail "sysbench failed: $(tail -n 3 "$work/load.log")"
deadline=$((SECONDS + 30))
while :; do
	s=$(status)
	if [[ $(json caught_up <<<"$s") == true ]] &&
		python3 -c 'import sys; sys.exit(0 if float(sys.argv[1]) < 1 else 1)' "$(json lag_seconds <<<"$s")"; then
		break
	fi
	((SECONDS < deadline)) || fail "not caught up with lag < 1 s 30 s after the load: $s"
	sleep 0.5
done
echo "$T: load over: caught up, lag $(json lag_seconds <<<"$s") s"
caught_up

# a trickle of writes (two transactions at a time, the second within the
# status's 50 ms throttle): the status shows each read and applied within
# 0.4 s, never one transaction behind until the next event
for i in 1 2 3 4 5 6; do
	mdb_sql src "UPDATE sb.sbtest1 SET k = k + 1 WHERE id = $i; UPDATE sb.sbtest2 SET k = k + 1 WHERE id = $i"
	want=$(mdb_sql src "SHOW MASTER STATUS" | cut -f2)
	sleep 0.4
	s=$(status)
	[[ $(json source.position <<<"$s") == "$want" ]] ||
		fail "write $i of a trickle: status source.position $(json source.position <<<"$s"), the source is at $want"
	[[ $(json rows.read <<<"$s") == "$(json rows.applied <<<"$s")" ]] ||
		fail "write $i of a trickle: rows.read $(json rows.read <<<"$s") != rows.applied $(json rows.applied <<<"$s")"
done
echo "$T: a trickle of writes: each shown read and applied within 0.4 s"
compare "after the load" sb sbtest1 sbtest2

# pause: the target stays fixed while the source changes
SLUICE_HTTP_TOKEN=$SL_T050_TOKEN "$SLUICE" pause --http "127.0.0.1:$hport" >/dev/null || fail "sluice pause failed"
wait_stage paused 30
before=$(sum tgt)
sb oltp_write_only run --time=3 --rate=100 --threads=2 >"$work/load2.log" 2>&1 || fail "sysbench (paused) failed"
sleep 1
after=$(sum tgt)
[[ $before == "$after" ]] || fail "the target changed while paused: $before -> $after"
[[ $(sum src) != "$before" ]] || fail "the source did not change while paused"
echo "$T: paused: target checksums fixed while the source changed"
SLUICE_HTTP_TOKEN=$SL_T050_TOKEN "$SLUICE" resume --http "127.0.0.1:$hport" >/dev/null || fail "sluice resume failed"
wait_stage running 30
caught_up
compare "after resume" sb sbtest1 sbtest2

# delete: the process ends, the checkpoints go
n=$(mdb_sql tgt "SELECT COUNT(*) FROM sluice_meta.checkpoint WHERE job='$JOB'")
((n == 4)) || fail "expected 4 checkpoint rows before delete, got $n"
SLUICE_HTTP_TOKEN=$SL_T050_TOKEN "$SLUICE" delete --http "127.0.0.1:$hport" >/dev/null || fail "sluice delete failed"
wait_exit 30
((rc == 0)) || fail "sluice exited $rc after delete"
n=$(mdb_sql tgt "SELECT COUNT(*) FROM sluice_meta.checkpoint WHERE job='$JOB'")
((n == 0)) || fail "$n checkpoint rows left after delete"
grep -q "deleted" "$work/sluice-1.err" || fail "no 'deleted' log line"
grep -q "$SL_T050_TOKEN" "$work/sluice-1.err" && fail "the token appears in the log"
echo "$T: delete: exit 0, checkpoint rows removed"
echo "$T: PASS"
