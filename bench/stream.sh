#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# bench/stream.sh: how fast does sluice read a large binlog over the network
# from a local MariaDB (replication protocol, io_uring client) and decode it,
# next to `mysqlbinlog --read-from-remote-server` fetching the same binlog
# from the same server, measured in one run.
#
#   bench/stream.sh              # >= 1 GiB binlog, writes docs/BENCHMARKS.md
#   bench/stream.sh --quick      # ~64 MiB smoke run, docs untouched
#   bench/stream.sh --perf       # plus a profile of the sluice run
#
# 1. Starts a throwaway MariaDB source (tests/lib/mariadb.sh, ROW format,
#    FULL row image, --binlog-row-metadata=FULL, --max-binlog-size=1G, the
#    test-speed settings; with TLS certificates from tests/lib/certs.sh
#    unless --no-tls), fills its binlog with sysbench to >= BENCH_BINLOG_BYTES
#    (as bench/binlog_decode.sh does), runs FLUSH BINARY LOGS and keeps the
#    server running, idle, for the measurement.  The binlog files are read
#    once (`cat`) so the server sends them from the page cache.
# 2. Writes one job file per transport (tls mode disabled; tls verify-ca)
#    starting at FIRSTFILE:4, and times, interleaved, BENCH_RUNS (3) times:
#      (a) sluice binlog --remote JOB --to-end --stats
#      (b) sluice binlog --remote JOB --to-end --stats --no-verify
#      (c) mysqlbinlog --read-from-remote-server --raw --to-last-log
#          --result-file=SHM/ FIRSTFILE       (raw fetch; files on tmpfs)
#      (d) mysqlbinlog --read-from-remote-server --base64-output=decode-rows
#          -vv --to-last-log FIRSTFILE > /dev/null   (fetch + decode; plain
#          transport only; a prefix when BENCH_DECODE_BYTES is set)
#    (a)-(c) over plain TCP and over TLS.  Median wall time (EPOCHREALTIME),
#    CPU seconds and peak RSS (/usr/bin/time), and the server's CPU seconds
#    during each run (/proc/PID/stat of mariadbd).
# 3. Writes $BENCH_DIR/stream.tsv and (full runs) the section between the
#    bench:stream markers of docs/BENCHMARKS.md.
#
# Options:
#   --quick        64 MiB binlog (unless BENCH_BINLOG_BYTES is set); results in
#                  stream-quick.tsv; docs only with --write-doc
#   --no-tls       plain TCP only
#   --perf         perf stat + perf record -g of the sluice run (plain), the
#                  sizes of its io_uring receives, the server's profile during
#                  that run, and the read syscalls of mysqlbinlog --raw
#   --write-doc    update docs/BENCHMARKS.md even in --quick mode
#   --no-doc       never touch docs/BENCHMARKS.md
#
# Environment: SLUICE (default $root/build/sluice, built with cmake when
# missing), MYSQLBINLOG (mysqlbinlog), BENCH_DIR ($root/bench/data),
# BENCH_BINLOG_BYTES (1073741824), BENCH_RUNS (3), BENCH_THREADS (4),
# BENCH_TABLES (8), BENCH_TABLE_SIZE (100000), BENCH_CHUNK_SECONDS (10; 3 with
# --quick), BENCH_DECODE_BYTES (unset: (d) reads everything), BENCH_SHM
# (/dev/shm: where mysqlbinlog --raw writes), MDB_BUFFER_POOL (1G here),
# SL_TMP (server temp dirs).
#
# Test-speed server settings (from tests/lib/mariadb.sh):
# innodb-flush-log-at-trx-commit=2, sync-binlog=0, innodb-doublewrite=0.
# They only affect how fast the binlog is generated; the server is idle
# while it sends the binlog.

set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=../tests/lib/mariadb.sh
. "$root/tests/lib/mariadb.sh"
# shellcheck source=../tests/lib/certs.sh
. "$root/tests/lib/certs.sh"

quick=0 tls=1 perf=0 doc=auto
for a in "$@"; do
	case $a in
	--quick) quick=1 ;;
	--no-tls) tls=0 ;;
	--perf) perf=1 ;;
	--write-doc) doc=yes ;;
	--no-doc) doc=no ;;
	-h | --help)
		sed -n '2,/^$/p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
		exit 0
		;;
	*)
		echo "stream.sh: unknown option '$a' (see --help)" >&2
		exit 2
		;;
	esac
done
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
	tsv=$BENCH_DIR/stream-quick.tsv
else
	target=${BENCH_BINLOG_BYTES:-$((1 << 30))}
	tables=${BENCH_TABLES:-8}
	table_size=${BENCH_TABLE_SIZE:-100000}
	chunk=${BENCH_CHUNK_SECONDS:-10}
	tsv=$BENCH_DIR/stream.tsv
