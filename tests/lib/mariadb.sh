# SPDX-License-Identifier: Apache-2.0
# tests/lib/mariadb.sh: throwaway MariaDB servers for integration tests,
# bench scripts and the demo.  Source it from bash (4.3+); it sets no shell
# options of its own, the caller runs with `set -euo pipefail`.
#
#   . "$(dirname "$0")/../lib/mariadb.sh"
#   mdb_trap                                  # stop every server on exit
#   port=$(mdb_free_port 23100)
#   mdb_start_source src "$port" --binlog-row-metadata=FULL
#   mdb_sql src "CREATE DATABASE d"
#   mdb_start tgt "$(mdb_free_port 23200)"
#   ...
#   mdb_stop src                              # or leave it to the trap
#
# Servers (no systemd, no my.cnf: --no-defaults everywhere):
#   * datadir, socket, pid file and logs live in a fresh directory
#     ${SL_TMP:-/tmp}/sluice-NAME-PORT-XXXX (mktemp -d); the data itself is
#     in its data/ subfolder, binlogs included;
#   * mariadbd runs as root on 127.0.0.1:PORT with the fast test options of
#     TESTING.md (innodb-flush-log-at-trx-commit=2, sync-binlog=0,
#     innodb-doublewrite=0, a 256M buffer pool: say so next to any
#     benchmark figure); extra mariadbd options go last and win;
#   * root logs in through the socket only; TCP clients use the user
#     sluice@127.0.0.1, password sluice ($MDB_USER / $MDB_PASSWORD), which
#     has ALL privileges (replication ones included) WITH GRANT OPTION.
#
# Per server NAME ([A-Za-z0-9_]+), after mdb_start:
#   variables  MDB_<NAME>_DIR  MDB_<NAME>_DATADIR  MDB_<NAME>_SOCK
#              MDB_<NAME>_PID  MDB_<NAME>_PORT     MDB_<NAME>_ERRLOG
#   functions  mdb_dir / mdb_datadir / mdb_sock / mdb_pid / mdb_port /
#              mdb_errlog NAME      print the same values
#              mdb_sql NAME [SQL]   root via the socket, --batch --raw
#                                   --skip-column-names, utf8mb4; SQL from
#                                   stdin when absent or "-"
#              mdb_client NAME ARGS…  the mariadb client as root, any args
#              mdb_binlogs NAME     full paths of the binlog files, in order
#              mdb_restart NAME [--kill]  stop (TERM, or KILL: a crash) and
#                                   start again: same datadir, port, options
#
# Failure policy: a server that cannot be set up or started is a test
# failure: the error log's tail is printed and the script exits 1 (never
# 77/skip).  Processes are only ever signalled by their pid.
#
# mdb_start must run in the test's main shell (not inside $(…)), because it
# records the server in shell variables and starts it as a child.  A small
# watchdog per server stops it if the test shell dies without running its
# traps (SIGKILL from a timeout); don't use a bare `wait` in tests.
#
# Environment knobs: SL_TMP (parent of the temp dirs), SL_KEEP=1 (keep the
# directories after stopping), MDB_BUFFER_POOL (default 256M),
# MDB_START_TIMEOUT (60 s), MDB_STOP_TIMEOUT (30 s), MDB_SERVER_ID (the
# source's --server-id, default 1).

if [[ -n ${_MDB_LOADED:-} ]]; then
	return 0
fi
_MDB_LOADED=1

MDB_USER=sluice
MDB_PASSWORD=sluice
MDB_HOST=127.0.0.1

declare -gA _MDB_DIR=() _MDB_PID=() _MDB_PORT=() _MDB_WATCH=()
declare -ga _MDB_NAMES=()

mdb_log() { printf '[mdb] %s\n' "$*" >&2; }

# Prints the message and ends the test as failed.
mdb_fail() {
	printf '[mdb] FAIL: %s\n' "$*" >&2
	exit 1
}

_mdb_check_name() {
	[[ ${1:-} =~ ^[A-Za-z0-9_]+$ ]] ||
		mdb_fail "server name '${1:-}' must match [A-Za-z0-9_]+"
}

_mdb_need() {
	_mdb_check_name "${1:-}"
	[[ -n ${_MDB_PID[$1]:-} ]] || mdb_fail "no server named '$1' is running"
}

