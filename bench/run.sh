#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# bench/run.sh: the bench suite: spec tiers, worker-count and batch sweeps
# and peer comparisons in one command, on this machine, in one run.
#
#   bench/run.sh                # full (about 30 min on 2 cores): updates docs/BENCHMARKS.md
#   bench/run.sh --quick        # small sizes, a few minutes (CI): docs untouched
#   bench/run.sh --compare A.tsv B.tsv [OUT.md]   # only compare the ratios of two runs
#
# Starts a local MariaDB source and, one at a time, targets started from
# copies of data-directory snapshots (bench/lib.sh), prepares the sysbench
# tables, and runs, printing a progress line per measurement:
#  1. Catch-up: three fixed binlog windows (one binlog file each) made on
#     the source by sysbench oltp_insert, oltp_write_only and
#     bench/unique_update.lua (an update-heavy mix on tables with a secondary
#     UNIQUE key whose values move between rows), each applied from its start
#     on a fresh target holding the data of the window's start by
#       - MariaDB replication: single-threaded, and slave_parallel_threads
#         4 and 16 in optimistic and conservative mode (BENCH_NATIVE);
#       - mariadb-binlog FILE | mariadb (a fresh copy, one session);
#       - LOAD DATA INFILE of the inserted rows (oltp_insert: the ceiling);
#       - sluice run --to-end with every spec tier (2rcu 4rcu 8rcu 16rcu).
#  2. Sustained rate: per tier, sysbench oltp_write_only --rate so the row
#     rate is the tier's published incremental rate (10k 20k 40k 80k rows/s;
#     4 row changes per transaction) for BENCH_SUSTAIN_SECONDS while sluice
#     (spec: TIER) replicates live; a heartbeat row written on the source
#     every 20 ms gives the lag (p50 p99 max); the CPU of sluice, the
#     target and the source mariadbd (and their busiest threads) says what
#     limits it.  The fastest native replica of the oltp_write_only window
#     runs the same load as the peer (not with --quick).
#  3. Sweeps on the oltp_write_only window: workers 1 2 4 8 16 32 64 at
#     batch 256, batch 1 10 100 500 1000 at 8 workers.
#  4. bench/binlog_decode.sh and bench/stream.sh (their --quick mode, on a
#     BENCH_STREAM_BYTES binlog, docs untouched): the decoder's and the
#     stream's figures against mysqlbinlog.
# After every replica and sluice run CHECKSUM TABLE of every table must
# equal the source's, or the suite fails (exit 1): CI runs --quick for that.
# Writes $BENCH_DIR/suite.tsv (suite-quick.tsv), the plot docs/bench-suite.png
# ($BENCH_DIR/suite-quick.png) and the section between the bench:suite
# markers of docs/BENCHMARKS.md ($BENCH_DIR/suite-section.md with --quick);
# the previous TSV is kept as suite.prev.tsv and the ratios of the two runs
# are compared in $BENCH_DIR/suite-compare.md.
#
# Options:
#   --quick        4 x 20k rows, 10k-row windows, fewer peers and sweep points,
#                  2rcu and 4rcu only, 5 s of sustained load; docs only with
#                  --write-doc
#   --write-doc    update docs/BENCHMARKS.md (and docs/bench-suite.png) even
#                  with --quick
#   --no-doc       never touch docs/
#   --compare A B [OUT]  write OUT ($BENCH_DIR/suite-compare.md) from two
#                  suite TSVs, print it, exit
#
# Environment: SLUICE (default $root/build/sluice, built when missing),
# BENCH_DIR ($root/bench/data), BENCH_TABLES (8; 4), BENCH_TABLE_SIZE
# (100000; 20000), BENCH_UNIQUE_TABLES (4; 2), BENCH_THREADS (4),
# BENCH_WINDOW_ROWS (1000000; 10000: row changes per catch-up window),
# BENCH_REPLAY_ROWS (250000; 0 = all: the replay peer replays only the
# window's first so many row changes, made by a sysbench run of their own),
# BENCH_NATIVE ("0 4:optimistic 4:conservative 16:optimistic 16:conservative";
# "0 4:optimistic"), BENCH_TIERS ("2rcu 4rcu 8rcu 16rcu"; "2rcu 4rcu"),
# BENCH_SUSTAIN_TIERS (same), BENCH_SUSTAIN_SECONDS (20; 5),
# BENCH_RATE_THREADS (8), BENCH_SUSTAIN_PEER (1; 0), BENCH_DISTURBED (0.5 cores
# of other processes' CPU during a catch-up measurement make it run once more;
# off with --quick), BENCH_MAX_RETRIES (12), BENCH_QUIET_WAIT (600 s in all of
# waiting before measurements while others keep the machine busier than
# BENCH_DISTURBED cores; 0 with --quick), BENCH_SWEEP_WORKERS
# ("1 2 4 8 16 32 64"; "1 16 64"), BENCH_SWEEP_BATCH ("1 10 100 500 1000";
# "1 1000"), BENCH_STREAM_BYTES (268435456; 16777216), BENCH_STREAM_RUNS (7; 3),
# BENCH_SKIP_STREAM=1, BENCH_SHORT, BENCH_REPEAT, BENCH_MEDIUM and
# BENCH_REPEAT_MEDIUM (see run_step),
# MDB_BUFFER_POOL (1G; 256M), SL_TMP (data directories; /dev/shm when it has
# 12 GiB available), BENCH_TMPFS=0 (keep them on disk).
#
# Test-speed server settings (tests/lib/mariadb.sh), the same on the source
# and on every target: innodb-flush-log-at-trx-commit=2, sync-binlog=0,
# innodb-doublewrite=0.

set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=../tests/lib/mariadb.sh
. "$root/tests/lib/mariadb.sh"
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$root/bench/lib.sh"