fi
runs=${BENCH_RUNS:-3}
threads=${BENCH_THREADS:-4}
export MDB_BUFFER_POOL=${MDB_BUFFER_POOL:-1G}
SB_DIR=${SB_DIR:-/usr/share/sysbench}
SHM=${BENCH_SHM:-/dev/shm}
# Extra mariadbd options of the source, on top of mdb_start_source's.
SERVER_OPTS=(--binlog-row-metadata=FULL --max-binlog-size=1G
	--innodb-log-file-size=512M)

log() { printf '[bench] %s\n' "$*" >&2; }
die() {
	printf '[bench] error: %s\n' "$*" >&2
	exit 1
}

for b in "$MYSQLBINLOG" sysbench mariadbd /usr/bin/time awk; do
	command -v "$b" >/dev/null 2>&1 || die "$b not found"
done
if ((tls)) && ! command -v openssl >/dev/null 2>&1; then
	log "openssl not found: plain TCP only"
	tls=0
fi

# ---------------------------------------------------------------- sluice ---
if [[ ! -x $SLUICE ]]; then
	[[ $SLUICE == "$root/build/sluice" ]] || die "SLUICE=$SLUICE is not executable"
	log "building $SLUICE"
	cmake -S "$root" -B "$root/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >&2
	cmake --build "$root/build" --target sluice -j"$(nproc)" >&2
fi
[[ -x $SLUICE ]] || die "no sluice binary at $SLUICE"

mkdir -p "$BENCH_DIR"
work=$(mktemp -d "${TMPDIR:-/tmp}/bench-stream-XXXX")
shm=$(mktemp -d "$SHM/bench-stream-XXXX")
# The servers are stopped by mdb_trap's handler; this hook runs first.
mdb_trap 'rm -rf "$work" "$shm"'
# Run a copy of the binary: a rebuild of build/sluice by someone else during
# the run must not mix two versions into one median.
SL=$work/sluice
cp -- "$SLUICE" "$SL"
sluice_built=$(date -u -r "$SLUICE" +%Y-%m-%dT%H:%M:%SZ)
rel() { printf '%s\n' "${1#"$root"/}"; }

sum_sizes() {
	local s=0 f
	for f in "$@"; do
		s=$((s + $(stat -c %s "$f")))
	done
	printf '%s\n' "$s"
}

# -------------------------------------------------------- server, binlog ---
t0=$SECONDS
opts=("${SERVER_OPTS[@]}")
if ((tls)); then
	certs_make "$work/certs"
	opts+=(--ssl-ca="$work/certs/ca.pem" --ssl-cert="$work/certs/server.pem"
		--ssl-key="$work/certs/server.key")
fi
port=$(mdb_free_port 23800)
mdb_start_source bsrc "$port" "${opts[@]}"
spid=$(mdb_pid bsrc)
if ((tls)) && [[ $(mdb_sql bsrc "SELECT @@have_ssl") != YES ]]; then
	log "the server did not enable TLS (have_ssl != YES): plain TCP only"
	tls=0
fi
mdb_sql bsrc "CREATE DATABASE sbtest"
wl=(oltp_write_only oltp_update_non_index oltp_insert)
declare -A nchunks=()
sb=(--db-driver=mysql --mysql-socket="$(mdb_sock bsrc)"
	--mysql-user=root --mysql-db=sbtest --tables="$tables"
	--table-size="$table_size" --threads="$threads")
log "sysbench prepare: $tables tables x $table_size rows"
sysbench "$SB_DIR/oltp_write_only.lua" "${sb[@]}" prepare \
	>"$work/sysbench-prepare.log" 2>&1 ||
	{ tail "$work/sysbench-prepare.log" >&2; die "sysbench prepare failed"; }
