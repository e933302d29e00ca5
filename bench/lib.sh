# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=bash disable=SC2034,SC2154 # the scripts read what is set here and own $root, $work
# bench/lib.sh: what the end-to-end benchmark scripts (bench/binlog_decode.sh,
# bench/stream.sh, bench/apply.sh, bench/run.sh) share.  Sourced after tests/lib/mariadb.sh,
# with $root set to the repository; it sets no shell options (the scripts run
# with `set -euo pipefail`).
#
#   bench_option ARG          the options every script has (--quick, --perf,
#                             --write-doc, --no-doc, -h/--help; anything else
#                             ends the script with status 2)
#   bench_settings NAME       the settings from the environment (see a
#                             script's --help): SLUICE, MYSQLBINLOG, BENCH_DIR,
#                             target, tables, table_size, chunk, runs, threads,
#                             MDB_BUFFER_POOL (exported), SB_DIR, SERVER_OPTS,
#                             tsv ($BENCH_DIR/NAME[-quick].tsv); resolves
#                             doc=auto
#   log MSG… / die MSG…       "[bench] …" on stderr; die exits 1
#   bench_need CMD…           dies unless every CMD is on PATH
#   bench_build_sluice        builds $SLUICE with cmake when it is the default
#                             one and missing; build_type, its CMAKE_BUILD_TYPE
#                             ("?" without a CMakeCache.txt beside it)
#   bench_copy_sluice         SL=$work/sluice, a copy of $SLUICE, and
#                             sluice_built (its build time)
#   rel PATH                  PATH relative to $root
#   sum_sizes FILE…           the files' total size in bytes
#   bench_sysbench_prepare SERVER LOGDIR
#                             CREATE DATABASE sbtest and sysbench
#                             oltp_write_only prepare ($tables x $table_size);
#                             sets bench_sb_conn (sysbench's connection
#                             options) and bench_sb (those plus --tables,
#                             --table-size, --threads)
#   bench_sysbench_fill SERVER LOGDIR T0
#                             rotating BENCH_WORKLOADS in chunks of $chunk s
#                             until SERVER's binlog files total >= $target
#                             bytes; sets bench_chunks and BENCH_NCHUNKS[WL]
#   measure NAME STDOUT CMD…  one timed run, appended to $work/NAME.runs as
#                             "wall rss_kib user sys", plus the server's CPU
#                             seconds when BENCH_SERVER_PID is set
#   summarize NAME            "wall_median wall_min wall_max rss_max_kib
#                             cpu_median" [server_cpu_median] of NAME.runs
#   stat_field NAME FIELD     a field of the last --stats line of $work/NAME.out
#   mbs / mib / goal          MB/s of bytes over seconds; KiB as MiB; "met" or
#                             "**not met**" for VALUE >= GOAL
#   bench_versions            sluice_ver, git_rev, git_dirty, mysqlbinlog_ver
#   bench_machine             prints the "**Machine:** …" line of a section
#   bench_mdb_snapshot, bench_mdb_start_copy, bench_cpu_ticks,
#   bench_snapshot_source     targets reset from a data directory copy
#   bench_window, bench_native, bench_load_data, bench_replay,
#   bench_write_job, bench_sluice_run, bench_record, bench_verify …
#                             binlog windows applied by every peer
#                             (bench/apply.sh, bench/run.sh; see below)
#   bench_update_doc NAME SECTION
#                             puts SECTION between the bench:NAME markers of
#                             docs/BENCHMARKS.md when doc=yes, else copies it
#                             to $BENCH_DIR/NAME-section.md

if [[ -n ${_BENCH_LIB_LOADED:-} ]]; then
	return 0
fi
_BENCH_LIB_LOADED=1

# The sysbench workloads bench_sysbench_fill takes turns with.
BENCH_WORKLOADS=(oltp_write_only oltp_update_non_index oltp_insert)
BENCH_CLK_TCK=$(getconf CLK_TCK)

log() { printf '[bench] %s\n' "$*" >&2; }
die() {
	printf '[bench] error: %s\n' "$*" >&2
	exit 1
}

# bench_option ARG: one of the common options, into quick, perf, doc.
bench_option() {
	local script=${BASH_SOURCE[-1]}
	case $1 in
	--quick) quick=1 ;;
	--perf) perf=1 ;;
	--write-doc) doc=yes ;;
	--no-doc) doc=no ;;
	-h | --help)
		sed -n '2,/^$/p' "$script" | sed 's/^# \{0,1\}//'
		exit 0
		;;
	*)
		echo "${script##*/}: unknown option '$1' (see --help)" >&2
		exit 2
		;;
	esac
}

bench_settings() {
	local name=$1
	if [[ $doc == auto ]]; then
		if ((quick)); then doc=no; else doc=yes; fi
	fi
	SLUICE=${SLUICE:-$root/build/sluice}
	MYSQLBINLOG=${MYSQLBINLOG:-mysqlbinlog}
	BENCH_DIR=${BENCH_DIR:-$root/bench/data}
	if ((quick)); then
		target=${BENCH_BINLOG_BYTES:-$((64 << 20))}
		tables=${BENCH_TABLES:-4}
		table_size=${BENCH_TABLE_SIZE:-20000}
		chunk=${BENCH_CHUNK_SECONDS:-3}
		tsv=$BENCH_DIR/$name-quick.tsv
	else
		target=${BENCH_BINLOG_BYTES:-$((1 << 30))}
		tables=${BENCH_TABLES:-8}
		table_size=${BENCH_TABLE_SIZE:-100000}
		chunk=${BENCH_CHUNK_SECONDS:-10}
		tsv=$BENCH_DIR/$name.tsv
	fi
	runs=${BENCH_RUNS:-3}
	threads=${BENCH_THREADS:-4}
	export MDB_BUFFER_POOL=${MDB_BUFFER_POOL:-1G}
	SB_DIR=${SB_DIR:-/usr/share/sysbench}
	# Extra mariadbd options of the source, on top of mdb_start_source's.
	SERVER_OPTS=(--binlog-row-metadata=FULL --max-binlog-size=1G
		--innodb-log-file-size=512M)
}

