#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# 040_check: `sluice check JOB.yaml` against real servers (a MariaDB
# source with binlogs, a MariaDB target standing in for TiDB).
#  1. A correct set-up (GTID start at the source's current position,
#     every selected table on the target): exit 0, no Failed, no Warning.
#  2. A selected table without any key: exactly one Warning naming it,
#     still exit 0.
#  3. A misconfigured source: binlog_format STATEMENT and binlog_row_image
#     MINIMAL (SET GLOBAL), a user without REPLICATION SLAVE / BINLOG
#     MONITOR, a selected table missing on the target: exit 1 and exactly
#     those four Failed lines, each with its fix; nothing else Failed.
#  4. Connections: a wrong source password and an unreachable target
#     host give one Failed line each and exit 1.
# Every docs pointer printed must name a heading of docs/user-guide.md,
# and no password may appear in any output.
#
# Env: SLUICE, SL_TMP, SL_KEEP=1.
set -euo pipefail

T=040_check
JOB=t040
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
# shellcheck source-path=SCRIPTDIR/../lib source=run_common.sh
. "$here/../lib/run_common.sh"

WEAK_PW=Weak-Secret-pw-040
WRONG_PW=Wr0ng-Secret-pw-040

mdb_start_source src "$(mdb_free_port 24400)"
mdb_start tgt "$(mdb_free_port 24500)"

ddl="CREATE DATABASE shop;
	CREATE TABLE shop.orders (id INT PRIMARY KEY, item INT, qty INT);
	CREATE TABLE shop.items (id BIGINT NOT NULL, name VARCHAR(40), UNIQUE KEY (id));
	CREATE TABLE shop.tmp_x (id INT PRIMARY KEY) ENGINE=MyISAM;"
mdb_sql src "$ddl INSERT INTO shop.orders VALUES (1, 1, 2)"
mdb_sql tgt "$ddl"
# A user that may read but not replicate.
mdb_sql src "CREATE USER weak@'127.0.0.1' IDENTIFIED BY '$WEAK_PW';
	GRANT SELECT ON *.* TO weak@'127.0.0.1'"
gtid=$(mdb_sql src "SELECT @@gtid_binlog_pos")
[[ -n $gtid ]] || fail "the source has no GTID position"

write_job() { # write_job SOURCE-USER SOURCE-PASSWORD [TARGET-HOSTS]
	cat >"$work/job.yaml" <<EOT
name: $JOB
source: { host: 127.0.0.1, port: $(mdb_port src), user: $1, password: "$2", server-id: 4040, tls: { mode: disabled } }
target: { hosts: [${3:-"\"127.0.0.1:$(mdb_port tgt)\""}], user: $MDB_USER, password: $MDB_PASSWORD, tls: { mode: disabled } }
start: { mode: gtid, gtid: "$gtid" }
objects: { include: ["shop.*"], exclude: ["shop.tmp_*"] }
EOT
}

n_out=0
check() { # check: runs sluice check; sets rc, out (stdout file)
	n_out=$((n_out + 1))
	out=$work/check-$n_out.out
	rc=0
	"$SLUICE" check "$work/job.yaml" >"$out" 2>"$work/check-$n_out.err" || rc=$?
	echo "$T: sluice check #$n_out: exit $rc: $(tail -n 1 "$out")"
}
show() { # show WHY: prints the items and fails
	grep '^\[' "$out" >&2 || cat "$out" "${out%.out}.err" >&2
	fail "$*"
}
count() { grep -c "^\[$1\]" "$out" || true; }
has_line() { # has_line EXACT-LINE
	grep -qxF -- "$1" "$out" || show "missing line: $1"
}

echo "$T: part 1: a correct set-up"
write_job "$MDB_USER" "$MDB_PASSWORD"
check
((rc == 0)) || show "exit $rc on a correct set-up, not 0"
(($(count Failed) == 0 && $(count Warning) == 0)) || show "Failed or Warning items on a correct set-up"
has_line "[Pass]    binlog_format is ROW"
has_line "[Pass]    binlog_row_image is FULL"
has_line "[Pass]    log_bin is ON"
has_line "[Pass]    every selected table (2) exists on the target with compatible columns"
grep -qE '^\[Pass\] +source user sluice@127\.0\.0\.1 has REPLICATION SLAVE, BINLOG MONITOR and SELECT$' "$out" ||
	show "no Pass line for the source user's privileges"