mapfile -t files < <(mdb_binlogs bsrc)
bytes=$(sum_sizes "${files[@]}")
i=0
while ((bytes < target)); do
	w=${wl[i % ${#wl[@]}]}
	i=$((i + 1))
	nchunks[$w]=$((${nchunks[$w]:-0} + 1))
	sysbench "$SB_DIR/$w.lua" "${sb[@]}" --time="$chunk" --events=0 \
		--rand-seed="$i" run >>"$work/sysbench-run.log" 2>&1 ||
		{ tail "$work/sysbench-run.log" >&2; die "sysbench $w failed"; }
	mapfile -t files < <(mdb_binlogs bsrc)
	bytes=$(sum_sizes "${files[@]}")
	log "$(printf '%-22s chunk %3d: %5d MiB of %d MiB (%3d%%), %d s' \
		"$w" "$i" $((bytes >> 20)) $((target >> 20)) \
		$((bytes * 100 / target)) $((SECONDS - t0)))"
done
# Close the last file with a Rotate event; the new one holds only its
# header.  Both tools read every file, the new one included.
mdb_sql bsrc "FLUSH BINARY LOGS"
# The new file starts with a Binlog_checkpoint naming the old one; a
# second one, naming the new file, follows in the background once the old
# file's transactions are durable: wait for it, then the binlog is still.
mapfile -t files < <(mdb_binlogs bsrc)
last=$(basename "${files[-1]}")
for ((w = 0; w < 300; w++)); do
	mdb_sql bsrc "SHOW BINLOG EVENTS IN '$last'" |
		awk -F'\t' -v f="$last" '$3 == "Binlog_checkpoint" && index($6, f) { ok = 1 } END { exit !ok }' && break
	sleep 0.1
done
((w < 300)) || log "warning: no Binlog_checkpoint for $last after 30 s"
gen_seconds=$((SECONDS - t0))
total=$(sum_sizes "${files[@]}")
first=$(basename "${files[0]}")
server_ver=$(mdb_sql bsrc "SELECT VERSION()")
checksum=$(mdb_sql bsrc "SELECT @@binlog_checksum")
net_buf=$(mdb_sql bsrc "SELECT @@net_buffer_length")
sysbench_ver=$(sysbench --version)
server_opts="mdb_start_source (--binlog-format=ROW --binlog-row-image=FULL --gtid-strict-mode=1 --innodb-flush-log-at-trx-commit=2 --sync-binlog=0 --innodb-doublewrite=0 --innodb-buffer-pool-size=$MDB_BUFFER_POOL --max-allowed-packet=256M) ${SERVER_OPTS[*]}"
((tls)) && server_opts+=" --ssl-ca=ca.pem --ssl-cert=server.pem --ssl-key=server.key (tests/lib/certs.sh)"
fsizes=$(for f in "${files[@]}"; do printf '%s %s B, ' "$(basename "$f")" "$(stat -c %s "$f")"; done)
fsizes=${fsizes%, }
log "binlog ready: ${#files[@]} file(s), $total bytes, from $first ($gen_seconds s)"
# The server sends from the page cache.
cat "${files[@]}" >/dev/null

# ------------------------------------------------------------ job files ---
write_job() { # FILE TLS-YAML
	cat >"$1" <<-EOF
		# bench/stream.sh: the throwaway source, from its first binlog file.
		name: bench-stream
		source:
		  host: 127.0.0.1
		  port: $port
		  user: $MDB_USER
		  password: $MDB_PASSWORD
		  server-id: 4242
		  tls: $2
		target:
		  hosts: ["127.0.0.1:4000"]   # not used by sluice binlog
		  user: root
		start: { mode: position, file: $first, position: 4 }
	EOF
}
write_job "$work/job-plain.yaml" "{ mode: disabled }"
MODES=(plain)
if ((tls)); then
	write_job "$work/job-tls.yaml" "{ mode: verify-ca, ca: $work/certs/ca.pem }"
	MODES+=(tls)
fi

# ---------------------------------------------------------- measurement ---
tck=$(getconf CLK_TCK)
server_ticks() { sed 's/^.*) //' "/proc/$spid/stat" | awk '{ print $12 + $13 }'; }

# measure NAME STDOUT CMD...: one timed run; appends "wall rss_kib user sys
# server_cpu" to $work/NAME.runs.  Wall time from EPOCHREALTIME (µs), the
# rest from /usr/bin/time, the server's CPU from /proc/PID/stat.
measure() {
	local name=$1 out=$2 t0 t1 s0 s1 rc=0
	shift 2
	s0=$(server_ticks)
	t0=$EPOCHREALTIME
	/usr/bin/time -f '%M %U %S' -o "$work/$name.time" "$@" >"$out" 2>"$work/$name.err" || rc=$?
	t1=$EPOCHREALTIME
	s1=$(server_ticks)
	if ((rc != 0)); then
		tail -n 5 "$work/$name.err" >&2
		die "$name exited with status $rc: $*"
	fi
	local rss usr sys
	read -r rss usr sys < <(tail -n 1 "$work/$name.time")
	awk -v a="$t0" -v b="$t1" -v r="$rss" -v u="$usr" -v s="$sys" \
		-v sc=$((s1 - s0)) -v hz="$tck" \
		'BEGIN { printf "%.4f %d %.2f %.2f %.2f\n", b - a, r, u, s, sc / hz }' >>"$work/$name.runs"
}

# stat_field NAME FIELD: a field of the last --stats line of NAME.
stat_field() {
	awk -v k="$2" '{ for (i = 1; i < NF; i++) if ($i == k) v = $(i + 1) } END { print v }' \
		"$work/$1.out"
}

# mysqlbinlog connection options per transport.
mb_conn() {
	local o=(--host=127.0.0.1 --port="$port" --user="$MDB_USER" --password="$MDB_PASSWORD")
	if [[ $1 == tls ]]; then
		o+=(--ssl --ssl-ca="$work/certs/ca.pem" --ssl-verify-server-cert)
	else
		o+=(--skip-ssl)
	fi
	printf '%s\n' "${o[@]}"
}
mb_conn_text() {
	if [[ $1 == tls ]]; then
		echo "--host=127.0.0.1 --port=P --user=sluice --password=sluice --ssl --ssl-ca=ca.pem --ssl-verify-server-cert"
	else
		echo "--host=127.0.0.1 --port=P --user=sluice --password=sluice --skip-ssl"
	fi
}

# (d): the whole binlog, or the first BENCH_DECODE_BYTES of the first file.
dec_bytes=$total dec_args=(--to-last-log "$first") dec_text="--to-last-log $first"
if [[ -n ${BENCH_DECODE_BYTES:-} ]] && ((BENCH_DECODE_BYTES < total)); then
	dec_bytes=$BENCH_DECODE_BYTES
	dec_args=(--stop-position="$dec_bytes" "$first")
	dec_text="--stop-position=$dec_bytes $first"
fi

NAMES=(sluice sluice_noverify mysqlbinlog_raw mysqlbinlog_raw_noannot mysqlbinlog_decode)
declare -A CMD WHAT
WHAT[sluice]="(a) sluice binlog --remote --stats"
WHAT[sluice_noverify]="(b) sluice … --stats --no-verify"
WHAT[mysqlbinlog_raw]="(c) mysqlbinlog --raw (fetch only)"
WHAT[mysqlbinlog_raw_noannot]="(c2) mysqlbinlog --raw --skip-annotate-row-events"
WHAT[mysqlbinlog_decode]="(d) mysqlbinlog decode-rows -vv"
for m in "${MODES[@]}"; do
	CMD[${m}_sluice]="$(rel "$SLUICE") binlog --remote job-$m.yaml --to-end --stats"
	CMD[${m}_sluice_noverify]="$(rel "$SLUICE") binlog --remote job-$m.yaml --to-end --stats --no-verify"
	CMD[${m}_mysqlbinlog_raw]="$MYSQLBINLOG --no-defaults --read-from-remote-server --raw $(mb_conn_text "$m") --result-file=/dev/shm/DIR/ --to-last-log $first"
	CMD[${m}_mysqlbinlog_raw_noannot]="$MYSQLBINLOG --no-defaults --read-from-remote-server --raw --skip-annotate-row-events $(mb_conn_text "$m") --result-file=/dev/shm/DIR/ --to-last-log $first"
	CMD[${m}_mysqlbinlog_decode]="$MYSQLBINLOG --no-defaults --read-from-remote-server $(mb_conn_text "$m") --base64-output=decode-rows -vv $dec_text > /dev/null"
done
# names_of MODE: what runs over that transport ((d) over plain TCP only).
names_of() {
	if [[ $1 == plain ]]; then
		printf '%s\n' "${NAMES[@]}"
	else
		printf '%s\n' sluice sluice_noverify mysqlbinlog_raw mysqlbinlog_raw_noannot
	fi
}

run_one() { # MODE NAME
	local m=$1 n=$2 k=$1_$2 c
	mapfile -t c < <(mb_conn "$m")
	case $n in
	sluice) measure "$k" "$work/$k.out" "$SL" binlog --remote "$work/job-$m.yaml" --to-end --stats ;;
	sluice_noverify)
		measure "$k" "$work/$k.out" "$SL" binlog --remote "$work/job-$m.yaml" --to-end --stats --no-verify ;;
	mysqlbinlog_raw | mysqlbinlog_raw_noannot)
		local skip=() got
		[[ $n == mysqlbinlog_raw_noannot ]] && skip=(--skip-annotate-row-events)
		rm -rf "$shm/raw" && mkdir "$shm/raw"
		measure "$k" /dev/null "$MYSQLBINLOG" --no-defaults --read-from-remote-server --raw \
			"${skip[@]}" "${c[@]}" --result-file="$shm/raw/" --to-last-log "$first"
		got=$(sum_sizes "$shm/raw/"*)
		if [[ $n == mysqlbinlog_raw ]] && ((got != total)); then
			ls -l "$shm/raw/" "${files[@]}" >&2
			die "mysqlbinlog --raw wrote $got bytes, the binlog has $total"
		fi
		# Without Annotate_rows: the events the server sends sluice too.
		if [[ $n == mysqlbinlog_raw_noannot ]]; then
			[[ -z $noannot || $noannot == "$got" ]] ||
				die "mysqlbinlog --raw --skip-annotate-row-events wrote $got bytes, before $noannot"
			noannot=$got
		fi
		rm -rf "$shm/raw"
		;;
	mysqlbinlog_decode)
		measure "$k" /dev/null "$MYSQLBINLOG" --no-defaults --read-from-remote-server \
			"${c[@]}" --base64-output=decode-rows -vv "${dec_args[@]}" ;;
	esac
}

