#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# bench/apply.sh: how fast does `sluice run` apply a binlog to a target,
# next to MariaDB's own replication (single-threaded, and parallel in
# optimistic mode) and to the target's bulk-load rate (LOAD DATA), all in
# one run on this machine, every peer applying the same binlog to a target
# that starts from the same data.
#
#   bench/apply.sh              # 8 x 100k rows, 500k + 125k events, writes docs/BENCHMARKS.md
#   bench/apply.sh --quick      # 4 x 20k rows, 20k + 5k events, docs untouched
#   bench/apply.sh --perf       # plus a profile of one sluice run per workload
#
# 1. Starts a throwaway MariaDB source (tests/lib/mariadb.sh: ROW format,
#    FULL row image, --binlog-row-metadata=FULL, the test-speed settings)
#    and runs `sysbench oltp_write_only prepare`; copies the tables into a
#    target server (mariadb-dump), checks CHECKSUM TABLE, stops it and keeps
#    its data directory as snapshot S0.  Every target below is a fresh
#    mariadbd started on a copy of a snapshot (seconds, not a reload), with
#    no binlog (--skip-log-bin), so every peer pays the same.
# 2. Per workload, oltp_insert first and oltp_write_only second:
#    FLUSH BINARY LOGS on the source, then `sysbench WL --events=N --time=0
#    --threads=BENCH_THREADS --rand-seed=S run`: the window is exactly that
#    one binlog file, from position 4 to its end; its row changes are
#    counted by `sluice binlog --stats`, and the source's CHECKSUM TABLE of
#    every table is taken at its end.  Then the peers, each on a fresh copy
#    of the snapshot of the window's start:
#      (a) MariaDB replication: CHANGE MASTER TO the window's file, position
#          4; slave_parallel_threads = each of BENCH_NATIVE_THREADS (0 4 16),
#          slave_parallel_mode=optimistic; START SLAVE IO_THREAD and wait
#          until the whole window is in the relay log (so fetching is not
#          measured), then time START SLAVE SQL_THREAD until
#          MASTER_POS_WAIT(end of window) returns;
#      (b) oltp_insert only: LOAD DATA INFILE of the rows the window
#          inserted (exported from the source as TSV) into empty copies of
#          the tables (CREATE TABLE ... LIKE), one statement per table;
#      (c) sluice run --to-end JOB with start {file: WINDOW, position: 4},
#          workers = each of BENCH_WORKERS (4 8 16), batch BENCH_BATCH (256);
#          wall time, CPU time (user + sys) and peak RSS of the process from
#          /usr/bin/time.
#    After (a) and (c), CHECKSUM TABLE of every table must equal the
#    source's at the end of the window, or the script fails.  The target
#    of the last (c) run (its sluice_meta dropped) becomes the snapshot the
#    next workload starts from.  The CPU seconds of the target and source
#    mariadbd during each run come from /proc/PID/stat.
# 3. Ratios: rows/s of the best sluice run over the best native replica,
#    and over LOAD DATA (oltp_insert); sluice's CPU µs per row and peak RSS.
#    Writes $BENCH_DIR/apply.tsv and (full runs) the section between the
#    bench:apply markers of docs/BENCHMARKS.md.
#
# Options:
#   --quick        small tables and windows; apply-quick.tsv; docs only with
#                  --write-doc
#   --perf         perf record -g of one more sluice run per workload
#                  (BENCH_PERF_WORKERS workers), the target mariadbd profiled
#                  alongside; reports in $BENCH_DIR/apply.perf-*.txt
#   --write-doc    update docs/BENCHMARKS.md even in --quick mode
#   --no-doc       never touch docs/BENCHMARKS.md
#
# Environment: SLUICE (default $root/build/sluice, built with cmake when
# missing), BENCH_DIR ($root/bench/data), BENCH_TABLES (8; 4 with --quick),
# BENCH_TABLE_SIZE (100000; 20000), BENCH_THREADS (4: sysbench threads),
# BENCH_INSERT_EVENTS (500000; 20000), BENCH_WRITE_EVENTS (125000; 5000),
# BENCH_NATIVE_THREADS ("0 4 16"), BENCH_WORKERS ("4 8 16"), BENCH_BATCH
# (256), BENCH_PERF_WORKERS (8), BENCH_APPLY_TIMEOUT (1800 s per peer),
# MDB_BUFFER_POOL (1G here, every server), SL_TMP (server temp dirs).
#
# Test-speed server settings (tests/lib/mariadb.sh), on the source and on
# every target alike: innodb-flush-log-at-trx-commit=2, sync-binlog=0,
# innodb-doublewrite=0; plus --innodb-log-file-size=512M.