# ------------------------------------------------------------ compare ---
# compare_runs A B OUT: every ratio column of two suite TSVs side by side,
# matched on scenario/workload/config, with the relative difference.  A
# sustained tier whose load the co-located source could not offer (under
# 95% of the published rate in either run) has its x_published listed
# apart, not compared: that figure is the source's capacity on this
# machine, not sluice's.  There x_offered (applied / offered) is compared.
compare_runs() {
	local a=$1 b=$2 out=$3
	{
		echo "# Suite: the ratios of two runs"
		echo
		grep -m1 '^# machine' "$b" | sed 's/^# machine: /**Machine:** /' || true
		echo
		echo "Run A: \`$(rel "$a")\` ($(grep -m1 '^# generated' "$a" | sed 's/^# generated: //'))."
		echo "Run B: \`$(rel "$b")\` ($(grep -m1 '^# generated' "$b" | sed 's/^# generated: //'))."
		echo "diff % = (B - A) / A; ratios whose runs differ by more than 15% are marked."
		echo
		echo "| scenario | workload | config | ratio | A | B | diff % | |"
		echo "|---|---|---|---|---:|---:|---:|---|"
		awk -F'\t' '
			FNR == 1 { f++ }
			/^#/ { next }
			$1 == "scenario" { for (i = 1; i <= NF; i++) col[f, $i] = i; next }
			{ key = $1 "|" $2 "|" $3
			  if (!(key in seen)) { seen[key] = 1; order[++n] = key }
			  for (j = 1; j <= nr; j++) { c = col[f, rn[j]]; if (c) v[f, key, rn[j]] = $c }
			  pu = $col[f, "published_rows_s"]; of = $col[f, "offered_rows_s"]; ap = $col[f, "applied_rows_s"]
			  if (col[f, "offered_rows_s"] && pu + 0 > 0 && of + 0 > 0) {
				v[f, key, "x_offered"] = sprintf("%.3f", ap / of)
				if (of < 0.95 * pu) short[key] = 1
			  } }
			BEGIN { nr = split("x_best_peer x_load_data x_mysqlbinlog x_published x_offered x_peer_lag", rn, " ") }
			END {
				for (i = 1; i <= n; i++) for (j = 1; j <= nr; j++) {
					key = order[i]; r = rn[j]; x = v[1, key, r]; y = v[2, key, r]
					if (x == "" || y == "" || x == "-" || y == "-") continue
					if (r == "x_offered" && !(key in short)) continue
					if (r == "x_published" && key in short) {
						split(key, k, "|")
						apart = apart sprintf("* %s %s %s: x_published %s and %s (%+.1f%%)\n", k[1], k[2], k[3], x, y,
							(x > 0 ? 100 * (y - x) / x : 0))
						continue
					}
					d = (x > 0) ? 100 * (y - x) / x : 0
					split(key, k, "|")
					m = (d > 15 || d < -15) ? "**> 15%**" : ""
					if (d > 15 || d < -15) bad++
					tot++; ad = d < 0 ? -d : d; s += ad; if (ad > mx) mx = ad
					printf "| %s | %s | %s | %s | %s | %s | %+.1f | %s |\n", k[1], k[2], k[3], r, x, y, d, m
				}
				if (apart != "")
					printf "\nNot compared: the source offered under 95%% of the tier'"'"'s rate (these measure the co-located source; sluice'"'"'s x_offered is compared above):\n\n%s", apart
				printf "\n%d ratios compared; %d differ by more than 15%%; mean |diff| %.1f%%, max %.1f%%.\n", tot, bad, (tot ? s / tot : 0), mx
			}' "$a" "$b"
	} >"$out"
}

if [[ ${1:-} == --compare ]]; then
	[[ ($# -eq 3 || $# -eq 4) && -f $2 && -f $3 ]] || { echo "usage: bench/run.sh --compare A.tsv B.tsv [OUT.md]" >&2; exit 2; }
	BENCH_DIR=${BENCH_DIR:-$root/bench/data}
	out=${4:-$BENCH_DIR/suite-compare.md}
	compare_runs "$2" "$3" "$out"
	cat "$out"
	exit 0
fi

quick=0 perf=0 doc=auto
for a in "$@"; do
	bench_option "$a"
done
((perf == 0)) || die "--perf: profile with bench/apply.sh --perf"
qsfx="" qflag=""
if ((quick)); then qsfx=-quick qflag=" --quick"; fi
if ((quick)); then
	export MDB_BUFFER_POOL=${MDB_BUFFER_POOL:-256M}
fi
bench_settings suite
T_START=$SECONDS
if ((quick)); then
	utables=${BENCH_UNIQUE_TABLES:-2}
	window_rows=${BENCH_WINDOW_ROWS:-10000}
	replay_rows=${BENCH_REPLAY_ROWS:-0}
	read -r -a NATIVE <<<"${BENCH_NATIVE:-0 4:optimistic}"
	read -r -a TIERS <<<"${BENCH_TIERS:-2rcu 4rcu}"
	read -r -a STIERS <<<"${BENCH_SUSTAIN_TIERS:-2rcu 4rcu}"
	sustain=${BENCH_SUSTAIN_SECONDS:-5}
	sustain_peer=${BENCH_SUSTAIN_PEER:-0}
	read -r -a SWEEP_W <<<"${BENCH_SWEEP_WORKERS:-1 16 64}"
	read -r -a SWEEP_B <<<"${BENCH_SWEEP_BATCH:-1 1000}"
	stream_bytes=${BENCH_STREAM_BYTES:-$((16 << 20))}
	stream_runs=${BENCH_STREAM_RUNS:-3}
else
	utables=${BENCH_UNIQUE_TABLES:-4}
	window_rows=${BENCH_WINDOW_ROWS:-1000000}
	replay_rows=${BENCH_REPLAY_ROWS:-250000}
	read -r -a NATIVE <<<"${BENCH_NATIVE:-0 4:optimistic 4:conservative 16:optimistic 16:conservative}"
	read -r -a TIERS <<<"${BENCH_TIERS:-2rcu 4rcu 8rcu 16rcu}"
	read -r -a STIERS <<<"${BENCH_SUSTAIN_TIERS:-2rcu 4rcu 8rcu 16rcu}"
	sustain=${BENCH_SUSTAIN_SECONDS:-20}
	sustain_peer=${BENCH_SUSTAIN_PEER:-1}
	read -r -a SWEEP_W <<<"${BENCH_SWEEP_WORKERS:-1 2 4 8 16 32 64}"
	read -r -a SWEEP_B <<<"${BENCH_SWEEP_BATCH:-1 10 100 500 1000}"
	stream_bytes=${BENCH_STREAM_BYTES:-$((256 << 20))}
	# sluice streams 256 MiB in 0.3 s: the median of 3 moved 16% between
	# two suite runs, that of 7 costs half a minute more.
	stream_runs=${BENCH_STREAM_RUNS:-7}
fi
if [[ $doc == yes ]]; then png=$root/docs/bench-suite.png; else png=$BENCH_DIR/suite$qsfx.png; fi
rate_threads=${BENCH_RATE_THREADS:-8}
sweep_batch_fixed=256 sweep_workers_fixed=8
export BENCH_APPLY_TIMEOUT=${BENCH_APPLY_TIMEOUT:-1800}
((utables <= tables)) || die "BENCH_UNIQUE_TABLES ($utables) > BENCH_TABLES ($tables)"
bench_need sysbench mariadbd mariadb mariadb-binlog /usr/bin/time awk curl gnuplot
ncpu=$(nproc)

# The tiers: workers and batch from core/config.c (the source of truth),
# the published incremental rates from docs/configuration.md.
# (The defaults below are used only if core/config.c cannot be read.)
declare -A TIER_RATE=([2rcu]=10000 [4rcu]=20000 [8rcu]=40000 [16rcu]=80000)
declare -A TIER_W=([2rcu]=4 [4rcu]=8 [8rcu]=16 [16rcu]=32) TIER_B=([2rcu]=256 [4rcu]=256 [8rcu]=512 [16rcu]=512)
while read -r n w b; do
	TIER_W[$n]=$w TIER_B[$n]=$b
done < <(sed -nE 's/^[[:space:]]*\{"([0-9]+rcu)", *([0-9]+), *([0-9]+)[,}].*/\1 \2 \3/p' "$root/core/config.c" 2>/dev/null)
for t in "${TIERS[@]}" "${STIERS[@]}"; do
	[[ -n ${TIER_W[$t]:-} && -n ${TIER_RATE[$t]:-} ]] || die "unknown tier '$t' (core/config.c: ${!TIER_W[*]})"
done

# ---------------------------------------------------------------- sluice ---
bench_build_sluice
mkdir -p "$BENCH_DIR"
# Data directories and work files on tmpfs (/dev/shm) when the machine has
# the memory (a full run holds about 6 GiB there): a virtual disk shared
# with other machines stalled the servers ~10% of a run (/proc/pressure/io)
# and moved single-threaded peers by up to 15% between runs.  BENCH_TMPFS=0
# or an SL_TMP of your own keeps them on disk.
data_on="disk (${SL_TMP:-/tmp})"
if [[ -z ${SL_TMP:-} && ${BENCH_TMPFS:-1} != 0 && -d /dev/shm && -w /dev/shm ]] &&
	(($(awk '/^MemAvailable:/ { print int($2 / 1048576) }' /proc/meminfo) >= 12)); then
	export SL_TMP=/dev/shm TMPDIR=/dev/shm
	data_on="tmpfs (/dev/shm)"
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/bench-suite-XXXX")
BG_PIDS=()
# Background helpers (samplers, heartbeat) end before the servers stop.
# shellcheck disable=SC2016
mdb_trap 'for p in "${BG_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"'
bench_copy_sluice
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
BENCH_LOGS=$BENCH_DIR/suite-logs
mkdir -p "$BENCH_LOGS"
BENCH_OBJECTS='["sbtest.*", "bench.*"]'

TGT_OPTS=(--server-id=2 --skip-log-bin --skip-slave-start --relay-log=relay-bin
	--innodb-log-file-size=512M --max-connections=500)
TABLES=() UTABLES=()
for ((i = 1; i <= tables; i++)); do TABLES+=("sbtest$i"); done
for ((i = 1; i <= utables; i++)); do UTABLES+=("uniq$i"); done
tlist=$(printf 'sbtest.%s, ' "${TABLES[@]}" "${UTABLES[@]}")
tlist="${tlist}bench.heartbeat"

# ------------------------------------------------------------ progress ---
WLS=(oltp_insert oltp_write_only unique_update)
steps_total=$((${#WLS[@]} * (${#NATIVE[@]} + 1 + ${#TIERS[@]}) + 1 + ${#SWEEP_W[@]} + ${#SWEEP_B[@]} +
	${#STIERS[@]} * (1 + sustain_peer)))
[[ -n ${BENCH_SKIP_STREAM:-} ]] || steps_total=$((steps_total + 2))
step_no=0
# step: the prefix of the next progress line ("[ n/N  m:ss] ").
step() {
	step_no=$((step_no + 1))
	local e=$((SECONDS - T_START))
	BENCH_PROGRESS=$(printf '[%2d/%d %2d:%02d] ' "$step_no" "$steps_total" $((e / 60)) $((e % 60)))
}

# ------------------------------------------------------ source, snapshot ---
sport=$(mdb_free_port 23900)
mdb_start_source asrc "$sport" "${SERVER_OPTS[@]}"
spid=$(mdb_pid asrc)
sdata=$(mdb_datadir asrc)
server_ver=$(mdb_sql asrc "SELECT VERSION()")
bench_sysbench_prepare asrc "$work"
log "unique-key tables: $utables x $table_size rows (copies of sbtest1..$utables, u = id, UNIQUE KEY (u))"
for ((i = 1; i <= utables; i++)); do
	mdb_sql asrc "CREATE TABLE sbtest.uniq$i (id INT NOT NULL PRIMARY KEY, k INT NOT NULL DEFAULT 0,
		u INT NOT NULL, c CHAR(120) NOT NULL DEFAULT '', pad CHAR(60) NOT NULL DEFAULT '',
		KEY k_$i (k), UNIQUE KEY u_$i (u)) ENGINE=InnoDB;
		INSERT INTO sbtest.uniq$i SELECT id, k, id, c, pad FROM sbtest.sbtest$i"
done
mdb_sql asrc "CREATE DATABASE bench;
	CREATE TABLE bench.heartbeat (id INT NOT NULL PRIMARY KEY, ts DATETIME(6) NOT NULL);
	INSERT INTO bench.heartbeat VALUES (1, NOW(6))"
bench_checksums asrc >"$work/sum-prepared.txt"
log "snapshot S0: a copy of the source's data directory"
bench_snapshot_source asrc "$work/snap-0"
snap_no=0
snap=$work/snap-0
# next_snap: the name of the snapshot the next kept target becomes.
next_snap() { printf '%s/snap-%d\n' "$work" $((snap_no + 1)); }
# advance KEEP: the kept target is now the starting point.
advance() {
	rm -rf "$snap"
	snap=$1
	snap_no=$((snap_no + 1))
}

# Per result key, what run.sh adds to bench/lib.sh's R_* arrays.
declare -A R_SCEN R_WL R_CONF R_WORKERS R_BATCH R_TIER
declare -A S_PUB S_OFFER S_APPLIED S_P50 S_P99 S_MAX S_HOLDS S_STEADY S_LIMIT S_DETAIL
meta() { # KEY SCENARIO WORKLOAD CONFIG [WORKERS BATCH TIER]
	R_SCEN[$1]=$2 R_WL[$1]=$3 R_CONF[$1]=$4 R_WORKERS[$1]=${5:-} R_BATCH[$1]=${6:-} R_TIER[$1]=${7:-}
}

# run_step KEY KEEP CMD...: CMD measures and records KEY.  When other
# processes used more than BENCH_DISTURBED (0.5) cores on average during
# it (the "other CPU" of bench/lib.sh: a shared machine), it is measured
# once more (KEEP, a snapshot CMD made, removed first) and the less
# disturbed of the two is kept.  When both were disturbed the machine is
# busy: no retries until a measurement is undisturbed, and at most
# BENCH_MAX_RETRIES (12) in all.  A measurement shorter than BENCH_SHORT
# (10 s) is the best of BENCH_REPEAT (3) runs, one shorter than
# BENCH_MEDIUM (30 s) the best of BENCH_REPEAT_MEDIUM (2): sluice and the
# peers alike (with --quick: one run each).
disturbed_thr=${BENCH_DISTURBED:-0.5}
((quick)) && disturbed_thr=${BENCH_DISTURBED:-1000} # --quick: correctness, no retries
disturbance() { awk -v o="${R_OCPU[$1]}" -v w="${R_WALL[$1]}" 'BEGIN { printf "%.2f", (w > 0 ? o / w : 0) }'; }
retries_left=${BENCH_MAX_RETRIES:-12} busy_mode=0
repeat_short=${BENCH_REPEAT:-3} short_s=${BENCH_SHORT:-10}
repeat_medium=${BENCH_REPEAT_MEDIUM:-2} medium_s=${BENCH_MEDIUM:-30}
((quick)) && repeat_short=${BENCH_REPEAT:-1} repeat_medium=${BENCH_REPEAT_MEDIUM:-1}
# repeats_for KEY: how many runs KEY's first measurement asks for.
repeats_for() {
	awk -v w="${R_WALL[$1]}" -v s="$short_s" -v m="$medium_s" -v rs="$repeat_short" -v rm="$repeat_medium" \
		'BEGIN { print (w < s ? rs : (w < m ? rm : 1)) }'
}
quiet_budget=${BENCH_QUIET_WAIT:-600}
((quick)) && quiet_budget=0
# quiet_gate: before a measurement, wait (5 s at a time, within the
# BENCH_QUIET_WAIT budget of the whole run: 600 s; none with --quick)
# while the machine is busier than BENCH_DISTURBED cores over half a
# second: other users' jobs on a shared machine.
quiet_gate() {
	local b0 b1 c waited=0
	while ((quiet_budget > 0)); do
		b0=$(busy)
		sleep 0.5
		b1=$(busy)
		c=$(awk -v d=$((b1 - b0)) -v hz="$BENCH_CLK_TCK" 'BEGIN { printf "%.2f", d / hz / 0.5 }')
		awk -v c="$c" -v t="$disturbed_thr" 'BEGIN { exit !(c > t) }' || break
		((waited == 0)) && log "the machine is busy ($c cores in use by others): waiting for it to calm down (up to $quiet_budget s more)"
		sleep 5
		waited=$((waited + 5)) quiet_budget=$((quiet_budget - 5))
	done
	((waited == 0)) || log "waited $waited s for a quiet machine"
	return 0
}
# save_rec KEY / restore_rec KEY: one measurement's record, kept aside
# while KEY is measured again.
declare -A SAVED=()
rec_arrays=(R_ROWS R_WALL R_CPU R_RSS R_TCPU R_SCPU R_NOTE R_CMD R_KIND R_OCPU)
save_rec() {
	local a
	for a in "${rec_arrays[@]}"; do
		local -n arr=$a
		SAVED[$a]=${arr[$1]}
		unset -n arr
	done
}
restore_rec() {
	local a
	for a in "${rec_arrays[@]}"; do
		local -n arr=$a
		arr[$1]=${SAVED[$a]}
		unset -n arr
	done
}
# again KEY KEEP CMD...: measure KEY once more (the previous record saved).
again() {
	local k=$1 keep=$2
	shift 2
	save_rec "$k"
	unset 'KEYS[-1]'
	[[ -z $keep ]] || rm -rf -- "$keep"
	quiet_gate
	"$@"
}
is_disturbed() { awk -v d="$1" -v t="$disturbed_thr" 'BEGIN { exit !(d > t) }'; }
run_step() {
	local k=$1 keep=$2 d1 d2 v n w0 reps
	shift 2
	quiet_gate
	"$@"
	d1=$(disturbance "$k")
	if ! is_disturbed "$d1"; then
		busy_mode=0
	elif ((busy_mode || retries_left <= 0)); then
		R_NOTE[$k]+="; disturbed: other processes used $d1 cores meanwhile"
	else
		retries_left=$((retries_left - 1))
		log "$k: other processes used $d1 cores meanwhile: measuring it again"
		again "$k" "$keep" "$@"
		d2=$(disturbance "$k")
		if is_disturbed "$d2"; then
			busy_mode=1
			log "the machine stays busy: no more retries until a measurement is undisturbed"
		fi
		if awk -v a="$d1" -v b="$d2" 'BEGIN { exit !(a < b) }'; then
			restore_rec "$k"
			v=$d2
			R_NOTE[$k]+="; measured twice, the other run was disturbed by $v cores of other processes"
			log "$k: the first measurement was less disturbed ($d1 < $d2 cores): kept"
		else
			R_NOTE[$k]+="; measured twice, the first run was disturbed by $d1 cores of other processes"
		fi
	fi
	# Short measurements are the noisiest: under BENCH_SHORT seconds, best
	# of BENCH_REPEAT runs; under BENCH_MEDIUM, of BENCH_REPEAT_MEDIUM (the
	# fastest undisturbed one).  A single native run of 20 s varied 13%.
	reps=$(repeats_for "$k")
	for ((n = 1; n < reps; n++)); do
		w0=${R_WALL[$k]}
		again "$k" "$keep" "$@"
		d2=$(disturbance "$k")
		if is_disturbed "$d2" || awk -v a="$w0" -v b="${R_WALL[$k]}" 'BEGIN { exit !(a <= b) }'; then
			restore_rec "$k"
		fi
		R_NOTE[$k]=${R_NOTE[$k]%%; best of *}"; best of $((n + 1)) runs"
	done
	return 0
}

# ------------------------------------------------------------ catch-up ---
# Rows per event: oltp_insert 1, oltp_write_only 4, unique_update 6.
declare -A WL_EVENTS=([oltp_insert]=$window_rows [oltp_write_only]=$((window_rows / 4))
	[unique_update]=$((window_rows / 6)))
declare -A WL_SEED=([oltp_insert]=21 [oltp_write_only]=22 [unique_update]=23)
unique_args=("--tables=$utables" "--table_size=$table_size" "--threads=$threads")
for wk in "${WLS[@]}"; do
	# The replay peer's prefix: the window's first BENCH_REPLAY_ROWS rows.
	pfx=0
	((replay_rows <= 0 || replay_rows >= window_rows)) ||
		pfx=$((WL_EVENTS[$wk] * replay_rows / window_rows))
	if [[ $wk == unique_update ]]; then
		BENCH_PREFIX_EVENTS=$pfx bench_window "$wk" "${WL_EVENTS[$wk]}" "${WL_SEED[$wk]}" \
			"$root/bench/unique_update.lua" "${bench_sb_conn[@]}" "${unique_args[@]}"
	else
		BENCH_PREFIX_EVENTS=$pfx bench_window "$wk" "${WL_EVENTS[$wk]}" "${WL_SEED[$wk]}" \
			"$SB_DIR/$wk.lua" "${bench_sb[@]}"
	fi
	for nm in "${NATIVE[@]}"; do
		n=${nm%%:*} mode=optimistic
		[[ $nm == *:* ]] && mode=${nm#*:}
		name=native-$n
		((n > 0)) && name+=-$mode
		step
		meta "$wk/$name" catch-up "$wk" "$name"
		run_step "$wk/$name" "" bench_native "$wk/$name" "$wk" "$n" "$mode" "$snap"
	done
	step
	meta "$wk/replay" catch-up "$wk" replay
	run_step "$wk/replay" "" bench_replay "$wk/replay" "$wk" "$snap"
	if [[ $wk == oltp_insert ]]; then
		step
		meta "$wk/load-data" catch-up "$wk" load-data
		run_step "$wk/load-data" "" bench_load_data "$wk/load-data" "$wk" "$snap"
	fi
	runs=()
	for t in "${TIERS[@]}"; do
		runs+=("$wk/sluice-$t|$t|${TIER_W[$t]}|${TIER_B[$t]}|catch-up|sluice-$t|$t")
	done
	if [[ $wk == oltp_write_only ]]; then
		for w in "${SWEEP_W[@]}"; do
			runs+=("sweep-workers/w$w|{ workers: $w, batch: $sweep_batch_fixed }|$w|$sweep_batch_fixed|sweep-workers|w$w b$sweep_batch_fixed|")
		done
		for b in "${SWEEP_B[@]}"; do
			runs+=("sweep-batch/b$b|{ workers: $sweep_workers_fixed, batch: $b }|$sweep_workers_fixed|$b|sweep-batch|w$sweep_workers_fixed b$b|")
		done
	fi
	for i in "${!runs[@]}"; do
		IFS='|' read -r key spec w b scen conf tier <<<"${runs[$i]}"
		keep=""
		((i == ${#runs[@]} - 1)) && keep=$(next_snap)
		step
		meta "$key" "$scen" "$wk" "$conf" "$w" "$b" "$tier"
		run_step "$key" "$keep" bench_sluice_run "$key" "$wk" "$spec" "$snap" "$keep"
	done
	advance "$(next_snap)"
done

# Best replica peer (native or replay) per workload, and LOAD DATA.
declare -A BEST_PEER LOADK
for k in "${KEYS[@]}"; do
	wk=${R_WL[$k]}
	case ${R_KIND[$k]} in
	native | replay)
		b=${BEST_PEER[$wk]:-}
		if [[ -z $b ]] || (($(rate "${R_ROWS[$k]}" "${R_WALL[$k]}") > $(rate "${R_ROWS[$b]}" "${R_WALL[$b]}"))); then
			BEST_PEER[$wk]=$k
		fi
		;;
	load) LOADK[$wk]=$k ;;
	esac
done
# The sustained-rate peer: the fastest native replica of oltp_write_only.
best_native="" best_native_rate=0
for k in "${KEYS[@]}"; do
	[[ ${R_KIND[$k]} == native && ${R_WL[$k]} == oltp_write_only ]] || continue
	r=$(rate "${R_ROWS[$k]}" "${R_WALL[$k]}")
	if ((r > best_native_rate)); then best_native=$k best_native_rate=$r; fi
done

# ------------------------------------------------------- sustained rate ---
# thread_ticks PID: "tid ticks" of every thread of PID.
thread_ticks() {
	local t l
	local -a f
	for t in /proc/"$1"/task/*; do
		read -r l 2>/dev/null <"$t/stat" || continue
		read -r -a f <<<"${l##*) }"
		echo "${t##*/} $((f[11] + f[12]))"
	done
}
# busiest FILE0 FILE1 SECONDS: the busiest thread's CPU % of one core.
busiest() {
	awk -v s="$3" -v hz="$BENCH_CLK_TCK" 'NR == FNR { a[$1] = $2; next }
		{ d = $2 - a[$1]; if (d > m) m = d } END { printf "%.0f", 100 * m / hz / s }' "$1" "$2"
}
# cpu_sampler OUT PID...: every second "epoch busy ticks(PID)..." (no forks
# but sleep).
cpu_sampler() {
	local out=$1 p line c l
	local -a f
	shift
	while :; do
		read -r -a c </proc/stat
		line="$EPOCHREALTIME $((c[1] + c[2] + c[3] + c[6] + c[7] + c[8]))"
		for p in "$@"; do
			if read -r l 2>/dev/null <"/proc/$p/stat"; then
				read -r -a f <<<"${l##*) }"
				line+=" $((f[11] + f[12]))"
			else
				line+=" 0"
			fi
		done
		echo "$line" >>"$out"
		sleep 1
	done
}
# status_field JSON KEY...: a number from sluice's GET /status.
status_json() { curl -s --max-time 2 "http://127.0.0.1:$hport/status" || true; }
jnum() { # JSON PATH: "source.position", "rows.applied", "lag_seconds"
	awk -v p="$2" 'BEGIN { n = split(p, k, ".") }
		{ s = $0; for (i = 1; i < n; i++) { j = index(s, "\"" k[i] "\":{"); if (!j) exit; s = substr(s, j) }
		  j = index(s, "\"" k[n] "\":"); if (!j) exit; s = substr(s, j + length(k[n]) + 3)
		  if (substr(s, 1, 1) == "\"") { s = substr(s, 2); print substr(s, 1, index(s, "\"") - 1) }
		  else { match(s, /^[-0-9.a-z]+/); print substr(s, 1, RLENGTH) } }' <<<"$1"
}

# sluice_applied_to FILE END SECONDS: waits (polling GET /status every
# 0.1 s) until sluice has applied every row change of FILE before END:
# rows.applied reaches the count `sluice binlog --stats --stop-position END`
# gives, or the status shows END read with every read row applied, or
# caught_up.  Non-zero after SECONDS.
sluice_applied_to() {
	local bf=$1 end=$2 n=$(($3 * 10)) want st pos ap rd
	want=$("$SL" binlog --stats --stop-position "$end" "$sdata/$bf" |
		awk '{ for (i = 1; i < NF; i++) if ($i == "rows") v = $(i + 1) } END { print v + 0 }')
	for ((st = 0; st < n; st++)); do
		j=$(status_json)
		ap=$(jnum "$j" rows.applied)
		((${ap:-0} >= want)) && return 0
		pos=$(jnum "$j" source.position)
		if [[ $(jnum "$j" source.file) == "$bf" ]] && ((${pos:-0} >= end)); then
			rd=$(jnum "$j" rows.read)
			((${ap:-0} >= ${rd:-999999999999})) && return 0
		fi
		[[ $(jnum "$j" caught_up) == true ]] && return 0
		kill -0 "$rp" 2>/dev/null || die "$k: sluice run exited: $(tail -n 3 "$work/$m.err")"
		sleep 0.1
	done
	return 1
}

# sustained KEY TIER MODE: MODE sluice (spec: TIER) or native (the fastest
# native replica); the load is TIER's published rate.  The target starts
# from $snap and becomes the next snapshot.
sustained() {
	local k=$1 tier=$2 mode=$3 pub=${TIER_RATE[$2]} tport f end t_sb0 t_sb1 t_drain rp="" tp sbp
	local lagp hbp cpup st j rsttxt qfull rows sbrate m=${1//\//.} n mtype="" r pos p50 p99 mx nhb q1 q4
	tport=$(mdb_free_port 24000)
	bench_mdb_start_copy atgt "$tport" "$snap" "${TGT_OPTS[@]}"
	tp=$(mdb_pid atgt)
	mdb_sql asrc "FLUSH BINARY LOGS"
	f=$(mdb_sql asrc "SHOW MASTER STATUS" | cut -f1)
	W_FILE[$k]=$f
	if [[ $mode == sluice ]]; then
		hport=$(mdb_free_port 24500)
		bench_write_job "$work/job-$m.yaml" "$k" "$tier" "$tport"
		"$SL" run "$work/job-$m.yaml" --http "127.0.0.1:$hport" --ignore-warnings >"$work/$m.out" 2>"$work/$m.err" &
		rp=$!
		BG_PIDS+=("$rp")
		for ((st = 0; st < 300; st++)); do
			j=$(status_json)
			[[ $(jnum "$j" caught_up) == true ]] && break
			kill -0 "$rp" 2>/dev/null || die "$k: sluice run exited: $(tail -n 3 "$work/$m.err")"
			sleep 0.1
		done
		((st < 300)) || die "$k: sluice not caught up 30 s after start: $j"
	else
		n=${R_CONF[$best_native]#native-}
		n=${n%@*}
		mtype=optimistic
		[[ $n == *-* ]] && mtype=${n#*-} n=${n%%-*}
		mdb_sql atgt "SET GLOBAL slave_parallel_threads = $n;
			SET GLOBAL slave_parallel_mode = '$mtype';
			CHANGE MASTER TO MASTER_HOST = '127.0.0.1', MASTER_PORT = $sport,
				MASTER_USER = '$MDB_USER', MASTER_PASSWORD = '$MDB_PASSWORD',
				MASTER_LOG_FILE = '$f', MASTER_LOG_POS = 4, MASTER_USE_GTID = no;
			START SLAVE"
		for ((st = 0; st < 300; st++)); do
			[[ $(bench_slave_field atgt Slave_SQL_Running) == Yes &&
				$(bench_slave_field atgt Slave_IO_Running) == Yes ]] && break
			sleep 0.1
		done
		((st < 300)) || die "$k: the replica did not start: $(bench_slave_field atgt Last_IO_Error) $(bench_slave_field atgt Last_SQL_Error)"
	fi
	# The lag probe on the target: every 5 ms the heartbeat it holds.
	(exec mariadb --no-defaults --protocol=socket --socket="$(mdb_sock atgt)" -uroot \
		--batch --skip-column-names --unbuffered) \
		< <(yes "SELECT UNIX_TIMESTAMP(ts), UNIX_TIMESTAMP(NOW(6)) FROM bench.heartbeat WHERE id = 1; DO SLEEP(0.005);") \
		>"$work/$m.lag" 2>"$work/$m.lag.err" &
	lagp=$!
	BG_PIDS+=("$lagp")
	# The heartbeat on the source: every 20 ms, logging what it wrote
	# (~50 samples a second: a p99 that is the 10th largest of a 20 s
	# load, not its 2nd: one slow commit does not make it).
	(exec mariadb --no-defaults --protocol=socket --socket="$(mdb_sock asrc)" -uroot \
		--batch --skip-column-names --unbuffered) \
		< <(yes "SET @t = NOW(6); REPLACE INTO bench.heartbeat VALUES (1, @t); SELECT UNIX_TIMESTAMP(@t); DO SLEEP(0.02);") \
		>"$work/$m.hb" 2>"$work/$m.hb.err" &
	hbp=$!
	BG_PIDS+=("$hbp")
	sleep 1.5
	sbrate=$(((pub + 3) / 4))
	bench_tstat >"$work/$m.st0"
	thread_ticks "$spid" >"$work/$m.src0"
	thread_ticks "$tp" >"$work/$m.tgt0"
	[[ -z $rp ]] || thread_ticks "$rp" >"$work/$m.sl0"
	j=$(status_json)
	t_sb0=$EPOCHREALTIME
	sysbench "$SB_DIR/oltp_write_only.lua" "${bench_sb_conn[@]}" --tables="$tables" \
		--table-size="$table_size" --threads="$rate_threads" --rate="$sbrate" \
		--time="$sustain" --events=0 --rand-seed=$((30 + step_no)) run >"$work/$m.sb" 2>&1 &
	sbp=$!
	BG_PIDS+=("$sbp")
	: >"$work/$m.cpu"
	cpu_sampler "$work/$m.cpu" "$spid" "$tp" "$sbp" ${rp:+"$rp"} &
	cpup=$!
	BG_PIDS+=("$cpup")
	# sysbench gives up when its event queue is full (the workers cannot
	# keep up with --rate): the source could not take the rate; what it
	# did until then is the measurement.
	qfull=""
	if ! wait "$sbp"; then
		grep -q 'event queue is full' "$work/$m.sb" ||
			{ tail "$work/$m.sb" >&2; die "$k: sysbench --rate failed"; }
		qfull=$(awk -v a="$t_sb0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f", b - a }')
		log "$k: sysbench's event queue overflowed after $qfull s: the source cannot take --rate=$sbrate here"
	fi
	t_sb1=$EPOCHREALTIME
	thread_ticks "$spid" >"$work/$m.src1"
	thread_ticks "$tp" >"$work/$m.tgt1"
	[[ -z $rp ]] || thread_ticks "$rp" >"$work/$m.sl1"
	kill "$cpup" 2>/dev/null || true
	wait "$cpup" 2>/dev/null || true
	bench_tstat >"$work/$m.st1"
	end=$(mdb_sql asrc "SHOW MASTER STATUS" | cut -f1,2)
	[[ ${end%%$'\t'*} == "$f" ]] || die "$k: the load spans several binlog files"
	end=${end#*$'\t'}
	# Drained: everything up to the end of the load applied (the
	# heartbeat goes on meanwhile).
	if [[ $mode == sluice ]]; then
		sluice_applied_to "$f" "$end" 600 || die "$k: sluice did not apply the load within 600 s: $j"
		t_drain=$EPOCHREALTIME
	else
		r=$(mdb_sql atgt "SELECT MASTER_POS_WAIT('$f', $end, 600)")
		t_drain=$EPOCHREALTIME
		[[ $r =~ ^[0-9]+$ ]] || die "$k: MASTER_POS_WAIT returned '$r': $(bench_slave_field atgt Last_SQL_Error)"
	fi
	# One more heartbeat after the load, then everything applied.
	sleep 1.2
	kill "$hbp" 2>/dev/null || true
	wait "$hbp" 2>/dev/null || true
	end=$(mdb_sql asrc "SHOW MASTER STATUS" | cut -f2)
	if [[ $mode == sluice ]]; then
		sluice_applied_to "$f" "$end" 60 || log "warning: $k: sluice's status does not show the heartbeat's end applied: $j"
	else
		mdb_sql atgt "SELECT MASTER_POS_WAIT('$f', $end, 600)" >/dev/null
	fi
	sleep 0.3
	kill "$lagp" 2>/dev/null || true
	wait "$lagp" 2>/dev/null || true
	local rss="" cpu=""
	if [[ $mode == sluice ]]; then
		for ((st = 0; st < 50; st++)); do
			[[ $(jnum "$(status_json)" caught_up) == true ]] && break
			sleep 0.1
		done
		rss=$(awk '/^VmHWM:/ { print $2 }' "/proc/$rp/status")
		cpu=$(secs "$(ticks "$rp")")
		kill -TERM "$rp"
		wait "$rp" || die "$k: sluice run exited with status $? after SIGTERM: $(tail -n 3 "$work/$m.err")"
		cp "$work/$m.err" "$BENCH_LOGS/$m$qsfx.log"
	else
		mdb_sql atgt "STOP SLAVE; RESET SLAVE ALL"
	fi
	bench_checksums asrc >"$work/sum-$m.txt"
	bench_verify atgt "$m" "$mode at the $tier rate"
	"$SL" binlog --stats "$sdata/$f" >"$work/stats-$m.out"
	rows=$(awk '{ for (i = 1; i < NF; i++) if ($i == "rows") v = $(i + 1) } END { print v }' "$work/stats-$m.out")
	[[ -z $rp ]] || mdb_sql atgt "DROP DATABASE sluice_meta"
	local keep
	keep=$(next_snap)
	bench_mdb_snapshot atgt "$keep"
	advance "$keep"

	# Lag of every heartbeat written during the load: when the target first
	# showed it (or a later one) minus when the source wrote it.
	read -r p50 p99 mx nhb q1 q4 < <(awk -v a="$t_sb0" -v b="$t_sb1" '
		NR == FNR { if ($1 + 0 >= a && $1 + 0 <= b) hb[++n] = $1 + 0; next }
		{ o[++m] = $1 + 0; t[m] = $2 + 0 }
		END {
			j = 1
			for (i = 1; i <= n; i++) {
				# The probes see the heartbeat only advance: one pass.
				while (j < m && o[j] < hb[i] - 1e-7) j++
				l = (o[j] >= hb[i] - 1e-7 ? t[j] : t[m]) - hb[i]
				lag[i] = l * 1000
			}
			# Mean lag of the first and of the last quarter of the
			# heartbeats (in time order): a replica falling behind
			# ends far above where it started.
			for (i = 1; i <= n; i++) if (i <= n / 4) { s1 += lag[i]; c1++ } else if (i > n - n / 4) { s4 += lag[i]; c4++ }
			for (i = 2; i <= n; i++) for (j = i; j > 1 && lag[j - 1] > lag[j]; j--) { x = lag[j]; lag[j] = lag[j - 1]; lag[j - 1] = x }
			if (n == 0) { print "- - - 0 - -"; exit }
			r50 = int(0.5 * n + 0.999999); r99 = int(0.99 * n + 0.999999)
			printf "%.0f %.0f %.0f %d %.0f %.0f\n", lag[r50], lag[r99], lag[n], n, (c1 ? s1 / c1 : 0), (c4 ? s4 / c4 : 0) }' "$work/$m.hb" "$work/$m.lag")
	# CPU: mean % of one core over the load (per-second samples), busiest
	# thread of each process, and the machine.
	local dur cpus
	dur=$(awk -v a="$t_sb0" -v b="$t_sb1" 'BEGIN { printf "%.3f", b - a }')
	cpus=$(awk -v hz="$BENCH_CLK_TCK" -v nc="$ncpu" '
		{ for (i = 1; i <= NF; i++) v[NR, i] = $i; nf = NF }
		END { if (NR < 2) { print "- - - - -"; exit }
			dt = v[NR, 1] - v[1, 1]
			printf "%.0f", 100 * (v[NR, 2] - v[1, 2]) / hz / dt / nc
			for (i = 3; i <= nf; i++) printf " %.0f", 100 * (v[NR, i] - v[1, i]) / hz / dt
			if (nf < 6) printf " -"
			printf "\n" }' "$work/$m.cpu")
	local mach srcp tgtp sbp2 slp srct tgtt slt=""
	read -r mach srcp tgtp sbp2 slp <<<"$cpus"
	srct=$(busiest "$work/$m.src0" "$work/$m.src1" "$dur")
	tgtt=$(busiest "$work/$m.tgt0" "$work/$m.tgt1" "$dur")
	[[ -z $rp ]] || slt=$(busiest "$work/$m.sl0" "$work/$m.sl1" "$dur")
	local offered applied holds limit detail
	offered=$(rate "$rows" "$dur")
	applied=$(awk -v r="$rows" -v a="$t_sb0" -v d="$t_drain" 'BEGIN { printf "%.0f", r / (d - a) }')
	holds=$(awk -v p="$p99" -v ap="$applied" -v pub="$pub" 'BEGIN { print (p != "-" && p < 1000 && ap >= 0.97 * pub) ? "yes" : "no" }')
	# What limits it: a thread near a whole core, else the machine's CPUs.
	limit=$(awk -v mach="$mach" -v nc="$ncpu" -v off="$offered" -v pub="$pub" -v p99="$p99" -v holds="$holds" \
		-v qfull="$qfull" -v srcp="$srcp" -v tgtp="$tgtp" -v sbp="$sbp2" -v slp="$slp" -v srct="$srct" -v tgtt="$tgtt" -v slt="$slt" -v mode="$mode" '
		BEGIN {
			top = "source mariadbd"; tv = srcp
			if (tgtp + 0 > tv + 0) { top = "target mariadbd"; tv = tgtp }
			if (slp != "-" && slp + 0 > tv + 0) { top = "sluice"; tv = slp }
			if (sbp + 0 > tv + 0) { top = "sysbench"; tv = sbp }
			if (slt != "" && slt + 0 >= 90) s = sprintf("sluice: one thread at %d%% of a core", slt)
			else if (mode == "native" && tgtt + 0 >= 90) s = sprintf("target mariadbd: one thread (the applier) at %d%% of a core", tgtt)
			else if (tgtt + 0 >= 90) s = sprintf("target mariadbd: one thread at %d%% of a core", tgtt)
			else if (srct + 0 >= 90) s = sprintf("source mariadbd: one thread at %d%% of a core", srct)
			else if (mach + 0 >= 90) s = sprintf("CPU: the machine %d%% busy (%d cores); most: %s %d%% of a core", mach, nc, top, tv)
			else s = sprintf("none saturated (machine %d%% busy; most: %s %d%% of a core)", mach, top, tv)
			if (holds == "yes") s = "holds; " s
			else if (qfull != "") s = sprintf("the source offered only %d rows/s (sysbench gave up after %d s: its event queue overflowed); %s", off, qfull, s)
			else if (off + 0 < 0.97 * pub) s = sprintf("the source offered only %d rows/s; %s", off, s)
			print s }')
	detail="machine ${mach}% of $ncpu cores; source mariadbd ${srcp}% (busiest thread ${srct}%); target mariadbd ${tgtp}% (busiest thread ${tgtt}%); sysbench ${sbp2}%"
	[[ -z $rp ]] || detail+="; sluice ${slp}% (busiest thread ${slt}%)"
	rsttxt=$(awk '/transactions:/ { gsub(/[()]/, "", $3); print $3 }' "$work/$m.sb")
	[[ -n $rsttxt ]] || rsttxt="gave up after ${qfull:-?} s (event queue full), about $(awk -v r="$rows" -v d="$dur" 'BEGIN { printf "%.0f", r / 4 / d }')"
	detail+="; sysbench --rate=$sbrate --threads=$rate_threads: $rsttxt tps; $nhb heartbeats, mean lag $q1 ms in the first quarter and $q4 ms in the last"
	# What sluice made the target execute during the load: commits, and
	# row changes per commit.
	[[ -z $rp ]] || detail+=$(awk 'NR == FNR { a[$1] = $2; next } { d[$1] = $2 - a[$1] }
		END { printf "; the target committed %d transactions (%.0f row changes each)", d["Com_commit"],
			(d["Com_commit"] > 0 ? r / d["Com_commit"] : 0) }' r="$rows" "$work/$m.st0" "$work/$m.st1")
	S_PUB[$k]=$pub S_OFFER[$k]=$offered S_APPLIED[$k]=$applied S_P50[$k]=$p50 S_P99[$k]=$p99 S_MAX[$k]=$mx
	S_HOLDS[$k]=$holds S_LIMIT[$k]=$limit S_DETAIL[$k]=$detail
	# Kept up: the lag did not grow over the load (last quarter's mean
	# under twice the first's plus 20 ms).
	S_STEADY[$k]=$(awk -v a="$q1" -v b="$q4" 'BEGIN { print (a != "-" && b + 0 <= 2 * a + 20) ? "yes" : "no" }')
	local tcpu scpu
	tcpu=$(awk -v p="$tgtp" -v d="$dur" 'BEGIN { printf "%.2f", p * d / 100 }')
	scpu=$(awk -v p="$srcp" -v d="$dur" 'BEGIN { printf "%.2f", p * d / 100 }')
	local note="offered $offered rows/s, applied $applied rows/s (published $pub); lag p50 $p50 ms, p99 $p99 ms, max $mx ms; $limit"
	bench_record "$k" "sustain-$mode" "$rows" "$(elapsed "$t_sb0" "$t_drain")" "$cpu" "$rss" "$tcpu" "$scpu" \
		"$note" "sysbench oltp_write_only --rate=$sbrate (${pub} rows/s) --time=$sustain --threads=$rate_threads" \
		"$(awk -v m="$mach" -v nc="$ncpu" -v d="$dur" -v s="$srcp" -v t="$tgtp" -v sb="$sbp2" -v sl="$slp" \
			'BEGIN { o = (m * nc - s - t - sb - (sl == "-" ? 0 : sl)) * d / 100; printf "%.2f", (o > 0 ? o : 0) }')"
}

for t in "${STIERS[@]}"; do
	step
	meta "sustained/sluice-$t" sustained oltp_write_only "sluice-$t" "${TIER_W[$t]}" "${TIER_B[$t]}" "$t"
	quiet_gate
	sustained "sustained/sluice-$t" "$t" sluice
	if ((sustain_peer)) && [[ -n $best_native ]]; then
		step
		meta "sustained/${R_CONF[$best_native]}-$t" sustained oltp_write_only "${R_CONF[$best_native]}@$t" "" "" "$t"
		quiet_gate
		sustained "sustained/${R_CONF[$best_native]}-$t" "$t" native
	fi
done
rm -rf "$snap"

# ------------------------------------------------ decoder and stream ---
declare -A D_MB D_X D_CPU D_RSS
have_stream=0
if [[ -z ${BENCH_SKIP_STREAM:-} ]]; then
	have_stream=1
	# Their own sizes, at BENCH_STREAM_BYTES; their docs sections untouched.
	# Their own directory: their cached binlog stays for the next suite
	# run, and a concurrent run of the scripts themselves is not disturbed.
	sub_dir=$BENCH_DIR/suite-parts$qsfx
	mkdir -p "$sub_dir"
	sub_env=(env -u BENCH_TABLES -u BENCH_TABLE_SIZE -u BENCH_THREADS -u BENCH_RUNS
		-u BENCH_CHUNK_SECONDS -u MDB_BUFFER_POOL BENCH_DIR="$sub_dir" SLUICE="$SLUICE"
		BENCH_BINLOG_BYTES="$stream_bytes")
	for s in binlog_decode stream; do
		step
		t0=$SECONDS
		runs_env=()
		[[ $s == stream ]] && runs_env=(BENCH_RUNS="$stream_runs")
		"${sub_env[@]}" "${runs_env[@]}" bash "$root/bench/$s.sh" --quick --no-doc >"$work/$s.out" 2>"$work/$s.err" ||
			{ tail -n 20 "$work/$s.err" >&2; die "bench/$s.sh failed"; }
		cp "$work/$s.err" "$BENCH_LOGS/$s$qsfx.log"
		log "${BENCH_PROGRESS}bench/$s.sh --quick ($((stream_bytes >> 20)) MiB binlog): $((SECONDS - t0)) s"
	done
	# decoder: tool → MB/s, × mysqlbinlog, CPU s, RSS KiB
	while IFS=$'\t' read -r tool _ _ _ _ _ cpu rss _ _ mb _ x; do
		[[ $tool == tool || $tool == small_* ]] && continue
		D_MB[decoder/$tool]=$mb D_X[decoder/$tool]=$x D_CPU[decoder/$tool]=$cpu D_RSS[decoder/$tool]=$rss
	done <"$sub_dir/binlog_decode-quick.tsv"
	while IFS=$'\t' read -r tr tool _ _ _ _ _ cpu rss _ _ _ mb _ x _; do
		[[ $tr == transport ]] && continue
		D_MB[stream-$tr/$tool]=$mb D_X[stream-$tr/$tool]=$x D_CPU[stream-$tr/$tool]=$cpu D_RSS[stream-$tr/$tool]=$rss
	done <"$sub_dir/stream-quick.tsv"
	log "decoder: sluice --stats ${D_MB[decoder/sluice_stats]:-?} MB/s (${D_X[decoder/sluice_stats]:-?}x mysqlbinlog); stream (plain): sluice ${D_MB[stream-plain/sluice]:-?} MB/s (${D_X[stream-plain/sluice]:-?}x mysqlbinlog --raw)"
fi
total_seconds=$((SECONDS - T_START))

# lag_ratio KEY PEER IFBEHIND: sluice's lag p99 ÷ the peer's, only when
# the peer held the rate and kept up (its lag did not grow over the load);
# else IFBEHIND: the lag of a replica falling behind grows with the load's
# length, and a ratio to it says nothing that repeats.
lag_ratio() {
	if [[ -z $2 || $2 == "$1" ]]; then
		echo "-"
	elif [[ ${S_HOLDS[$2]} == yes && ${S_STEADY[$2]} == yes ]]; then
		ratio "${S_P99[$1]}" "${S_P99[$2]}"
	else
		echo "$3"
	fi
}
# -------------------------------------------------------------- results ---
x_ref() { # KEY REFKEY
	[[ -n ${2:-} ]] || { echo "-"; return 0; }
	ratio "$(rate "${R_ROWS[$1]}" "${R_WALL[$1]}")" "$(rate "${R_ROWS[$2]}" "${R_WALL[$2]}")"
}
per_m() { awk -v c="$1" -v r="$2" 'BEGIN { if (c == "") print "-"; else printf "%.2f", 1e6 * c / r }'; }
mibs() { if [[ -n $1 ]]; then mib "$1"; else echo "-"; fi; }
# The native peer of a sustained sluice run, and lag ratios.
peer_of() { # sustained KEY -> the native run of the same tier
	local t=${R_TIER[$1]} k
	for k in "${KEYS[@]}"; do
		[[ ${R_SCEN[$k]} == sustained && ${R_KIND[$k]} == sustain-native && ${R_TIER[$k]} == "$t" ]] && { echo "$k"; return 0; }
	done
	echo ""
}
generated="$(date -u +%Y-%m-%dT%H:%M:%SZ), bench/run.sh$qflag, $total_seconds s"
machine_line=$(bench_machine)
[[ ! -f $tsv ]] || cp "$tsv" "${tsv%.tsv}.prev.tsv"
{
	printf '# machine: %s\n' "$(sed 's/^\*\*Machine:\*\* //' <<<"$machine_line")"
	printf '# generated: %s\n' "$generated"
	printf 'scenario\tworkload\tconfig\tkind\tworkers\tbatch\trows\twall_s\trows_per_s\tx_best_peer\tbest_peer\tx_load_data\tcpu_s\tcpu_s_per_mrows\tpeak_rss_kib\ttarget_cpu_s\tsource_cpu_s\tother_cpu_s\tpublished_rows_s\toffered_rows_s\tapplied_rows_s\tx_published\tlag_p50_ms\tlag_p99_ms\tlag_max_ms\tx_peer_lag\tholds\tmb_s\tx_mysqlbinlog\tnote\n'
	for k in "${KEYS[@]}"; do
		wk=${R_WL[$k]}
		if [[ ${R_SCEN[$k]} == sustained ]]; then
			pk=$(peer_of "$k")
			xl=$(lag_ratio "$k" "$pk" -)
			printf '%s\t' sustained "$wk" "${R_CONF[$k]}" "${R_KIND[$k]}" "${R_WORKERS[$k]:--}" "${R_BATCH[$k]:--}" \
				"${R_ROWS[$k]}" "${R_WALL[$k]}" "${S_APPLIED[$k]}" "-" "-" "-" "${R_CPU[$k]:--}" \
				"$(per_m "${R_CPU[$k]}" "${R_ROWS[$k]}")" "${R_RSS[$k]:--}" "${R_TCPU[$k]}" "${R_SCPU[$k]}" "${R_OCPU[$k]}" \
				"${S_PUB[$k]}" "${S_OFFER[$k]}" "${S_APPLIED[$k]}" "$(ratio "${S_APPLIED[$k]}" "${S_PUB[$k]}")" \
				"${S_P50[$k]}" "${S_P99[$k]}" "${S_MAX[$k]}" "$xl" "${S_HOLDS[$k]}" "-" "-"
			printf '%s\n' "${S_LIMIT[$k]}; ${S_DETAIL[$k]}"
			continue
		fi
		printf '%s\t' "${R_SCEN[$k]}" "$wk" "${R_CONF[$k]}" "${R_KIND[$k]}" "${R_WORKERS[$k]:--}" "${R_BATCH[$k]:--}" \
			"${R_ROWS[$k]}" "${R_WALL[$k]}" "$(rate "${R_ROWS[$k]}" "${R_WALL[$k]}")" \
			"$(x_ref "$k" "${BEST_PEER[$wk]:-}")" "${R_CONF[${BEST_PEER[$wk]:-x}]:--}" "$(x_ref "$k" "${LOADK[$wk]:-}")" \
			"${R_CPU[$k]:--}" "$(per_m "${R_CPU[$k]}" "${R_ROWS[$k]}")" "${R_RSS[$k]:--}" \
			"${R_TCPU[$k]}" "${R_SCPU[$k]}" "${R_OCPU[$k]}" - - - - - - - - - - -
		printf '%s\n' "${R_NOTE[$k]}"
	done
	for d in "${!D_MB[@]}"; do
		kind=stream script=stream
		[[ $d == decoder/* ]] && kind=decoder script=binlog_decode
		printf '%s\t' "${d%%/*}" - "${d#*/}" "$kind" - - - - - - - - "${D_CPU[$d]}" - "${D_RSS[$d]}" - - - - - - - - - - - - \
			"${D_MB[$d]}" "${D_X[$d]}"
		printf '%s\n' "bench/$script.sh --quick, BENCH_BINLOG_BYTES=$stream_bytes"
	done | sort
} >"$tsv"
log "results: $(rel "$tsv") (the whole suite took $total_seconds s)"

# --------------------------------------------------------------- plot ---
tier_idx() { case $1 in 2rcu) echo 1 ;; 4rcu) echo 2 ;; 8rcu) echo 3 ;; 16rcu) echo 4 ;; esac }
{
	for k in "${KEYS[@]}"; do
		if [[ ${R_SCEN[$k]} == sweep-workers ]]; then echo "${R_WORKERS[$k]} $(rate "${R_ROWS[$k]}" "${R_WALL[$k]}")"; fi
	done | sort -n
} >"$work/sweep-w.dat"
{
	for k in "${KEYS[@]}"; do
		if [[ ${R_SCEN[$k]} == sweep-batch ]]; then echo "${R_BATCH[$k]} $(rate "${R_ROWS[$k]}" "${R_WALL[$k]}")"; fi
	done | sort -n
} >"$work/sweep-b.dat"
for wk in "${WLS[@]}"; do
	for k in "${KEYS[@]}"; do
		if [[ ${R_SCEN[$k]} == catch-up && ${R_WL[$k]} == "$wk" && ${R_KIND[$k]} == sluice ]]; then
			echo "$(tier_idx "${R_TIER[$k]}") ${R_TIER[$k]} $(rate "${R_ROWS[$k]}" "${R_WALL[$k]}")"
		fi
	done >"$work/tier-$wk.dat"
done
for k in "${KEYS[@]}"; do
	if [[ ${R_SCEN[$k]} == sustained && ${R_KIND[$k]} == sustain-sluice ]]; then
		echo "$(tier_idx "${R_TIER[$k]}") ${R_TIER[$k]} ${S_P50[$k]} ${S_P99[$k]} ${S_MAX[$k]} ${S_PUB[$k]} ${S_OFFER[$k]} ${S_APPLIED[$k]}"
	fi
done >"$work/sustain-sluice.dat"
for k in "${KEYS[@]}"; do
	if [[ ${R_SCEN[$k]} == sustained && ${R_KIND[$k]} == sustain-native ]]; then
		echo "$(tier_idx "${R_TIER[$k]}") ${R_TIER[$k]} ${S_P50[$k]} ${S_P99[$k]} ${S_MAX[$k]} ${S_PUB[$k]} ${S_OFFER[$k]} ${S_APPLIED[$k]}"
	fi
done >"$work/sustain-native.dat"
conf_of() { if [[ -n $1 ]]; then echo "${R_CONF[$1]}"; else echo none; fi; }
bp_wo=${BEST_PEER[oltp_write_only]:-}
bp_rate=0 bp_name=$(conf_of "$bp_wo")
[[ -z $bp_wo ]] || bp_rate=$(rate "${R_ROWS[$bp_wo]}" "${R_WALL[$bp_wo]}")
# The lag axis: a decade above the largest lag (at least 10 s), so the
# key does not hide the points.
lag_ymax=$(cat "$work"/sustain-*.dat 2>/dev/null | awk '{ if ($5 + 0 > m) m = $5 + 0 }
	END { y = 10000; while (y < 10 * m) y *= 10; print y }')
native_plot=""
[[ ! -s $work/sustain-native.dat ]] ||
	native_plot="\"$work/sustain-native.dat\" using 1:4 with linespoints lw 2 pt 5 lc 2 title \"native ($(conf_of "$best_native")) lag p99\", "
tier_plot=""
i=0
for wk in "${WLS[@]}"; do
	i=$((i + 1)) b=${BEST_PEER[$wk]:-} br=0
	[[ -z $b ]] || br=$(rate "${R_ROWS[$b]}" "${R_WALL[$b]}")
	tier_plot+="${tier_plot:+, }\"$work/tier-$wk.dat\" using 1:3 with linespoints lw 2 pt 7 lc $i title \"sluice $wk\", $br with lines dt 2 lc $i title \"best peer $wk ($(conf_of "$b"))\""
done
cat >"$work/suite.gp" <<EOF
set terminal pngcairo size 1400,1000 font "sans,10" noenhanced
set output "$png"
set multiplot layout 2,2 title "bench/run.sh$qflag: ${machine_line//\*/} — $(date -u +%Y-%m-%d)"
set grid
set key bottom right opaque box
set format y "%.0s%c"
set logscale x 2
set xlabel "workers (batch $sweep_batch_fixed)"
set ylabel "rows/s"
set title "Catch-up, oltp_write_only window: throughput against worker count"
set yrange [0:*]
plot "$work/sweep-w.dat" using 1:2 with linespoints lw 2 pt 7 title "sluice", \
     $bp_rate with lines dt 2 lw 2 title "best peer ($bp_name)"
set logscale x 10
set xlabel "batch (workers $sweep_workers_fixed)"
set title "Catch-up, oltp_write_only window: throughput against batch size"
plot "$work/sweep-b.dat" using 1:2 with linespoints lw 2 pt 7 title "sluice", \
     $bp_rate with lines dt 2 lw 2 title "best peer ($bp_name)"
unset logscale x
set xrange [0.5:4.5]
set xtics ("2rcu" 1, "4rcu" 2, "8rcu" 3, "16rcu" 4)
set xlabel "spec tier"
set title "Catch-up by tier (dashed: best peer of the same window)"
set key bottom left opaque box
plot $tier_plot
set title "Sustained rate: heartbeat lag (left) and row rates (right) per tier"
set ylabel "lag ms"
set logscale y
set yrange [1:$lag_ymax]
set format y "%g"
set y2label "rows/s"
set y2tics
set format y2 "%.0s%c"
set y2range [0:*]
set key top left opaque box
plot "$work/sustain-sluice.dat" using 1:4 with linespoints lw 2 pt 7 lc 1 title "sluice lag p99", \
     "$work/sustain-sluice.dat" using 1:3 with linespoints lw 1 pt 6 lc 1 dt 3 title "sluice lag p50", \
     "$work/sustain-sluice.dat" using 1:5 with points pt 2 lc 1 title "sluice lag max", \
     ${native_plot}1000 with lines dt 2 lc rgb "red" title "1 s", \
     "$work/sustain-sluice.dat" using 1:6 axes x1y2 with linespoints lw 1 pt 4 lc rgb "gray40" title "published rows/s", \
     "$work/sustain-sluice.dat" using 1:7 axes x1y2 with linespoints lw 1 pt 8 lc rgb "dark-green" title "offered by the source", \
     "$work/sustain-sluice.dat" using 1:8 axes x1y2 with points pt 3 lc rgb "dark-blue" title "applied by sluice"
unset multiplot
EOF
gnuplot "$work/suite.gp" 2>"$work/gnuplot.err" || { cat "$work/gnuplot.err" >&2; die "gnuplot failed"; }
log "plot: $(rel "$png")"

# ------------------------------------------------------------ the doc ----
bench_versions
sysbench_ver=$(sysbench --version)
rowfmt() { # KEY: the catch-up / sweep table row
	local k=$1 wk=${R_WL[$1]}
	printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "${R_CONF[$k]}" "${R_WALL[$k]}" \
		"$(rate "${R_ROWS[$k]}" "${R_WALL[$k]}")" "$(x_ref "$k" "${BEST_PEER[$wk]:-}")" \
		"$(x_ref "$k" "${LOADK[$wk]:-}")" "${R_CPU[$k]:--}" "$(per_m "${R_CPU[$k]}" "${R_ROWS[$k]}")" \
		"$(mibs "${R_RSS[$k]}")" "${R_TCPU[$k]}" "${R_SCPU[$k]}" "${R_OCPU[$k]}" "${R_NOTE[$k]}"
}
hdr='| peer | wall s | rows/s | × best peer | × LOAD DATA | client CPU s | CPU s / M rows | peak RSS MiB | target CPU s | source CPU s | other CPU s | notes |
|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|'
section=$work/section.md
{
	echo "## Suite: spec tiers, sweeps and peers (\`bench/run.sh\`)"
	echo
	echo "$machine_line"
	echo
	echo "Generated by \`bench/run.sh$qflag\` on $(date -u +%Y-%m-%d) (${sluice_ver:-sluice ?} built $sluice_built, git $git_rev$git_dirty; CMAKE_BUILD_TYPE=$build_type); the whole suite took $total_seconds s."
	echo "Source, target, sysbench and sluice share these CPUs and talk over loopback TCP; one target runs at a time."
	echo "Load average before the run: $load_before; after: $(cut -d' ' -f1-3 /proc/loadavg) (other jobs on the machine show in the *other CPU s* columns)."
	echo
	echo "**Tools:** $server_ver (source and every target); $sysbench_ver; mariadb-binlog $(mariadb-binlog --version 2>/dev/null | sed -nE 's/.*Ver ([^ ]+).*/\1/p')."
	echo "**Servers:** test-speed settings on the source and every target alike (innodb-flush-log-at-trx-commit=2, sync-binlog=0,"
	echo "innodb-doublewrite=0, buffer pool $MDB_BUFFER_POOL, innodb-log-file-size=512M); binlog_format=ROW, binlog_row_image=FULL,"
	echo "binlog_row_metadata=FULL on the source; targets without binlog. Data directories on $data_on."
	echo "**Data:** \`sysbench oltp_write_only prepare\` $tables × $table_size rows, plus $utables unique-key tables \`sbtest.uniqN\`"
	echo "(copies of sbtestN with a column \`u = id\` under \`UNIQUE KEY\`) and \`bench.heartbeat\`. Every target is a fresh"
	echo "\`mariadbd\` on a copy of a data-directory snapshot of the source's data at the start of what it applies."
	echo
	echo "![throughput and lag against worker count and tier](bench-suite.png)"
	echo
	echo "### Spec tiers: sustained rate on this machine"
	echo
	echo "sysbench \`oltp_write_only\` (4 row changes per transaction) with \`--rate\` = published rows/s ÷ 4, $rate_threads threads, $sustain s,"
	echo "while \`sluice run\` (\`spec: TIER\`) replicates live; *holds* = lag p99 < 1 s and applied ≥ 97% of the published rate"
	echo "(sysbench's --rate draws arrivals at random, the offered rate varies by about ±1%)."
	echo
	echo "| tier | workers / batch | published rows/s | offered by the source | applied | × published | lag p50 / p99 / max ms | × native lag p99 | sluice CPU s / M rows | peak RSS MiB | holds | what limits it |"
	echo "|---|---|---:|---:|---:|---:|---|---:|---:|---:|---|---|"
	for k in "${KEYS[@]}"; do
		[[ ${R_SCEN[$k]} == sustained ]] || continue
		pk=$(peer_of "$k")
		xl=$(lag_ratio "$k" "$pk" "peer behind")
		who="${R_TIER[$k]}"
		[[ ${R_KIND[$k]} == sustain-native ]] && who="${R_TIER[$k]} rate, ${R_CONF[$k]} (peer)"
		wb="${R_WORKERS[$k]:+${R_WORKERS[$k]} / ${R_BATCH[$k]}}"
		printf '| %s | %s | %s | %s | %s | %s | %s / %s / %s | %s | %s | %s | %s | %s |\n' "$who" "${wb:--}" \
			"${S_PUB[$k]}" "${S_OFFER[$k]}" "${S_APPLIED[$k]}" "$(ratio "${S_APPLIED[$k]}" "${S_PUB[$k]}")" \
			"${S_P50[$k]}" "${S_P99[$k]}" "${S_MAX[$k]}" "$xl" "$(per_m "${R_CPU[$k]}" "${R_ROWS[$k]}")" \
			"$(mibs "${R_RSS[$k]}")" "${S_HOLDS[$k]}" "${S_LIMIT[$k]}"
	done
	echo
	echo "CPU during the load (mean % of one core; the machine's % of all its cores):"
	echo
	for k in "${KEYS[@]}"; do
		[[ ${R_SCEN[$k]} == sustained ]] || continue
		echo "* ${R_CONF[$k]} at the ${R_TIER[$k]} rate: ${S_DETAIL[$k]}."
	done
	echo
	echo "Lag: the source writes \`REPLACE INTO bench.heartbeat VALUES (1, NOW(6))\` every 20 ms (one session); the"
	echo "target is read every 5 ms (\`SELECT ts, NOW(6) FROM bench.heartbeat\`); a heartbeat's lag is when the target"
	echo "first shows it (or a later one) minus when the source wrote it; p50/p99/max over the heartbeats written during the"
	echo "load (~$((sustain * 50)) samples). Both servers share the clock. The heartbeat row is applied by one"
	echo "sluice worker, so it is the lag of the pipeline as that worker sees it (a full ring stalls the reader for all)."
	echo "*Offered* = the window's row changes (\`sluice binlog --stats\`) ÷ the load's duration; *applied* = the same rows ÷"
	echo "(from the load's start until sluice had applied the last of them, \`GET /status\`; for the native peer"
	echo "\`MASTER_POS_WAIT\`). CPU: \`/proc/PID/stat\` of each process sampled every second, threads from"
	echo "\`/proc/PID/task/*/stat\`; a thread near 100% of a core or a machine with every core busy is named as the limit."
	((sustain_peer)) && echo "The peer is the fastest native replica of the oltp_write_only catch-up ($(conf_of "$best_native")), on the same load; it starts from the data sluice left. *× native lag p99* is given only where the peer held the rate and kept up: its mean lag over the last quarter of the heartbeats under twice that over the first quarter plus 20 ms (*peer behind* otherwise: the lag of a replica that falls behind grows with the length of the load, and a ratio to it does not repeat)."
	echo
	echo "### Catch-up: a fixed binlog window applied from its start"
	echo
	echo "Each window is one binlog file (\`FLUSH BINARY LOGS\` before), applied from position 4 by every peer on a fresh"
	echo "target holding the data of the window's start; afterwards \`CHECKSUM TABLE\` of every table must equal the"
	echo "source's (the suite fails otherwise). rows/s = the window's row changes (\`sluice binlog --stats\`) ÷ wall time."
	echo "*× best peer* = ÷ the fastest of the native replicas and the mariadb-binlog replay on the same window (rows/s)."
	echo
	echo "| window | sysbench on the source | binlog bytes | row changes | generated in s (tps) |"
	echo "|---|---|---:|---:|---:|"
	for wk in "${WLS[@]}"; do
		echo "| $wk | \`${W_SB[$wk]}\` | ${W_BYTES[$wk]} | ${W_ROWS[$wk]} | ${W_GEN[$wk]} (${W_TPS[$wk]}) |"
	done
	echo
	echo "* *native-0*: MariaDB replication, one SQL thread; *native-N-MODE*: \`slave_parallel_threads = N\`,"
	echo "  \`slave_parallel_mode = MODE\`. \`CHANGE MASTER TO … MASTER_LOG_FILE = 'FILE', MASTER_LOG_POS = 4\`; the IO thread"
	echo "  fetches the whole window into the relay log first, the clock runs from \`START SLAVE SQL_THREAD\` until"
	echo "  \`MASTER_POS_WAIT\` returns (the replica's best case)."
	echo "* *replay*: \`mariadb-binlog FILE | mariadb\` into the target (one session; client CPU and RSS are both processes')."
	((replay_rows <= 0 || replay_rows >= window_rows)) ||
		echo "  It replays only the window's first $replay_rows row changes (\`--stop-position\`; a sysbench run of their own, the first of the window's two), checked against the source's checksums at that point: at a few thousand rows/s the whole window would take minutes."
	echo "* *load-data* (oltp_insert): \`LOAD DATA INFILE\` of exactly the rows the window inserted, into empty copies of the"
	echo "  tables, one statement per table: the target's bulk-load ceiling."
	echo "* *sluice-TIER*: \`sluice run --to-end job.yaml\` with \`spec: TIER\`, process wall time (start-up included); CPU and"
	echo "  peak RSS of sluice from \`/usr/bin/time\`. The job file: \`start: { mode: position, file: FILE, position: 4 }\`,"
	echo "  \`objects: { include: [\"sbtest.*\", \"bench.*\"] }\`, \`tls: { mode: disabled }\` both sides."
	echo "* *unique_update* is \`bench/unique_update.lua\`: per transaction 2 updates of a non-key column, 1 of the"
	echo "  secondary index, and a swap of the unique column between two rows (\`u = -a\` on row a, then b takes a's"
	echo "  value, then a takes b's): a unique value moves from row to row, the causality case of DESIGN.md §1."
	for wk in "${WLS[@]}"; do
		echo
		echo "**$wk** (${W_ROWS[$wk]} row changes):"
		echo
		echo "$hdr"
		for k in "${KEYS[@]}"; do
			if [[ ${R_SCEN[$k]} == catch-up && ${R_WL[$k]} == "$wk" ]]; then rowfmt "$k"; fi
		done
	done
	echo
	echo "### Sweeps on the oltp_write_only window"
	echo
	echo "Worker count at batch $sweep_batch_fixed, and batch size at $sweep_workers_fixed workers (\`spec: { workers: N, batch: M }\`, the"
	echo "default ring); same window and starting data as above, so *× best peer* compares with the same peers."
	echo
	echo "$hdr" | sed 's/^| peer |/| spec |/'
	for k in "${KEYS[@]}"; do
		if [[ ${R_SCEN[$k]} == sweep-workers ]]; then rowfmt "$k"; fi
	done
	for k in "${KEYS[@]}"; do
		if [[ ${R_SCEN[$k]} == sweep-batch ]]; then rowfmt "$k"; fi
	done
	if ((have_stream)); then
		echo
		echo "### Decoder and stream"
		echo
		echo "\`bench/binlog_decode.sh --quick\` and \`bench/stream.sh --quick\` run by the suite on a $((stream_bytes >> 20)) MiB binlog"
		echo "(their own sections below come from their full 1 GiB runs). MB/s = binlog bytes ÷ wall time, median of 3."
		echo
		echo "| benchmark | tool | MB/s | × mysqlbinlog | CPU s | peak RSS MiB |"
		echo "|---|---|---:|---:|---:|---:|"
		for d in $(printf '%s\n' "${!D_MB[@]}" | sort); do
			printf '| %s | %s | %s | %s | %s | %s |\n' "${d%%/*}" "${d#*/}" "${D_MB[$d]}" "${D_X[$d]}" "${D_CPU[$d]}" "$(mib "${D_RSS[$d]}")"
		done
		echo
		echo "× mysqlbinlog: decoder against \`mysqlbinlog --base64-output=decode-rows -vv\`; stream against"
		echo "\`mysqlbinlog --read-from-remote-server --raw\` (same server, same transport)."
	fi
	echo
	echo "Raw figures: \`$(rel "$tsv")\`; sluice's logs \`$(rel "$BENCH_LOGS")/\`. Re-run: \`bench/run.sh\` (about"
	echo "$(((total_seconds + 59) / 60)) minutes here); a second run compares its ratios with the previous one in"
	echo "\`$(rel "$BENCH_DIR")/suite-compare.md\`. See \`bench/README.md\`."
} >"$section"

bench_update_doc suite "$section"
if [[ -f ${tsv%.tsv}.prev.tsv ]]; then
	compare_runs "${tsv%.tsv}.prev.tsv" "$tsv" "$BENCH_DIR/suite-compare$qsfx.md"
	log "ratios against the previous run: $(tail -n 1 "$BENCH_DIR/suite-compare$qsfx.md") ($(rel "$BENCH_DIR")/suite-compare$qsfx.md)"
fi
log "done in $total_seconds s: every sluice run left the target equal to the source (CHECKSUM TABLE)"