noannot=""
log "measuring ${#files[@]} file(s), $total bytes, over ${MODES[*]}, $runs runs each (interleaved)"
for ((r = 1; r <= runs; r++)); do
	for m in "${MODES[@]}"; do
		while read -r n; do
			run_one "$m" "$n"
			log "run $r $(printf '%-5s %-20s' "$m" "$n") $(tail -n 1 "$work/${m}_$n.runs" |
				awk '{ printf "%.3f s, %d KiB, cpu %.2f s, server cpu %.2f s", $1, $2, $3 + $4, $5 }')"
		done < <(names_of "$m")
	done
done
# The server stayed idle: the binlog did not grow during the runs.
mapfile -t after < <(mdb_binlogs bsrc)
[[ $(sum_sizes "${after[@]}") == "$total" ]] || die "the binlog changed during the measurement"

# summarize NAME: "wall_median wall_min wall_max rss_max_kib cpu_median server_cpu_median"
summarize() {
	awk '{ w[NR] = $1; c[NR] = $3 + $4; s[NR] = $5; if ($2 > m) m = $2 }
	function med(a, n,   i, j, t) {
		for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j - 1] > a[j]; j--) {
			t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
		return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
	END { n = NR; for (i = 1; i <= n; i++) ww[i] = w[i]
		lo = hi = w[1]; for (i = 1; i <= n; i++) { if (w[i] < lo) lo = w[i]; if (w[i] > hi) hi = w[i] }
		printf "%.4f %.4f %.4f %d %.2f %.2f\n", med(ww, n), lo, hi, m, med(c, n), med(s, n) }' "$work/$1.runs"
}

