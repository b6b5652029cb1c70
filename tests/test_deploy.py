"""deploy/: the MySQL init scripts, run as the mysql image's entrypoint runs
them (sourced, with its docker_process_sql) and their SQL applied to a real
server, and the HAProxy config, checked by haproxy itself, run in a network
namespace against stand-ins for Docker's DNS and the pool, and read."""
import json
import re
import shutil
import subprocess
import sys

import MySQLdb
import pytest

from migrations import create_database
from scripts.dbserver import Server
from tests.helpers.compose_file import ROOT, environment, healthcheck_command, published_ports, replicas

DEPLOY = ROOT / "deploy"
PRIMARY_USERS = DEPLOY / "mysql" / "primary-users.sh"
REPLICA_SOURCE = DEPLOY / "mysql" / "replica-source.sh"
HAPROXY_CFG = DEPLOY / "haproxy" / "haproxy.cfg"
COMPOSE_ENV = {"SECRET_KEY": "k" * 40}
# What the image's entrypoint defines before it sources an init script.
ENTRYPOINT_STUBS = 'set -eo pipefail; docker_process_sql() { cat; }; mysql_error() { echo "$*" >&2; exit 1; }; . "$0"'
READ_ONLY_ERROR = 1290


def run_init_script(script, env):
    return subprocess.run(
        ["bash", "-c", ENTRYPOINT_STUBS, str(script)], env={"PATH": "/usr/bin:/bin", **env},
        capture_output=True, text=True, timeout=30,
    )


def init_sql(script, service):
    done = run_init_script(script, environment(service, COMPOSE_ENV))
    assert done.returncode == 0, done.stderr
    return done.stdout


def statements(sql):
    return [" ".join(part.split()) for part in sql.split(";") if part.strip()]


@pytest.mark.parametrize("script", [PRIMARY_USERS, REPLICA_SOURCE])
def test_init_scripts_are_sourced_not_run(script):
    """The entrypoint runs an executable .sh in a new process, where its
    docker_process_sql does not exist."""
    assert not script.stat().st_mode & 0o111


@pytest.mark.parametrize(("script", "service"), [(PRIMARY_USERS, "db"), (REPLICA_SOURCE, "db-replica")])
@pytest.mark.parametrize("value", ["", "it's", "back\\slash"])
def test_init_scripts_refuse_missing_or_unquotable_secrets(script, service, value):
    done = run_init_script(script, {**environment(service, COMPOSE_ENV), "REPLICATION_PASSWORD": value})
    assert done.returncode != 0 and done.stdout == ""
    assert "REPLICATION_PASSWORD" in done.stderr


def test_the_primary_creates_the_service_account_with_only_the_boards_database_and_replica_status():
    db = environment("db", COMPOSE_ENV)
    user, replication = db["BOARDS_DB_USER"], db["REPLICATION_USER"]
    assert statements(init_sql(PRIMARY_USERS, "db")) == [
        f"CREATE USER '{user}'@'%' IDENTIFIED BY '{db['BOARDS_DB_PASSWORD']}'",
        f"GRANT ALL ON `{db['MYSQL_DATABASE']}`.* TO '{user}'@'%'",
        f"GRANT REPLICATION CLIENT ON *.* TO '{user}'@'%'",  # SHOW REPLICA STATUS, for the lag
        f"CREATE USER '{replication}'@'%' IDENTIFIED BY '{db['REPLICATION_PASSWORD']}'",
        f"GRANT REPLICATION SLAVE ON *.* TO '{replication}'@'%'",
    ]


def test_the_replica_follows_the_primary_by_gtid_over_tls():
    replica, db = environment("db-replica", COMPOSE_ENV), environment("db", COMPOSE_ENV)
    reset, change, persist = statements(init_sql(REPLICA_SOURCE, "db-replica"))
    assert reset == "RESET BINARY LOGS AND GTIDS"  # RESET MASTER is gone in 8.4
    assert change.startswith("CHANGE REPLICATION SOURCE TO ")
    options = dict(re.findall(r"(\w+) = ('[^']*'|\d+)", change))
    assert options["SOURCE_HOST"] == f"'{replica['SOURCE_HOST']}'" == "'db'"
    assert options["SOURCE_PORT"] == "3306"
    assert options["SOURCE_USER"] == f"'{db['REPLICATION_USER']}'"
    assert options["SOURCE_PASSWORD"] == f"'{db['REPLICATION_PASSWORD']}'"
    assert options["SOURCE_AUTO_POSITION"] == "1"
    assert options["SOURCE_SSL"] == "1"  # caching_sha2_password over TLS; the primary refuses plain TCP
    assert persist == "SET PERSIST_ONLY super_read_only = ON"


def test_no_script_uses_the_statements_mysql_8_4_removed():
    for path in (DEPLOY / "mysql").iterdir():
        text = path.read_text()
        assert not re.search(r"\bMASTER\b|SLAVE STATUS|START SLAVE|CHANGE MASTER", text), path.name


