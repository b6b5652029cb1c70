"""Fixtures: one real database server for the run, a throwaway database on
it made by the same init-db code as the CLI, emptied before every test."""
import itertools
import uuid

import MySQLdb
import pytest

import worker
from tests.helpers.service_process import init_database

from scripts.dbserver import find_or_start, start_private
from tests.helpers import (
    EMPTY_TABLES_CHILDREN_FIRST, PASSWORD, Rows, World, make_app, post_board, post_comment,
)


@pytest.fixture(scope="session")
def db_server():
    try:
        server = find_or_start(("TEST_DATABASE_URL", "DATABASE_URL"))
    except SystemExit as no_server:
        pytest.exit(str(no_server), returncode=3)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def private_server():
    """A mariadbd/mysqld of the module's own (tests/test_faults.py kills it)."""
    private = start_private()
    try:
        yield private
    finally:
        private.stop()


@pytest.fixture(scope="module")
def module_database(db_server):
    """A database of the module's own on the test server (made by the code
    `init-db` runs), for the service and worker processes the module starts;
    dropped after the module."""
    name = f"boards_test_{uuid.uuid4().hex[:8]}_module"
    init_database(db_server, name)
    yield name
    db_server.drop_database(name)


@pytest.fixture
def fresh_database(db_server):
    """A database of the test's own on the test server, made like
    `module_database`, for a test whose processes must start from nothing."""
    name = f"boards_test_{uuid.uuid4().hex[:8]}_fresh"
    init_database(db_server, name)
    yield name
    db_server.drop_database(name)


@pytest.fixture(scope="session")
def database_name(db_server):
    name = f"boards_test_{uuid.uuid4().hex[:12]}"
    yield name
    db_server.drop_database(name)


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


@pytest.fixture
def world(client, signup):
    """alice and bob; alice owns a board, has commented on it, follows bob."""
    alice, alice_headers = signup()
    bob, bob_headers = signup()
    board = post_board(client, alice_headers, "t", "c").json
    comment = post_comment(client, board["id"], alice_headers, "c").json
    assert client.put(f"/users/{bob['id']}/follow", headers=alice_headers).status_code == 204
    return World(alice, alice_headers, bob, bob_headers, board, comment)


@pytest.fixture
def drain(app):
    """drain(): the worker's outbox applied now (the feeds' fan-out), in the
    test's thread, with the same code `flask worker` runs."""
    return lambda: worker.drain(app)


@pytest.fixture
def rebuild(app):
    """rebuild(): derived values made again after rows were loaded with raw
    SQL, by the same command a DBA runs (`flask --app app rebuild`)."""

    def run():
        result = app.test_cli_runner().invoke(args=["rebuild", "--quiet"])
        assert result.exit_code == 0, result.output

    return run
