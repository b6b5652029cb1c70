"""The arguments of mysqlclient's connect() for each server, from the
MYSQL_* settings: the primary (MYSQL_HOST) or a replica (MYSQL_REPLICAS),
with one account, database and TLS mode for all."""
from MySQLdb.constants import CLIENT

from db_events import ObservedCursor

PRIMARY = None  # the primary's address: the one MYSQL_HOST names
STRICT_SQL_MODE = (
    "STRICT_TRANS_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,"
    "ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION"
)


def connection_settings(config, address=PRIMARY, with_database=True):
    """For the primary, or for the replica at `address` (host, port)."""
    host, port = address or (config["MYSQL_HOST"], int(config["MYSQL_PORT"]))
    kwargs = {
        "host": host,
        "port": port,
        "user": config["MYSQL_USER"],
        "password": config["MYSQL_PASSWORD"] or "",
        "charset": "utf8mb4",
        "cursorclass": ObservedCursor,
        "autocommit": True,
        "client_flag": CLIENT.FOUND_ROWS,
        "sql_mode": STRICT_SQL_MODE,
        "connect_timeout": int(config["MYSQL_CONNECT_TIMEOUT"]),
        "read_timeout": int(config["MYSQL_READ_TIMEOUT"]),
        "write_timeout": int(config["MYSQL_WRITE_TIMEOUT"]),
    }
    if config.get("MYSQL_UNIX_SOCKET") and address is PRIMARY:
        kwargs["unix_socket"] = config["MYSQL_UNIX_SOCKET"]
    if config.get("MYSQL_SSL_MODE"):
        kwargs["ssl_mode"] = config["MYSQL_SSL_MODE"]
    if with_database:
        kwargs["database"] = config["MYSQL_DB"]
    return kwargs
