#!/usr/bin/env bash
# tools/test.sh: the whole test suite, the README's test command and what
# .ci/run calls.  Installs missing Debian packages, then:
#   0. clang-format and clang-tidy must be clean (tools/lint.sh);
#   1. an AddressSanitizer+UBSan build runs the unit tests (label "unit");
#   2. a clang libFuzzer build fuzzes the binlog decoder (corpus seeded
#      from the fixture binlogs), the protocol packet reader and the HTTP
#      request/response parsers (seeds in fuzz/corpus-http), each for
#      SL_FUZZ_SECONDS (default 60);
#   3. the release build runs every ctest test: unit tests and the
#      integration tests that start real MariaDB servers;
#   4. the bench suite in quick mode (bench/run.sh --quick, ~2 minutes):
#      every scenario must leave sluice's target equal to the source
#      (CHECKSUM TABLE after every run); no performance thresholds.
# Exits non-zero on the first failure.  Run as root on Debian 12.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
jobs=$(nproc)
fixtures=${SL_FIXTURES:-$root/../shared/fixtures/binlog}
fuzz_seconds=${SL_FUZZ_SECONDS:-60}

step() { printf '\n=== %s\n' "$*"; }

step "dependencies"
bash "$root/tools/install-deps.sh"
[ -d "$fixtures" ] || { echo "test: fixture binlogs not found at $fixtures (set SL_FIXTURES)" >&2; exit 1; }

step "lint (clang-format, clang-tidy)"
cmake -S "$root" -B "$root/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DSL_FIXTURES="$fixtures" >/dev/null
bash "$root/tools/lint.sh"

step "sanitizer build (address, undefined) and unit tests"
cmake -S "$root" -B "$root/build-asan" -DCMAKE_BUILD_TYPE=Debug -DSL_ASAN=ON \
  -DSL_FIXTURES="$fixtures" >/dev/null
cmake --build "$root/build-asan" -j"$jobs" >/dev/null
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --test-dir "$root/build-asan" -L unit --output-on-failure -j"$jobs"

step "fuzzing the binlog decoder, the protocol reader and the HTTP parsers for ${fuzz_seconds}s each"
CC=clang cmake -S "$root" -B "$root/build-fuzz" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DSL_FUZZ=ON -DSL_FIXTURES="$fixtures" >/dev/null
cmake --build "$root/build-fuzz" -j"$jobs" --target fuzz_decode fuzz_proto fuzz_http >/dev/null
corpus="$root/build-fuzz/corpus-decode"
mkdir -p "$corpus" "$root/build-fuzz/corpus-proto" "$root/build-fuzz/corpus-http"
# Same-named fixtures collide in a flat folder; what is copied is enough seed.
find "$fixtures" -type f ! -name '*.md' ! -name '*.sql' ! -name '*.txt' \
  ! -name '*.csv' -size -1024k -exec cp -n {} "$corpus/" \; 2>/dev/null || true
fuzz() { # NAME CORPUS [SEED-DIR|-FLAG]...: new inputs go to CORPUS
  local name=$1; shift
  "$root/build-fuzz/fuzz/$name" -max_total_time="$fuzz_seconds" \
    -max_len=65536 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$root/build-fuzz/$name-" "$@" 2>"$root/build-fuzz/$name.log" || {
      tail -50 "$root/build-fuzz/$name.log" >&2; echo "test: $name found a crash" >&2; exit 1; }
  echo "$name: $(grep -E '^stat::number_of_executed_units' "$root/build-fuzz/$name.log" | tr -d '\n') (no crash)"
}
fuzz fuzz_decode "$corpus"
fuzz fuzz_proto "$root/build-fuzz/corpus-proto"
fuzz fuzz_http "$root/build-fuzz/corpus-http" "$root/fuzz/corpus-http" \
  -dict="$root/fuzz/http.dict"

step "release build and every test (unit + integration against real MariaDB)"
cmake -S "$root" -B "$root/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DSL_FIXTURES="$fixtures" >/dev/null
cmake --build "$root/build" -j"$jobs" >/dev/null
ctest --test-dir "$root/build" --output-on-failure -j2 --timeout 900

step "bench suite, quick mode: sluice's target must equal the source in every scenario"
bash "$root/bench/run.sh" --quick