# True while pid runs (a zombie does not count).
_mdb_alive() {
	local pid=$1 st
	kill -0 "$pid" 2>/dev/null || return 1
	st=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) || return 1
	[[ $st != Z ]]
}

_mdb_port_dir() { printf '%s/sluice-ports' "${SL_TMP:-/tmp}"; }

# True when something listens on 127.0.0.1:port (or any address).
_mdb_port_busy() {
	local p=$1
	if command -v ss >/dev/null 2>&1; then
		if [[ -n $(ss -Hltn "sport = :$p" 2>/dev/null) ]]; then
			return 0
		fi
	fi
	# Works without iproute2: a refused connection means nobody listens.
	if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
		return 0
	fi
	return 1
}

# mdb_free_port [BASE]: prints a free TCP port >= BASE (default 23000) and
# reserves it for this test shell (a lock dir under ${SL_TMP:-/tmp}/
# sluice-ports, freed by mdb_stop / mdb_stop_all, reclaimed when its owner
# has died), so tests running in parallel do not pick the same one.
# Fine to call inside $(…).
mdb_free_port() {
	local base=${1:-23000} p lockdir owner
	lockdir=$(_mdb_port_dir)
	mkdir -p "$lockdir"
	for ((p = base; p < base + 2000 && p < 65536; p++)); do
		if [[ -d $lockdir/$p ]]; then
			owner=$(cat "$lockdir/$p/owner" 2>/dev/null || true)
			if [[ -n $owner ]] && _mdb_alive "$owner"; then
				continue
			fi
			rm -rf "${lockdir:?}/$p" 2>/dev/null || continue
		fi
		_mdb_port_busy "$p" && continue
		mkdir "$lockdir/$p" 2>/dev/null || continue # lost a race
		printf '%s\n' "$$" >"$lockdir/$p/owner"
		printf '%s\n' "$p"
		return 0
	done
	mdb_fail "no free TCP port in $base..$((p - 1))"
}

_mdb_release_port() {
	local d
	d="$(_mdb_port_dir)/$1"
	if [[ $(cat "$d/owner" 2>/dev/null || true) == "$$" ]]; then
		rm -rf "$d"
	fi
}

_mdb_set_vars() {
	local n=$1 dir=$2
	printf -v "MDB_${n}_DIR" '%s' "$dir"
	printf -v "MDB_${n}_DATADIR" '%s' "$dir/data"
	printf -v "MDB_${n}_SOCK" '%s' "$dir/sock"
	printf -v "MDB_${n}_PID" '%s' "${_MDB_PID[$n]}"
	printf -v "MDB_${n}_PORT" '%s' "${_MDB_PORT[$n]}"
	printf -v "MDB_${n}_ERRLOG" '%s' "$dir/err.log"
}

_mdb_unset_vars() {
	local n=$1 v
	for v in DIR DATADIR SOCK PID PORT ERRLOG; do
		unset "MDB_${n}_$v"
	done
}

# _mdb_tail_logs DIR FILE…: prints the last lines of the non-empty logs.
_mdb_tail_logs() {
	local dir=$1 f
	shift
	for f in "$@"; do
		f=$dir/$f
		if [[ -s $f ]]; then
			printf '[mdb] --- last lines of %s ---\n' "$f" >&2
			tail -n 25 "$f" >&2
		fi
	done
}

