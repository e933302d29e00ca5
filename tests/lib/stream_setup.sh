# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=bash disable=SC2034,SC2154 # the tests read what is set here and set $T, $tables, …
# tests/lib/stream_setup.sh: the common set-up of the stream tests that read
# a sysbench load on one MariaDB source with `sluice binlog --remote`
# (010_stream, 012_stream_faults).  Source it after mariadb.sh, with T set
# to the test's name; it sets no shell options (the tests run with
# `set -euo pipefail`).
#
#   stream_setup BASE-PORT  fails unless $SLUICE, sysbench and mysqlbinlog are
#                           there; makes $work and exports TMPDIR=$work;
#                           on exit (mdb_trap) TERMs and CONTs the pids in
#                           bg_pids, CONTs the source, keeps $work when the
#                           test failed or SL_KEEP=1, stops the servers;
#                           starts the binlog source "src" on a free port
#                           >= BASE-PORT ($port)
#   fail MSG…               "$T: FAIL: MSG…" on stderr, exit 1
#   sb, sb_prepare          tests/lib/sysbench.sh (sourced here)
#   counts                  "TABLE=N …", COUNT(*) of each table in
#                           $count_tables, then sb.sbtest1..$tables
#   net_args BEFORE AFTER   --expect-net arguments from two counts outputs
#   job FILE START-YAML [HOST [PORT [PASSWORD]]]
#                           a job file for the source (HOST, PORT, PASSWORD
#                           default to src's), name t<NNN of $T>, no TLS
#   stream_check OUTPUT LABEL AFTER UPTO ARGS…
#                           tests/lib/stream_check.py over OUTPUT with src's
#                           binlogs (ARGS: --format and the expectations);
#                           its exit status
#
# Variables: SLUICE (default build/sluice), PY (python3), WAIT_S (seconds to
# wait for a stream to catch up: SL_STREAM_WAIT, default 60).

_stream_lib=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=sysbench.sh
. "$_stream_lib/sysbench.sh"
SLUICE=${SLUICE:-$(cd "$_stream_lib/../.." && pwd)/build/sluice}
PY=/usr/bin/python3
[[ -x $PY ]] || PY=python3
WAIT_S=${SL_STREAM_WAIT:-60}
declare -a bg_pids=()

fail() {
	printf '%s: FAIL: %s\n' "$T" "$*" >&2
	exit 1
}

# Runs on exit, the servers still up (mdb_trap).
stream_cleanup() {
	local p
	for p in "${bg_pids[@]}"; do
		kill -TERM "$p" 2>/dev/null || true
		kill -CONT "$p" 2>/dev/null || true # a SIGSTOPped stream
	done
	if [[ -n ${MDB_src_PID:-} ]]; then
		kill -CONT "$MDB_src_PID" 2>/dev/null || true # a SIGSTOPped source
	fi
	if [[ ${MDB_EXIT_STATUS:-0} != 0 || ${SL_KEEP:-0} == 1 ]]; then
		printf '%s: outputs kept in %s\n' "$T" "$work" >&2
	else
		rm -rf "$work"
	fi
}

stream_setup() {
	[[ -x $SLUICE ]] || fail "sluice binary not found at $SLUICE (build it or set SLUICE)"
	command -v sysbench >/dev/null || fail "sysbench not installed"
	command -v mysqlbinlog >/dev/null || fail "mysqlbinlog not installed"

	work=$(mktemp -d "${SL_TMP:-/tmp}/sluice-$T-XXXX")
	# mariadb-install-db's bootstrap server keeps temporary tables in $TMPDIR
	# (default /tmp) and a starting server deletes every #sql* file there:
	# bootstraps of tests running in parallel would remove each other's.
	export TMPDIR=$work
	mdb_trap stream_cleanup

	port=$(mdb_free_port "$1")
	mdb_start_source src "$port"
}

counts() {
	local i t q=""
	for t in $count_tables; do
		q+="${q:+ UNION ALL }SELECT '$t', COUNT(*) FROM $t"
	done
	for ((i = 1; i <= tables; i++)); do
		q+="${q:+ UNION ALL }SELECT 'sb.sbtest$i', COUNT(*) FROM sb.sbtest$i"
	done
	mdb_sql src "$q" | tr '\t' '='
}

net_args() {
	local -A b=()
	local kv k
	for kv in $1; do b[${kv%=*}]=${kv#*=}; done
	for kv in $2; do
		k=${kv%=*}
		printf -- '--expect-net=%s=%d\n' "$k" $((${kv#*=} - ${b[$k]:-0}))
	done
}

job() {
	cat >"$1" <<EOF
name: t${T%%_*}
source: { host: ${3:-127.0.0.1}, port: ${4:-$port}, user: $MDB_USER, password: ${5:-$MDB_PASSWORD}, tls: { mode: disabled } }
target: { hosts: ["127.0.0.1:4000"], user: root }
start: $2
EOF
}

stream_check() {
	local out=$1 label=$2 after=$3 upto=$4 binlogs
	shift 4
	mapfile -t binlogs < <(mdb_binlogs src)
	"$PY" "$_stream_lib/stream_check.py" "$out" --label "$T: $label" \
		--after "$after" --upto "$upto" --binlog "${binlogs[@]}" "$@"
}