declare -A WALL WMIN WMAX RSS CPU SCPU BYTES SENT
KEYS=()
for m in "${MODES[@]}"; do
	while read -r n; do
		k=${m}_$n
		KEYS+=("$k")
		read -r "WALL[$k]" "WMIN[$k]" "WMAX[$k]" "RSS[$k]" "CPU[$k]" "SCPU[$k]" < <(summarize "$k")
		BYTES[$k]=$total
		SENT[$k]=$total
		case $n in
		sluice*) SENT[$k]=$noannot ;;
		mysqlbinlog_raw_noannot) SENT[$k]=$noannot ;;
		mysqlbinlog_decode) BYTES[$k]=$dec_bytes SENT[$k]=$dec_bytes ;;
		esac
	done < <(names_of "$m")
done
events=$(stat_field plain_sluice events)
rows=$(stat_field plain_sluice rows)
sl_bytes=$(stat_field plain_sluice bytes)
self_mbs=$(stat_field plain_sluice MB/s)
annot_bytes=$((total - noannot))
log "binlog $total bytes; without Annotate_rows events (what the server sends sluice) $noannot; sluice counted $sl_bytes event bytes"
# This build's --remote path may not pass --no-verify on to the decoder.
remote_noverify=1
awk '/^static int decode_remote\(/, /^}/' "$root/tools/sluice/cmd_binlog.c" 2>/dev/null |
	grep -q decoder_set_verify_checksums || remote_noverify=0

# ------------------------------------------------------------- profile ----
perf_stat="" perf_top="" perf_caller="" server_top="" recv_hist="" recv_summary="" mb_sys=""
if ((perf)); then
	if command -v perf >/dev/null 2>&1; then
		pcmd=("$SL" binlog --remote "$work/job-plain.yaml" --to-end --stats)
		log "perf stat of the sluice run"
		perf stat -e task-clock,context-switches,cycles,instructions,page-faults \
			-e io_uring:io_uring_complete -o "$work/perf.stat" "${pcmd[@]}" >/dev/null 2>&1 || true
		perf_stat=$(grep -E '^ +[0-9]' "$work/perf.stat" | sed 's/^ *//; s/  */ /g' || true)

		log "perf record -g of the sluice run, the server profiled alongside"
		perf record -q -g -p "$spid" -o "$work/perf-server.data" >/dev/null 2>"$work/perf-server.err" &
		ppid=$!
		sleep 1
		perf record -q -g -o "$work/perf-sluice.data" "${pcmd[@]}" >/dev/null 2>"$work/perf-sluice.err" || true
		kill -INT "$ppid" 2>/dev/null || true
		wait "$ppid" 2>/dev/null || true
		perf report -i "$work/perf-sluice.data" --stdio --no-children -g none \
			--sort dso,symbol --percent-limit 0.5 2>/dev/null >"$BENCH_DIR/stream.perf-sluice.txt" || true
		perf_top=$(grep -E '^ +[0-9.]+%' "$BENCH_DIR/stream.perf-sluice.txt" | head -n 15 |
			sed 's/^ *//; s/ *- *- *$//; s/  */ /g' || true)
		perf report -i "$work/perf-sluice.data" --stdio --children -g none \
			--sort symbol --percent-limit 3 2>/dev/null >"$BENCH_DIR/stream.perf-sluice-children.txt" || true
		perf_caller=$(grep -E '^ +[0-9.]+%' "$BENCH_DIR/stream.perf-sluice-children.txt" | head -n 15 |
			sed 's/^ *//; s/ *- *- *$//; s/  */ /g' || true)
		perf report -i "$work/perf-server.data" --stdio --no-children -g none \
			--sort comm,dso,symbol --percent-limit 1 2>/dev/null >"$BENCH_DIR/stream.perf-server.txt" || true
		server_top=$(grep -E '^ +[0-9.]+%' "$BENCH_DIR/stream.perf-server.txt" | head -n 12 |
			sed 's/^ *//; s/ *- *- *$//; s/  */ /g' || true)

		# Sizes of sluice's receives: io_uring completions of RECV ops
		# (user_data & 0xff == 3, see io/ring.c) with res > 0.
		log "io_uring receive sizes of the sluice run"
		if perf record -q -e io_uring:io_uring_complete -o "$work/perf-uring.data" \
			"${pcmd[@]}" >/dev/null 2>"$work/perf-uring.err"; then
			perf script -i "$work/perf-uring.data" 2>/dev/null | awk '
				{ ud = ""; res = ""
				  for (i = 1; i <= NF; i++) {
					if ($i ~ /^user_data/) { ud = $(i + 1); sub(/,$/, "", ud) }
					if ($i ~ /^res(ult)?$/) { res = $(i + 1); sub(/,$/, "", res) } }
				  if (ud == "" || res == "") next
				  if (strtonum(ud) % 256 != 3 || res + 0 <= 0) next
				  n++; s += res; b = 1; while (b < res + 0) b *= 2; h[b]++
				  if (res + 0 > mx) mx = res + 0 }
				END { if (!n) exit
				  printf "%d receives, %.0f bytes, mean %.0f B, max %d B\n", n, s, s / n, mx
				  for (b = 1; b <= 8388608; b *= 2) if (h[b]) printf "  <= %8d B: %7d (%5.1f%%)\n", b, h[b], 100 * h[b] / n }' \
				>"$work/recv.txt" 2>/dev/null || true
			recv_summary=$(head -n 1 "$work/recv.txt")
			recv_hist=$(tail -n +2 "$work/recv.txt")
		fi

		# mysqlbinlog --raw's socket reads, for comparison.
		mapfile -t c < <(mb_conn plain)
		rm -rf "$shm/raw" && mkdir "$shm/raw"
		if perf stat -e task-clock,context-switches -e 'syscalls:sys_enter_recvfrom' \
			-e 'syscalls:sys_enter_read' -e 'syscalls:sys_enter_poll' -e 'syscalls:sys_enter_write' \
			-o "$work/perf-mb.stat" "$MYSQLBINLOG" --no-defaults --read-from-remote-server --raw \
			"${c[@]}" --result-file="$shm/raw/" --to-last-log "$first" >/dev/null 2>&1; then
			mb_sys=$(grep -E '^ +[0-9]' "$work/perf-mb.stat" | sed 's/^ *//; s/  */ /g' || true)
		fi
		rm -rf "$shm/raw"
		[[ -n $perf_top ]] || log "perf did not work here (perf_event_paranoid?)"
	else
		log "perf not installed: skipping --perf"
		perf=0
	fi
