#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# bench/binlog_decode.sh: how fast does `sluice binlog` read a large binlog,
# next to MariaDB's mysqlbinlog, measured in one run on the same files.
#
#   bench/binlog_decode.sh              # >= 1 GiB binlog, writes docs/BENCHMARKS.md
#   bench/binlog_decode.sh --quick      # ~64 MiB smoke run, docs untouched
#   bench/binlog_decode.sh --callgrind --perf   # plus instruction counts / profile
#
# 1. Generates (once, then cached) a binlog of >= BENCH_BINLOG_BYTES with
#    sysbench against a throwaway MariaDB source (tests/lib/mariadb.sh):
#    ROW format, FULL row image, FULL row metadata, --max-binlog-size=1G.
#    The closed binlog files are copied to $BENCH_DIR/binlog-<bytes>/ and the
#    server is stopped; meta.txt in that folder says how they were made.
# 2. Times, interleaved, BENCH_RUNS (3) times each, on the same files:
#      sluice binlog --json FILES > /dev/null
#      sluice binlog FILES > /dev/null                  (text)
#      sluice binlog --stats FILES                      (decode only)
#      sluice binlog --stats --no-verify FILES          (decode only, no CRC32)
#      mysqlbinlog --base64-output=decode-rows -vv FILES > /dev/null
#    and takes the median wall time; peak RSS from /usr/bin/time.
# 3. Peak RSS of --stats / --json on a small prefix (--stop-position) of the
#    first file against the whole set: memory must not grow with file size.
# 4. Writes $BENCH_DIR/binlog_decode.tsv and (full runs) the section between
#    the bench:binlog_decode markers of docs/BENCHMARKS.md.
#
# Options:
#   --quick        64 MiB binlog (unless BENCH_BINLOG_BYTES is set); results in
#                  binlog_decode-quick.tsv; docs only with --write-doc
#   --regen        throw away the cached binlog and generate a new one
#   --callgrind    count instructions of --stats on a prefix (needs valgrind)
#   --perf         perf stat + perf record of the --stats run, top functions
#   --write-doc    update docs/BENCHMARKS.md even in --quick mode
#   --no-doc       never touch docs/BENCHMARKS.md
#
# Environment: SLUICE (default $root/build/sluice, built with cmake when
# missing), MYSQLBINLOG (mysqlbinlog), BENCH_DIR ($root/bench/data),
# BENCH_BINLOG_BYTES (1073741824), BENCH_RUNS (3), BENCH_THREADS (4),
# BENCH_TABLES (8), BENCH_TABLE_SIZE (100000), BENCH_CHUNK_SECONDS (10; 3 with --quick),
# BENCH_SMALL_BYTES (64 MiB, at most 1/8 of the set), BENCH_CALLGRIND_BYTES
# (16 MiB), MDB_BUFFER_POOL (1G here), SL_TMP (server temp dirs).
#
# Test-speed server settings (from tests/lib/mariadb.sh):
# innodb-flush-log-at-trx-commit=2, sync-binlog=0, innodb-doublewrite=0.
# They only affect how fast the binlog is generated, not how it is decoded.

set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=../tests/lib/mariadb.sh
. "$root/tests/lib/mariadb.sh"
# What this script shares with bench/stream.sh.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$root/bench/lib.sh"

quick=0 regen=0 callgrind=0 perf=0 doc=auto
for a in "$@"; do
	case $a in
	--regen) regen=1 ;;
	--callgrind) callgrind=1 ;;
	*) bench_option "$a" ;;
	esac
done
bench_settings binlog_decode
bench_need "$MYSQLBINLOG" sysbench mariadbd /usr/bin/time awk

# ---------------------------------------------------------------- sluice ---
bench_build_sluice

# -------------------------------------------------------------- binlog -----
data=$BENCH_DIR/binlog-$target
mkdir -p "$BENCH_DIR"

