# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=bash
# tests/lib/run_common.sh: shared setup for the `sluice run` integration
# tests (030-036, 050).  Source it after setting T (test name) and JOB (the
# job's name); it sources mariadb.sh and sysbench.sh (sb, sb_prepare), sets
# `work`, `SLUICE`, the cleanup trap, and defines:
#   fail MSG…             print "$T: FAIL: MSG" and exit 1
#   start_sluice [--no-wait]  run `sluice run $work/job.yaml` in the
#                         background (pid in $spid, stderr in
#                         $work/sluice-$run_no.err); without --no-wait, waits
#                         for "starting at|resuming at"
#   stop_sluice           SIGTERM, must exit 0
#   wait_exit SECS        waits for sluice to exit on its own; sets $rc
#   caught_up             waits until the oldest checkpoint of the job
#                         reaches the source's SHOW MASTER STATUS
#   compare LABEL DB T…   CHECKSUM TABLE of every table equal, and the
#                         rows (mariadb-dump --order-by-primary) identical
#   job_servers           the job file's source: and target: lines for the
#                         servers named src and tgt (root, TLS off)
#   start_pair SP TP      source src (binlog) and target tgt on free ports
#   write_job INCLUDE SPEC [EXTRA]  $work/job.yaml of job $JOB
#   copy_to_target DB…    the source's databases dumped into the target
# Env: SLUICE, SL_TMP, SL_KEEP=1, SL_RUN_WAIT (catch-up timeout, s).

_rc_here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=mariadb.sh
. "$_rc_here/mariadb.sh"
# shellcheck source-path=SCRIPTDIR source=sysbench.sh
. "$_rc_here/sysbench.sh"
SLUICE=${SLUICE:-$(cd "$_rc_here/../.." && pwd)/build/sluice}
WAIT_S=${SL_RUN_WAIT:-90}

fail() {
	printf '%s: FAIL: %s\n' "$T" "$*" >&2
	exit 1
}
[[ -x $SLUICE ]] || fail "sluice binary not found at $SLUICE"
command -v mariadb-dump >/dev/null || fail "mariadb-dump not installed"

work=$(mktemp -d "${SL_TMP:-/tmp}/sluice-$T-XXXX")
export TMPDIR=$work
spid=
run_no=0
_rc_cleanup() {
	if [[ -n $spid ]]; then
		kill -TERM "$spid" 2>/dev/null || true
	fi
	if [[ ${MDB_EXIT_STATUS:-0} != 0 || ${SL_KEEP:-0} == 1 ]]; then
		printf '%s: outputs kept in %s\n' "$T" "$work" >&2
		local f
		for f in "$work"/sluice-*.err; do
			[[ -f $f ]] && { echo "--- $f"; tail -n 15 "$f"; } >&2
		done
	else
		rm -rf "$work"
	fi
}
mdb_trap _rc_cleanup

