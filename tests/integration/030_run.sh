#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# 030_run: `sluice run` end to end.  A MariaDB source and a MariaDB target
# (standing in for TiDB) get the same sysbench tables (prepared on the
# source, copied with mariadb-dump); sluice runs the job with 4 workers
# from `start: {mode: now}` while sysbench oltp_write_only and oltp_insert
# write the source; once every worker's checkpoint has reached the
# source's binlog position, sluice is stopped (SIGTERM, must exit 0) and
# every table must be identical (CHECKSUM TABLE and the rows).  Then sluice is started
# again (resuming from its checkpoints), killed with SIGKILL in the middle
# of a second workload, started once more (replay in safe mode) and the
# checksums must agree again.
#
# Env: SLUICE (the binary), SL_TMP, SL_KEEP=1 (keep the work directory),
# SL_RUN_WAIT (catch-up timeout, s).
set -euo pipefail

T=030_run
JOB=t030
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR/../lib source=run_common.sh
. "$here/../lib/run_common.sh"
command -v sysbench >/dev/null || fail "sysbench not installed"
tables=4 table_size=2000

start_pair 23600 23700

load() { # load SCRIPT EVENTS
	sb "$1" --events="$2" --threads=4 --time=0 --rand-seed=$RANDOM run \
		>>"$work/sysbench.log" 2>&1 || {
		tail -n 20 "$work/sysbench.log" >&2
		fail "sysbench $1 failed"
	}
}

echo "$T: preparing sb on the source, copying it to the target"
sb_prepare
copy_to_target sb

write_job '"sb.*"' '{ workers: 4, batch: 200 }'

# started: the stream is open and every worker has its checkpoint row
started() {
	start_sluice
	[[ $(mdb_sql tgt "SELECT COUNT(*) FROM sluice_meta.checkpoint WHERE job='$JOB'") == 4 ]] ||
		fail "not 4 checkpoint rows"
}
mapfile -t sbt < <(seq -f 'sbtest%g' 1 "$tables")

echo "$T: run 1 (start now, 4 workers)"
started
load oltp_write_only 3000
load oltp_insert 2000
# DDL (barrier), primary keys that move between workers, a table
# without a key (created through sluice)
mdb_sql src "
	ALTER TABLE sb.sbtest1 ADD COLUMN extra INT NOT NULL DEFAULT 7;
	UPDATE sb.sbtest1 SET extra = id WHERE id <= 50;
	UPDATE sb.sbtest2 SET id = id + 1000000 WHERE id <= 100;
	BEGIN; UPDATE sb.sbtest3 SET id = 0 WHERE id = 1;
	UPDATE sb.sbtest3 SET id = 1 WHERE id = 2;
	UPDATE sb.sbtest3 SET id = 2 WHERE id = 0; COMMIT;
	CREATE TABLE sb.nokey (a INT, b VARCHAR(20));
	CREATE OR REPLACE TABLE sb.nokey (a INT, b VARCHAR(20), c INT);
	INSERT INTO sb.nokey (a, b) VALUES (1, 'x'), (2, 'y'), (2, 'y'), (3, NULL);
	DELETE FROM sb.nokey WHERE a = 1;
	UPDATE sb.nokey SET b = 'z' WHERE a = 3;"
caught_up
stop_sluice
grep -q 'DDL applied' "$work/sluice-$run_no.err" || fail "no 'DDL applied' line"
grep -q 'stopped' "$work/sluice-$run_no.err" || fail "no 'stopped' line"
compare "after SIGTERM" sb "${sbt[@]}" nokey

echo "$T: run 2 (resume, then SIGKILL mid-workload)"
started
grep -q 'resuming at' "$work/sluice-$run_no.err" || fail "run 2 did not resume from checkpoints"
load oltp_write_only 30000 &
lpid=$!
sleep 1.5
kill -0 "$lpid" 2>/dev/null || fail "the workload ended before the kill: make it longer"
kill -KILL "$spid"
wait "$spid" 2>/dev/null || true
spid=
wait "$lpid" || fail "the background workload failed"

echo "$T: run 3 (resume after the crash, safe mode replay)"
started
load oltp_insert 1000
caught_up
stop_sluice
grep -q 'safe mode until' "$work/sluice-$run_no.err" ||
	echo "$T: note: the checkpoints were equal at the crash (no safe mode)"
compare "after SIGKILL and restart" sb "${sbt[@]}" nokey
echo "$T: run 4 (a table the target lacks fails the job)"
started
mdb_sql src "SET SESSION sql_log_bin = 0; CREATE TABLE sb.missing (id INT PRIMARY KEY);
	SET SESSION sql_log_bin = 1; INSERT INTO sb.missing VALUES (1);"
wait_exit 30
((rc == 1)) || fail "sluice exited $rc on a missing target table, not 1"
grep -q 'sb.*missing.*does not exist' "$work/sluice-$run_no.err" ||
	fail "no 'does not exist' message: $(tail -n 3 "$work/sluice-$run_no.err")"
echo "$T: PASS"
