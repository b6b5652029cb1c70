"""Fixtures: one real database server for the run, a throwaway database on
it made by the same init-db code as the CLI, emptied before every test."""
import itertools
import uuid

import MySQLdb
import pytest

from app import create_app
from scripts.dbserver import find_or_start

EMPTY_TABLES_CHILDREN_FIRST = (
    "DELETE FROM follows",
    "DELETE FROM comments",
    "DELETE FROM boards",
    "DELETE FROM users",
)
TEST_SECRET = "test-secret-key-that-is-long-enough-for-hs256"
FAST_TEST_HASH = "scrypt:1024:8:1"
PASSWORD = "correct horse 9"


@pytest.fixture(scope="session")
def db_server():
    try:
        server = find_or_start(("TEST_DATABASE_URL", "DATABASE_URL"))
    except SystemExit as no_server:
        pytest.exit(str(no_server), returncode=3)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def database_name(db_server):
    name = f"boards_test_{uuid.uuid4().hex[:12]}"
    yield name
    db_server.drop_database(name)


def make_app(db_server, database_name, **overrides):
    config = {
        **db_server.app_config(database_name),
        "SECRET_KEY": TEST_SECRET,
        "TESTING": True,
        "PASSWORD_HASH_METHOD": FAST_TEST_HASH,
        # Many tests fail logins on purpose; tests/test_rate_limit.py turns it on.
        "RATELIMIT_ENABLED": False,
        **overrides,
    }
    return create_app(config)


@pytest.fixture(scope="session")
def app(db_server, database_name):
    app = make_app(db_server, database_name)
    result = app.test_cli_runner().invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    return app


@pytest.fixture(scope="session")
def admin_conn(db_server, database_name, app):
    """A connection of the tests' own, to arrange and check rows."""
    conn = db_server.connect(database=database_name, cursorclass=MySQLdb.cursors.DictCursor)
    yield conn
    conn.close()


class Rows:
    """Raw SQL against the test database, outside any request."""

    def __init__(self, conn):
        self.conn = conn

    def all(self, sql, params=None):
        with self.conn.cursor() as cursor:
            cursor.execute(sql, params)
            return list(cursor.fetchall())

    def one(self, sql, params=None):
        rows = self.all(sql, params)
        return rows[0] if rows else None

    def value(self, sql, params=None):
        row = self.one(sql, params)
        return next(iter(row.values())) if row else None

    def status(self, name):
        return int(self.one("SHOW GLOBAL STATUS LIKE %s", (name,))["Value"])


@pytest.fixture
def db(admin_conn):
    """Empties every table (children first, one transaction) and hands the
    test a way to run SQL."""
    admin_conn.begin()
    with admin_conn.cursor() as cursor:
        for statement in EMPTY_TABLES_CHILDREN_FIRST:
            cursor.execute(statement)
    admin_conn.commit()
    return Rows(admin_conn)


@pytest.fixture
def client(app, db):
    return app.test_client()


_names = itertools.count(1)


@pytest.fixture
def signup(client):
    """signup(name=None) -> (user, headers): a new user and their bearer headers."""

    def make(name=None, email=None, password=PASSWORD):
        n = next(_names)
        name = name or f"user{n}"
        email = email or f"user{n}@example.com"
        response = client.post("/users", json={"name": name, "email": email, "password": password})
        assert response.status_code == 201, response.json
        login = client.post("/auth/login", json={"email": email, "password": password})
        assert login.status_code == 200, login.json
        return response.json, {"Authorization": f"Bearer {login.json['access_token']}"}

    return make


def walk_pages(client, url, limit):
    """Every item of a paged list, following next_cursor; checks the Link header."""
    items, cursor, pages = [], None, 0
    while True:
        separator = "&" if "?" in url else "?"
        query = f"{url}{separator}limit={limit}" + (f"&cursor={cursor}" if cursor else "")
        response = client.get(query)
        assert response.status_code == 200, response.json
        body = response.json
        assert len(body["items"]) <= limit
        items.extend(body["items"])
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            assert "Link" not in response.headers
            return items, pages
        assert 'rel="next"' in response.headers["Link"]
