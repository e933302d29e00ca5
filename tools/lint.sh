#!/usr/bin/env bash
# tools/lint.sh: style and static checks.  clang-format must leave every C
# file unchanged; clang-tidy (.clang-tidy at the root) runs over the
# compile database of the release build and fails on any finding.
# Called by tools/test.sh; run it alone before committing.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
mapfile -t files < <(git ls-files '*.c' '*.h')
clang-format --dry-run --Werror "${files[@]}"
echo "lint: clang-format: ${#files[@]} files clean"
[ -f build/compile_commands.json ] || cmake -S . -B build >/dev/null
mapfile -t srcs < <(git ls-files 'core/*.c' 'io/*.c' 'apply/*.c' 'tools/*.c')
out=$(clang-tidy -p build --quiet --extra-arg=-Wno-unknown-warning-option "${srcs[@]}" 2>/dev/null | grep -E 'warning:|error:' || true)
if [ -n "$out" ]; then
  echo "$out"
  echo "lint: clang-tidy findings above" >&2
  exit 1
fi
echo "lint: clang-tidy: ${#srcs[@]} files clean"
