# Sourced by the mysql image's entrypoint on the replica's first start (empty
# volume). The replica starts with nothing of its own (no MYSQL_DATABASE, no
# time zone tables) and takes everything, schema and accounts included, from
# the primary's binary log by GTID auto-positioning. Replication starts with
# the real server, after this init; so does super_read_only, which would
# refuse the entrypoint's own setup if it were on the command line.
# Reconnects every 10 s for a day (8640 tries) when the primary is away.
# Auto-positioning from nothing needs the primary's binary logs from its first
# start: a primary older than binlog_expire_logs_seconds (30 days) has purged
# some, and a new replica must start from a copy of its data instead.

for name in SOURCE_HOST REPLICATION_USER REPLICATION_PASSWORD; do
	case "${!name}" in
		'' | *"'"* | *'\'*) mysql_error "$name must be set, without quotes or backslashes" ;;
	esac
done

docker_process_sql --database=mysql <<-EOSQL
	RESET BINARY LOGS AND GTIDS;
	CHANGE REPLICATION SOURCE TO
		SOURCE_HOST = '${SOURCE_HOST}',
		SOURCE_PORT = 3306,
		SOURCE_USER = '${REPLICATION_USER}',
		SOURCE_PASSWORD = '${REPLICATION_PASSWORD}',
		SOURCE_SSL = 1,
		SOURCE_AUTO_POSITION = 1,
		SOURCE_CONNECT_RETRY = 10,
		SOURCE_RETRY_COUNT = 8640;
	SET PERSIST_ONLY super_read_only = ON;
EOSQL
