#!/usr/bin/env bash
# 002_fixtures: `sluice binlog` against every real binlog in $SL_FIXTURES
# (read in place).  Rows of the files MariaDB's mysqlbinlog can read are
# compared value by value with its -vv dump; the others are checked against an
# independent header/row-image walk and pinned values.  All the logic lives in
# tests/lib/fixture_oracle.py (stdlib Python 3); its data in
# tests/lib/fixture_expect.json.  Needs: python3, mysqlbinlog (MariaDB 10.11
# client), zstd.  Extra arguments are passed on (e.g. --only canal -v).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
: "${SLUICE:?SLUICE must point at the sluice binary}"
: "${SL_FIXTURES:?SL_FIXTURES must point at the binlog fixtures}"
py=/usr/bin/python3
[ -x "$py" ] || py=python3
exec "$py" "$here/../lib/fixture_oracle.py" --sluice "$SLUICE" --fixtures "$SL_FIXTURES" "$@"
