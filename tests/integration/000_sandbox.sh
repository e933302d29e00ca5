#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# 000_sandbox: proves tests/lib/mariadb.sh.  Starts a source and a target
# server, runs a query on each (socket as root, TCP as sluice), stops them
# and checks that no mariadbd of this test is left and their ports are
# free again.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR/../lib source=mariadb.sh
. "$here/../lib/mariadb.sh"
mdb_trap ""

fail() {
	printf '000_sandbox: FAIL: %s\n' "$*" >&2
	exit 1
}

src_port=$(mdb_free_port 23000)
tgt_port=$(mdb_free_port $((src_port + 1)))
[[ $src_port != "$tgt_port" ]] || fail "mdb_free_port gave the same port twice"

mdb_start_source src "$src_port" --binlog-row-metadata=FULL
mdb_start tgt "$tgt_port"

src_pid=$(mdb_pid src)
tgt_pid=$(mdb_pid tgt)
src_dir=$(mdb_dir src)
tgt_dir=$(mdb_dir tgt)
# shellcheck disable=SC2154 # set by mdb_start
[[ $MDB_src_PID == "$src_pid" && $MDB_tgt_SOCK == "$(mdb_sock tgt)" ]] ||
	fail "MDB_<NAME>_* variables disagree with the accessor functions"
[[ -S $(mdb_sock src) && -d $(mdb_datadir src)/mysql ]] || fail "no socket or datadir for src"
case $src_dir in
"${SL_TMP:-/tmp}"/sluice-src-"$src_port"-*) ;;
*) fail "unexpected directory $src_dir" ;;
esac

# Socket, root.
v=$(mdb_sql src "SELECT @@log_bin, @@binlog_format, @@binlog_row_image, @@binlog_row_metadata, @@gtid_strict_mode")
[[ $v == $'1\tROW\tFULL\tFULL\t1' ]] || fail "src binlog settings: '$v'"
v=$(mdb_sql tgt "SELECT @@log_bin, @@port, @@innodb_flush_log_at_trx_commit, @@sync_binlog, @@innodb_doublewrite")
[[ $v == $'0\t'"$tgt_port"$'\t2\t0\t0' ]] || fail "tgt settings: '$v'"

# TCP, the sluice user.
tcp() {
	mariadb --no-defaults --protocol=tcp -h 127.0.0.1 -P "$1" -u "$MDB_USER" \
		-p"$MDB_PASSWORD" --batch --raw --skip-column-names -e "$2"
}
mdb_sql src "CREATE DATABASE d; CREATE TABLE d.t (id INT PRIMARY KEY, s VARCHAR(10)); INSERT INTO d.t VALUES (1, 'x')"
v=$(tcp "$src_port" "SELECT CONCAT(CURRENT_USER(), ' ', (SELECT s FROM d.t WHERE id = 1))")
[[ $v == "sluice@127.0.0.1 x" ]] || fail "TCP query on src: '$v'"
v=$(tcp "$tgt_port" "SELECT 40 + 2")
[[ $v == 42 ]] || fail "TCP query on tgt: '$v'"
grants=$(tcp "$src_port" "SHOW GRANTS")
grep -q 'GRANT ALL PRIVILEGES ON \*\.\* TO `sluice`@`127.0.0.1`' <<<"$grants" ||
	fail "sluice lacks ALL: $grants"
n=$(mdb_binlogs src | wc -l)
f=$(mdb_binlogs src | head -n 1)
if ((n < 1)) || [[ ! -s $f ]]; then
	fail "no binlog files listed for src ($n, '$f')"
fi

mdb_stop src
mdb_stop tgt

# Nothing of ours is left: not the pids, not a process on our datadirs, not
# a listener on our ports, not the directories.
for pid in "$src_pid" "$tgt_pid"; do
	if kill -0 "$pid" 2>/dev/null; then
		fail "mariadbd pid $pid still running after mdb_stop"
	fi
done
for p in /proc/[0-9]*; do
	cmd=$(tr '\0' ' ' <"$p/cmdline" 2>/dev/null || true)
	case $cmd in
	*"$src_dir"* | *"$tgt_dir"*) fail "process ${p#/proc/} still runs on our datadir: $cmd" ;;
	esac
done
for port in "$src_port" "$tgt_port"; do
	if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
		fail "port $port still accepts connections"
	fi
done
[[ ! -e $src_dir && ! -e $tgt_dir ]] || [[ ${SL_KEEP:-0} == 1 ]] ||
	fail "server directories not removed"
[[ -z ${MDB_src_PID:-} ]] || fail "MDB_src_PID still set after mdb_stop"

echo "000_sandbox: 2 servers started, queried and stopped; nothing left running"