# shellcheck disable=SC2120 # --no-wait is optional
start_sluice() {
	run_no=$((run_no + 1))
	"$SLUICE" run "$work/job.yaml" --http off --ignore-warnings 2>"$work/sluice-$run_no.err" &
	spid=$!
	[[ ${1:-} == --no-wait ]] && return 0
	local deadline=$((SECONDS + 30))
	while ! grep -qE 'starting at|resuming at' "$work/sluice-$run_no.err" 2>/dev/null; do
		kill -0 "$spid" 2>/dev/null || fail "sluice exited at start: $(tail -n 5 "$work/sluice-$run_no.err")"
		((SECONDS < deadline)) || fail "sluice not started 30 s after start"
		sleep 0.1
	done
}
stop_sluice() {
	local rc=0
	kill -TERM "$spid"
	wait "$spid" || rc=$?
	spid=
	((rc == 0)) || fail "sluice exited $rc on SIGTERM: $(tail -n 5 "$work/sluice-$run_no.err")"
}
wait_exit() { # wait_exit SECS: sluice must exit on its own; sets rc
	local deadline=$((SECONDS + $1))
	while kill -0 "$spid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.2; done
	kill -0 "$spid" 2>/dev/null && fail "sluice still running $1 s later: $(tail -n 3 "$work/sluice-$run_no.err")"
	rc=0
	wait "$spid" || rc=$?
	spid=
}
# start_pair SRC-PORT TGT-PORT: the source "src" (binlog, full row
# metadata) and the target "tgt", each on the first free port from the one
# given.
start_pair() {
	mdb_start_source src "$(mdb_free_port "$1")" --binlog-row-metadata=FULL
	mdb_start tgt "$(mdb_free_port "$2")"
}
# write_job INCLUDE SPEC [EXTRA-LINES]: $work/job.yaml of job $JOB, from
# src to tgt, starting now, the objects INCLUDE (a YAML list's items),
# meta database sluice_meta.
write_job() {
	cat >"$work/job.yaml" <<EOT
name: $JOB
$(job_servers)
start: { mode: now }
objects: { include: [$1] }
spec: $2
meta-database: sluice_meta
${3:-}
EOT
}
# copy_to_target DB…: the source's databases DB… (one consistent dump)
# loaded into the target.
copy_to_target() {
	mariadb-dump --no-defaults --protocol=socket --socket="$(mdb_sock src)" -uroot \
		--skip-add-locks --single-transaction --databases "$@" >"$work/dump.sql"
	mdb_client tgt <"$work/dump.sql"
}
job_servers() {
	printf 'source: { host: 127.0.0.1, port: %s, user: %s, password: %s, tls: { mode: disabled } }\n' \
		"$(mdb_port src)" "$MDB_USER" "$MDB_PASSWORD"
	printf 'target: { hosts: ["127.0.0.1:%s"], user: %s, password: %s, tls: { mode: disabled } }\n' \
		"$(mdb_port tgt)" "$MDB_USER" "$MDB_PASSWORD"
}
caught_up() {
	local deadline=$((SECONDS + WAIT_S)) want got
	want=$(mdb_sql src "SHOW MASTER STATUS" | awk -F'\t' '{print $1 "\t" $2}')
	while :; do
		[[ -n $spid ]] && ! kill -0 "$spid" 2>/dev/null &&
			fail "sluice died: $(tail -n 5 "$work/sluice-$run_no.err")"
		got=$(mdb_sql tgt "SELECT file, pos FROM sluice_meta.checkpoint WHERE job='$JOB' ORDER BY file, pos LIMIT 1")
		[[ $got == "$want" ]] && return 0
		((SECONDS < deadline)) || fail "not caught up after $WAIT_S s: checkpoint '$got', source '$want'"
		sleep 0.3
	done
}
_rc_dump() { # _rc_dump SERVER DB TABLE…
	mariadb-dump --no-defaults --protocol=socket --socket="$(mdb_sock "$1")" -uroot \
		--compact --skip-extended-insert --order-by-primary --no-create-info \
		--skip-add-locks --single-transaction "${@:2}"
}
compare() { # compare LABEL DB TABLE…
	local label=$1 db=$2 t a b bad=0
	shift 2
	for t in "$@"; do
		a=$(mdb_sql src "CHECKSUM TABLE \`$db\`.\`$t\`" | cut -f2)
		b=$(mdb_sql tgt "CHECKSUM TABLE \`$db\`.\`$t\`" | cut -f2)
		if [[ $a != "$b" ]]; then
			printf '%s: %s: %s.%s differs: source %s target %s\n' "$T" "$label" "$db" "$t" "$a" "$b" >&2
			bad=1
		fi
	done
	((bad == 0)) || fail "$label: checksums differ"
	_rc_dump src "$db" "$@" >"$work/dump-src.sql"
	_rc_dump tgt "$db" "$@" >"$work/dump-tgt.sql"
	if ! diff -q "$work/dump-src.sql" "$work/dump-tgt.sql" >/dev/null; then
		diff "$work/dump-src.sql" "$work/dump-tgt.sql" | head -n 10 >&2
		fail "$label: rows differ (dumps in $work)"
	fi
	echo "$T: $label: checksums and rows of $# tables equal ($(wc -l <"$work/dump-src.sql") rows)"
}
