"""The only module that knows about database connections: the
flask-mysqldb handle (`Database`), which hands each request the connection
its statements go to (routing.py decides which server), and the
`transaction()` helpers."""
import logging
import threading
import time
from contextlib import contextmanager

import MySQLdb
from flask import current_app, g
from flask_mysqldb import MySQL

from db_errors import is_lock_conflict
from connection_settings import PRIMARY, connection_settings
from read_your_writes import WriteRecords
from routing import ReadConnection, is_read_request, read_candidates
from topology import Topology

TRANSACTION_ATTEMPTS = 3
log = logging.getLogger("boards.db")


class Database(MySQL):
    """flask-mysqldb's handle, keeping one connection per worker thread and
    server.

    Opening a connection costs more than a primary-key SELECT, so each thread
    keeps its own (mysqlclient connections are not thread-safe) across
    requests. Connections run in autocommit, so a read is one statement and
    never sees an old snapshot; `transaction()` opens an explicit one for
    writes that touch several rows and rolls back whatever is left open at the
    end of a request. A connection that failed with a disconnect, or that sat
    idle for longer than MYSQL_PING_AFTER_IDLE seconds and does not answer a
    ping, is replaced by a new one. With MYSQL_REPLICAS, `connection` is a
    replica's for reads (routing.py) and `topology` knows which may serve.
    """

    def __init__(self, app=None):
        self._local = threading.local()
        self.topology = None
        self.write_records = None
        super().__init__(app)

    def init_app(self, app):
        super().init_app(app)
        app.config.setdefault("MYSQL_REUSE_CONNECTIONS", True)
        app.config.setdefault("MYSQL_PING_AFTER_IDLE", 1.0)
        if app.config.get("MYSQL_REPLICAS"):
            config = app.config
            self.topology = Topology(config, lambda address: connection_settings(config, address))
            self.write_records = WriteRecords(config, self.topology)
            app.after_request(self._record_writes)

    @staticmethod
    def connect_kwargs(with_database=True):
        return connection_settings(current_app.config, with_database=with_database)

    @property
    def connect(self):
        """A new connection to the primary the caller owns and must close (CLI)."""
        return self._open(PRIMARY)

    @property
    def connection(self):
        """The connection this request's statements go to: the primary's, or
        for a read with replicas configured, the replica routing.py chose."""
        if self.topology is None or not is_read_request():
            return self.primary
        read = g.get("db_read")
        if read is None:
            read = g.db_read = ReadConnection(self, read_candidates(self.topology, self.write_records))
        return read

    @property
    def primary(self):
        """This request's connection to the primary (writes, transactions)."""
        return self.checkout(PRIMARY)

    def checkout(self, address):
        """This request's connection to `address`, opened or reused on first use."""
        used = g.setdefault("db_connections", {})
        conn = used.get(address)
        if conn is None:
            conn = used[address] = self._reuse_or_open(address)
        return conn

    def unreachable(self, address=PRIMARY):
        """A server failed with a disconnect: drop its connection; a replica
        serves no reads until its next check says it may."""
        g.get("db_connections", {}).pop(address, None)
        self._drop_held(address)
        if address is not PRIMARY:
            self.topology.mark_unreachable(address)

    def _reuse_or_open(self, address):
        config = current_app.config
        held = self._held().get(address)
        if held is not None:
            conn, idle_since = held
            idle = time.monotonic() - idle_since
            if idle < config["MYSQL_PING_AFTER_IDLE"] or _answers_ping(conn):
                return conn
            self._drop_held(address)
        conn = self._open(address)
        if config["MYSQL_REUSE_CONNECTIONS"]:
            self._held()[address] = (conn, time.monotonic())
        return conn

    @staticmethod
    def _open(address):
        conn = MySQLdb.connect(**connection_settings(current_app.config, address))
        conn.server_role = "primary" if address is PRIMARY else "replica"
        return conn

    def _held(self):
        held = getattr(self._local, "held", None)
        if held is None:
            held = self._local.held = {}
        return held

    def _drop_held(self, address):
        held = self._held().pop(address, None)
        if held is not None:
            _close_quietly(held[0])

    def _record_writes(self, response):
        conn = g.get("db_connections", {}).get(PRIMARY)
        if conn is not None and not is_read_request() and not g.get("db_broken"):
            try:
                self.write_records.record(conn)
            except MySQLdb.Error as error:
                mark_connection_broken()
                log.warning("could not read the GTID of a write: %s", error)
        return response

    def teardown(self, exception):
        """Ends the request's use of its connections: rolls back a transaction
        left open, then keeps each for the thread's next request, or closes
        it when it is broken or reuse is off."""
        g.pop("db_read", None)
        used = g.pop("db_connections", None)
        if not used:
            return
        broken = g.pop("db_broken", False) or exception is not None
        if g.pop("db_in_transaction", False) and not broken and PRIMARY in used:
            try:
                used[PRIMARY].rollback()
            except MySQLdb.Error:
                broken = True
        held = self._held()
        for address, conn in used.items():
            kept = held.get(address)
            if kept is None or kept[0] is not conn:
                _close_quietly(conn)
            elif broken:
                self._drop_held(address)
            else:
                held[address] = (conn, time.monotonic())

    def close_thread_connection(self):
        """Close this thread's kept connections (tests, worker shutdown)."""
        for address in list(self._held()):
            self._drop_held(address)

    def thread_connection(self):
        """The primary connection this thread keeps for its next request, or
        None (tests check with it that requests reuse one connection)."""
        held = self._held().get(PRIMARY)
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
    """One explicit transaction on the request's primary connection:
    committed when the block ends, rolled back when it raises."""
    conn = mysql.primary
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
