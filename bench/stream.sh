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
# What this script shares with bench/binlog_decode.sh.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$root/bench/lib.sh"

quick=0 tls=1 perf=0 doc=auto
for a in "$@"; do
	case $a in
	--no-tls) tls=0 ;;
	*) bench_option "$a" ;;
	esac
done
bench_settings stream
SHM=${BENCH_SHM:-/dev/shm}
bench_need "$MYSQLBINLOG" sysbench mariadbd /usr/bin/time awk
if ((tls)) && ! command -v openssl >/dev/null 2>&1; then
	log "openssl not found: plain TCP only"
	tls=0
fi

# ---------------------------------------------------------------- sluice ---
bench_build_sluice

mkdir -p "$BENCH_DIR"
work=$(mktemp -d "${TMPDIR:-/tmp}/bench-stream-XXXX")
shm=$(mktemp -d "$SHM/bench-stream-XXXX")
# The servers are stopped by mdb_trap's handler; this hook runs first.
mdb_trap 'rm -rf "$work" "$shm"'
bench_copy_sluice

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
bench_sysbench_prepare bsrc "$work"
bench_sysbench_fill bsrc "$work" "$t0"
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
# Each run also records the server's CPU seconds (measure, bench/lib.sh).
BENCH_SERVER_PID=$spid

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
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
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
bench_versions
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
	bench_machine
	echo "Server and clients share these CPUs and talk over loopback TCP (127.0.0.1)."
	echo
	echo "**Tools:** \`$(rel "$SLUICE")\` (${sluice_ver:-?}; CMAKE_BUILD_TYPE=$build_type); \`$MYSQLBINLOG\`: $mysqlbinlog_ver."
	echo
	echo "**Server:** $server_ver, started by \`tests/lib/mariadb.sh\`: $server_opts;"
	echo "binlog_checksum=$checksum, net_buffer_length=$net_buf."
	echo "innodb-flush-log-at-trx-commit=2, sync-binlog=0 and innodb-doublewrite=0 are test-speed"
	echo "settings for generating the binlog; the server is idle while it sends it, the files in the page cache."
	echo
	echo "**Binlog:** ${#files[@]} file(s) ($fsizes), $total bytes ($(awk -v b="$total" 'BEGIN { printf "%.2f GiB", b / 1073741824 }')),"
	echo "$events events and $rows row images as counted by sluice; sysbench ($sysbench_ver):"
	echo "\`oltp_write_only prepare\` ($tables tables × $table_size rows), then $bench_chunks chunk(s) of --time=$chunk --threads=$threads"
	echo "($(for w in "${BENCH_WORKLOADS[@]}"; do printf '%s ×%s ' "$w" "${BENCH_NCHUNKS[$w]:-0}"; done | sed 's/ $//')) until it reached $target bytes, then \`FLUSH BINARY LOGS\`"
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

bench_update_doc stream "$section"
cat "$section"
