# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=bash disable=SC2034,SC2154 # the scripts read what is set here and own $root, $work
# bench/lib.sh: what the end-to-end benchmark scripts (bench/binlog_decode.sh,
# bench/stream.sh, bench/apply.sh) share.  Sourced after tests/lib/mariadb.sh,
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
#                             one and missing
#   bench_copy_sluice         SL=$work/sluice, a copy of $SLUICE, and
#                             sluice_built (its build time)
#   rel PATH                  PATH relative to $root
#   sum_sizes FILE…           the files' total size in bytes
#   bench_sysbench_prepare SERVER LOGDIR
#                             CREATE DATABASE sbtest and sysbench
#                             oltp_write_only prepare ($tables x $table_size);
#                             sets bench_sb (sysbench's connection options)
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
#   bench_mdb_snapshot, bench_mdb_start_copy, bench_cpu_ticks
#                             targets reset from a data directory copy
#                             (bench/apply.sh; see below)
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
	bench_sb=(--db-driver=mysql --mysql-socket="$(mdb_sock "$srv")"
		--mysql-user=root --mysql-db=sbtest --tables="$tables"
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
	git_dirty=$(git -C "$root" status --porcelain 2>/dev/null | grep -q . && echo " (+ uncommitted changes)" || true)
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
# For bench/apply.sh: targets started from a copy of a prepared data
# directory (resetting a target in seconds instead of reloading it).
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
