"""Read replicas without a cluster: the settings, the dialects, the hooks
for metrics, and an app whose replicas are unreachable or not replicas at
all (reads then go to the primary, and no request fails). The topology
itself is tests/test_cluster.py."""
import logging
import uuid

import pytest
import redis

import db_events
import dialects
from config import config_from_environment, replica_addresses
from queries import SQL_DIR
from scripts.processes import free_port
from tests.helpers import PASSWORD, make_app
from tests.helpers.cluster_client import wait_until

REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.mark.parametrize(("value", "addresses"), [
    ("", []),
    ("db-replica:3306", [("db-replica", 3306)]),
    (" a:3307 , b ,", [("a", 3307), ("b", 3306)]),
    ("[::1]:3308,10.0.0.2:3309", [("::1", 3308), ("10.0.0.2", 3309)]),
])
def test_replica_addresses(value, addresses):
    assert replica_addresses(value) == addresses


@pytest.mark.parametrize("value", ["a:", ":3306", "a:x", "a:70000", "a:0"])
def test_a_replica_address_that_is_not_host_port_is_refused(value):
    with pytest.raises(ValueError, match="MYSQL_REPLICAS"):
        replica_addresses(value)


def test_replica_settings_from_the_environment_and_their_defaults():
    config = config_from_environment({"MYSQL_REPLICAS": "r1:3307,r2:3308", "REDIS_URL": REDIS_URL})
    assert config["MYSQL_REPLICAS"] == [("r1", 3307), ("r2", 3308)]
    assert (config["MYSQL_REPLICA_MAX_LAG"], config["MYSQL_REPLICA_CHECK_SECONDS"]) == (5.0, 1.0)
    assert config["REDIS_URL"] == REDIS_URL and config["TRUSTED_PROXIES"] == 0
    assert config_from_environment({})["MYSQL_REPLICAS"] == []


@pytest.mark.parametrize("wait", ["0", "-1"])
def test_the_gtid_wait_must_be_positive(wait):
    # WAIT_FOR_EXECUTED_GTID_SET(gtid, 0) waits for ever on MySQL.
    with pytest.raises(ValueError, match="MYSQL_REPLICA_WAIT"):
        config_from_environment({"MYSQL_REPLICA_WAIT": wait})


def test_replicas_without_redis_are_refused(db_server, database_name):
    with pytest.raises(RuntimeError, match="REDIS_URL"):
        make_app(db_server, database_name, MYSQL_REPLICAS=[("127.0.0.1", 3307)])


def test_without_replicas_there_is_no_topology_and_every_statement_goes_to_the_primary(app, client, db, signup):
    _user, headers = signup()
    roles = []
    db_events.STATEMENT_LISTENERS.append(roles.append)
    try:
        assert client.get("/boards").status_code == 200
        assert client.get("/me", headers=headers).status_code == 200
    finally:
        db_events.STATEMENT_LISTENERS.remove(roles.append)
    assert app.extensions["boards_db"].topology is None
    assert roles == ["primary", "primary"]


@pytest.mark.parametrize(("version", "dialect"), [
    ("10.11.19-MariaDB-0+deb12u1", dialects.MARIADB),
    ("11.4.2-MariaDB", dialects.MARIADB),
    ("8.4.3", dialects.MYSQL),
    ("8.4.0-commercial", dialects.MYSQL),
])
def test_the_dialect_comes_from_the_version(version, dialect):
    assert dialects.dialect_of(version) is dialect


def test_the_dialect_of_the_test_server(admin_conn):
    with admin_conn.cursor() as cursor:
        cursor.execute("SELECT VERSION() AS v")
        version = cursor.fetchone()["v"]
    assert dialects.dialect_of_server(admin_conn) is dialects.dialect_of(version)


def test_mariadb_gtids_combine_to_the_newest_of_each_domain():
    combined = dialects.MARIADB.combine(["0-1-5", "0-1-7,1-2-3", "", "0-2-6", "1-2-9"])
    assert combined == "0-1-7,1-2-9"
    assert dialects.MARIADB.combine([]) is None


