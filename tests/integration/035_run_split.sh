#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# 035_run_split: a batch the target refuses as too large is split (issue
# 4: TiDB's 8004 "transaction too large" / 8025 "entry too large").
# MariaDB stands in for TiDB: a trigger on the target raises error 8004
# when one target transaction writes more than 40 rows of db.t (a
# trigger on sluice's checkpoint table, the last statement of every
# batch, resets the count).  The source writes many small transactions
# (batches merge them: cut at transaction ends), one 150-row transaction
# (cut inside it, the first part with a dirty checkpoint) and a 120-row
# UPDATE; the job (batch 500) must log the splits, never fail, and end
# identical.
# Env: SLUICE, SL_TMP, SL_KEEP=1, SL_RUN_WAIT.
set -euo pipefail

T=035_run_split
JOB=t035
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR/../lib source=run_common.sh
. "$here/../lib/run_common.sh"

start_pair 25300 25400

ddl="CREATE TABLE db.t (id INT PRIMARY KEY, v VARCHAR(40), n INT)"
mdb_sql src "CREATE DATABASE db; $ddl"
mdb_sql tgt "CREATE DATABASE db; $ddl"
write_job '"db.*"' '{ workers: 2, batch: 500 }'

start_sluice
mdb_client tgt <<'EOS'
DELIMITER //
CREATE TRIGGER db.t_big_i BEFORE INSERT ON db.t FOR EACH ROW
BEGIN
  SET @sl_n = IFNULL(@sl_n, 0) + 1;
  IF @sl_n > 40 THEN
    SET @sl_n = 0;
    SIGNAL SQLSTATE 'HY000' SET MYSQL_ERRNO = 8004,
      MESSAGE_TEXT = 'Transaction is too large, size: 104857600';
  END IF;
END//
CREATE TRIGGER db.t_big_u BEFORE UPDATE ON db.t FOR EACH ROW
BEGIN
  SET @sl_n = IFNULL(@sl_n, 0) + 1;
  IF @sl_n > 40 THEN
    SET @sl_n = 0;
    SIGNAL SQLSTATE 'HY000' SET MYSQL_ERRNO = 8004,
      MESSAGE_TEXT = 'Transaction is too large, size: 104857600';
  END IF;
END//
CREATE TRIGGER sluice_meta.ck_i AFTER INSERT ON sluice_meta.checkpoint
  FOR EACH ROW SET @sl_n = 0//
CREATE TRIGGER sluice_meta.ck_u AFTER UPDATE ON sluice_meta.checkpoint
  FOR EACH ROW SET @sl_n = 0//
DELIMITER ;
EOS

# many small transactions, written faster than one batch commits
{
	for i in $(seq 0 59); do
		printf 'INSERT INTO db.t VALUES '
		for j in $(seq 1 5); do
			printf "(%d, 'small %d', %d)%s" $((i * 5 + j)) "$i" "$j" "$([[ $j == 5 ]] && echo ';' || echo ',')"
		done
		echo
	done
	# one transaction of 150 rows
	echo "BEGIN;"
	for i in $(seq 1001 1150); do echo "INSERT INTO db.t VALUES ($i, 'big', $i);"; done
	echo "COMMIT;"
	echo "UPDATE db.t SET n = n + 1000 WHERE id <= 120;"
	echo "DELETE FROM db.t WHERE id BETWEEN 1100 AND 1110;"
} | mdb_client src

caught_up
stop_sluice
f=$work/sluice-$run_no.err
n=$(grep -c 'too large.*splitting it' "$f" || true)
((n > 0)) || fail "no batch was split: $(grep -v progress "$f" | tail -n 5)"
grep -qE 'Duplicate|conflict error|fatal error' "$f" && fail "errors in the log: $(grep -E 'Duplicate|error' "$f" | head -n 3)"
mdb_sql tgt "DROP TRIGGER db.t_big_i; DROP TRIGGER db.t_big_u"
compare "after $n splits" db t
echo "$T: PASS ($n splits)"