# _mdb_launch NAME start|restart MARIADBD-COMMAND…: runs the server (NAME's
# directory and port already recorded) in the background, its output
# appended to DIR/stdout.log; records its pid; starts its watchdog; waits
# until it answers on the socket.  A server that exits first or does not
# answer within MDB_START_TIMEOUT s fails the test (a first start is
# stopped and cleaned up before).
_mdb_launch() {
	local name=$1 why=$2 dir=${_MDB_DIR[$1]} port=${_MDB_PORT[$1]} pid
	shift 2
	"$@" </dev/null >>"$dir/stdout.log" 2>&1 &
	pid=$!
	_MDB_PID[$name]=$pid
	_mdb_set_vars "$name" "$dir"

	# Watchdog: stops the server if this shell vanishes without its traps.
	# mdb_stop ends the watchdog first, so it only acts when the shell died.
	local owner=$$ stop_to=${MDB_STOP_TIMEOUT:-30} keep=${SL_KEEP:-0}
	(
		set +eu
		trap - EXIT INT TERM HUP
		exec </dev/null >/dev/null 2>&1
		while kill -0 "$owner" 2>/dev/null && kill -0 "$pid" 2>/dev/null; do
			sleep 1
		done
		kill -0 "$owner" 2>/dev/null && exit 0
		if kill -0 "$pid" 2>/dev/null; then
			kill -TERM "$pid" 2>/dev/null
			for ((i = 0; i < stop_to * 10; i++)); do
				kill -0 "$pid" 2>/dev/null || break
				sleep 0.1
			done
			kill -KILL "$pid" 2>/dev/null
		fi
		[[ $keep == 1 ]] || rm -rf "$dir"
	) &
	_MDB_WATCH[$name]=$!

	local deadline=$((SECONDS + ${MDB_START_TIMEOUT:-60})) why_not
	while ! mariadb --no-defaults --protocol=socket --socket="$dir/sock" \
		-uroot --connect-timeout=2 -e 'SELECT 1' >/dev/null 2>&1; do
		if ! _mdb_alive "$pid"; then
			why_not="exited during startup"
			[[ $why == start ]] || why_not="exited while restarting"
		elif ((SECONDS >= deadline)); then
			why_not="not answering after ${MDB_START_TIMEOUT:-60} s"
			[[ $why == start ]] ||
				why_not="not answering ${MDB_START_TIMEOUT:-60} s after a restart"
		else
			sleep 0.2
			continue
		fi
		_mdb_tail_logs "$dir" stdout.log err.log
		if [[ $why == start ]]; then
			mdb_stop "$name" >/dev/null 2>&1 || true
		fi
		mdb_fail "mariadbd '$name' (port $port) $why_not"
	done
}

# _mdb_end_watch NAME: ends NAME's watchdog (before the server is stopped).
_mdb_end_watch() {
	local watch=${_MDB_WATCH[$1]:-}
	if [[ -n $watch ]]; then
		kill -TERM "$watch" 2>/dev/null || true
		wait "$watch" 2>/dev/null || true
	fi
}

# _mdb_term NAME PID: TERM, up to MDB_STOP_TIMEOUT s to exit, then KILL.
_mdb_term() {
	local name=$1 pid=$2
	kill -TERM "$pid" 2>/dev/null || true
	local deadline=$((SECONDS + ${MDB_STOP_TIMEOUT:-30}))
	while _mdb_alive "$pid" && ((SECONDS < deadline)); do
		sleep 0.1
	done
	if _mdb_alive "$pid"; then
		mdb_log "'$name' (pid $pid) ignored TERM for ${MDB_STOP_TIMEOUT:-30} s: KILL"
		kill -KILL "$pid" 2>/dev/null || true
	fi
}

