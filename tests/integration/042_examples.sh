#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# 042_examples: every job file in examples/ is one sluice accepts.  Each
# is given to `sluice check` with the ${VAR}s it names set to dummy
# values: the file must be read without a mistake (exit status 2 means a
# bad job file) and printed back as sluice understood it; the
# connections then fail (status 1), since the hosts are not there (or,
# where a network makes them hang, the check is stopped after 20 s).  The
# demo's own job (examples/demo.yaml) is run for real by tools/demo.sh.
# No server is started.
#
# Env: SLUICE, SL_TMP, SL_KEEP=1.
set -euo pipefail

T=042_examples
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
# shellcheck source-path=SCRIPTDIR/../lib source=offline.sh
. "$here/../lib/offline.sh"

shopt -s nullglob
files=("$root"/examples/*.yaml)
((${#files[@]} >= 2)) || fail "expected at least 2 job files in examples/, found ${#files[@]}"

for f in "${files[@]}"; do
	name=${f##*/}
	# the variables the file names, each set to a dummy value; ports and
	# hosts must still be valid, so numbers are used (port 1 refuses at once)
	mapfile -t vars < <(grep -o '\${[A-Za-z_][A-Za-z0-9_]*}' "$f" | tr -d '${}' | sort -u)
	env_args=()
	for v in "${vars[@]}"; do
		env_args+=("$v=1")
	done
	rc=0
	env "${env_args[@]}" timeout 20 "$SLUICE" check "$f" >"$work/$name.out" 2>"$work/$name.err" || rc=$?
	((rc != 2)) || fail "$name: exit 2, a bad job file: $(cat "$work/$name.err")"
	head -n 1 "$work/$name.out" | grep -q "as sluice reads it" ||
		fail "$name: the configuration was not printed: $(head -n 3 "$work/$name.out" "$work/$name.err")"
	grep -q '^name: ' "$work/$name.out" || fail "$name: no name: line in the printed configuration"
	# the printed configuration is itself a job file sluice accepts
	sed -n '2,/^$/p' "$work/$name.out" >"$work/$name.printed.yaml"
	rc2=0
	timeout 20 "$SLUICE" check "$work/$name.printed.yaml" >"$work/$name.2.out" 2>"$work/$name.2.err" || rc2=$?
	((rc2 != 2)) || fail "$name: the printed configuration is not accepted: $(cat "$work/$name.2.err")"
	# secrets given through variables never show
	for v in "${vars[@]}"; do
		case $v in *PASSWORD* | *TOKEN*)
			grep -q "^ *\(password\|token\): \"\*\*\*\"" "$work/$name.out" ||
				fail "$name: $v is not shown masked"
			;;
		esac
	done
	echo "$T: $name: accepted (${#vars[@]} variables; sluice check exit $rc)"
done

# a variable left unset is a mistake in the file (exit 2), naming it
f=$root/examples/production.yaml
rc=0
env -u SOURCE_PASSWORD TARGET_PASSWORD=x SLUICE_HTTP_TOKEN=x \
	"$SLUICE" check "$f" >/dev/null 2>"$work/unset.err" || rc=$?
((rc == 2)) || fail "production.yaml without SOURCE_PASSWORD: exit $rc, not 2"
grep -q 'environment variable SOURCE_PASSWORD is not set' "$work/unset.err" ||
	fail "production.yaml without SOURCE_PASSWORD: $(cat "$work/unset.err")"
echo "$T: PASS"
