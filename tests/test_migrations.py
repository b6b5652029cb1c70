"""sql/schema.sql and "empty database + every migration" are the same schema;
migrate and init-db are safe to run again."""
import uuid

import MySQLdb
import pytest

from migrations import create_database, drop_database, init_db, migrate
from queries import SQL_DIR
from tests.helpers import make_app

SCHEMA_QUERIES = {
    "tables": """
        SELECT table_name, engine, table_collation
        FROM information_schema.tables
        WHERE table_schema = %s
        ORDER BY table_name""",
    "columns": """
        SELECT table_name, column_name, ordinal_position, column_type, is_nullable,
               column_default, character_set_name, collation_name, extra
        FROM information_schema.columns
        WHERE table_schema = %s
        ORDER BY table_name, ordinal_position""",
    "indexes": """
        SELECT table_name, index_name, seq_in_index, column_name, non_unique, index_type
        FROM information_schema.statistics
        WHERE table_schema = %s
        ORDER BY table_name, index_name, seq_in_index""",
    "constraints": """
        SELECT table_name, constraint_name, constraint_type
        FROM information_schema.table_constraints
        WHERE table_schema = %s
        ORDER BY table_name, constraint_name""",
    "foreign_keys": """
        SELECT k.table_name, k.constraint_name, k.column_name, k.ordinal_position,
               k.referenced_table_name, k.referenced_column_name,
               r.update_rule, r.delete_rule
        FROM information_schema.key_column_usage AS k
        JOIN information_schema.referential_constraints AS r
          ON r.constraint_schema = k.constraint_schema
         AND r.constraint_name = k.constraint_name
        WHERE k.table_schema = %s
          AND k.referenced_table_name IS NOT NULL
        ORDER BY k.table_name, k.constraint_name, k.ordinal_position""",
}
MIGRATION_FILES = sorted(p.stem for p in (SQL_DIR / "migrations").glob("[0-9][0-9][0-9][0-9]_*.sql"))


@pytest.fixture(scope="module")
def admin(db_server):
    conn = db_server.connect(cursorclass=MySQLdb.cursors.DictCursor)
    yield conn
    conn.close()


@pytest.fixture
def throwaway(db_server, admin):
    """throwaway(label) -> an app on a new, empty database of its own; all
    are dropped when the test ends."""
    names = []

    def make(label):
        name = f"boards_test_{uuid.uuid4().hex[:8]}_{label}"
        create_database(admin, name)
        names.append(name)
        return make_app(db_server, name)

    yield make
    for name in names:
        drop_database(admin, name)


def describe(admin, app):
    """Tables, columns, indexes, constraints and foreign keys of the app's database."""
    schema = app.config["MYSQL_DB"]
    described = {}
    for aspect, sql in SCHEMA_QUERIES.items():
        with admin.cursor() as cursor:
            cursor.execute(sql, (schema,))
            described[aspect] = [
                {key.lower(): value for key, value in row.items()} for row in cursor.fetchall()
            ]
    return described


def ledger(admin, app):
    with admin.cursor() as cursor:
        cursor.execute(
            f"SELECT version, applied_at FROM `{app.config['MYSQL_DB']}`.schema_migrations "
            "ORDER BY version"
        )
        return list(cursor.fetchall())


def run(app, step):
    with app.app_context():
        return step()


@pytest.fixture
def from_schema(throwaway):
    app = throwaway("schema")
    run(app, init_db)
    return app


@pytest.fixture
def from_migrations(throwaway):
    app = throwaway("migrated")
    assert run(app, migrate) == MIGRATION_FILES
    return app


def test_there_are_migrations():
    assert MIGRATION_FILES and MIGRATION_FILES[0].startswith("0001_")


def test_schema_and_migrations_give_the_same_schema(admin, from_schema, from_migrations):
    by_schema = describe(admin, from_schema)
    by_migrations = describe(admin, from_migrations)
    assert {t["table_name"] for t in by_schema["tables"]} >= {
        "users", "boards", "comments", "follows", "schema_migrations"}
    assert ("users", "password_hash") in {(c["table_name"], c["column_name"]) for c in by_schema["columns"]}
    assert len(by_schema["foreign_keys"]) == 12
    for aspect in SCHEMA_QUERIES:
        assert by_schema[aspect] == by_migrations[aspect], aspect


def test_schema_records_every_migration_as_applied(admin, from_schema, from_migrations):
    versions = [row["version"] for row in ledger(admin, from_schema)]
    assert versions == MIGRATION_FILES
    assert [row["version"] for row in ledger(admin, from_migrations)] == MIGRATION_FILES
    assert run(from_schema, migrate) == []


def test_every_table_is_utf8mb4_unicode_ci_innodb(admin, from_migrations):
    for table in describe(admin, from_migrations)["tables"]:
        assert table["engine"] == "InnoDB", table
        assert table["table_collation"] == "utf8mb4_unicode_ci", table


def test_second_migrate_applies_nothing(admin, from_migrations):
    before = (describe(admin, from_migrations), ledger(admin, from_migrations))
    assert run(from_migrations, migrate) == []
    assert (describe(admin, from_migrations), ledger(admin, from_migrations)) == before


def test_migrate_cli_says_nothing_to_apply(from_migrations):
    result = from_migrations.test_cli_runner().invoke(args=["migrate"])
    assert result.exit_code == 0, result.output
    assert "Nothing to apply" in result.output


def test_init_db_twice_keeps_schema_and_rows(admin, from_schema):
    before = describe(admin, from_schema)
    database = from_schema.config["MYSQL_DB"]
    with admin.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO `{database}`.users (name, email, password_hash) VALUES (%s, %s, %s)",
            ("kept", "kept@example.com", "scrypt:x"),
        )
    result = from_schema.test_cli_runner().invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    assert describe(admin, from_schema) == before
    admin.select_db(database)
    with admin.cursor() as cursor:
        cursor.execute("SELECT name FROM users")
        assert [row["name"] for row in cursor.fetchall()] == ["kept"]


def test_init_db_creates_a_missing_database(admin, db_server):
    name = f"boards_test_{uuid.uuid4().hex[:8]}_fresh"
    app = make_app(db_server, name)
    try:
        run(app, init_db)
        assert "users" in {t["table_name"] for t in describe(admin, app)["tables"]}
    finally:
        drop_database(admin, name)