generate() {
	local t0=$SECONDS port files bytes w
	rm -rf "$data" "$data.tmp"
	mkdir -p "$data.tmp"
	mdb_trap
	port=$(mdb_free_port 23700)
	mdb_start_source bsrc "$port" "${SERVER_OPTS[@]}"
	bench_sysbench_prepare bsrc "$data.tmp"
	mapfile -t files < <(mdb_binlogs bsrc)
	bytes=$(sum_sizes "${files[@]}")
	log "after prepare: $bytes bytes of binlog"
	bench_sysbench_fill bsrc "$data.tmp" "$t0"
	# Close the last file (it ends with a Rotate event) and keep the
	# closed ones; the new empty file stays behind.
	mdb_sql bsrc "FLUSH BINARY LOGS"
	mapfile -t files < <(mdb_binlogs bsrc)
	unset 'files[-1]'
	cp -- "${files[@]}" "$data.tmp/"
	local ver checksum rows
	ver=$(mdb_sql bsrc "SELECT VERSION()")
	checksum=$(mdb_sql bsrc "SELECT @@binlog_checksum")
	rows=$(mdb_sql bsrc "SELECT SUM(TABLE_ROWS) FROM information_schema.TABLES WHERE TABLE_SCHEMA='sbtest'")
	mdb_stop bsrc
	{
		printf 'target_bytes\t%s\n' "$target"
		printf 'generated\t%s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
		printf 'generation_seconds\t%s\n' $((SECONDS - t0))
		printf 'server\tMariaDB %s\n' "$ver"
		printf 'server_opts\tmdb_start_source (--binlog-format=ROW --binlog-row-image=FULL --gtid-strict-mode=1 --innodb-flush-log-at-trx-commit=2 --sync-binlog=0 --innodb-doublewrite=0 --innodb-buffer-pool-size=%s) %s\n' \
			"$MDB_BUFFER_POOL" "${SERVER_OPTS[*]}"
		printf 'binlog_checksum\t%s\n' "$checksum"
		printf 'sysbench\t%s\n' "$(sysbench --version)"
		printf 'sysbench_prepare\tsysbench oltp_write_only.lua --tables=%s --table-size=%s --threads=%s prepare\n' \
			"$tables" "$table_size" "$threads"
		printf 'sysbench_run\t%s chunk(s) of --time=%s --threads=%s: %s\n' "$bench_chunks" \
			"$chunk" "$threads" "$(for w in "${BENCH_WORKLOADS[@]}"; do
				printf '%s x%s ' "$w" "${BENCH_NCHUNKS[$w]:-0}"
			done)"
		printf 'table_rows_at_end\t%s\n' "$rows"
	} >"$data.tmp/meta.txt"
	mv "$data.tmp" "$data"
	trap - EXIT INT TERM HUP
	log "binlog ready in $data ($((SECONDS - t0)) s)"
}

if ((regen)) || [[ ! -f $data/meta.txt ]]; then
	generate
else
	log "using cached binlog in $data (--regen to make a new one)"
