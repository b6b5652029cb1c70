-- Replication on MariaDB (10.5 and later): GTIDs are domain-server-sequence
-- numbers, one per transaction. dialects.py reads these answers.

-- name: last_gtid()$
-- The GTID of the last transaction this session committed ('' when none).
SELECT @@last_gtid;

-- name: wait_for_gtid(gtid, timeout)$
-- 1 once this replica has applied every GTID of :gtid (a GTID position),
-- 0 when :timeout seconds (a fraction allowed) pass first.
SELECT MASTER_GTID_WAIT(:gtid, :timeout) = 0;

-- name: replica_status()^
-- This replica's replication threads and lag (Slave_IO_Running,
-- Slave_SQL_Running, Seconds_Behind_Master); none on a server that is not a
-- replica. Needs the SLAVE MONITOR privilege.
SHOW SLAVE STATUS;
