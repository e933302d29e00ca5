# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=bash
# tests/lib/sysbench.sh: sysbench against the test's source "src", for the
# tests that load it (the stream tests through stream_setup.sh, the run
# tests through run_common.sh).  Source it after mariadb.sh; the test sets
# $tables, $table_size and $work and defines fail.
#   sb SCRIPT ARGS…   sysbench's SCRIPT on the source's database sb,
#                     $tables tables of $table_size rows
#   sb_prepare        database sb on the source (if missing) and its
#                     tables made by oltp_insert prepare; a failure ends
#                     the test

sb() {
	local script=$1
	shift
	sysbench "/usr/share/sysbench/$script.lua" --db-driver=mysql \
		--mysql-socket="$(mdb_sock src)" --mysql-user=root --mysql-db=sb \
		--tables="${tables:?}" --table-size="${table_size:?}" "$@"
}

# In a subshell: a test's own sb may exec (034, to get sysbench's pid).
sb_prepare() {
	mdb_sql src "CREATE DATABASE IF NOT EXISTS sb"
	(sb oltp_insert prepare) >"${work:?}/prepare.log" 2>&1 || {
		cat "$work/prepare.log" >&2
		fail "sysbench prepare failed"
	}
}