set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=../tests/lib/mariadb.sh
. "$root/tests/lib/mariadb.sh"
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$root/bench/lib.sh"

quick=0 perf=0 doc=auto
for a in "$@"; do
	bench_option "$a"
done
bench_settings apply
if ((quick)); then
	ins_events=${BENCH_INSERT_EVENTS:-20000}
	wo_events=${BENCH_WRITE_EVENTS:-5000}
else
	ins_events=${BENCH_INSERT_EVENTS:-500000}
	wo_events=${BENCH_WRITE_EVENTS:-125000}
fi
read -r -a NATIVE <<<"${BENCH_NATIVE_THREADS:-0 4 16}"
read -r -a WORKERS <<<"${BENCH_WORKERS:-4 8 16}"
batch=${BENCH_BATCH:-256}
perf_workers=${BENCH_PERF_WORKERS:-8}
export BENCH_APPLY_TIMEOUT=${BENCH_APPLY_TIMEOUT:-1800}
((${#WORKERS[@]} > 0)) || die "BENCH_WORKERS is empty"
bench_need sysbench mariadbd mariadb mariadb-dump /usr/bin/time awk
if ((perf)) && ! command -v perf >/dev/null 2>&1; then
	log "perf not installed: skipping --perf"
	perf=0
fi

# ---------------------------------------------------------------- sluice ---
bench_build_sluice

mkdir -p "$BENCH_DIR"
work=$(mktemp -d "${TMPDIR:-/tmp}/bench-apply-XXXX")
# The servers are stopped by mdb_trap's handler; this hook runs first.
mdb_trap 'rm -rf "$work"'
bench_copy_sluice
T_START=$SECONDS
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

# Every target: no binlog, no replica thread at start, the source's
# InnoDB settings (the rest is mdb_start's).
TGT_OPTS=(--server-id=2 --skip-log-bin --skip-slave-start --relay-log=relay-bin
	--innodb-log-file-size=512M)
TABLES=()
for ((i = 1; i <= tables; i++)); do TABLES+=("sbtest$i"); done
tlist=$(printf 'sbtest.%s, ' "${TABLES[@]}")
tlist=${tlist%, }

checksums() { bench_checksums "$@"; }
BENCH_LOGS=$BENCH_DIR/apply-logs
# ------------------------------------------------------ source, snapshot ---
sport=$(mdb_free_port 23900)
mdb_start_source asrc "$sport" "${SERVER_OPTS[@]}"
spid=$(mdb_pid asrc)
sdata=$(mdb_datadir asrc)
bench_sysbench_prepare asrc "$work"

log "snapshot S0: the prepared tables copied into a target (mariadb-dump)"
mdb_start asnap "$(mdb_free_port 23950)" "${TGT_OPTS[@]}"
mdb_sql asnap "CREATE DATABASE sbtest"
mariadb-dump --no-defaults --protocol=socket --socket="$(mdb_sock asrc)" -uroot \
	--single-transaction --skip-add-locks sbtest >"$work/prepared.sql"
mdb_client asnap sbtest <"$work/prepared.sql"
rm -f "$work/prepared.sql"
checksums asrc >"$work/sum-prepared.txt"
checksums asnap >"$work/sum-check.txt"
diff "$work/sum-prepared.txt" "$work/sum-check.txt" >&2 || die "snapshot S0 differs from the source"
bench_mdb_snapshot asnap "$work/snap-oltp_insert"

# ------------------------------------------------------ windows, peers ---
# (bench/lib.sh: bench_window, bench_native, bench_load_data, bench_sluice_run)
window() { bench_window "$1" "$2" "$3" "$SB_DIR/$1.lua" "${bench_sb[@]}"; }
native() { bench_native "$1/native-$2" "$1" "$2" optimistic "$3"; }
load_data() { bench_load_data "$1/load-data" "$1" "$2"; }
write_job() { bench_write_job "$1" "$2" "{ workers: $3, batch: $batch }" "$4"; }

# sluice_run WL WORKERS SNAP [KEEP]: sluice run --to-end from the window's
# start; KEEP: the target's data directory becomes that snapshot.
sluice_run() {
	bench_sluice_run "$1/sluice-w$2" "$1" "{ workers: $2, batch: $batch }" "$3" "${4:-}"
}

# profile WL SNAP: perf record -g of one sluice run, the target alongside.
declare -A P_SPLIT
profile() {
	local wk=$1 snap=$2 w=$perf_workers tport tp ppid m t0 t1 c0 c1 s0 s1
	m="$wk.perf"
	tport=$(mdb_free_port 24000)
	bench_mdb_start_copy atgt "$tport" "$snap" "${TGT_OPTS[@]}"
	write_job "$work/job-$m.yaml" "$wk" "$w" "$tport"
	tp=$(mdb_pid atgt)
	log "$wk: perf record -g of sluice run (workers $w), target mariadbd alongside"
	perf record -q -g -p "$tp" -o "$work/$m-target.data" >/dev/null 2>"$work/$m-target.err" &
	ppid=$!
	sleep 1
	c0=$(ticks "$tp") s0=$(ticks "$spid") t0=$EPOCHREALTIME
	/usr/bin/time -f '%M %U %S' -o "$work/$m.time" \
		perf record -q -g -o "$work/$m-sluice.data" "$SL" run --to-end --http off --ignore-warnings "$work/job-$m.yaml" \
		>/dev/null 2>"$work/$m.err" || { tail -n 5 "$work/$m.err" >&2; die "$wk: the profiled sluice run failed"; }
	t1=$EPOCHREALTIME c1=$(ticks "$tp") s1=$(ticks "$spid")
	kill -INT "$ppid" 2>/dev/null || true
	wait "$ppid" 2>/dev/null || true
	bench_verify atgt "$wk" "the profiled sluice run"
	mdb_stop atgt
	P_SPLIT[$wk]=$(awk -v w="$(elapsed "$t0" "$t1")" -v tc="$(secs $((c1 - c0)))" -v sc="$(secs $((s1 - s0)))" \
		'{ printf "wall %.2f s; sluice (under perf) CPU %.2f s, target mariadbd %.2f s, source mariadbd %.2f s", w, $2 + $3, tc, sc }' \
		"$work/$m.time")
	perf report -i "$work/$m-sluice.data" --stdio --no-children -g none --sort dso,symbol \
		--percent-limit 0.5 2>/dev/null >"$BENCH_DIR/apply.perf-$wk-sluice.txt" || true
	perf report -i "$work/$m-sluice.data" --stdio --children -g none --sort symbol \
		--percent-limit 3 2>/dev/null >"$BENCH_DIR/apply.perf-$wk-sluice-children.txt" || true
	perf report -i "$work/$m-sluice.data" --stdio --no-children -g none --sort pid \
		2>/dev/null >"$BENCH_DIR/apply.perf-$wk-sluice-threads.txt" || true
	perf report -i "$work/$m-target.data" --stdio --no-children -g none --sort dso,symbol \
		--percent-limit 1 2>/dev/null >"$BENCH_DIR/apply.perf-$wk-target.txt" || true
}

# ----------------------------------------------------------- workloads ---
WLS=(oltp_insert oltp_write_only)
declare -A WL_EVENTS=([oltp_insert]=$ins_events [oltp_write_only]=$wo_events)
declare -A WL_SEED=([oltp_insert]=11 [oltp_write_only]=12)
for wk in "${WLS[@]}"; do
	snap=$work/snap-$wk
	next=""
	[[ $wk == oltp_insert ]] && next=$work/snap-oltp_write_only
	window "$wk" "${WL_EVENTS[$wk]}" "${WL_SEED[$wk]}"
	for n in "${NATIVE[@]}"; do
		native "$wk" "$n" "$snap"
	done
	[[ $wk == oltp_insert ]] && load_data "$wk" "$snap"
	for i in "${!WORKERS[@]}"; do
		keep=""
		((i == ${#WORKERS[@]} - 1)) && keep=$next
		sluice_run "$wk" "${WORKERS[$i]}" "$snap" "$keep"
	done
	((perf)) && profile "$wk" "$snap"
	rm -rf "$snap"
done
total_seconds=$((SECONDS - T_START))

# -------------------------------------------------------------- results ---
declare -A BEST_NATIVE BEST_SLUICE LOADK
for k in "${KEYS[@]}"; do
	wk=${k%%/*}
	r=$(rate "${R_ROWS[$k]}" "${R_WALL[$k]}")
	case ${R_KIND[$k]} in
	native) b=${BEST_NATIVE[$wk]:-}
		[[ -n $b ]] && (($(rate "${R_ROWS[$b]}" "${R_WALL[$b]}") >= r)) || BEST_NATIVE[$wk]=$k ;;
	sluice) b=${BEST_SLUICE[$wk]:-}
		[[ -n $b ]] && (($(rate "${R_ROWS[$b]}" "${R_WALL[$b]}") >= r)) || BEST_SLUICE[$wk]=$k ;;
	load) LOADK[$wk]=$k ;;
	esac
done
# x_ref KEY REFKEY: rows/s of KEY over those of REFKEY.
x_ref() {
	[[ -n ${2:-} ]] || { echo "-"; return 0; }
	ratio "$(rate "${R_ROWS[$1]}" "${R_WALL[$1]}")" "$(rate "${R_ROWS[$2]}" "${R_WALL[$2]}")"
}
us_row() { awk -v c="$1" -v r="$2" 'BEGIN { if (c == "") print "-"; else printf "%.2f", 1e6 * c / r }'; }

{
	printf 'workload\tpeer\trows\twall_s\trows_per_s\tx_best_native\tx_load_data\tclient_cpu_s\tcpu_us_per_row\tpeak_rss_kib\ttarget_cpu_s\tsource_cpu_s\tother_cpu_s\tnote\tcommand\n'
	for k in "${KEYS[@]}"; do
		wk=${k%%/*}
		printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$wk" "${k#*/}" "${R_ROWS[$k]}" \
			"${R_WALL[$k]}" "$(rate "${R_ROWS[$k]}" "${R_WALL[$k]}")" "$(x_ref "$k" "${BEST_NATIVE[$wk]:-}")" \
			"$(x_ref "$k" "${LOADK[$wk]:-}")" "${R_CPU[$k]:--}" "$(us_row "${R_CPU[$k]}" "${R_ROWS[$k]}")" \
			"${R_RSS[$k]:--}" "${R_TCPU[$k]}" "${R_SCPU[$k]}" "${R_OCPU[$k]}" "${R_NOTE[$k]}" "${R_CMD[$k]}"
	done
} >"$tsv"
log "results: $tsv (the whole run took $total_seconds s)"
cut -f1-13 "$tsv" | column -t -s $'\t' >&2 || cat "$tsv" >&2

# Profile summaries (--perf).
top_of() { # FILE N: the first N sample lines of a perf report
	[[ -f $1 ]] || return 0
	grep -E '^ +[0-9.]+%' "$1" | head -n "$2" | sed 's/^ *//; s/ *- *- *$//; s/  */ /g' || true
}

# ------------------------------------------------------------- the doc ----
bench_versions
server_ver=$(mdb_sql asrc "SELECT VERSION()")
sysbench_ver=$(sysbench --version)
max_rss=0 max_us=0
for k in "${KEYS[@]}"; do
	[[ ${R_KIND[$k]} == sluice ]] || continue
	((R_RSS[$k] > max_rss)) && max_rss=${R_RSS[$k]}
	u=$(us_row "${R_CPU[$k]}" "${R_ROWS[$k]}")
	max_us=$(awk -v a="$u" -v b="$max_us" 'BEGIN { print (a > b) ? a : b }')
done
server_opts="mdb_start_source (--binlog-format=ROW --binlog-row-image=FULL --gtid-strict-mode=1 --innodb-flush-log-at-trx-commit=2 --sync-binlog=0 --innodb-doublewrite=0 --innodb-buffer-pool-size=$MDB_BUFFER_POOL --max-allowed-packet=256M) ${SERVER_OPTS[*]}"
target_opts="mdb_start's (--innodb-flush-log-at-trx-commit=2 --sync-binlog=0 --innodb-doublewrite=0 --innodb-buffer-pool-size=$MDB_BUFFER_POOL --max-allowed-packet=256M) ${TGT_OPTS[*]}"

section=$work/section.md
{
	echo "## Apply: \`sluice run\` against MariaDB replication and LOAD DATA"
	echo
	echo "Generated by \`bench/apply.sh$( ((quick)) && echo " --quick")$( ((perf)) && echo " --perf")\` on $(date -u +%Y-%m-%d) (${sluice_ver:-sluice ?} built $sluice_built, git $git_rev$git_dirty); the whole run took $total_seconds s."
	echo
	bench_machine
	echo "The source, the target and sluice share these CPUs and talk over loopback TCP (127.0.0.1);"
	echo "only one target runs at a time."
	echo
	echo "**Tools:** \`$(rel "$SLUICE")\` (${sluice_ver:-?}; CMAKE_BUILD_TYPE=$build_type); $server_ver for the source and every target; $sysbench_ver."
	echo
	echo "**Source:** $server_opts."
	echo "**Targets:** $target_opts: no binlog on the target, for every peer alike."
	echo "innodb-flush-log-at-trx-commit=2, sync-binlog=0 and innodb-doublewrite=0 are test-speed settings,"
	echo "the same on the source and on every target."
	echo
	echo "**Data:** \`sysbench oltp_write_only.lua --tables=$tables --table-size=$table_size prepare\` on the source, copied"
	echo "to a target with mariadb-dump, whose data directory is the snapshot every oltp_insert peer starts"
	echo "from (a fresh \`mariadbd\` on a copy of it each time). The oltp_write_only peers start from the"
	echo "snapshot of the target after the last oltp_insert sluice run (verified equal to the source, its"
	echo "\`sluice_meta\` dropped), i.e. from the source's data at the start of that window."
	echo
	echo "**Binlog windows** (each one whole binlog file, \`FLUSH BINARY LOGS\` before; applied from position 4):"
	echo
	echo "| workload | sysbench run on the source | binlog bytes | row changes | generated in s (tps) |"
	echo "|---|---|---:|---:|---:|"
	for wk in "${WLS[@]}"; do
		echo "| $wk | \`${W_SB[$wk]}\` | ${W_BYTES[$wk]} | ${W_ROWS[$wk]} | ${W_GEN[$wk]} (${W_TPS[$wk]}) |"
	done
	echo
	echo "Row changes are counted by \`sluice binlog --stats FILE\` (an UPDATE counts once); every peer's rows/s"
	echo "uses that count. For oltp_insert the LOAD DATA file holds exactly those rows."
	echo
	echo "**Peers**, each on a fresh target started from the snapshot:"
	echo
	echo "* *native-N*: MariaDB replication, \`SET GLOBAL slave_parallel_threads = N, slave_parallel_mode = 'optimistic'\`,"
	echo "  \`CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=P, MASTER_LOG_FILE='FILE', MASTER_LOG_POS=4,"
	echo "  MASTER_USE_GTID=no\`; \`START SLAVE IO_THREAD\` and wait until the whole window is in the relay log"
	echo "  (fetching is not timed: the replica's best case), then time from \`START SLAVE SQL_THREAD\` until"
	echo "  \`SELECT MASTER_POS_WAIT('FILE', END)\` returns. N = 0 is the classic single SQL thread."
	echo "* *load-data* (oltp_insert): \`CREATE TABLE sbtest.ld_sbtestN LIKE sbtest.sbtestN\` (empty copies), then"
	echo "  timed, one session: \`LOAD DATA INFILE 'sbtestN.tsv' INTO TABLE sbtest.ld_sbtestN\` for every table;"
	echo "  the files hold the rows the window inserted (\`SELECT … WHERE id > max id before the window\`)."
	echo "* *sluice-wN*: \`$(rel "$SLUICE") run --to-end job.yaml\`, wall time of the process (start, connects,"
	echo "  checkpoint table creation included); CPU and peak RSS of the sluice process from \`/usr/bin/time\`."
	echo "  The job file:"
	echo
	echo '```yaml'
	sed -e "s/port: $sport/port: SOURCE_PORT/" -e 's/127\.0\.0\.1:[0-9]*"/127.0.0.1:TARGET_PORT"/' \
		-e "s/file: ${W_FILE[oltp_insert]}/file: FILE/" -e "s/workers: [0-9]*/workers: N/" \
		"$work/job-oltp_insert.sluice-w${WORKERS[0]}.yaml"
	echo '```'
	echo
	echo "After every replica and sluice run, \`CHECKSUM TABLE\` of all $tables tables equals the source's at the end"
	echo "of the window (the script fails otherwise). *target CPU s* / *source CPU s* = CPU time of the target's"
	echo "and the source's \`mariadbd\` during the timed part (\`/proc/PID/stat\`); for a replica the target's CPU"
	echo "is the applier itself. µs/row = sluice's user + sys CPU time / rows. *other CPU s* = CPU time the"
	echo "machine spent on anything else during the run (\`/proc/stat\` minus the columns before): other"
	echo "jobs on a shared machine show there, and make that row's figures less reliable."
	echo "Load average before the run: $load_before; after: $(cut -d' ' -f1-3 /proc/loadavg)."
	for wk in "${WLS[@]}"; do
		echo
		echo "**$wk** (${W_ROWS[$wk]} row changes):"
		echo
		echo "| peer | wall s | rows/s | × best native | × LOAD DATA | sluice CPU s | µs/row | peak RSS MiB | target CPU s | source CPU s | other CPU s | notes |"
		echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
		for k in "${KEYS[@]}"; do
			[[ ${k%%/*} == "$wk" ]] || continue
			rss="-"
			[[ -n ${R_RSS[$k]} ]] && rss=$(mib "${R_RSS[$k]}")
			printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "${k#*/}" "${R_WALL[$k]}" \
				"$(rate "${R_ROWS[$k]}" "${R_WALL[$k]}")" "$(x_ref "$k" "${BEST_NATIVE[$wk]:-}")" \
				"$(x_ref "$k" "${LOADK[$wk]:-}")" "${R_CPU[$k]:--}" "$(us_row "${R_CPU[$k]}" "${R_ROWS[$k]}")" \
				"$rss" "${R_TCPU[$k]}" "${R_SCPU[$k]}" "${R_OCPU[$k]}" "${R_NOTE[$k]}"
		done
	done
	echo
	echo "**Goals** (issue 4, item 6), from the best sluice run of each workload:"
	for wk in "${WLS[@]}"; do
		bs=${BEST_SLUICE[$wk]} bn=${BEST_NATIVE[$wk]:-}
		[[ -n $bn ]] || continue
		x=$(x_ref "$bs" "$bn")
		echo "* $wk: ${bs#*/} $(rate "${R_ROWS[$bs]}" "${R_WALL[$bs]}") rows/s against the best native replica (${bn#*/}) $(rate "${R_ROWS[$bn]}" "${R_WALL[$bn]}") rows/s: ${x}× (goal ≥ 3×) — $(goal "$x" 3)."
	done
	if [[ -n ${LOADK[oltp_insert]:-} ]]; then
		bs=${BEST_SLUICE[oltp_insert]} lk=${LOADK[oltp_insert]}
		x=$(x_ref "$bs" "$lk")
		echo "* oltp_insert: ${bs#*/} against LOAD DATA $(rate "${R_ROWS[$lk]}" "${R_WALL[$lk]}") rows/s: $(awk -v x="$x" 'BEGIN { printf "%.0f", 100 * x }')% (goal ≥ 80%) — $(goal "$x" 0.8)."
	fi
	for wk in "${WLS[@]}"; do
		bs=${BEST_SLUICE[$wk]}
		u=$(us_row "${R_CPU[$bs]}" "${R_ROWS[$bs]}")
		echo "* $wk: sluice's CPU per row ${u} µs (${bs#*/}; goal ≤ 1 µs) — $(goal_le "$u" 1)."
	done
	echo "* Worst of every sluice run: ${max_us} µs/row ($(goal_le "$max_us" 1)); peak RSS $(mib "$max_rss") MiB (goal < 256 MiB) — $(goal_lt "$max_rss" $((256 * 1024)))."
	if ((perf)); then
		for wk in "${WLS[@]}"; do
			echo
			echo "**Profile** of \`sluice run --to-end\` (workers $perf_workers), $wk: ${P_SPLIT[$wk]:-}."
			echo "sluice, self time (perf record -g):"
			echo
			echo '```'
			top_of "$BENCH_DIR/apply.perf-$wk-sluice.txt" 15
			echo '```'
			echo
			echo "The target \`mariadbd\` during that run (perf record -g -p), self time:"
			echo
			echo '```'
			top_of "$BENCH_DIR/apply.perf-$wk-target.txt" 12
			echo '```'
		done
	fi
	echo
	echo "Raw figures: \`$(rel "$tsv")\`$( ((perf)) && echo "; perf reports \`$(rel "$BENCH_DIR")/apply.perf-*.txt\`"). Re-run:"
	echo "\`bench/apply.sh\` (about $(((total_seconds + 59) / 60)) minutes here), see \`bench/README.md\`."
} >"$section"

bench_update_doc apply "$section"
cat "$section"