bench_need() {
	local b
	for b in "$@"; do
		command -v "$b" >/dev/null 2>&1 || die "$b not found"
	done
}

bench_build_sluice() {
	if [[ ! -x $SLUICE ]]; then
		[[ $SLUICE == "$root/build/sluice" ]] || die "SLUICE=$SLUICE is not executable"
		log "building $SLUICE"
		cmake -S "$root" -B "$root/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >&2
		cmake --build "$root/build" --target sluice -j"$(nproc)" >&2
	fi
	[[ -x $SLUICE ]] || die "no sluice binary at $SLUICE"
	build_type="?"
	if [[ -f $(dirname "$SLUICE")/CMakeCache.txt ]]; then
		build_type=$(awk -F= '/^CMAKE_BUILD_TYPE:/ { print $2 }' "$(dirname "$SLUICE")/CMakeCache.txt")
	fi
}

# Run a copy of the binary: a rebuild of build/sluice by someone else during
# the run must not mix two versions into one median.
bench_copy_sluice() {
	SL=$work/sluice
	cp -- "$SLUICE" "$SL"
	sluice_built=$(date -u -r "$SLUICE" +%Y-%m-%dT%H:%M:%SZ)
}

rel() { printf '%s\n' "${1#"$root"/}"; }

sum_sizes() {
	local s=0 f
	for f in "$@"; do
		s=$((s + $(stat -c %s "$f")))
	done
	printf '%s\n' "$s"
}

bench_sysbench_prepare() {
	local srv=$1 log_dir=$2
	mdb_sql "$srv" "CREATE DATABASE sbtest"
	bench_sb_conn=(--db-driver=mysql --mysql-socket="$(mdb_sock "$srv")"
		--mysql-user=root --mysql-db=sbtest)
	bench_sb=("${bench_sb_conn[@]}" --tables="$tables"
		--table-size="$table_size" --threads="$threads")
	log "sysbench prepare: $tables tables x $table_size rows"
	sysbench "$SB_DIR/oltp_write_only.lua" "${bench_sb[@]}" prepare \
		>"$log_dir/sysbench-prepare.log" 2>&1 ||
		{ tail "$log_dir/sysbench-prepare.log" >&2; die "sysbench prepare failed"; }
}