fi

# -------------------------------------------------------------- results ---
mbs() { awk -v b="$1" -v s="$2" 'BEGIN { printf "%.1f", (s > 0 ? b / 1e6 / s : 0) }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
pct() { awk -v c="$1" -v w="$2" 'BEGIN { printf "%.0f", (w > 0 ? 100 * c / w : 0) }'; }
# x NAME [REF]: binlog MB/s of NAME over that of REF (mysqlbinlog_raw) on
# the same transport.
x_raw() {
	local m=${1%%_*} ref=${2:-mysqlbinlog_raw}
	awk -v b1="${BYTES[$1]}" -v w1="${WALL[$1]}" -v b0="${BYTES[${m}_$ref]}" \
		-v w0="${WALL[${m}_$ref]}" 'BEGIN { printf "%.2f", (w1 > 0 && b0 > 0 ? (b1 / w1) / (b0 / w0) : 0) }'
}

{
	printf 'transport\ttool\tcommand\truns\twall_median_s\twall_min_s\twall_max_s\tcpu_median_s\tpeak_rss_kib\tserver_cpu_median_s\tbinlog_bytes\tsent_bytes\tmb_s\tsent_mb_s\tx_mysqlbinlog_raw\tx_mysqlbinlog_raw_noannot\n'
	for k in "${KEYS[@]}"; do
		printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "${k%%_*}" "${k#*_}" "${CMD[$k]}" "$runs" \
			"${WALL[$k]}" "${WMIN[$k]}" "${WMAX[$k]}" "${CPU[$k]}" "${RSS[$k]}" "${SCPU[$k]}" \
			"${BYTES[$k]}" "${SENT[$k]}" "$(mbs "${BYTES[$k]}" "${WALL[$k]}")" "$(mbs "${SENT[$k]}" "${WALL[$k]}")" \
			"$(x_raw "$k")" "$(x_raw "$k" mysqlbinlog_raw_noannot)"
	done
} >"$tsv"
log "results: $tsv"
column -t -s $'\t' "$tsv" | cut -c1-240 >&2 || cat "$tsv" >&2

# ------------------------------------------------------------- the doc ----
goal() { awk -v v="$1" -v g="$2" 'BEGIN { print (v >= g) ? "met" : "**not met**" }'; }
cpu_model=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
mem_total=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
sluice_ver=$("$SL" version 2>/dev/null | head -n 1 || true)
git_rev=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo "?")
git_dirty=$(git -C "$root" status --porcelain 2>/dev/null | grep -q . && echo " (+ uncommitted changes)" || true)
mysqlbinlog_ver=$("$MYSQLBINLOG" --version 2>/dev/null | head -n 1)
tls_proto=""
if ((tls)); then
	tls_proto=$(mariadb --no-defaults -h127.0.0.1 -P"$port" -u"$MDB_USER" -p"$MDB_PASSWORD" \
		--ssl --ssl-ca="$work/certs/ca.pem" --batch --skip-column-names \
		-e "SHOW SESSION STATUS WHERE Variable_name IN ('Ssl_version','Ssl_cipher')" 2>/dev/null |
		awk '{ printf "%s%s", (NR > 1 ? " " : ""), $2 }' || true)
