-- Replication: what both dialects share. What differs between MariaDB and
-- MySQL 8.4 is in replication_mariadb.sql and replication_mysql.sql, one of
-- which dialects.py picks from this file's server_version.

-- name: server_version()$
-- The server's version string; MariaDB's contains "MariaDB".
SELECT VERSION();