fi
mapfile -t files < <(find "$data" -maxdepth 1 -name '*-bin.[0-9]*' | sort)
((${#files[@]} > 0)) || die "no binlog files in $data"
total=$(sum_sizes "${files[@]}")
meta() { awk -F'\t' -v k="$1" '$1 == k { print $2 }' "$data/meta.txt"; }

# ---------------------------------------------------------- measurement ---
work=$(mktemp -d "${TMPDIR:-/tmp}/bench-binlog-XXXX")
trap 'rm -rf "$work"' EXIT
bench_copy_sluice
rfiles=()
for f in "${files[@]}"; do rfiles+=("$(rel "$f")"); done

# Warm the page cache: every tool reads the files from memory.
cat "${files[@]}" >/dev/null

declare -A CMD
NAMES=(sluice_json sluice_text sluice_stats sluice_stats_noverify mysqlbinlog)
CMD[sluice_json]="$(rel "$SLUICE") binlog --json FILES > /dev/null"
CMD[sluice_text]="$(rel "$SLUICE") binlog FILES > /dev/null"
CMD[sluice_stats]="$(rel "$SLUICE") binlog --stats FILES"
CMD[sluice_stats_noverify]="$(rel "$SLUICE") binlog --stats --no-verify FILES"
CMD[mysqlbinlog]="$MYSQLBINLOG --base64-output=decode-rows -vv FILES > /dev/null"

run_one() {
	case $1 in
	sluice_json) measure "$1" /dev/null "$SL" binlog --json "${files[@]}" ;;
	sluice_text) measure "$1" /dev/null "$SL" binlog "${files[@]}" ;;
	sluice_stats) measure "$1" "$work/$1.out" "$SL" binlog --stats "${files[@]}" ;;
	sluice_stats_noverify)
		measure "$1" "$work/$1.out" "$SL" binlog --stats --no-verify "${files[@]}" ;;
	mysqlbinlog)
		measure "$1" /dev/null "$MYSQLBINLOG" --base64-output=decode-rows -vv "${files[@]}" ;;
	esac
}

log "measuring ${#files[@]} file(s), $total bytes, $runs runs each (interleaved)"
for ((r = 1; r <= runs; r++)); do
	for n in "${NAMES[@]}"; do
		run_one "$n"
		log "run $r $(printf '%-22s' "$n") $(tail -n 1 "$work/$n.runs" | awk '{ printf "%.3f s, %d KiB", $1, $2 }')"
	done
done
rows=$(stat_field sluice_stats rows)
events=$(stat_field sluice_stats events)
self_mbs=$(stat_field sluice_stats MB/s)
self_rows=$(stat_field sluice_stats rows/s)
self_mbs_nv=$(stat_field sluice_stats_noverify MB/s)

declare -A WALL WMIN WMAX RSS CPU
for n in "${NAMES[@]}"; do
	read -r "WALL[$n]" "WMIN[$n]" "WMAX[$n]" "RSS[$n]" "CPU[$n]" < <(summarize "$n")
done

# Memory against file size: a prefix of the first file vs the whole set.
small=${BENCH_SMALL_BYTES:-$((64 << 20))}
((small > total / 8)) && small=$((total / 8))
first_size=$(stat -c %s "${files[0]}")
((small > first_size)) && small=$first_size
for ((r = 1; r <= runs; r++)); do
	measure small_stats "$work/small_stats.out" "$SL" binlog --stats --stop-position "$small" "${files[0]}"
	measure small_json /dev/null "$SL" binlog --json --stop-position "$small" "${files[0]}"
done
for n in small_stats small_json; do
	read -r "WALL[$n]" "WMIN[$n]" "WMAX[$n]" "RSS[$n]" "CPU[$n]" < <(summarize "$n")
done
small_rows=$(stat_field small_stats rows)
CMD[small_stats]="$(rel "$SLUICE") binlog --stats --stop-position $small $(rel "${files[0]}")"
CMD[small_json]="$(rel "$SLUICE") binlog --json --stop-position $small $(rel "${files[0]}") > /dev/null"

# ------------------------------------------------------ optional extras ---
cg_ir="" cg_rows="" cg_bytes="" cg_top=""
if ((callgrind)); then
	if command -v valgrind >/dev/null 2>&1; then
		cgb=${BENCH_CALLGRIND_BYTES:-$((16 << 20))}
		((cgb > first_size)) && cgb=$first_size
		log "callgrind on the first $cgb bytes"
		valgrind --tool=callgrind --callgrind-out-file="$work/callgrind.out" \
			"$SL" binlog --stats --stop-position "$cgb" "${files[0]}" \
			>"$work/cg.out" 2>"$work/cg.err" || die "valgrind failed (see $work/cg.err)"
		cg_ir=$(awk '/^(summary|totals):/ { print $2; exit }' "$work/callgrind.out")
		cg_rows=$(stat_field cg rows)
		cg_bytes=$(stat_field cg bytes)
		cg_cmd="valgrind --tool=callgrind $(rel "$SLUICE") binlog --stats --stop-position $cgb $(rel "${files[0]}")"
		if command -v callgrind_annotate >/dev/null 2>&1; then
			callgrind_annotate "$work/callgrind.out" 2>/dev/null >"$BENCH_DIR/binlog_decode.callgrind.txt" || true
			cg_top=$(awk '/^Ir/ && !s { s = 1; getline; next } s && NF >= 2 && $1 ~ /^[0-9,]+$/ { print; if (++k == 12) exit }' \
				"$BENCH_DIR/binlog_decode.callgrind.txt" | sed "s|$SL|$(rel "$SLUICE")|g")
		fi
	else
		log "valgrind not installed: skipping --callgrind"
		callgrind=0
	fi