fi

section=$work/section.md
{
	echo "## Stream: \`sluice binlog --remote\` against mysqlbinlog --read-from-remote-server"
	echo
	echo "Generated by \`bench/stream.sh$( ((perf)) && echo " --perf")\` on $(date -u +%Y-%m-%d) (${sluice_ver:-sluice ?} built $sluice_built, git $git_rev$git_dirty)."
	echo
	echo "**Machine:** $(nproc) CPUs ($cpu_model), $mem_total RAM, Linux $(uname -r)."
	echo "Server and clients share these CPUs and talk over loopback TCP (127.0.0.1)."
	echo
	echo "**Tools:** \`$(rel "$SLUICE")\` (${sluice_ver:-?}; RelWithDebInfo); \`$MYSQLBINLOG\`: $mysqlbinlog_ver."
	echo
	echo "**Server:** $server_ver, started by \`tests/lib/mariadb.sh\`: $server_opts;"
	echo "binlog_checksum=$checksum, net_buffer_length=$net_buf."
	echo "innodb-flush-log-at-trx-commit=2, sync-binlog=0 and innodb-doublewrite=0 are test-speed"
	echo "settings for generating the binlog; the server is idle while it sends it, the files in the page cache."
	echo
	echo "**Binlog:** ${#files[@]} file(s) ($fsizes), $total bytes ($(awk -v b="$total" 'BEGIN { printf "%.2f GiB", b / 1073741824 }')),"
	echo "$events events and $rows row images as counted by sluice; sysbench ($sysbench_ver):"
	echo "\`oltp_write_only prepare\` ($tables tables × $table_size rows), then $i chunk(s) of --time=$chunk --threads=$threads"
	echo "($(for w in "${wl[@]}"; do printf '%s ×%s ' "$w" "${nchunks[$w]:-0}"; done | sed 's/ $//')) until it reached $target bytes, then \`FLUSH BINARY LOGS\`"
	echo "(generation took $gen_seconds s)."
	echo
	echo "**Job file** (\`job-plain.yaml\`; \`job-tls.yaml\` has \`tls: { mode: verify-ca, ca: ca.pem }\`):"
	echo
	echo '```yaml'
	sed "s/port: $port/port: P/" "$work/job-plain.yaml" | grep -v '^#'
	echo '```'
	echo
	echo "**Commands** (P = the server's port, each run to the end of the binlog):"
	echo
	echo '```sh'
	for k in "${KEYS[@]}"; do echo "${CMD[$k]}"; done
	echo '```'
	echo
	echo "Every figure is the median of $runs runs, all commands interleaved in one run against the"
	echo "same idle server. MB = 10^6 bytes. *MB/s* = binlog file bytes / wall time (process start,"
	echo "connect and login included). *sent MB/s* = bytes of events the server sent / wall time:"
	echo "sluice does not ask for Annotate_rows events (the SQL text of each row statement; its dump"
	echo "request lacks BINLOG_SEND_ANNOTATE_ROWS_EVENT), so the server sends it $noannot of the $total"
	echo "bytes ($(awk -v a="$annot_bytes" -v t="$total" 'BEGIN { printf "%.1f", 100 * a / t }')% of the binlog is Annotate_rows); (c2) asks mysqlbinlog for exactly that stream,"
	echo "(c) for all of it. CPU s = user + system of the client; server CPU s = the mariadbd process"
	echo "during the run (the binlog dump thread). × (c), × (c2) = MB/s over that of (c), (c2) on the"
	echo "same transport. \`--raw\` writes its files to tmpfs (\`/dev/shm\`), so no disk is measured."
	for m in "${MODES[@]}"; do
		echo
		if [[ $m == plain ]]; then echo "**Plain TCP** (\`tls: { mode: disabled }\`, \`--skip-ssl\`):"; else
			echo "**TLS** (${tls_proto:-TLS}; sluice \`verify-ca\`, mysqlbinlog \`--ssl-verify-server-cert\`):"
		fi
		echo
		echo "| what | wall s (median; min–max) | MB/s | sent MB/s | CPU s | peak RSS MiB | server CPU s | × (c) | × (c2) |"
		echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
		while read -r n; do
			k=${m}_$n
			what=${WHAT[$n]}
			[[ $n == mysqlbinlog_decode && $dec_bytes != "$total" ]] && what+=" (first $dec_bytes B)"
			printf '| %s | %.3f (%.3f–%.3f) | %s | %s | %s | %s | %s | %s | %s |\n' "$what" \
				"${WALL[$k]}" "${WMIN[$k]}" "${WMAX[$k]}" "$(mbs "${BYTES[$k]}" "${WALL[$k]}")" \
				"$(mbs "${SENT[$k]}" "${WALL[$k]}")" "${CPU[$k]}" "$(mib "${RSS[$k]}")" "${SCPU[$k]}" \
				"$(x_raw "$k")" "$(x_raw "$k" mysqlbinlog_raw_noannot)"
		done < <(names_of "$m")
	done
	echo
	echo "\`--stats\` times itself from before the connect to the end (no process start-up): $self_mbs MB/s"
	echo "of the $sl_bytes event bytes it decoded (plain, last run)."
	if ((!remote_noverify)); then
		echo "This build's \`--remote\` path does not hand \`--no-verify\` to the decoder (\`decode_remote\` in"
		echo "\`tools/sluice/cmd_binlog.c\` never calls \`decoder_set_verify_checksums\`): (b) checks CRC32 like (a)."
	fi
	echo
	echo "**Goal** (issue 3): sluice reading + decoding ≥ 2× \`mysqlbinlog --raw\` fetching the same binlog."
	for m in "${MODES[@]}"; do
		x=$(x_raw "${m}_sluice")
		x2=$(x_raw "${m}_sluice" mysqlbinlog_raw_noannot)
		echo "* $m: $(mbs "$total" "${WALL[${m}_sluice]}") MB/s against $(mbs "$total" "${WALL[${m}_mysqlbinlog_raw]}") MB/s for (c), ${x}× — $(goal "$x" 2);"
		echo "  against (c2), the same event stream, ${x2}× — $(goal "$x2" 2)."
		echo "  CPU use during the run, in % of one core, client / server: sluice $(pct "${CPU[${m}_sluice]}" "${WALL[${m}_sluice]}") / $(pct "${SCPU[${m}_sluice]}" "${WALL[${m}_sluice]}"),"
		echo "  (c) $(pct "${CPU[${m}_mysqlbinlog_raw]}" "${WALL[${m}_mysqlbinlog_raw]}") / $(pct "${SCPU[${m}_mysqlbinlog_raw]}" "${WALL[${m}_mysqlbinlog_raw]}"),"
		echo "  (c2) $(pct "${CPU[${m}_mysqlbinlog_raw_noannot]}" "${WALL[${m}_mysqlbinlog_raw_noannot]}") / $(pct "${SCPU[${m}_mysqlbinlog_raw_noannot]}" "${WALL[${m}_mysqlbinlog_raw_noannot]}")."
	done
	echo "* against mysqlbinlog's own fetch + decode (d): $(x_raw plain_sluice | awk -v r="$(x_raw plain_mysqlbinlog_decode)" '{ printf "%.1f", (r > 0 ? $1 / r : 0) }')×."
	if [[ -n $perf_stat ]]; then
		echo
		echo "**perf stat** of \`${CMD[plain_sluice]}\`:"
		echo
		echo '```'
		printf '%s\n' "$perf_stat"
		echo '```'
	fi
	if [[ -n $recv_summary ]]; then
		echo
		echo "**Receive sizes** of that run (io_uring RECV completions, traced): $recv_summary"
		echo
		echo '```'
		printf '%s\n' "$recv_hist"
		echo '```'
	fi
	if [[ -n $mb_sys ]]; then
		echo
		echo "**mysqlbinlog --raw**, its system calls (perf stat, plain):"
		echo
		echo '```'
		printf '%s\n' "$mb_sys"
		echo '```'
	fi
	if [[ -n $perf_top ]]; then
		echo
		echo "**Profile** (perf record -g, self time, top functions) of \`${CMD[plain_sluice]}\`:"
		echo
		echo '```'
		printf '%s\n' "$perf_top"
		echo '```'
	fi
	if [[ -n $perf_caller ]]; then
		echo
		echo "Same profile, time including callees (≥ 3%):"
		echo
		echo '```'
		printf '%s\n' "$perf_caller"
		echo '```'
	fi
	if [[ -n $server_top ]]; then
		echo
		echo "**The server during that run** (perf record -g -p mariadbd, self time):"
		echo
		echo '```'
		printf '%s\n' "$server_top"
		echo '```'
	fi
	echo
	echo "Raw figures: \`$(rel "$tsv")\`$( ((perf)) && echo "; perf reports \`$(rel "$BENCH_DIR")/stream.perf-*.txt\`"). Re-run: \`bench/stream.sh\`"
	echo "(generates a new binlog each time, a minute or two), see \`bench/README.md\`."
} >"$section"

if [[ $doc == yes ]]; then
	docf=$root/docs/BENCHMARKS.md
	start='<!-- bench:stream:start -->'
	end='<!-- bench:stream:end -->'
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
			printf '\n%s\n' "$start"
			cat "$section"
			printf '%s\n' "$end"
		} >"$work/doc.new"
	fi
	cat "$work/doc.new" >"$docf"
	log "updated $(rel "$docf")"
else
	cp "$section" "$BENCH_DIR/stream-section.md"
	log "docs untouched; section written to $(rel "$BENCH_DIR/stream-section.md")"
fi
cat "$section"
