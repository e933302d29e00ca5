# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=bash
# tests/lib/stream_errors.sh: the rule for `sluice binlog --remote` errors,
# shared by the stream tests (sourced; sets no shell options).
#
#   why=$(stream_error_problems RC "$STDERR" HOST:PORT [REGEX…])
#
# Prints what is wrong, "; "-separated, or nothing when the command failed
# the way it must: exit status 1, exactly one line on stderr, starting with
# "sluice binlog: source HOST:PORT: ", not saying "HOST:PORT:" twice in a
# row, and matching every REGEX (grep -E, case-insensitive: the cause).
# RC 124 is read as "timeout(1) had to stop it".

stream_error_problems() {
	local rc=$1 err=$2 hp=$3 re lines out=""
	shift 3
	local -a why=()
	if ((rc == 124)); then
		why+=("still running when timeout(1) stopped it")
	elif ((rc != 1)); then
		why+=("exit status $rc, expected 1")
	fi
	lines=$(printf '%s' "$err" | grep -c '' || true)
	((lines == 1)) || why+=("$lines lines on stderr, expected 1")
	[[ $err == "sluice binlog: source $hp: "* ]] ||
		why+=("stderr does not start with 'sluice binlog: source $hp: '")
	[[ $err != *"$hp: $hp:"* ]] || why+=("says '$hp:' twice")
	for re in "$@"; do
		grep -qiE -- "$re" <<<"$err" || why+=("does not name the cause (/$re/)")
	done
	for re in "${why[@]}"; do
		out+="${out:+; }$re"
	done
	printf '%s' "$out"
}