fi

perf_stat=""
declare -A PERF_TOP=()
PERF_MODES=(sluice_stats sluice_json sluice_text)
# perf_top NAME ARGS...: perf record of `sluice binlog ARGS FILES`; the
# top functions (self time) into PERF_TOP[NAME], the report into BENCH_DIR.
perf_top() {
	local n=$1 rep=$BENCH_DIR/binlog_decode.perf-$1.txt
	shift
	perf record -q -g -o "$work/perf-$n.data" "$SL" binlog "$@" "${files[@]}" \
		>/dev/null 2>"$work/perf-$n.err" || return 0
	perf report -i "$work/perf-$n.data" --stdio --no-children -g none \
		--sort dso,symbol --percent-limit 0.5 2>/dev/null >"$rep" || return 0
	PERF_TOP[$n]=$(grep -E '^ +[0-9.]+%' "$rep" | head -n 12 |
		sed 's/^ *//; s/ *- *- *$//; s/  */ /g')
}
if ((perf)); then
	if command -v perf >/dev/null 2>&1; then
		log "perf stat / perf record of sluice binlog --stats, --json, text"
		if perf stat -e task-clock,cycles,instructions,branch-misses,cache-misses,page-faults \
			-o "$work/perf.stat" "$SL" binlog --stats "${files[@]}" >/dev/null 2>&1; then
			perf_stat=$(grep -E '^ +[0-9]' "$work/perf.stat" | sed 's/^ *//; s/  */ /g')
		fi
		perf_top sluice_stats --stats
		perf_top sluice_json --json
		perf_top sluice_text
		[[ -n $perf_stat${PERF_TOP[sluice_stats]:-} ]] ||
			log "perf did not work here (perf_event_paranoid?)"
	else
		log "perf not installed: skipping --perf"
		perf=0
	fi
fi

# -------------------------------------------------------------- results ---
rps() { awk -v r="$1" -v s="$2" 'BEGIN { printf "%.0f", (s > 0 ? r / s : 0) }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (b > 0 ? a / b : 0) }'; }

{
	printf 'tool\tcommand\truns\twall_median_s\twall_min_s\twall_max_s\tcpu_median_s\tpeak_rss_kib\tbytes\trows\tmb_s\trows_s\tx_faster_than_mysqlbinlog\n'
	for n in "${NAMES[@]}" small_stats small_json; do
		b=$total r=$rows
		if [[ $n == small_* ]]; then b=$small r=$small_rows; fi
		printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$n" "${CMD[$n]}" "$runs" \
			"${WALL[$n]}" "${WMIN[$n]}" "${WMAX[$n]}" "${CPU[$n]}" "${RSS[$n]}" "$b" "$r" \
			"$(mbs "$b" "${WALL[$n]}")" "$(rps "$r" "${WALL[$n]}")" \
			"$([[ $n == small_* ]] && echo - || ratio "${WALL[mysqlbinlog]}" "${WALL[$n]}")"
	done
	if [[ -n $cg_ir ]]; then
		printf 'callgrind_instructions\t%s\t1\t\t\t\t\t\t%s\t%s\t\t\t\n' "$cg_cmd" "$cg_bytes" "$cg_rows"
		printf '#\tIr %s  Ir/row %s  Ir/byte %s\n' "$cg_ir" \
			"$(awk -v i="$cg_ir" -v r="$cg_rows" 'BEGIN { printf "%.0f", (r ? i / r : 0) }')" \
			"$(awk -v i="$cg_ir" -v b="$cg_bytes" 'BEGIN { printf "%.2f", (b ? i / b : 0) }')"
	fi
} >"$tsv"
log "results: $tsv"
column -t -s $'\t' "$tsv" | cut -c1-220 >&2 || cat "$tsv" >&2

