#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# 036_run_idle: a job at the largest tier (spec 16rcu: 32 workers, linger
# 50 ms) between writes.
#  * Idle, it costs next to no CPU: under 3% of a core over 3 s once it has
#    caught up (its workers sleep until the dispatcher hands them rows;
#    they used to look every 2 ms, 32 workers * 500 wakes a second).
#  * A lone write, after the idle spell, is on the target within 0.5 s
#    (the sleeping worker is woken by its first row, then lingers at most
#    50 ms), ten times in a row, each in another table (another worker).
#  * The tables end identical.
# Env: SLUICE, SL_TMP, SL_KEEP=1, SL_RUN_WAIT.
set -euo pipefail

T=036_run_idle
JOB=t036
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR/../lib source=run_common.sh
. "$here/../lib/run_common.sh"

start_pair 25500 25600

ddl=""
for i in $(seq 0 9); do ddl+="CREATE TABLE db.t$i (id INT PRIMARY KEY, v INT NOT NULL); "; done
mdb_sql src "CREATE DATABASE db; $ddl"
mdb_sql tgt "CREATE DATABASE db; $ddl"

write_job '"db.*"' 16rcu
start_sluice
grep -q "32 workers, batch 512, linger 50 ms" "$work/sluice-$run_no.err" ||
	fail "spec 16rcu: expected '32 workers, batch 512, linger 50 ms' in the log: $(head -n 3 "$work/sluice-$run_no.err")"
for i in $(seq 0 9); do mdb_sql src "INSERT INTO db.t$i VALUES (1, 0)"; done
caught_up

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$spid/stat"; }
hz=$(getconf CLK_TCK)
sleep 1
c0=$(cpu_ticks)
sleep 3
c1=$(cpu_ticks)
pct=$(awk -v d=$((c1 - c0)) -v hz="$hz" 'BEGIN { printf "%.1f", 100 * d / hz / 3 }')
awk -v p="$pct" 'BEGIN { exit !(p < 3) }' ||
	fail "idle with 32 workers, sluice used $pct% of a core over 3 s (want < 3%)"
echo "$T: idle with 32 workers: $pct% of a core over 3 s"

worst=0
for i in $(seq 0 9); do
	sleep 0.3
	t0=$(date +%s%N)
	mdb_sql src "UPDATE db.t$i SET v = v + 1 WHERE id = 1"
	while [[ $(mdb_sql tgt "SELECT v FROM db.t$i WHERE id = 1") != 1 ]]; do
		(($(date +%s%N) - t0 < 2000000000)) || fail "write $i (db.t$i): not on the target 2 s later"
		sleep 0.005
	done
	ms=$((($(date +%s%N) - t0) / 1000000))
	((ms > worst)) && worst=$ms
done
((worst < 500)) || fail "a lone write after an idle spell took $worst ms to reach the target (want < 500 ms)"
echo "$T: ten lone writes, each on the target within $worst ms"

caught_up
compare "after the writes" db t0 t1 t2 t3 t4 t5 t6 t7 t8 t9
stop_sluice
echo "$T: PASS"