def test_a_write_through_the_service_account_to_a_read_only_server_fails_loudly(private_server, tmp_path):
    """read_only does not stop root, so a write that reaches a replica as root
    goes unnoticed; the service account gets an error."""
    db = environment("db", COMPOSE_ENV)
    root = private_server.server.connect()
    try:
        create_database(root, db["MYSQL_DATABASE"])
        with root.cursor() as cursor:
            for statement in statements(init_sql(PRIMARY_USERS, "db")):
                cursor.execute(statement)
        root_in_db = private_server.server.connect(database=db["MYSQL_DATABASE"])
        with root_in_db.cursor() as cursor:
            cursor.execute("CREATE TABLE notes (id INT PRIMARY KEY)")
        account = Server(private_server.server.host, private_server.server.port,
                         db["BOARDS_DB_USER"], db["BOARDS_DB_PASSWORD"])
        service = account.connect(database=db["MYSQL_DATABASE"])
        with service.cursor() as cursor:
            cursor.execute("INSERT INTO notes VALUES (1)")
            with pytest.raises(MySQLdb.OperationalError):
                cursor.execute("CREATE DATABASE boards_elsewhere")
            with root.cursor() as admin:
                admin.execute("SET GLOBAL read_only = ON")
            with pytest.raises(MySQLdb.OperationalError) as refused:
                cursor.execute("INSERT INTO notes VALUES (2)")
            assert refused.value.args[0] == READ_ONLY_ERROR
        with root_in_db.cursor() as admin:
            admin.execute("INSERT INTO notes VALUES (3)")  # root: unnoticed
        service.close()
        root_in_db.close()
    finally:
        with root.cursor() as admin:
            admin.execute("SET GLOBAL read_only = OFF")
        root.close()


# HAProxy


def haproxy_sections():
    """{"frontend boards": [directive, ...], ...} of deploy/haproxy/haproxy.cfg."""
    sections, current = {}, None
    for line in HAPROXY_CFG.read_text().splitlines():
        line = line.split("#", 1)[0].rstrip()
        if not line.strip():
            continue
        if not line[0].isspace():
            current = sections.setdefault(" ".join(line.split()), [])
        else:
            current.append(" ".join(line.split()))
    return sections


def directive(section, keyword):
    return [line for line in haproxy_sections()[section] if line.split()[0] == keyword]


def test_haproxy_accepts_the_config():
    haproxy = shutil.which("haproxy")
    assert haproxy, "haproxy is missing: `bash scripts/bootstrap.sh test` installs it"
    done = subprocess.run([haproxy, "-c", "-f", str(HAPROXY_CFG)], capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stdout + done.stderr


def test_haproxy_runs_the_config_against_docker_like_dns_and_health_checks():
    """The config as shipped, in a network namespace of its own with a stand-in
    for Docker's DNS and two pool instances (tests/haproxy_netns.py)."""
    done = subprocess.run(
        ["unshare", "--user", "--map-root-user", "--net", sys.executable,
         str(ROOT / "tests" / "helpers" / "haproxy_netns.py"), str(HAPROXY_CFG)],
        capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["monitor_up"], report["haproxy_log"]
    assert report["only_the_healthy_instance_served"], report["haproxy_log"]
    assert report["both_served_once_both_are_healthy"], report["haproxy_log"]
    assert report["monitor_down_with_no_instance"], report["haproxy_log"]
    assert report["pool_status_with_no_instance"] == 503
    assert report["forwarded_for"] == ["127.0.0.1"]
    assert "by docker/docker" in report["haproxy_log"]  # the addresses came from the resolvers section


def test_haproxy_serves_on_the_port_compose_publishes():
    (bind,) = directive("frontend boards", "bind")
    assert bind == "bind :8080"
    assert published_ports("haproxy") == [("8080", "8080")]


def test_haproxy_balances_over_every_pool_instance_found_by_docker_dns():
    (template,) = directive("backend app_pool", "server-template")
    count, address = template.split()[2:4]
    assert address == "app-pool:5000"  # the service name and gunicorn's --bind port
    assert int(count) == replicas("app-pool")
    (defaults,) = directive("backend app_pool", "default-server")
    assert "resolvers docker" in defaults and "init-addr none" in defaults and " check" in defaults
    assert directive("resolvers docker", "nameserver") == ["nameserver docker 127.0.0.11:53"]


def test_haproxy_sends_traffic_only_to_instances_whose_health_answers_200():
    assert directive("backend app_pool", "option") == ["option httpchk"]
    assert directive("backend app_pool", "http-check") == [
        "http-check send meth GET uri /health",
        "http-check expect status 200",  # "ok" and "read-only" are 200, a dead database 503
    ]


def test_haproxy_is_healthy_while_one_instance_is():
    assert directive("frontend monitor", "bind") == ["bind :8404"]
    assert directive("frontend monitor", "monitor-uri") == ["monitor-uri /haproxy-health"]
    assert directive("frontend monitor", "monitor") == ["monitor fail if { nbsrv(app_pool) lt 1 }"]
    assert "http://127.0.0.1:8404/haproxy-health" in healthcheck_command("haproxy")


def test_haproxy_tells_the_app_who_the_client_is():
    assert "option forwardfor" in haproxy_sections()["defaults"]