# mdb_start NAME PORT [mariadbd options…]
mdb_start() {
	local name=${1:-} port=${2:-}
	shift 2 || mdb_fail "usage: mdb_start NAME PORT [mariadbd options…]"
	_mdb_check_name "$name"
	[[ $port =~ ^[0-9]+$ ]] || mdb_fail "mdb_start $name: bad port '$port'"
	[[ -z ${_MDB_PID[$name]:-} ]] || mdb_fail "server '$name' already started"
	local b
	for b in mariadb-install-db mariadbd mariadb; do
		command -v "$b" >/dev/null 2>&1 ||
			mdb_fail "$b not found (apt-get install mariadb-server mariadb-client)"
	done

	local tmp=${SL_TMP:-/tmp} dir
	mkdir -p "$tmp"
	dir=$(mktemp -d "$tmp/sluice-$name-$port-XXXX") ||
		mdb_fail "mktemp -d under $tmp failed"

	if ! mariadb-install-db --no-defaults --datadir="$dir/data" --user=root --tmpdir="$dir" \
		--auth-root-authentication-method=socket --skip-test-db \
		>"$dir/install.log" 2>&1; then
		_mdb_tail_logs "$dir" install.log
		mdb_fail "mariadb-install-db for '$name' failed (dir $dir)"
	fi

	_MDB_DIR[$name]=$dir
	_MDB_PORT[$name]=$port
	_MDB_NAMES+=("$name")
	_mdb_launch "$name" start mariadbd --no-defaults --user=root \
		--datadir="$dir/data" --socket="$dir/sock" --pid-file="$dir/pid" \
		--log-error="$dir/err.log" --tmpdir="$dir" \
		--port="$port" --bind-address=127.0.0.1 --skip-name-resolve \
		--innodb-buffer-pool-size="${MDB_BUFFER_POOL:-256M}" \
		--innodb-flush-log-at-trx-commit=2 --sync-binlog=0 \
		--innodb-doublewrite=0 --max-allowed-packet=256M \
		--character-set-server=utf8mb4 \
		"$@"
	local pid=${_MDB_PID[$name]}

	if ! mdb_sql "$name" "
		CREATE USER IF NOT EXISTS '$MDB_USER'@'$MDB_HOST' IDENTIFIED BY '$MDB_PASSWORD';
		GRANT ALL PRIVILEGES ON *.* TO '$MDB_USER'@'$MDB_HOST' WITH GRANT OPTION;
		GRANT REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO '$MDB_USER'@'$MDB_HOST';
		FLUSH PRIVILEGES;" >"$dir/setup.log" 2>&1; then
		cat "$dir/setup.log" >&2
		mdb_fail "creating user $MDB_USER on '$name' failed"
	fi
	mdb_log "started '$name': 127.0.0.1:$port pid $pid dir $dir"
}

# mdb_start_source NAME PORT [mariadbd options…]: a binlog source (ROW,
# FULL image, GTID strict mode, binlogs named NAME-bin.NNNNNN in the
# datadir).  Add --binlog-row-metadata=FULL for column names and ENUM/SET
# strings in the table maps; --server-id=N (or MDB_SERVER_ID) when a test
# runs several sources.
mdb_start_source() {
	local name=${1:-} port=${2:-}
	shift 2 || mdb_fail "usage: mdb_start_source NAME PORT [mariadbd options…]"
	mdb_start "$name" "$port" \
		--server-id="${MDB_SERVER_ID:-1}" --log-bin="$name-bin" \
		--binlog-format=ROW --binlog-row-image=FULL --gtid-strict-mode=1 \
		"$@"
}

# mdb_stop NAME: TERM by pid, wait up to MDB_STOP_TIMEOUT s, then KILL.
# Removes the server's directory unless SL_KEEP=1.
mdb_stop() {
	local name=${1:-}
	_mdb_check_name "$name"
	local pid=${_MDB_PID[$name]:-} dir=${_MDB_DIR[$name]:-}
	local port=${_MDB_PORT[$name]:-}
	if [[ -z $pid ]]; then
		return 0
	fi
	_mdb_end_watch "$name"
	if _mdb_alive "$pid"; then
		_mdb_term "$name" "$pid"
	fi
	wait "$pid" 2>/dev/null || true # reap it: it is a child of this shell

	[[ -n $port ]] && _mdb_release_port "$port"
	unset "_MDB_PID[$name]" "_MDB_DIR[$name]" "_MDB_PORT[$name]" "_MDB_WATCH[$name]"
	local keep=() n
	for n in "${_MDB_NAMES[@]}"; do
		[[ $n == "$name" ]] || keep+=("$n")
	done
	_MDB_NAMES=("${keep[@]}")
	_mdb_unset_vars "$name"
	if [[ -n $dir ]]; then
		if [[ ${SL_KEEP:-0} == 1 ]]; then
			mdb_log "stopped '$name'; kept $dir (SL_KEEP=1)"
		else
			rm -rf "$dir"
			mdb_log "stopped '$name'"
		fi
	fi
}