bench_sysbench_fill() {
	local srv=$1 log_dir=$2 t0=$3 w bytes files
	local -a wl=("${BENCH_WORKLOADS[@]}")
	declare -gA BENCH_NCHUNKS=()
	bench_chunks=0
	mapfile -t files < <(mdb_binlogs "$srv")
	bytes=$(sum_sizes "${files[@]}")
	while ((bytes < target)); do
		w=${wl[bench_chunks % ${#wl[@]}]}
		bench_chunks=$((bench_chunks + 1))
		BENCH_NCHUNKS[$w]=$((${BENCH_NCHUNKS[$w]:-0} + 1))
		sysbench "$SB_DIR/$w.lua" "${bench_sb[@]}" --time="$chunk" --events=0 \
			--rand-seed="$bench_chunks" run >>"$log_dir/sysbench-run.log" 2>&1 ||
			{ tail "$log_dir/sysbench-run.log" >&2; die "sysbench $w failed"; }
		mapfile -t files < <(mdb_binlogs "$srv")
		bytes=$(sum_sizes "${files[@]}")
		log "$(printf '%-22s chunk %3d: %5d MiB of %d MiB (%3d%%), %d s' \
			"$w" "$bench_chunks" $((bytes >> 20)) $((target >> 20)) \
			$((bytes * 100 / target)) $((SECONDS - t0)))"
	done
}

# The CPU ticks mariadbd (pid BENCH_SERVER_PID) has used so far.
_bench_server_ticks() {
	sed 's/^.*) //' "/proc/$BENCH_SERVER_PID/stat" | awk '{ print $12 + $13 }'
}

# measure NAME STDOUT CMD...: one timed run; appends "wall rss_kib user sys"
# (and "server_cpu" when BENCH_SERVER_PID is set) to $work/NAME.runs.  Wall
# time from EPOCHREALTIME (µs), the rest from /usr/bin/time, the server's
# CPU from /proc/PID/stat.
measure() {
	local name=$1 out=$2 t0 t1 s0=0 s1=0 rc=0 server=${BENCH_SERVER_PID:-}
	shift 2
	[[ -z $server ]] || s0=$(_bench_server_ticks)
	t0=$EPOCHREALTIME
	/usr/bin/time -f '%M %U %S' -o "$work/$name.time" "$@" >"$out" 2>"$work/$name.err" || rc=$?
	t1=$EPOCHREALTIME
	[[ -z $server ]] || s1=$(_bench_server_ticks)
	if ((rc != 0)); then
		tail -n 5 "$work/$name.err" >&2
		die "$name exited with status $rc: $*"
	fi
	local rss usr sys
	read -r rss usr sys < <(tail -n 1 "$work/$name.time")
	awk -v a="$t0" -v b="$t1" -v r="$rss" -v u="$usr" -v s="$sys" \
		-v srv=$((${#server} > 0)) -v sc=$((s1 - s0)) -v hz="$BENCH_CLK_TCK" \
		'BEGIN { printf "%.4f %d %.2f %.2f", b - a, r, u, s
			if (srv) printf " %.2f", sc / hz
			printf "\n" }' >>"$work/$name.runs"
}

# summarize NAME: "wall_median wall_min wall_max rss_max_kib cpu_median",
# then "server_cpu_median" when the runs have that field.
summarize() {
	awk '{ w[NR] = $1; c[NR] = $3 + $4; s[NR] = $5; if (NF >= 5) srv = 1; if ($2 > m) m = $2 }
	function med(a, n,   i, j, t) {
		for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j - 1] > a[j]; j--) {
			t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
		return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
	END { n = NR; for (i = 1; i <= n; i++) ww[i] = w[i]
		lo = hi = w[1]; for (i = 1; i <= n; i++) { if (w[i] < lo) lo = w[i]; if (w[i] > hi) hi = w[i] }
		printf "%.4f %.4f %.4f %d %.2f", med(ww, n), lo, hi, m, med(c, n)
		if (srv) printf " %.2f", med(s, n)
		printf "\n" }' "$work/$1.runs"
}

# stat_field NAME FIELD: a field of the last --stats line of NAME.
stat_field() {
	awk -v k="$2" '{ for (i = 1; i < NF; i++) if ($i == k) v = $(i + 1) } END { print v }' \
		"$work/$1.out"
}

mbs() { awk -v b="$1" -v s="$2" 'BEGIN { printf "%.1f", (s > 0 ? b / 1e6 / s : 0) }'; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
goal() { awk -v v="$1" -v g="$2" 'BEGIN { print (v >= g) ? "met" : "**not met**" }'; }

bench_versions() {
	sluice_ver=$("$SL" version 2>/dev/null | head -n 1 || true)
	git_rev=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo "?")
	# the benchmarks' own outputs (docs/BENCHMARKS.md, its plots) do not count
	git_dirty=$(git -C "$root" status --porcelain -- . ':!docs/BENCHMARKS.md' ':!docs/*.png' 2>/dev/null |
		grep -q . && echo " (+ uncommitted changes)" || true)
	mysqlbinlog_ver=$("$MYSQLBINLOG" --version 2>/dev/null | head -n 1)
}

bench_machine() {
	local cpu_model mem_total
	cpu_model=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
	mem_total=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
	echo "**Machine:** $(nproc) CPUs ($cpu_model), $mem_total RAM, Linux $(uname -r)."
}

# bench_update_doc NAME SECTION: with doc=yes, SECTION replaces what stands
# between the bench:NAME markers of docs/BENCHMARKS.md (created when
# missing; a missing section is appended, after a blank line); otherwise it
# goes to $BENCH_DIR/NAME-section.md.
bench_update_doc() {
	local name=$1 section=$2 docf=$root/docs/BENCHMARKS.md
	local start="<!-- bench:$name:start -->" end="<!-- bench:$name:end -->"
	if [[ $doc != yes ]]; then
		cp "$section" "$BENCH_DIR/$name-section.md"
		log "docs untouched; section written to $(rel "$BENCH_DIR/$name-section.md")"
		return 0
	fi
	mkdir -p "$root/docs"
	if [[ ! -f $docf ]]; then
		# shellcheck disable=SC2016
		printf '# Benchmarks\n\nFigures measured by the scripts in `bench/`; each section is regenerated by\nthe script named in it. Do not edit between the bench markers by hand.\n\n' >"$docf"
	fi
	if grep -qF -- "$start" "$docf" && grep -qF -- "$end" "$docf"; then
		awk -v s="$start" -v e="$end" -v sec="$section" '
			$0 == s { print; while ((getline l < sec) > 0) print l; skip = 1; next }
			$0 == e { skip = 0 }
			!skip { print }' "$docf" >"$work/doc.new"
	else
		{
			cat "$docf"
			[[ -z $(tail -n 1 "$docf") ]] || echo
			printf '%s\n' "$start"
			cat "$section"
			printf '%s\n' "$end"
		} >"$work/doc.new"
	fi
	cat "$work/doc.new" >"$docf"
	log "updated $(rel "$docf")"
}

# ----------------------------------------------------------------------
# For bench/apply.sh and bench/run.sh: targets started from a copy of a
# prepared data directory (resetting a target in seconds instead of
# reloading it).
#
#   bench_mdb_snapshot NAME DEST      stops server NAME cleanly (TERM, as
#                                     mdb_stop) and moves its data directory
#                                     to DEST (which must not exist)
#   bench_mdb_start_copy NAME PORT SNAP [mariadbd options…]
#                                     like mdb_start, but the data directory
#                                     is a copy of SNAP (its users included)
#                                     instead of a fresh mariadb-install-db;
#                                     the server is known to mdb_stop,
#                                     mdb_sql, mdb_trap… like any other
#   bench_cpu_ticks PID               CPU ticks (user + sys, CLK_TCK units)
#                                     PID has used so far
#   bench_snapshot_source NAME DEST   stops the source NAME cleanly, copies
#                                     its data directory (binlogs left out)
#                                     to DEST and starts it again, same
#                                     command line; sets spid

bench_mdb_snapshot() {
	local name=$1 dest=$2 dir
	[[ ! -e $dest ]] || die "bench_mdb_snapshot: $dest exists"
	dir=$(mdb_dir "$name")
	SL_KEEP=1 mdb_stop "$name" 2>/dev/null
	mv -- "$dir/data" "$dest"
	rm -rf -- "$dir"
}

# Uses tests/lib/mariadb.sh's internals (_MDB_DIR, _MDB_PORT, _MDB_NAMES,
# _mdb_launch) so that the server is stopped by mdb_stop / mdb_trap; the
# mariadbd command line is mdb_start's.
bench_mdb_start_copy() {
	local name=$1 port=$2 snap=$3 dir
	shift 3
	_mdb_check_name "$name"
	[[ -z ${_MDB_PID[$name]:-} ]] || die "server '$name' already started"
	[[ -d $snap ]] || die "bench_mdb_start_copy: no data directory $snap"
	mkdir -p "${SL_TMP:-/tmp}"
	dir=$(mktemp -d "${SL_TMP:-/tmp}/sluice-$name-$port-XXXX")
	cp -a --reflink=auto -- "$snap" "$dir/data" || die "copying $snap failed"
	_MDB_DIR["$name"]=$dir
	_MDB_PORT["$name"]=$port
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
	mdb_log "started '$name' from a copy of $snap: 127.0.0.1:$port pid ${_MDB_PID[$name]}"
}

bench_cpu_ticks() {
	sed 's/^.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'
}

bench_snapshot_source() {
	local name=$1 dest=$2 pid dd b
	local -a argv=()
	[[ ! -e $dest ]] || die "bench_snapshot_source: $dest exists"
	pid=$(mdb_pid "$name")
	dd=$(mdb_datadir "$name")
	mapfile -d '' -t argv <"/proc/$pid/cmdline"
	((${#argv[@]} > 1)) || die "bench_snapshot_source: no command line for pid $pid"
	_mdb_end_watch "$name"
	_mdb_term "$name" "$pid"
	wait "$pid" 2>/dev/null || true
	mkdir -p "$dest"
	for b in "$dd"/*; do
		case ${b##*/} in
		"$name"-bin.*) ;; # the source's binlogs: a target has none
		*) cp -a --reflink=auto -- "$b" "$dest/" || die "copying $b failed" ;;
		esac
	done
	_mdb_launch "$name" restart "${argv[@]}"
	spid=$(mdb_pid "$name")
	mdb_log "snapshot of '$name' in $dest; restarted, pid $spid"
}

# ----------------------------------------------------------------------
# Binlog windows and the peers that apply them (bench/apply.sh,
# bench/run.sh).  The caller sets:
#   work      its temp directory;        SL        the sluice binary (copy)
#   sport     the source's port;         spid      the source mariadbd's pid
#   sdata     the source's datadir;      TGT_OPTS  mariadbd options of targets
#   tlist     "db.t1, db.t2, …": the tables CHECKSUM TABLE compares
#   TABLES    the sbtestN tables (LOAD DATA export of oltp_insert windows)
#   BENCH_LOGS  where each sluice run's stderr is kept
#   BENCH_OBJECTS  the job's objects.include list (default ["sbtest.*"])
# The source server is named asrc, every target atgt (one at a time).
#
#   bench_checksums SERVER            CHECKSUM TABLE $tlist
#   bench_verify SERVER WL WHAT       dies unless SERVER's checksums equal
#                                     the source's at the end of window WL
#   bench_window WL EVENTS SEED SCRIPT ARGS…
#                                     FLUSH BINARY LOGS, then sysbench SCRIPT
#                                     ARGS --events=EVENTS --time=0 run on the
#                                     source: window WL is that one binlog
#                                     file; sets W_FILE W_END W_ROWS W_BYTES
#                                     W_GEN W_TPS W_SB [WL]; for oltp_insert
#                                     exports the inserted rows for LOAD DATA.
#                                     BENCH_PREFIX_EVENTS=P (< EVENTS): run
#                                     as P events, then the rest (seed + 100);
#                                     the prefix's end, rows and checksums
#                                     (W_PFX_END W_PFX_ROWS) are what
#                                     bench_replay replays and checks
#   bench_native KEY WL THREADS MODE SNAP
#                                     MariaDB replication of window WL on a
#                                     fresh target from SNAP; records KEY
#   bench_load_data KEY WL SNAP       LOAD DATA of an oltp_insert window
#   bench_replay KEY WL SNAP          mariadb-binlog FILE | mariadb (of the
#                                     prefix when the window has one)
#   bench_write_job FILE WL SPEC PORT a sluice job file from WL's start
#   bench_sluice_run KEY WL SPEC SNAP [KEEP]
#                                     sluice run --to-end; KEEP: the target
#                                     becomes that snapshot
#   bench_record KEY KIND ROWS WALL CPU RSS_KIB TARGET_CPU SOURCE_CPU NOTE CMD OTHER_CPU
#                                     one result (R_* arrays, KEYS list) and
#                                     its progress line ($BENCH_PROGRESS first)

# Small arithmetic helpers (awk; figures are decimal strings).
secs() { awk -v t="$1" -v hz="$BENCH_CLK_TCK" 'BEGIN { printf "%.2f", t / hz }'; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
rate() { awk -v r="$1" -v s="$2" 'BEGIN { printf "%.0f", (s > 0 ? r / s : 0) }'; }
# ratio A B: A ÷ B, 2 decimals; 3 significant digits below 1 (0.083, not
# 0.08: two runs' small ratios compared within 15% need them).
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { v = (b > 0 ? a / b : 0); printf (v < 1 ? "%.3g" : "%.2f"), v }'; }
goal_le() { awk -v v="$1" -v g="$2" 'BEGIN { print (v <= g) ? "met" : "**not met**" }'; }
goal_lt() { awk -v v="$1" -v g="$2" 'BEGIN { print (v < g) ? "met" : "**not met**" }'; }
ticks() { bench_cpu_ticks "$1"; }
# busy: CPU ticks the whole machine has been busy (all CPUs).
busy() { awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8 + $9; exit }' /proc/stat; }
# others B0 B1 CPU_S...: CPU seconds the machine spent outside the given ones.
others() {
	local b=$(($2 - $1))
	shift 2
	awk -v b="$b" -v hz="$BENCH_CLK_TCK" -v l="$*" 'BEGIN { n = split(l, a, " ")
		o = b / hz; for (i = 1; i <= n; i++) o -= a[i]; printf "%.2f", (o > 0 ? o : 0) }'
}

bench_checksums() { mdb_sql "$1" "CHECKSUM TABLE $tlist"; }

bench_verify() {
	local srv=$1 wk=$2 what=$3
	bench_checksums "$srv" >"$work/sum-check.txt"
	if ! diff "$work/sum-$wk.txt" "$work/sum-check.txt" >"$work/sum-diff.txt"; then
		cat "$work/sum-diff.txt" >&2
		die "$wk: after $what the target differs from the source (CHECKSUM TABLE; < source, > target)"
	fi
}

# bench_slave_field SERVER FIELD: one column of SHOW SLAVE STATUS.
bench_slave_field() {
	mdb_client "$1" --batch -e "SHOW SLAVE STATUS" |
		awk -F'\t' -v k="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == k) c = i }
			NR == 2 && c { print $c }'
}
bench_gstatus() { mdb_sql "$1" "SHOW GLOBAL STATUS LIKE '$2'" | cut -f2; }
# bench_tstat: the target's counters that say how batches arrived.
bench_tstat() {
	mdb_sql atgt "SHOW GLOBAL STATUS WHERE Variable_name IN
		('Questions', 'Com_commit', 'Com_insert', 'Com_delete', 'Com_update', 'Com_replace')"
}

declare -gA R_ROWS R_WALL R_CPU R_RSS R_TCPU R_SCPU R_NOTE R_CMD R_KIND R_OCPU
KEYS=()
BENCH_PROGRESS=${BENCH_PROGRESS:-}
bench_record() {
	KEYS+=("$1")
	R_KIND[$1]=$2 R_ROWS[$1]=$3 R_WALL[$1]=$4 R_CPU[$1]=$5 R_RSS[$1]=$6
	R_TCPU[$1]=$7 R_SCPU[$1]=$8 R_NOTE[$1]=$9 R_CMD[$1]=${10} R_OCPU[$1]=${11}
	log "$BENCH_PROGRESS$(printf '%-16s %-18s %8s rows in %8s s: %8s rows/s' "${1%%/*}" "${1#*/}" \
		"$3" "$4" "$(rate "$3" "$4")")${5:+, cpu $5 s}${6:+, rss $(mib "$6") MiB}, target cpu $7 s, source cpu $8 s, other cpu ${11} s${9:+ ($9)}"
}

declare -gA W_FILE W_END W_ROWS W_BYTES W_GEN W_TPS W_SB W_PFX_END W_PFX_ROWS
LD_ROWS=0
# window_still: SHOW MASTER STATUS ("file<TAB>position") once two reads a
# second apart agree (the binlog is still).
window_still() {
	local prev="" cur st
	for ((st = 0; st < 30; st++)); do
		cur=$(mdb_sql asrc "SHOW MASTER STATUS" | cut -f1,2)
		[[ $cur == "$prev" ]] && break
		prev=$cur
		sleep 1
	done
	printf '%s\n' "$cur"
}
# window_rows FILE [STOP]: the row changes in FILE (before offset STOP).
window_rows() {
	local out=$work/stats-${1##*/}.out
	"$SL" binlog --stats ${2:+--stop-position "$2"} "$1" >"$out"
	awk '{ for (i = 1; i < NF; i++) if ($i == "rows") v = $(i + 1) } END { print v }' "$out"
}
bench_window() {
	local wk=$1 events=$2 seed=$3 script=$4 f t0 gen=0 cur t a desc="" part parts log logs=() pdesc=""
	shift 4
	local -A maxid=()
	local pfx=${BENCH_PREFIX_EVENTS:-0}
	((pfx > 0 && pfx < events)) || pfx=0
	mdb_sql asrc "FLUSH BINARY LOGS"
	f=$(mdb_sql asrc "SHOW MASTER STATUS" | cut -f1)
	if [[ $wk == oltp_insert ]]; then
		for t in "${TABLES[@]}"; do
			maxid[$t]=$(mdb_sql asrc "SELECT COALESCE(MAX(id), 0) FROM sbtest.$t")
		done
	fi
	for a in "$@"; do
		case $a in --db-driver=* | --mysql-*) ;; *) desc+=" $a" ;; esac
	done
	# One sysbench run, or two: the prefix (which bench_replay replays),
	# then the rest of the window with the next seed.
	parts=("$events $seed")
	((pfx == 0)) || parts=("$pfx $seed" "$((events - pfx)) $((seed + 100))") pdesc=" (in two runs: $pfx + $((events - pfx)))"
	W_SB[$wk]="" W_PFX_END[$wk]="" W_PFX_ROWS[$wk]=""
	log "$wk: sysbench ${script##*/}$desc --events=$events$pdesc into binlog $f"
	for part in "${parts[@]}"; do
		read -r events seed <<<"$part"
		log=$work/sysbench-$wk-$seed.log
		logs+=("$log")
		t0=$EPOCHREALTIME
		sysbench "$script" "$@" --events="$events" --time=0 \
			--rand-seed="$seed" run >"$log" 2>&1 ||
			{ tail "$log" >&2; die "sysbench $wk failed"; }
		gen=$(awk -v g="$gen" -v e="$(elapsed "$t0" "$EPOCHREALTIME")" 'BEGIN { printf "%.3f", g + e }')
		W_SB[$wk]+="${W_SB[$wk]:+; then }sysbench ${script##*/}$desc --events=$events --time=0 --rand-seed=$seed run"
		if [[ $part == "${parts[0]}" && $pfx -gt 0 ]]; then
			cur=$(window_still)
			[[ ${cur%%$'\t'*} == "$f" ]] || die "$wk: the window's prefix left binlog $f"
			W_PFX_END[$wk]=${cur#*$'\t'}
			bench_checksums asrc >"$work/sum-$wk-prefix.txt"
		fi
	done
	# Generated in: sysbench's wall time; tps: its transactions ÷ that.
	W_GEN[$wk]=$gen
	W_TPS[$wk]=$(cat "${logs[@]}" | awk -v s="$gen" \
		'/transactions:/ { n += $2 } END { printf "%.2f", n / s }')
	cur=$(window_still)
	[[ ${cur%%$'\t'*} == "$f" ]] ||
		die "$wk: the window spans several binlog files ($f .. ${cur%%$'\t'*}); make the window smaller"
	W_FILE[$wk]=$f
	W_END[$wk]=${cur#*$'\t'}
	W_BYTES[$wk]=$(stat -c %s "$sdata/$f")
	W_ROWS[$wk]=$(window_rows "$sdata/$f")
	[[ ${W_ROWS[$wk]} =~ ^[1-9][0-9]*$ ]] ||
		die "$wk: no row count from sluice binlog --stats: $(cat "$work/stats-$f.out")"
	if ((pfx)); then
		W_PFX_ROWS[$wk]=$(window_rows "$sdata/$f" "${W_PFX_END[$wk]}")
		[[ ${W_PFX_ROWS[$wk]} =~ ^[1-9][0-9]*$ ]] ||
			die "$wk: no row count for the prefix from sluice binlog --stats --stop-position ${W_PFX_END[$wk]}"
	fi
	bench_checksums asrc >"$work/sum-$wk.txt"
	if [[ $wk == oltp_insert ]]; then
		# The rows the window inserted, as LOAD DATA reads them (tab
		# separated, backslash escapes; sbtest has no NULLs).
		mkdir -p "$work/ld"
		local n=0
		for t in "${TABLES[@]}"; do
			mdb_client asrc --batch --skip-column-names \
				-e "SELECT * FROM sbtest.$t WHERE id > ${maxid[$t]} ORDER BY id" >"$work/ld/$t.tsv"
			n=$((n + $(wc -l <"$work/ld/$t.tsv")))
		done
		((n == W_ROWS[$wk])) ||
			die "$wk: the window has ${W_ROWS[$wk]} row changes but inserted $n rows"
		LD_ROWS=$n
	fi
	log "$wk: window $f:4..${W_END[$wk]} (${W_BYTES[$wk]} bytes), ${W_ROWS[$wk]} row changes${W_PFX_ROWS[$wk]:+ (prefix 4..${W_PFX_END[$wk]}: ${W_PFX_ROWS[$wk]})}, generated in ${W_GEN[$wk]} s (${W_TPS[$wk]} tps)"
}

# bench_native KEY WL THREADS MODE SNAP: MariaDB replication from the
# window's start; the IO thread fetches the whole window into the relay log
# before the clock starts (the replica's best case), then START SLAVE
# SQL_THREAD until MASTER_POS_WAIT(end of window) returns.
bench_native() {
	local k=$1 wk=$2 n=$3 mode=$4 snap=$5 f=${W_FILE[$2]} end=${W_END[$2]}
	local tp c0 c1 s0 s1 t0 t1 r st retries0 retries1 note b0 b1
	bench_mdb_start_copy atgt "$(mdb_free_port 24000)" "$snap" "${TGT_OPTS[@]}"
	mdb_sql atgt "SET GLOBAL slave_parallel_threads = $n;
		SET GLOBAL slave_parallel_mode = '$mode';
		CHANGE MASTER TO MASTER_HOST = '127.0.0.1', MASTER_PORT = $sport,
			MASTER_USER = '$MDB_USER', MASTER_PASSWORD = '$MDB_PASSWORD',
			MASTER_LOG_FILE = '$f', MASTER_LOG_POS = 4, MASTER_USE_GTID = no;
		START SLAVE IO_THREAD"
	for ((st = 0; st < 3000; st++)); do
		[[ $(bench_slave_field atgt Master_Log_File) == "$f" ]] &&
			(($(bench_slave_field atgt Read_Master_Log_Pos) >= end)) && break
		[[ $(bench_slave_field atgt Slave_IO_Running) != No ]] ||
			die "$k: the IO thread stopped: $(bench_slave_field atgt Last_IO_Error)"
		sleep 0.1
	done
	((st < 3000)) || die "$k: the relay log did not reach $f:$end in 300 s"
	retries0=$(bench_gstatus atgt Slave_retried_transactions)
	tp=$(mdb_pid atgt)
	b0=$(busy) c0=$(ticks "$tp") s0=$(ticks "$spid") t0=$EPOCHREALTIME
	mdb_sql atgt "START SLAVE SQL_THREAD"
	r=$(mdb_sql atgt "SELECT MASTER_POS_WAIT('$f', $end, ${BENCH_APPLY_TIMEOUT:-1800})")
	t1=$EPOCHREALTIME c1=$(ticks "$tp") s1=$(ticks "$spid") b1=$(busy)
	[[ $r =~ ^[0-9]+$ ]] ||
		die "$k: MASTER_POS_WAIT returned '$r': $(bench_slave_field atgt Last_SQL_Error)"
	retries1=$(bench_gstatus atgt Slave_retried_transactions)
	mdb_sql atgt "STOP SLAVE"
	bench_verify atgt "$wk" "native replication ($n threads, $mode)"
	note="slave_parallel_threads=$n"
	((n > 0)) && note+=", $mode, $((retries1 - retries0)) retried transactions"
	bench_record "$k" native "${W_ROWS[$wk]}" "$(elapsed "$t0" "$t1")" "" "" \
		"$(secs $((c1 - c0)))" "$(secs $((s1 - s0)))" "$note" \
		"SET GLOBAL slave_parallel_threads=$n, slave_parallel_mode=$mode; CHANGE MASTER TO … MASTER_LOG_FILE='$f', MASTER_LOG_POS=4; START SLAVE IO_THREAD (wait for the relay log); START SLAVE SQL_THREAD; SELECT MASTER_POS_WAIT('$f', $end)" \
		"$(others "$b0" "$b1" "$(secs $((c1 - c0)))" "$(secs $((s1 - s0)))")"
	mdb_stop atgt
}

# bench_load_data KEY WL SNAP: LOAD DATA of the window's inserted rows into
# empty copies of the tables, one statement per table, one session.
bench_load_data() {
	local k=$1 wk=$2 snap=$3 tp c0 c1 s0 s1 t0 t1 sql="" got t b0 b1
	bench_mdb_start_copy atgt "$(mdb_free_port 24000)" "$snap" "${TGT_OPTS[@]}"
	for t in "${TABLES[@]}"; do
		mdb_sql atgt "CREATE TABLE sbtest.ld_$t LIKE sbtest.$t"
		sql+="LOAD DATA INFILE '$work/ld/$t.tsv' INTO TABLE sbtest.ld_$t; "
	done
	tp=$(mdb_pid atgt)
	b0=$(busy) c0=$(ticks "$tp") s0=$(ticks "$spid") t0=$EPOCHREALTIME
	mdb_sql atgt "$sql"
	t1=$EPOCHREALTIME c1=$(ticks "$tp") s1=$(ticks "$spid") b1=$(busy)
	got=$(mdb_sql atgt "SELECT $(printf '(SELECT COUNT(*) FROM sbtest.ld_%s) + ' "${TABLES[@]}") 0")
	((got == LD_ROWS)) || die "$k: loaded $got rows, expected $LD_ROWS"
	bench_record "$k" load "$LD_ROWS" "$(elapsed "$t0" "$t1")" "" "" \
		"$(secs $((c1 - c0)))" "$(secs $((s1 - s0)))" "${#TABLES[@]} tables, one LOAD DATA INFILE each, into empty CREATE TABLE … LIKE copies" \
		"CREATE TABLE sbtest.ld_sbtestN LIKE sbtest.sbtestN; LOAD DATA INFILE 'sbtestN.tsv' INTO TABLE sbtest.ld_sbtestN (N = 1..${#TABLES[@]}, one client session)" \
		"$(others "$b0" "$b1" "$(secs $((c1 - c0)))" "$(secs $((s1 - s0)))")"
	mdb_stop atgt
}

# bench_replay KEY WL SNAP: `mariadb-binlog FILE | mariadb` into a fresh
# target: the binlog file read locally, its row events applied by the
# target as BINLOG statements, one session.  Client CPU and peak RSS are
# the pipeline's (both processes) from /usr/bin/time.  When the window has
# a prefix (BENCH_PREFIX_EVENTS) only that is replayed (--stop-position)
# and checked against the source's checksums at the prefix's end: this
# peer runs at a few thousand rows/s, a whole long window would take minutes.
bench_replay() {
	local k=$1 wk=$2 snap=$3 tp c0 c1 s0 s1 b0 b1 m wall rss usr sys tcpu cpu
	local stop=${W_PFX_END[$2]:-} rows=${W_ROWS[$2]} sums=$2 what="" opt=()
	if [[ -n $stop ]]; then
		rows=${W_PFX_ROWS[$wk]} sums=$wk-prefix opt=(--stop-position="$stop")
		what="; the window's first $rows row changes (to offset $stop)"
	fi
	m=${k//\//.}
	bench_mdb_start_copy atgt "$(mdb_free_port 24000)" "$snap" "${TGT_OPTS[@]}"
	tp=$(mdb_pid atgt)
	rm -f "$work/$m.runs"
	b0=$(busy) s0=$(ticks "$spid")
	BENCH_SERVER_PID=$tp measure "$m" /dev/null bash -o pipefail -c \
		'mariadb-binlog --no-defaults "${@:3}" "$1" | mariadb --no-defaults --protocol=socket --socket="$2" -uroot --max-allowed-packet=256M' \
		replay "$sdata/${W_FILE[$wk]}" "$(mdb_sock atgt)" "${opt[@]}"
	s1=$(ticks "$spid") b1=$(busy)
	bench_verify atgt "$sums" "mariadb-binlog | mariadb"
	read -r wall rss usr sys tcpu < <(tail -n 1 "$work/$m.runs")
	cpu=$(awk -v u="$usr" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')
	bench_record "$k" replay "$rows" "$wall" "$cpu" "$rss" "$tcpu" "$(secs $((s1 - s0)))" \
		"client CPU and RSS: mariadb-binlog and mariadb together$what" \
		"mariadb-binlog ${opt[*]}${opt[*]:+ }${W_FILE[$wk]} | mariadb (root, unix socket)" \
		"$(others "$b0" "$b1" "$cpu" "$tcpu" "$(secs $((s1 - s0)))")"
	mdb_stop atgt
}

# bench_write_job FILE WL SPEC TARGET-PORT: SPEC is a tier name or
# "{ workers: N, batch: M }".
bench_write_job() {
	local objs=${BENCH_OBJECTS:-'["sbtest.*"]'}
	cat >"$1" <<-EOF
		name: bench-apply
		source:
		  host: 127.0.0.1
		  port: $sport
		  user: $MDB_USER
		  password: $MDB_PASSWORD
		  server-id: 4242
		  tls: { mode: disabled }
		target:
		  hosts: ["127.0.0.1:$4"]
		  user: $MDB_USER
		  password: $MDB_PASSWORD
		  tls: { mode: disabled }
		start: { mode: position, file: ${W_FILE[$2]}, position: 4 }
		objects: { include: $objs }
		spec: $3
		meta-database: sluice_meta
	EOF
}

# bench_sluice_run KEY WL SPEC SNAP [KEEP]: sluice run --to-end from the
# window's start on a fresh target; wall time of the process, its CPU and
# peak RSS; the target must then equal the source.  KEEP: the target's data
# directory (sluice_meta dropped) becomes that snapshot.
bench_sluice_run() {
	local k=$1 wk=$2 spec=$3 snap=$4 keep=${5:-} tport tp s0 s1 m line rd ap b0 b1
	m=${k//\//.}
	tport=$(mdb_free_port 24000)
	bench_mdb_start_copy atgt "$tport" "$snap" "${TGT_OPTS[@]}"
	bench_write_job "$work/job-$m.yaml" "$wk" "$spec" "$tport"
	tp=$(mdb_pid atgt)
	rm -f "$work/$m.runs"
	bench_tstat >"$work/$m.st0"
	b0=$(busy) s0=$(ticks "$spid")
	BENCH_SERVER_PID=$tp measure "$m" "$work/$m.out" "$SL" run --to-end --http off --ignore-warnings "$work/job-$m.yaml"
	s1=$(ticks "$spid") b1=$(busy)
	bench_tstat >"$work/$m.st1"
	mkdir -p "$BENCH_LOGS"
	cp "$work/$m.err" "$BENCH_LOGS/$m$( ((quick)) && echo -quick).log"
	line=$(grep -E 'row changes read, [0-9]+ applied' "$work/$m.err" | tail -n 1 || true)
	rd=$(sed -nE 's/.* ([0-9]+) row changes read, ([0-9]+) applied.*/\1/p' <<<"$line")
	ap=$(sed -nE 's/.* ([0-9]+) row changes read, ([0-9]+) applied.*/\2/p' <<<"$line")
	[[ -n $rd ]] || die "$k: no closing line in $(rel "$work/$m.err"): $(tail -n 3 "$work/$m.err")"
	[[ $rd == "${W_ROWS[$wk]}" ]] ||
		log "warning: $k: sluice read $rd row changes, sluice binlog --stats counts ${W_ROWS[$wk]}"
	bench_verify atgt "$wk" "sluice run (spec $spec)"
	local wall rss usr sys tcpu tq cpu
	read -r wall rss usr sys tcpu < <(tail -n 1 "$work/$m.runs")
	cpu=$(awk -v u="$usr" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')
	# What the target executed: statements and commits, rows per commit.
	tq=$(awk 'NR == FNR { a[$1] = $2; next } { d[$1] = $2 - a[$1] }
		END { printf "%d statements, %d commits (%.0f row changes per commit)", d["Questions"] - 2,
			d["Com_commit"], (d["Com_commit"] > 0 ? r / d["Com_commit"] : 0) }' \
		r="${W_ROWS[$wk]}" "$work/$m.st0" "$work/$m.st1")
	bench_record "$k" sluice "${W_ROWS[$wk]}" "$wall" "$cpu" "$rss" "$tcpu" "$(secs $((s1 - s0)))" \
		"spec $spec; $rd read, $ap applied; target: $tq" \
		"sluice run --to-end job.yaml (spec: $spec)" \
		"$(others "$b0" "$b1" "$cpu" "$tcpu" "$(secs $((s1 - s0)))")"
	if [[ -n $keep ]]; then
		mdb_sql atgt "DROP DATABASE sluice_meta"
		bench_mdb_snapshot atgt "$keep"
	else
		mdb_stop atgt
	fi
}
