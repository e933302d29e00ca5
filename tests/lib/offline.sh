# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=bash
# tests/lib/offline.sh: the set-up of integration tests that start no
# server (041, 042).  Source it after setting T and `here`; it sets
# SLUICE (default build/sluice), `work` (a scratch directory, removed on
# success unless SL_KEEP=1) and defines
#   fail MSG…   print "$T: FAIL: MSG" and exit 1
# Env: SLUICE, SL_TMP, SL_KEEP=1.

SLUICE=${SLUICE:-$(cd "$here/../.." && pwd)/build/sluice}
fail() {
	printf '%s: FAIL: %s\n' "$T" "$*" >&2
	exit 1
}
[[ -x $SLUICE ]] || fail "sluice binary not found at $SLUICE"
work=$(mktemp -d "${SL_TMP:-/tmp}/sluice-$T-XXXX")
_offline_cleanup() {
	local rc=$?
	if ((rc != 0)) || [[ ${SL_KEEP:-0} == 1 ]]; then
		echo "$T: files kept in $work" >&2
	else
		rm -rf "$work"
	fi
}
trap _offline_cleanup EXIT
