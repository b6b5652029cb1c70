"""The only module that knows about database connections.

It holds the flask-mysqldb handle (`Database`), the loader that turns
`sql/queries/*.sql` into callables, the `transaction()` helper, and the
`init-db` / `migrate` commands.
"""
import logging
import re
import threading
import time
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

import aiosql
import click
import MySQLdb
from aiosql.adapters.mysql import BrokenMySQLAdapter
from flask import current_app, g
from flask.cli import with_appcontext
from flask_mysqldb import MySQL
from MySQLdb.constants import CLIENT

SQL_DIR = Path(__file__).resolve().parent / "sql"
DISCONNECT_CODES = frozenset({2002, 2003, 2006, 2013, 2055})
STRICT_SQL_MODE = (
    "STRICT_TRANS_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,"
    "ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION"
)
SAFE_DATABASE_NAME = re.compile(r"[A-Za-z0-9_]{1,64}")

log = logging.getLogger("boards.db")


class _LastRowIdAdapter(BrokenMySQLAdapter):
    """aiosql's mysqldb adapter, with `<!` returning the new AUTO_INCREMENT id
    (MySQL has no RETURNING)."""

    def insert_returning(self, conn, query_name, sql, parameters):
        cur = self._cursor(conn)
        try:
            cur.execute(sql, parameters or None)
            return cur.lastrowid
        finally:
            cur.close()


def load_queries(name):
    """The named queries of sql/queries/<name>.sql, called as
    `queries.get_board(conn, id=1)`."""
    return aiosql.from_path(SQL_DIR / "queries" / f"{name}.sql", _LastRowIdAdapter)


def utc_now():
    """Now, as the tables store it: naive UTC, to the microsecond. Rows take
    their timestamps from the service's clock, so a new row can be answered
    without reading it back."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


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
        app.cli.add_command(init_db_command)
        app.cli.add_command(migrate_command)

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
        request_globals = g._get_current_object()
        conn = request_globals.get("db_connection")
        if conn is None:
            conn = request_globals.db_connection = self._checkout()
        return conn

    def _checkout(self):
        config = current_app._get_current_object().config
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
        request_globals = g._get_current_object()
        conn = request_globals.pop("db_connection", None)
        if conn is None:
            return
        broken = request_globals.pop("db_broken", False) or exception is not None
        if request_globals.pop("db_in_transaction", False) and not broken:
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


def run_script(conn, path):
    """Run every statement of an SQL file. mysqlclient sends it as one
    multi-statement query; an error in a later statement only surfaces while
    draining the results, so they are all drained here."""
    cursor = conn.cursor()
    try:
        cursor.execute(Path(path).read_text(encoding="utf-8"))
        while cursor.nextset():
            pass
    finally:
        cursor.close()


CREATE_DATABASE = (
    "CREATE DATABASE IF NOT EXISTS `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
)
DROP_DATABASE = "DROP DATABASE IF EXISTS `{name}`"


def create_database(conn, name):
    """Create database `name` (utf8mb4) unless it exists."""
    _run_on_database(conn, CREATE_DATABASE, name)


def drop_database(conn, name):
    """Drop database `name` if it exists (the tests' and the benchmark's
    throwaway databases)."""
    _run_on_database(conn, DROP_DATABASE, name)


def _run_on_database(conn, statement, name):
    """A database name is an identifier and cannot be a placeholder, so it
    must match a strict pattern before it is put into the statement."""
    if not SAFE_DATABASE_NAME.fullmatch(name):
        raise ValueError(f"unsafe database name: {name!r}")
    cursor = conn.cursor()
    try:
        cursor.execute(statement.format(name=name))
    finally:
        cursor.close()


def init_db():
    """Create the configured database if needed and apply sql/schema.sql."""
    conn = MySQLdb.connect(**Database.connect_kwargs(with_database=False))
    try:
        create_database(conn, current_app.config["MYSQL_DB"])
        conn.select_db(current_app.config["MYSQL_DB"])
        run_script(conn, SQL_DIR / "schema.sql")
    finally:
        conn.close()


def migrate():
    """Apply sql/migrations/NNNN_*.sql not yet in schema_migrations, in
    order; returns the versions applied."""
    ledger = load_queries("migrations")
    conn = MySQLdb.connect(**Database.connect_kwargs())
    applied_now = []
    try:
        ledger.create_schema_migrations(conn)
        applied = {row["version"] for row in ledger.list_applied_migrations(conn)}
        for path in sorted((SQL_DIR / "migrations").glob("[0-9][0-9][0-9][0-9]_*.sql")):
            if path.stem in applied:
                continue
            run_script(conn, path)
            ledger.record_migration(conn, version=path.stem)
            applied_now.append(path.stem)
    finally:
        conn.close()
    return applied_now


@click.command("init-db")
@with_appcontext
def init_db_command():
    """Create the database and apply sql/schema.sql (safe to repeat)."""
    init_db()
    click.echo(f"Applied sql/schema.sql to {current_app.config['MYSQL_DB']}.")


@click.command("migrate")
@with_appcontext
def migrate_command():
    """Apply the pending sql/migrations/ files, each once."""
    applied = migrate()
    click.echo("Applied: " + ", ".join(applied) if applied else "Nothing to apply.")
