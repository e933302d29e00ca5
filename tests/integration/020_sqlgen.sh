#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# 020_sqlgen: the SQL builder (apply/sqlgen.c) against a real target.
#
# A source (ROW, FULL image, binlog_row_metadata=FULL) runs
# 001_decode_types.sql (every column type, edge values) and
# tests/lib/sqlgen_extra.sql (backticked names, composite keys, key
# changes and swaps in one transaction, rows born and deleted in one
# transaction, tables without a key, utf16/ucs2/cp1251/sjis/latin1-nopad
# text, statement splitting).  `test_sqlgen --emit` decodes the source's
# binlog and prints the SQL a worker would send (session settings, then
# per batch BEGIN, compacted DELETEs / INSERTs / upserts, COMMIT); the
# mariadb client applies it to a second server holding the source's
# schema (the same workloads run there, then every table emptied), and
# CHECKSUM TABLE must match the source for every table:
#   1. one batch per source transaction, statements up to 64 KiB;
#   2. from a fresh schema, batches of 400+ changes across transactions
#      (compaction), statements up to 4 KiB (splitting);
#   3. safe mode over the result of 2: the whole binlog replayed with
#      REPLACE / DELETE must change nothing (idempotent replay).
#
# Env: SL_BUILD (build dir holding tests/test_sqlgen; default ../../build),
# SL_TEST_SQLGEN (the binary itself), SL_TMP, SL_KEEP=1 (keep the work
# directory: binlogs, generated SQL, dumps).  On failure the work
# directory is kept and the differing rows are shown.
set -euo pipefail

name=020_sqlgen
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
lib=$here/../lib
# shellcheck source-path=SCRIPTDIR/../lib source=mariadb.sh
. "$lib/mariadb.sh"

fail() {
	printf '%s: FAIL: %s\n' "$name" "$*" >&2
	exit 1
}

gen=${SL_TEST_SQLGEN:-}
if [[ -z $gen ]]; then
	for c in "${SL_BUILD:-}/tests/test_sqlgen" "$here/../../build/tests/test_sqlgen"; do
		if [[ -x $c ]]; then
			gen=$c
			break
		fi
	done
fi
[[ -n $gen && -x $gen ]] || fail "test_sqlgen not found or not executable: '$gen' (set SL_BUILD or SL_TEST_SQLGEN)"
command -v mariadb-dump >/dev/null || fail "mariadb-dump not found (apt-get install mariadb-client)"

mkdir -p "${SL_TMP:-/tmp}"
work=$(mktemp -d "${SL_TMP:-/tmp}/sluice-$name-XXXX")
cleanup_work() {
	if [[ ${MDB_EXIT_STATUS:-1} == 0 && ${SL_KEEP:-0} != 1 ]]; then
		rm -rf "$work"
	else
		printf '%s: work directory kept: %s\n' "$name" "$work" >&2
	fi
}
mdb_trap cleanup_work

dbs=(sl_types sl_sqlgen)

mdb_start_source src "$(mdb_free_port 23400)" --binlog-row-metadata=FULL
mdb_start tgt "$(mdb_free_port 23500)"

echo "$name: running the workloads on the source"
for sql in "$here/001_decode_types.sql" "$lib/sqlgen_extra.sql"; do
	if ! mdb_sql src <"$sql" >"$work/workload.out" 2>&1; then
		cat "$work/workload.out" >&2
		fail "$(basename "$sql") failed on the source"
	fi
done

# Both scripts end with FLUSH BINARY LOGS: all files but the newest are
# complete; the newest holds nothing of theirs.
mkdir "$work/binlog"
files=()
while IFS= read -r f; do
	cp "$f" "$work/binlog/"
	files+=("$work/binlog/${f##*/}")
