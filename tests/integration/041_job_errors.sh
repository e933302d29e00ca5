#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# 041_job_errors: malformed job files at the command line.  Each file in
# the table holds one mistake; `sluice check FILE` and `sluice run FILE`
# must both exit 2 before connecting anywhere, print nothing on stdout,
# and print exactly one line on stderr: "sluice CMD: FILE:LINE:COLUMN:
# message" (DESIGN.md 7: the object and its position).  The parser's
# rules themselves are unit-tested in tests/unit/test_config.c; this
# checks what a person sees.  No server is started (the hosts below do
# not exist, so a command that tried to connect would fail differently).
#
# Env: SLUICE, SL_TMP, SL_KEEP=1.
set -euo pipefail

T=041_job_errors
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR/../lib source=offline.sh
. "$here/../lib/offline.sh"

src=$'source:\n  host: db.invalid\n  user: u\n  password: Job-Secret-pw-041\n'
tgt=$'target:\n  hosts: ["tidb.invalid:4000"]\n  user: root\n'
base="name: orders"$'\n'"$src$tgt" # 8 lines
long=a$(printf 'b%.0s' {1..59})    # 60 characters
unset SL_041_UNSET

# name | job file text | expected "LINE:COLUMN: message"
cases=(
	"name starts with a digit"
	"name: 9orders"$'\n'"$src$tgt"
	"1:7: name \"9orders\" must start with a letter, be under 60 characters and use only letters, digits, '_' and '-'"

	"name of 60 characters"
	"name: $long"$'\n'"$src$tgt"
	"1:7: name \"$long\" must start with a letter, be under 60 characters and use only letters, digits, '_' and '-'"

	"name with a bad character"
	"name: ord.ers"$'\n'"$src$tgt"
	"1:7: name \"ord.ers\" must start with a letter, be under 60 characters and use only letters, digits, '_' and '-'"

	"unknown top-level key"
	"$base"$'colour: blue\n'
	"9:1: unknown key \"colour\" (known keys: name, source, target, start, objects, spec, workers, batch, on-conflict, on-missing-row, meta-database, http)"

	"unknown nested key"
	$'name: orders\nsource:\n  host: db.invalid\n  user: u\n  pasword: x\n'"$tgt"
	"5:3: unknown key \"pasword\" in source; did you mean \"password\"?"

	"missing source host"
	$'name: orders\nsource:\n  user: u\n'"$tgt"
	"3:3: source.host is missing"

	"start mode gtid without a GTID set"
	"$base"$'start:\n  mode: gtid\n'
	"10:9: start.mode gtid needs start.gtid (the GTID set already applied to the target)"

	"start mode position without a file"
	"$base"$'start:\n  mode: position\n  position: 1307\n'
	"10:9: start.mode position needs start.file and start.position (start.file is missing)"

	"malformed GTID set"
	"$base"$'start:\n  mode: gtid\n  gtid: "3E11FA47:1-x"\n'
	"11:9: start.gtid: gtid set \"3E11FA47:1-x\": at character 8: malformed UUID"

	"TLS key without a certificate"
	"$base"$'  tls:\n    key: client-key.pem\n'
	"10:5: target.tls.key is given without target.tls.cert (a client key needs its certificate)"

	"unknown spec name"
	"$base"$'spec: 3rcu\n'
	"9:7: spec \"3rcu\" is not a tier (2rcu, 4rcu, 8rcu, 16rcu); or give spec: {workers: N, batch: M}"

	"unset environment variable"
	$'name: orders\nsource:\n  host: db.invalid\n  user: u\n  password: ${SL_041_UNSET}\n'"$tgt"
	"5:13: source.password: environment variable SL_041_UNSET is not set"

	"YAML syntax error"
	$'name: orders\nsource:\n  host: [db.invalid\n  user: u\n'
	"4:7: YAML syntax error: did not find expected ',' or ']' (while parsing a flow sequence at 3:9)"
)

n=0
for ((i = 0; i < ${#cases[@]}; i += 3)); do
	what=${cases[i]} text=${cases[i + 1]} want=${cases[i + 2]}
	n=$((n + 1))
	f=$work/job-$n.yaml
	printf '%s' "$text" >"$f"
	for cmd in check run; do
		rc=0
		"$SLUICE" "$cmd" "$f" >"$work/out" 2>"$work/err" </dev/null || rc=$?
		got=$(cat "$work/err")
		exp="sluice $cmd: $f:$want"
		if ((rc != 2)) || [[ $got != "$exp" ]] || [[ -s $work/out ]]; then
			{
				echo "case $n ($what), sluice $cmd: exit $rc"
				echo "expected (exit 2, one line on stderr, stdout empty):"
				echo "  $exp"
				echo "stderr:"
				sed 's/^/  /' "$work/err"
				echo "stdout:"
				sed 's/^/  /' "$work/out"
			} >&2
			fail "case $n: $what"
		fi
		if grep -qF Job-Secret-pw-041 "$work/err"; then
			fail "case $n: the password is in the message"
		fi
	done
	echo "$T: ok: $what: $want"
done

# A file that cannot be read: one line naming it, exit 2.
for cmd in check run; do
	rc=0
	"$SLUICE" "$cmd" "$work/absent.yaml" >"$work/out" 2>"$work/err" || rc=$?
	((rc == 2)) || fail "sluice $cmd of a missing file exited $rc, not 2"
	if (($(wc -l <"$work/err") != 1)) || ! grep -qF "sluice $cmd: $work/absent.yaml" "$work/err"; then
		fail "sluice $cmd of a missing file: $(cat "$work/err")"
	fi
done
# Usage errors: exit 2 too.
for args in "check" "check a.yaml b.yaml" "check --bogus"; do
	rc=0
	# shellcheck disable=SC2086 # split on purpose
	"$SLUICE" $args >/dev/null 2>&1 || rc=$?
	((rc == 2)) || fail "sluice $args exited $rc, not 2"
done
echo "$T: PASS ($n malformed job files)"
