-- The local cluster (scripts/cluster.py, `make cluster`): accounts and GTID
-- replication on its private MariaDB servers, run as their root. Account
-- names and passwords are parameters: mysqlclient quotes them as string
-- literals, which is what CREATE USER and GRANT take. The database is
-- always `boards`.

-- name: create_account(user, password)!
CREATE USER :user@'127.0.0.1' IDENTIFIED BY :password;

-- name: grant_replication(user)!
-- The replicas' account: it may read the primary's binary log.
GRANT REPLICATION SLAVE ON *.* TO :user@'127.0.0.1';

-- name: grant_service(user)!
-- The service's account may use its own database: not SUPER, not READ ONLY
-- ADMIN, so a write that reaches a read-only replica fails loudly.
GRANT ALL ON boards.* TO :user@'127.0.0.1';

-- name: grant_replica_monitor(user)!
-- ... and read a replica's status (SHOW SLAVE STATUS), for its lag.
GRANT SLAVE MONITOR ON *.* TO :user@'127.0.0.1';

-- name: follow_primary(host, port, user, password)!
-- On a replica: replicate the primary by GTID, from what it has applied
-- (nothing, the first time: the primary's binary log from its first start),
-- trying again every second while the primary is away.
CHANGE MASTER TO
    MASTER_HOST = :host,
    MASTER_PORT = :port,
    MASTER_USER = :user,
    MASTER_PASSWORD = :password,
    MASTER_USE_GTID = slave_pos,
    MASTER_CONNECT_RETRY = 1;

-- name: start_replication()!
START SLAVE;

-- name: binlog_position()$
-- On the primary: the GTID position of its last write.
SELECT @@gtid_binlog_pos;

-- name: wait_for_position(position, timeout)$
-- On a replica: 0 once it has applied :position, -1 after :timeout seconds.
SELECT MASTER_GTID_WAIT(:position, :timeout);
