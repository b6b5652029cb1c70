-- Replication on MySQL 8.4 (gtid_mode=ON): GTIDs are server-uuid:sequence
-- sets. dialects.py reads these answers.

-- name: last_gtid()$
-- Every transaction this server has executed, the caller's last commit
-- included (mysqlclient cannot read the session's GTID tracker).
SELECT @@GLOBAL.gtid_executed;

-- name: wait_for_gtid(gtid, timeout)$
-- 1 once this replica has executed every GTID of the set :gtid, 0 when
-- :timeout seconds (a fraction allowed; never 0, which waits forever) pass first.
SELECT WAIT_FOR_EXECUTED_GTID_SET(:gtid, :timeout) = 0;

-- name: replica_status()^
-- This replica's replication threads and lag (Replica_IO_Running,
-- Replica_SQL_Running, Seconds_Behind_Source); none on a server that is not
-- a replica. Needs the REPLICATION CLIENT privilege.
SHOW REPLICA STATUS;
