#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# 001_decode_types: `sluice binlog --json` against a real MariaDB source.
#
# Starts a source (ROW, FULL image, binlog_row_metadata=FULL), runs
# 001_decode_types.sql (every column type, edge values, INSERT/UPDATE/
# DELETE), decodes the server's binlog files with `$SLUICE binlog --json`
# and has tests/lib/compare_select.py compare the decoded final state of
# every table, row by row and column by column, with SELECT.
#
# Env: SLUICE (the binary; default $SL_BUILD/sluice), SL_TMP, SL_KEEP=1
# (keep the work directory: binlogs, decoded JSON, logs).  On failure the
# work directory is kept and named, so the mismatch can be replayed with
#   $SLUICE binlog --json WORK/binlog/*
set -euo pipefail

name=001_decode_types
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
lib=$here/../lib
# shellcheck source-path=SCRIPTDIR/../lib source=mariadb.sh
. "$lib/mariadb.sh"

fail() {
	printf '%s: FAIL: %s\n' "$name" "$*" >&2
	exit 1
}

if [[ -z ${SLUICE:-} ]]; then
	for c in "${SL_BUILD:-}/sluice" "$here/../../build/sluice"; do
		if [[ -x $c ]]; then
			SLUICE=$c
			break
		fi
	done
fi
[[ -n ${SLUICE:-} && -x $SLUICE ]] || fail "sluice binary not found or not executable: '${SLUICE:-}' (set SLUICE)"
py=/usr/bin/python3
[[ -x $py ]] || py=$(command -v python3) || fail "python3 not found"

mkdir -p "${SL_TMP:-/tmp}"
work=$(mktemp -d "${SL_TMP:-/tmp}/sluice-$name-XXXX")
cleanup_work() {
	if [[ ${MDB_EXIT_STATUS:-1} == 0 && ${SL_KEEP:-0} != 1 ]]; then
		rm -rf "$work"
	else
		printf '%s: work directory kept: %s\n' "$name" "$work" >&2
	fi
}
mdb_trap cleanup_work

port=$(mdb_free_port 23100)
mdb_start_source src "$port" --binlog-row-metadata=FULL

echo "$name: running $name.sql"
if ! mdb_sql src <"$here/$name.sql" >"$work/workload.out" 2>&1; then
	cat "$work/workload.out" >&2
	fail "the workload SQL failed on the source"
fi

# The SQL ends with FLUSH BINARY LOGS: every file but the newest is complete.
# Decode copies, so a failure leaves the exact input behind.
mkdir "$work/binlog"
files=()
while IFS= read -r f; do
	cp "$f" "$work/binlog/"
	files+=("$work/binlog/${f##*/}")
done < <(mdb_binlogs src)
((${#files[@]} > 0)) || fail "the source lists no binlog files"
echo "$name: decoding ${#files[@]} binlog files ($(du -ch "${files[@]}" | tail -n 1 | cut -f1)) with $SLUICE"

decode_rc=0
"$SLUICE" binlog --json "${files[@]}" >"$work/decoded.jsonl" 2>"$work/decode.err" || decode_rc=$?
if ((decode_rc != 0)); then
	printf '%s: `sluice binlog --json` exited with status %d; its stderr:\n' "$name" "$decode_rc" >&2
	tail -n 20 "$work/decode.err" >&2
	echo "$name: comparing what it printed before failing" >&2
fi

cmp_rc=0
"$py" "$lib/compare_select.py" --json "$work/decoded.jsonl" --db sl_types \
	--socket "$(mdb_sock src)" --name "$name" || cmp_rc=$?

((decode_rc == 0)) || fail "sluice binlog exited with status $decode_rc"
((cmp_rc == 0)) || fail "decoded rows differ from SELECT (see MISMATCH lines above)"
echo "$name: PASS"