grep -qE '^\[Pass\] +start\.gtid is within the source.s binlogs' "$out" || show "no Pass line for the GTID start"
grep -qE '^precheck: [0-9]+ passed, 0 warnings, 0 failed$' "$out" || show "bad summary line"

echo "$T: part 2: a selected table without a key"
mdb_sql src "CREATE TABLE shop.nokey (a INT, b VARCHAR(10))"
mdb_sql tgt "CREATE TABLE shop.nokey (a INT, b VARCHAR(10))"
check
((rc == 0)) || show "exit $rc with only a keyless table, not 0"
(($(count Warning) == 1 && $(count Failed) == 0)) || show "expected exactly one Warning"
# shellcheck disable=SC2016 # backquotes are literal
has_line '[Warning] table `shop`.`nokey` has no primary key nor NOT NULL unique key on the source and the target: add a primary key: without one its changes are applied by one worker and rows are matched on every column (docs/user-guide.md#primary-keys)'

echo "$T: part 3: a misconfigured source and a missing target table"
mdb_sql src "SET GLOBAL binlog_format = 'STATEMENT'; SET GLOBAL binlog_row_image = 'MINIMAL'"
mdb_sql tgt "DROP TABLE shop.items"
write_job weak "$WEAK_PW"
check
((rc == 1)) || show "exit $rc on a misconfigured source, not 1"
# shellcheck disable=SC2016 # backquotes are literal
want=(
	"[Failed]  binlog_format is STATEMENT: set binlog_format=ROW on the source (docs/user-guide.md#binlog-format)"
	"[Failed]  binlog_row_image is MINIMAL: set binlog_row_image=FULL on the source (docs/user-guide.md#binlog-row-image)"
	"[Failed]  source user weak@127.0.0.1 lacks REPLICATION SLAVE, BINLOG MONITOR: run GRANT REPLICATION SLAVE, BINLOG MONITOR ON *.* TO 'weak'@'127.0.0.1' on the source (docs/user-guide.md#source-privileges)"
	'[Failed]  table `shop`.`items` does not exist on the target: create it on the target with the source'"'"'s definition (SHOW CREATE TABLE `shop`.`items` on the source) (docs/user-guide.md#target-tables)'
)
for l in "${want[@]}"; do
	has_line "$l"
done
n=$(count Failed)
((n == ${#want[@]})) || show "expected exactly ${#want[@]} Failed items, got $n"
grep -qE "^precheck: [0-9]+ passed, [0-9]+ warnings?, ${#want[@]} failed$" "$out" || show "bad summary line"
mdb_sql src "SET GLOBAL binlog_format = 'ROW'; SET GLOBAL binlog_row_image = 'FULL'"

echo "$T: part 4: a wrong password and an unreachable target host"
dead=$(mdb_free_port 24600) # reserved, nobody listens
write_job weak "$WRONG_PW" "\"127.0.0.1:$(mdb_port tgt)\", \"127.0.0.1:$dead\""
check
((rc == 1)) || show "exit $rc on connection failures, not 1"
grep -qE "^\[Failed\]  source 127\.0\.0\.1:$(mdb_port src): cannot connect: .*Access denied.*: check source\.host, port, user, password and tls" "$out" ||
	show "no Failed line for the source login"
grep -qE "^\[Failed\]  target 127\.0\.0\.1:$dead: cannot connect: .*: check target\.hosts" "$out" ||
	show "no Failed line for the unreachable target"
grep -qxF "[Pass]    target 127.0.0.1:$(mdb_port tgt): connected as $MDB_USER" "$out" ||
	show "the reachable target host did not pass"
(($(count Failed) == 2)) || show "expected exactly 2 Failed items"

echo "$T: docs pointers and secrets"
guide=$root/docs/user-guide.md
[[ -f $guide ]] || fail "docs/user-guide.md is missing"
# GitHub's heading anchors: lower case, punctuation dropped, spaces to '-'.
anchors=$(grep -E '^#{1,6} ' "$guide" | sed -E 's/^#+ +//' | tr '[:upper:]' '[:lower:]' |
	sed -E 's/[^a-z0-9 _-]//g; s/ /-/g')
while read -r a; do
	grep -qxF -- "$a" <<<"$anchors" || fail "docs/user-guide.md has no heading for #$a"
done < <(grep -ohE 'docs/user-guide\.md#[a-z0-9_-]+' "$work"/check-*.out | sort -u | sed 's/.*#//')
if grep -lF -e "$WEAK_PW" -e "$WRONG_PW" "$work"/check-*; then
	fail "a password appears in the output above"
fi
echo "$T: PASS"
