"""The only module that knows about database connections: the
flask-mysqldb handle (`Database`) and the `transaction()` helper."""
import logging
import threading
import time
from contextlib import contextmanager

import MySQLdb
from flask import current_app, g
from flask_mysqldb import MySQL
from MySQLdb.constants import CLIENT

DISCONNECT_CODES = frozenset({2002, 2003, 2006, 2013, 2055})
# A lock wait timeout or a deadlock rolls the transaction back: busy, not a bug.
LOCK_CONFLICT_CODES = frozenset({1205, 1213})
TRANSACTION_ATTEMPTS = 3
STRICT_SQL_MODE = (
    "STRICT_TRANS_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,"
    "ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION"
)

log = logging.getLogger("boards.db")


def is_lock_conflict(error):
    """True when a driver error is a deadlock or a lock wait timeout."""
    return isinstance(error, MySQLdb.OperationalError) and bool(error.args) and (
        error.args[0] in LOCK_CONFLICT_CODES
    )


def is_disconnect(error):
    """True when a driver error means the server cannot be reached."""
    return isinstance(error, MySQLdb.OperationalError) and bool(error.args) and (
        error.args[0] in DISCONNECT_CODES
    )


class Database(MySQL):
    """flask-mysqldb's handle, keeping one connection per worker thread.

    Opening a connection costs more than a primary-key SELECT, so each thread
    keeps its own (mysqlclient connections are not thread-safe) across
    requests. Connections run in autocommit, so a read is one statement and
    never sees an old snapshot; `transaction()` opens an explicit one for
    writes that touch several rows and rolls back whatever is left open at the
    end of a request. A connection that failed with a disconnect, or that sat
    idle for longer than MYSQL_PING_AFTER_IDLE seconds and does not answer a
    ping, is replaced by a new one.
    """

    def __init__(self, app=None):
        self._local = threading.local()
        super().__init__(app)

    def init_app(self, app):
        super().init_app(app)
        app.config.setdefault("MYSQL_REUSE_CONNECTIONS", True)
        app.config.setdefault("MYSQL_PING_AFTER_IDLE", 1.0)
        app.config.setdefault("MYSQL_READ_TIMEOUT", 30)
        app.config.setdefault("MYSQL_WRITE_TIMEOUT", 30)

    @staticmethod
    def connect_kwargs(with_database=True):
        config = current_app.config
        kwargs = {
            "host": config["MYSQL_HOST"],
            "port": int(config["MYSQL_PORT"]),
            "user": config["MYSQL_USER"],
            "password": config["MYSQL_PASSWORD"] or "",
            "charset": "utf8mb4",
            "cursorclass": MySQLdb.cursors.DictCursor,
            "autocommit": True,
            "client_flag": CLIENT.FOUND_ROWS,
            "sql_mode": STRICT_SQL_MODE,
            "connect_timeout": int(config["MYSQL_CONNECT_TIMEOUT"]),
            "read_timeout": int(config["MYSQL_READ_TIMEOUT"]),
            "write_timeout": int(config["MYSQL_WRITE_TIMEOUT"]),
        }
        if config.get("MYSQL_UNIX_SOCKET"):
            kwargs["unix_socket"] = config["MYSQL_UNIX_SOCKET"]
        if config.get("MYSQL_SSL_MODE"):
            kwargs["ssl_mode"] = config["MYSQL_SSL_MODE"]
        if with_database:
            kwargs["database"] = config["MYSQL_DB"]
        return kwargs

    @property
    def connect(self):
        """A new connection the caller owns and must close (CLI, health)."""
        return MySQLdb.connect(**self.connect_kwargs())

    @property
    def connection(self):
        """This request's connection, opened or reused on first use."""
        conn = g.get("db_connection")
        if conn is None:
            conn = g.db_connection = self._checkout()
        return conn

    def _checkout(self):
        config = current_app.config
        held = getattr(self._local, "held", None)
        if held is not None:
            conn, idle_since = held
            idle = time.monotonic() - idle_since
            if idle < config["MYSQL_PING_AFTER_IDLE"] or _answers_ping(conn):
                return conn
            self._drop_held()
        conn = MySQLdb.connect(**self.connect_kwargs())
        if config["MYSQL_REUSE_CONNECTIONS"]:
            self._local.held = (conn, time.monotonic())
        return conn

    def _drop_held(self):
        held = getattr(self._local, "held", None)
        self._local.held = None
        if held is not None:
            _close_quietly(held[0])

    def teardown(self, exception):
        """Ends the request's use of its connection: rolls back a transaction
        left open, then keeps the connection for the thread's next request,
        or closes it when it is broken or reuse is off."""
        conn = g.pop("db_connection", None)
        if conn is None:
            return
        broken = g.pop("db_broken", False) or exception is not None
        if g.pop("db_in_transaction", False) and not broken:
            try:
                conn.rollback()
            except MySQLdb.Error:
                broken = True
        held = getattr(self._local, "held", None)
        if held is not None and held[0] is conn:
            if broken:
                self._drop_held()
            else:
                self._local.held = (conn, time.monotonic())
        else:
            _close_quietly(conn)

    def close_thread_connection(self):
        """Close this thread's kept connection (tests, worker shutdown)."""
        self._drop_held()

    def thread_connection(self):
        """The connection this thread keeps for its next request, or None
        (tests check with it that requests reuse one connection)."""
        held = getattr(self._local, "held", None)
        return None if held is None else held[0]


def mark_connection_broken():
    """Called when a request's connection failed: it is not reused."""
    g.db_broken = True


def _answers_ping(conn):
    try:
        conn.ping()
        return True
    except MySQLdb.Error:
        return False


def _close_quietly(conn):
    try:
        conn.close()
    except MySQLdb.Error as error:
        log.info("closing a broken connection: %s", error)


@contextmanager
def transaction(mysql):
    """One explicit transaction on the request's connection: committed when
    the block ends, rolled back when it raises."""
    conn = mysql.connection
    conn.begin()
    g.db_in_transaction = True
    try:
        yield conn
    except BaseException:
        try:
            conn.rollback()
        except MySQLdb.Error:
            mark_connection_broken()
        raise
    else:
        conn.commit()
    finally:
        g.db_in_transaction = False


def in_transaction(mysql, work, attempts=TRANSACTION_ATTEMPTS):
    """`work(conn)` in one transaction, run again from the start when the
    server rolled it back for a deadlock or a lock wait timeout (transactions
    that lock several rows can meet in opposite orders); the last such
    failure propagates (a 503). Returns what `work` returns."""
    for attempt in range(1, attempts + 1):
        try:
            with transaction(mysql) as conn:
                return work(conn)
        except MySQLdb.OperationalError as error:
            if attempt == attempts or not is_lock_conflict(error):
                raise
            log.info("transaction retried after %s", error)