# mdb_stop_all: stops every server this shell started, newest first, and
# frees the ports it reserved.
mdb_stop_all() {
	local i lockdir d
	for ((i = ${#_MDB_NAMES[@]} - 1; i >= 0; i--)); do
		mdb_stop "${_MDB_NAMES[$i]}" || true
	done
	lockdir=$(_mdb_port_dir)
	for d in "$lockdir"/*; do
		[[ -d $d ]] && _mdb_release_port "${d##*/}"
	done
	return 0
}

_mdb_on_exit() {
	local rc=$?
	trap - EXIT
	# shellcheck disable=SC2034 # read by the caller's hook
	MDB_EXIT_STATUS=$rc
	if [[ -n ${MDB_EXIT_HOOK:-} ]]; then
		eval "$MDB_EXIT_HOOK" || true
	fi
	if ((rc != 0)) && ((${#_MDB_NAMES[@]} > 0)) && [[ ${SL_KEEP:-0} != 1 ]]; then
		mdb_log "exit status $rc; rerun with SL_KEEP=1 to keep the server directories"
	fi
	mdb_stop_all
	exit "$rc"
}

# mdb_trap [COMMAND]: on EXIT (and on INT/TERM/HUP, turned into an exit)
# run COMMAND if given (eval'd, with the servers still up and the exit
# status in $MDB_EXIT_STATUS), then mdb_stop_all; the exit status is kept.
mdb_trap() {
	MDB_EXIT_HOOK=${1:-}
	trap _mdb_on_exit EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	trap 'exit 129' HUP
}

mdb_dir() { _mdb_need "${1:-}" && printf '%s\n' "${_MDB_DIR[$1]}"; }
mdb_datadir() { _mdb_need "${1:-}" && printf '%s\n' "${_MDB_DIR[$1]}/data"; }
mdb_sock() { _mdb_need "${1:-}" && printf '%s\n' "${_MDB_DIR[$1]}/sock"; }
mdb_errlog() { _mdb_need "${1:-}" && printf '%s\n' "${_MDB_DIR[$1]}/err.log"; }
mdb_pid() { _mdb_need "${1:-}" && printf '%s\n' "${_MDB_PID[$1]}"; }
mdb_port() { _mdb_need "${1:-}" && printf '%s\n' "${_MDB_PORT[$1]}"; }

# mdb_client NAME [mariadb client args…]: root through the socket.
mdb_client() {
	_mdb_need "${1:-}"
	local name=$1
	shift
	mariadb --no-defaults --protocol=socket --socket="${_MDB_DIR[$name]}/sock" \
		-uroot --default-character-set=utf8mb4 --max-allowed-packet=256M "$@"
}

# mdb_sql NAME [SQL]: runs SQL (stdin when absent or "-") and prints the
# rows tab-separated, unescaped, without a header; NULL prints as NULL.
mdb_sql() {
	_mdb_need "${1:-}"
	local name=$1 sql=${2:--}
	if [[ $sql == - ]]; then
		mdb_client "$name" --batch --raw --skip-column-names
	else
		mdb_client "$name" --batch --raw --skip-column-names -e "$sql"
	fi
}

# mdb_binlogs NAME: the server's binlog files (full paths), oldest first.
mdb_binlogs() {
	_mdb_need "${1:-}"
	local dd=${_MDB_DIR[$1]}/data f rest
	mdb_sql "$1" "SHOW BINARY LOGS" | while IFS=$'\t' read -r f rest; do
		printf '%s/%s\n' "$dd" "$f"
	done
}

# mdb_restart NAME [--kill]: stops the server (TERM, or SIGKILL with
# --kill, a crash) and starts it again with the same command line: same
# datadir, port and options (binlogs and users kept).  Waits until it
# answers, as mdb_start does.  MDB_<NAME>_PID changes.
mdb_restart() {
	_mdb_need "${1:-}"
	local name=$1 how=${2:-} pid=${_MDB_PID[$1]}
	local -a argv=()
	if [[ -r /proc/$pid/cmdline ]]; then
		mapfile -d '' -t argv <"/proc/$pid/cmdline"
	fi
	((${#argv[@]} > 1)) ||
		mdb_fail "mdb_restart $name: cannot read the command line of pid $pid"
	_mdb_end_watch "$name"
	if [[ $how == --kill ]]; then
		kill -KILL "$pid" 2>/dev/null || true
	else
		_mdb_term "$name" "$pid"
	fi
	wait "$pid" 2>/dev/null || true

	_mdb_launch "$name" restart "${argv[@]}"
	mdb_log "restarted '$name': 127.0.0.1:${_MDB_PORT[$name]} pid ${_MDB_PID[$name]}"
}