# ------------------------------------------------------------- the doc ----
x_json=$(ratio "${WALL[mysqlbinlog]}" "${WALL[sluice_json]}")
x_text=$(ratio "${WALL[mysqlbinlog]}" "${WALL[sluice_text]}")
stats_mbs=$(mbs "$total" "${WALL[sluice_stats]}")
mem_goal=$(awk -v a="${RSS[small_stats]}" -v b="${RSS[sluice_stats]}" -v c="${RSS[small_json]}" -v d="${RSS[sluice_json]}" \
	'BEGIN { print (b <= a * 1.25 + 1024 && d <= c * 1.25 + 1024) ? "met" : "**not met**" }')

bench_versions

section=$work/section.md
{
	echo "## Decoder: \`sluice binlog\` against mysqlbinlog"
	echo
	echo "Generated by \`bench/binlog_decode.sh\` on $(date -u +%Y-%m-%d) (${sluice_ver:-sluice ?} built $sluice_built, git $git_rev$git_dirty)."
	echo
	echo "**Tools:** \`$(rel "$SLUICE")\` (${sluice_ver:-?}; CMAKE_BUILD_TYPE=$build_type); \`$MYSQLBINLOG\`: $mysqlbinlog_ver."
	echo
	bench_machine
	echo "Files are read from the page cache (they are \`cat\` once before timing); every"
	echo "figure is the median of $runs runs, the tools interleaved, so ratios come from one run"
	echo "on the same files. MB = 10^6 bytes; MB/s = file bytes / wall time."
	echo
	echo "**Binlog:** ${#files[@]} file(s), $total bytes ($(awk -v b="$total" 'BEGIN { printf "%.2f GiB", b / 1073741824 }')), $events events, $rows row images"
	echo "(rows as counted by \`--stats\`; an UPDATE counts once). Made by $(meta server) with"
	echo "sysbench ($(meta sysbench)):"
	echo
	echo "* \`$(meta sysbench_prepare)\`"
	echo "* then $(meta sysbench_run)until the binlog reached $target bytes"
	echo "  (generation took $(meta generation_seconds) s)."
	echo
	echo "**Server:** $(meta server_opts); binlog_checksum=$(meta binlog_checksum)."
	echo "innodb-flush-log-at-trx-commit=2, sync-binlog=0 and innodb-doublewrite=0 are"
	echo "test-speed settings: they make generation faster and do not change what is decoded."
	echo
	echo "**Commands** (FILES = \`${rfiles[*]}\`):"
	echo
	echo '```sh'
	for n in "${NAMES[@]}"; do echo "${CMD[$n]}"; done
	echo '```'
	echo
	echo "| what | wall s (median; min–max) | MB/s | rows/s | peak RSS MiB | CPU s | × mysqlbinlog |"
	echo "|---|---:|---:|---:|---:|---:|---:|"
	for n in "${NAMES[@]}"; do
		case $n in
		sluice_json) what="sluice binlog --json" ;;
		sluice_text) what="sluice binlog (text)" ;;
		sluice_stats) what="sluice binlog --stats (decode only)" ;;
		sluice_stats_noverify) what="sluice binlog --stats --no-verify" ;;
		mysqlbinlog) what="mysqlbinlog --base64-output=decode-rows -vv" ;;
		esac
		printf '| %s | %.3f (%.3f–%.3f) | %s | %s | %s | %s | %s |\n' "$what" \
			"${WALL[$n]}" "${WMIN[$n]}" "${WMAX[$n]}" "$(mbs "$total" "${WALL[$n]}")" \
			"$(rps "$rows" "${WALL[$n]}")" "$(mib "${RSS[$n]}")" "${CPU[$n]}" \
			"$(ratio "${WALL[mysqlbinlog]}" "${WALL[$n]}")"
	done
	echo
	echo "\`--stats\` reports its own timing (no process start-up): $self_mbs MB/s, $self_rows rows/s"
	echo "(last run; $self_mbs_nv MB/s with \`--no-verify\`). sluice checks every event's CRC32 by"
	echo "default; mysqlbinlog does not unless given \`--verify-binlog-checksum\`."
	echo
	echo "**Memory against file size** (peak RSS, same binary, a $small-byte prefix of the first"
	echo "file via \`--stop-position\` against all $total bytes):"
	echo
	echo "| command | bytes | rows | peak RSS MiB |"
	echo "|---|---:|---:|---:|"
	echo "| \`${CMD[small_stats]}\` | $small | $small_rows | $(mib "${RSS[small_stats]}") |"
	echo "| \`${CMD[sluice_stats]}\` | $total | $rows | $(mib "${RSS[sluice_stats]}") |"
	echo "| \`${CMD[small_json]}\` | $small | $small_rows | $(mib "${RSS[small_json]}") |"
	echo "| \`${CMD[sluice_json]}\` | $total | $rows | $(mib "${RSS[sluice_json]}") |"
	echo
	echo "**Goals** (issue acceptance):"
	echo
	echo "* text output ≥ 10× mysqlbinlog: JSON ${x_json}×, text ${x_text}× — $(goal "$(awk -v a="$x_json" -v b="$x_text" 'BEGIN { print a < b ? a : b }')" 10)."
	echo "* decode-only ≥ 1 GB/s on one core: $stats_mbs MB/s wall ($self_mbs MB/s self-timed) — $(goal "$stats_mbs" 1000)."
	echo "* peak memory independent of file size: $(mib "${RSS[small_stats]}") MiB for $small bytes vs $(mib "${RSS[sluice_stats]}") MiB for $total bytes (--stats) — $mem_goal."
	if [[ -n $cg_ir ]]; then
		echo
		echo "**Instructions** (\`$cg_cmd\`): $cg_ir instructions for $cg_bytes bytes, $cg_rows rows:"
		echo "$(awk -v i="$cg_ir" -v r="$cg_rows" 'BEGIN { printf "%.0f", (r ? i / r : 0) }') per row,"
		echo "$(awk -v i="$cg_ir" -v b="$cg_bytes" 'BEGIN { printf "%.2f", (b ? i / b : 0) }') per byte (includes process start-up)."
		if [[ -n $cg_top ]]; then
			echo
			echo '```'
			printf '%s\n' "$cg_top"
			echo '```'
		fi
	fi
	if [[ -n $perf_stat ]]; then
		echo
		echo "**perf stat** of \`${CMD[sluice_stats]}\`:"
		echo
		echo '```'
		printf '%s\n' "$perf_stat"
		echo '```'
	fi
	for n in "${PERF_MODES[@]}"; do
		[[ -n ${PERF_TOP[$n]:-} ]] || continue
		echo
		echo "**Profile** (perf record, self time, top functions) of \`${CMD[$n]}\`:"
		echo
		echo '```'
		printf '%s\n' "${PERF_TOP[$n]}"
		echo '```'
	done

	echo
	echo "Raw figures: \`$(rel "$tsv")\`. Re-run: \`bench/binlog_decode.sh\` (the binlog is cached"
	echo "in \`$(rel "$data")/\`; \`--regen\` makes a new one), see \`bench/README.md\`."
} >"$section"

bench_update_doc binlog_decode "$section"
cat "$section"