done < <(mdb_binlogs src)
((${#files[@]} > 0)) || fail "the source lists no binlog files"

mapfile -t tables < <(mdb_sql src "SELECT CONCAT(TABLE_SCHEMA, '.', TABLE_NAME)
	FROM information_schema.TABLES WHERE TABLE_SCHEMA IN ('sl_types', 'sl_sqlgen')
	ORDER BY 1")
((${#tables[@]} >= 15)) || fail "expected the workload tables, found ${#tables[@]}"

# qname DB.TABLE: the name quoted for SQL (backticks doubled).
qname() {
	local db=${1%%.*} t=${1#*.}
	printf '`%s`.`%s`' "${db//\`/\`\`}" "${t//\`/\`\`}"
}

# The target's schema comes from running the same workloads there and
# emptying every table: SHOW CREATE TABLE (so mariadb-dump) prints 4-byte
# characters of ENUM/SET members as '?', which would change the tables.
fresh_target() {
	local d t sql
	for d in "${dbs[@]}"; do
		mdb_sql tgt "DROP DATABASE IF EXISTS \`$d\`"
	done
	for sql in "$here/001_decode_types.sql" "$lib/sqlgen_extra.sql"; do
		mdb_sql tgt <"$sql" >"$work/target-schema.out" 2>&1 ||
			fail "$(basename "$sql") failed on the target"
	done
	for t in "${tables[@]}"; do
		mdb_sql tgt "TRUNCATE TABLE $(qname "$t")"
	done
}

# checksum SERVER TABLE: prints the CHECKSUM TABLE value.
checksum() {
	mdb_sql "$1" "CHECKSUM TABLE $(qname "$2")" | cut -f2
}

# dump SERVER TABLE: the rows, one INSERT each, ordered by primary key.
dump() {
	local db=${2%%.*} t=${2#*.}
	mariadb-dump --no-defaults --protocol=socket --socket="$(mdb_sock "$1")" -uroot \
		--compact --hex-blob --skip-extended-insert --no-create-info \
		--order-by-primary --tz-utc "$db" "$t"
}

compare() { # ROUND
	local t a b bad=0
	for t in "${tables[@]}"; do
		a=$(checksum src "$t")
		b=$(checksum tgt "$t")
		if [[ $a != "$b" || -z $a ]]; then
			printf '%s: round %s: %s: checksum source %s, target %s\n' \
				"$name" "$1" "$t" "$a" "$b" >&2
			dump src "$t" | sort >"$work/$1.$t.src"
			dump tgt "$t" | sort >"$work/$1.$t.tgt"
			diff "$work/$1.$t.src" "$work/$1.$t.tgt" | cut -c1-300 | head -n 20 >&2 || true
			bad=1
		fi
	done
	((bad == 0)) || fail "round $1: target differs from the source (rows above)"
	echo "$name: round $1: ${#tables[@]} tables match the source"
}

# round NAME EMIT-OPTIONS…: generates the SQL and applies it to the target.
round() {
	local r=$1
	shift
	if ! "$gen" --emit "$@" "${files[@]}" >"$work/$r.sql" 2>"$work/$r.emit.err"; then
		cat "$work/$r.emit.err" >&2
		fail "round $r: test_sqlgen --emit $* failed"
	fi
	echo "$name: round $r ($*): $(tail -n 1 "$work/$r.emit.err" | sed 's/^test_sqlgen --emit: //'), $(wc -c <"$work/$r.sql") bytes of SQL"
	if ! mdb_client tgt --batch --binary-mode <"$work/$r.sql" >"$work/$r.apply.out" 2>&1; then
		tail -n 5 "$work/$r.apply.out" >&2
		fail "round $r: the target refused the generated SQL ($work/$r.sql)"
	fi
}

fresh_target
round 1-per-transaction --batch 1 --max-bytes 65536
grep -q '^DELETE FROM `sl_sqlgen`.`comp` WHERE (`b`,`a`) IN ((' "$work/1-per-transaction.sql" ||
	fail "round 1: no composite-key DELETE generated"
grep -q '^DELETE FROM `sl_sqlgen`.`nokey` WHERE .* LIMIT 1;$' "$work/1-per-transaction.sql" ||
	fail "round 1: no keyless DELETE generated"
compare 1-per-transaction

fresh_target
round 2-merged --batch 400 --max-bytes 4096
# Compaction must have merged something: fewer rows written than changes.
read -r n_in n_out < <(sed -n 's/.*: \([0-9]*\) changes in, \([0-9]*\) rows out.*/\1 \2/p' \
	"$work/2-merged.emit.err")
((n_out < n_in)) || fail "round 2: no compaction ($n_in changes in, $n_out rows out)"
grep -q 'ON DUPLICATE KEY UPDATE' "$work/2-merged.sql" || fail "round 2: no upsert generated"
compare 2-merged

round 3-safe-replay --batch 400 --max-bytes 16384 --safe
grep -q '^REPLACE INTO ' "$work/3-safe-replay.sql" || fail "round 3: no REPLACE generated"
compare 3-safe-replay

echo "$name: PASS"