def test_mysql_gtid_sets_combine_to_their_union():
    uuid_a, uuid_b = "3e11fa47-71ca-11e1-9e33-c80aa9429562", "4f22fb58-82db-22f2-0f44-d91bb0530673"
    combined = dialects.MYSQL.combine([f"{uuid_a}:1-5", f"{uuid_a}:1-7", f"{uuid_b}:1-2", f"{uuid_a}:1-5"])
    assert combined == f"{uuid_a}:1-5,{uuid_a}:1-7,{uuid_b}:1-2"


def test_both_dialect_files_name_the_same_queries_with_the_same_parameters():
    def declared(name):
        text = (SQL_DIR / "queries" / f"replication_{name}.sql").read_text()
        return sorted(line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("-- name:"))

    assert declared("mariadb") == declared("mysql")
    assert declared("mariadb") == ["last_gtid()$", "replica_status()^", "wait_for_gtid(gtid, timeout)$"]


@pytest.mark.parametrize("dialect", [dialects.MARIADB, dialects.MYSQL])
def test_a_replica_status_row_reads_the_same_in_both_dialects(dialect):
    row = {dialect.io_running: "Connecting", dialect.sql_running: "Yes", dialect.seconds_behind: None}
    assert dialect.replica_status(row) == dialects.ReplicaStatus(receiving=False, applying=True, lag=None)
    row = {dialect.io_running: "Yes", dialect.sql_running: "No", dialect.seconds_behind: 7}
    assert dialect.replica_status(row) == dialects.ReplicaStatus(receiving=True, applying=False, lag=7.0)
    assert dialect.replica_status(None) is None


@pytest.fixture
def replicated_app(db_server, database_name, app, db):
    """replicated_app(replicas, **config): the test app with MYSQL_REPLICAS,
    a Redis key prefix of its own, and a quick checker."""
    prefix = f"boards-test-{uuid.uuid4().hex}"
    made = []

    def make(replicas, **overrides):
        settings = {"REDIS_URL": REDIS_URL, "REDIS_KEY_PREFIX": prefix, "MYSQL_REPLICA_CHECK_SECONDS": 0.1}
        made.append(make_app(db_server, database_name, MYSQL_REPLICAS=replicas, **{**settings, **overrides}))
        return made[-1]

    fallbacks = []
    db_events.FALLBACK_LISTENERS.append(fallbacks.append)
    make.fallbacks = fallbacks
    yield make
    db_events.FALLBACK_LISTENERS.remove(fallbacks.append)
    for each in made:
        each.extensions["boards_db"].topology.stop()
    connection = redis.Redis.from_url(REDIS_URL)
    keys = list(connection.scan_iter(f"{prefix}*"))
    if keys:
        connection.delete(*keys)


def health(client):
    response = client.get("/health")
    assert response.status_code == 200, response.json
    return response.json


def test_unreachable_replicas_serve_nothing_and_cost_no_request(replicated_app):
    app = replicated_app([("127.0.0.1", free_port()), ("127.0.0.1", free_port())])
    client = app.test_client()
    checked = []

    def listener(name, lag, serving):
        checked.append((lag, serving))

    db_events.REPLICA_LISTENERS.append(listener)
    try:
        health(client)  # the first read starts the checker
        wait_until(lambda: len(checked) >= 4, 5, "both replicas checked twice")
    finally:
        db_events.REPLICA_LISTENERS.remove(listener)
    assert set(checked) == {(None, False)}
    body = health(client)
    assert (body["status"], body["database"], body["replicas"]) == ("ok", "ok", 0)
    signup = client.post("/users", json={"name": "ann", "email": "ann@example.com", "password": PASSWORD})
    assert signup.status_code == 201
    assert client.get(f"/users/{signup.json['id']}").status_code == 200
    assert "no-replica" in replicated_app.fallbacks


def test_a_server_that_is_not_a_replica_serves_no_reads_and_is_logged(replicated_app, db_server, caplog):
    caplog.set_level(logging.WARNING, logger="boards.replicas")
    app = replicated_app([(db_server.host, db_server.port)])
    client = app.test_client()
    health(client)
    wait_until(lambda: "it is not a replica" in caplog.text, 5, "the checker says why")
    assert health(client)["replicas"] == 0
    assert client.get("/boards").status_code == 200
