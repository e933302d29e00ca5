-- SPDX-License-Identifier: Apache-2.0
-- bench/unique_update.lua: an update-heavy sysbench workload on tables with
-- a secondary UNIQUE key, for bench/run.sh's catch-up scenario.
--
-- Tables (made by bench/run.sh, not by this script):
--   sbtest.uniqN (id INT PRIMARY KEY, k INT, u INT NOT NULL UNIQUE,
--                 c CHAR(120), pad CHAR(60)), u = id at the start.
--
-- One event = one transaction of 2 + 1 + 3 = 6 row changes on one table:
--   * --non_key_updates (2) x UPDATE uniqN SET c = RANDOM WHERE id = R
--   * --index_updates (1) x UPDATE uniqN SET k = k + 1 WHERE id = R
--   * --swaps (1) x a swap of the unique values of two rows a, b:
--       SELECT id, u ... WHERE id IN (a, b) FOR UPDATE      (ua, ub)
--       UPDATE uniqN SET u = -a WHERE id = a   (frees ua; -a is unique)
--       UPDATE uniqN SET u = ua WHERE id = b   (b takes the value a held)
--       UPDATE uniqN SET u = ub WHERE id = a
--     so a unique value moves from one row to another inside the
--     transaction: an applier that runs the rows' changes out of order
--     hits a duplicate key (the causality case of DESIGN.md 1).
-- The set of u values stays {1..table_size}.  Deadlocks (1213) restart the
-- event after a ROLLBACK, as sysbench's own OLTP scripts do.
--
--   sysbench bench/unique_update.lua --db-driver=mysql ... \
--     --tables=4 --table_size=100000 --events=N --time=0 run

sysbench.cmdline.options = {
	tables = { "Number of uniqN tables", 1 },
	table_size = { "Rows per table (ids 1..table_size)", 10000 },
	non_key_updates = { "UPDATE of c (no key) per transaction", 2 },
	index_updates = { "UPDATE of k (secondary, not unique) per transaction", 1 },
	swaps = { "Swaps of the unique column u between two rows per transaction", 1 },
}

local c_tmpl = "###########-###########-###########-###########-" ..
	"###########-###########-###########-###########-" ..
	"###########-###########"

function thread_init()
	drv = sysbench.sql.driver()
	con = drv:connect()
end

function thread_done()
	con:disconnect()
end

local function rand_id()
	return sysbench.rand.uniform(1, sysbench.opt.table_size)
end

function event()
	local tbl = "uniq" .. sysbench.rand.uniform(1, sysbench.opt.tables)
	con:query("BEGIN")
	for _ = 1, sysbench.opt.non_key_updates do
		con:query(string.format("UPDATE %s SET c = '%s' WHERE id = %d",
			tbl, sysbench.rand.string(c_tmpl), rand_id()))
	end
	for _ = 1, sysbench.opt.index_updates do
		con:query(string.format("UPDATE %s SET k = k + 1 WHERE id = %d",
			tbl, rand_id()))
	end
	for _ = 1, sysbench.opt.swaps do
		local a = rand_id()
		local b = rand_id()
		if a == b then
			b = a % sysbench.opt.table_size + 1
		end
		local rs = con:query(string.format(
			"SELECT id, u FROM %s WHERE id IN (%d, %d) FOR UPDATE", tbl, a, b))
		local u = {}
		for _ = 1, rs.nrows do
			local row = rs:fetch_row()
			u[tonumber(row[1])] = tonumber(row[2])
		end
		if u[a] ~= nil and u[b] ~= nil then
			con:query(string.format("UPDATE %s SET u = %d WHERE id = %d", tbl, -a, a))
			con:query(string.format("UPDATE %s SET u = %d WHERE id = %d", tbl, u[a], b))
			con:query(string.format("UPDATE %s SET u = %d WHERE id = %d", tbl, u[b], a))
		end
	end
	con:query("COMMIT")
end

-- A deadlock rolls the transaction back; a lock wait timeout only the
-- statement: roll back the rest before the event runs again.
function sysbench.hooks.before_restart_event(errdesc)
	con:query("ROLLBACK")
end
