# Sourced by the mysql image's entrypoint on the primary's first start (empty
# volume), after 01-schema.sql: the service's account, which may only touch
# the boards database (so a write that reaches the read-only replica fails
# loudly instead of passing as root's would) and read a replica's status
# (REPLICATION CLIENT: SHOW REPLICA STATUS, for its lag; no writes), and the
# replicas' account. Both are replicated, so the replica has the same
# service account.

for name in BOARDS_DB_USER BOARDS_DB_PASSWORD REPLICATION_USER REPLICATION_PASSWORD; do
	case "${!name}" in
		'' | *"'"* | *'\'*) mysql_error "$name must be set, without quotes or backslashes" ;;
	esac
done

docker_process_sql --database=mysql <<-EOSQL
	CREATE USER '${BOARDS_DB_USER}'@'%' IDENTIFIED BY '${BOARDS_DB_PASSWORD}';
	GRANT ALL ON \`${MYSQL_DATABASE}\`.* TO '${BOARDS_DB_USER}'@'%';
	GRANT REPLICATION CLIENT ON *.* TO '${BOARDS_DB_USER}'@'%';
	CREATE USER '${REPLICATION_USER}'@'%' IDENTIFIED BY '${REPLICATION_PASSWORD}';
	GRANT REPLICATION SLAVE ON *.* TO '${REPLICATION_USER}'@'%';
EOSQL
