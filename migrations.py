"""The schema and its upgrades: `init-db` applies sql/schema.sql, `migrate`
the pending sql/migrations/ files; plus the checked create/drop database
helpers the tests and the benchmark use."""
import re
from pathlib import Path

import click
import MySQLdb
from flask import current_app
from flask.cli import with_appcontext

from db import Database
from queries import SQL_DIR, load_queries

SAFE_DATABASE_NAME = re.compile(r"[A-Za-z0-9_]{1,64}")


def init_app(app):
    app.cli.add_command(init_db_command)
    app.cli.add_command(migrate_command)


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
