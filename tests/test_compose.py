"""docker-compose.yml, Dockerfile and .dockerignore, checked by reading them
(no Docker engine runs here): the file and each profile against the Compose
Specification's JSON schema, what each profile starts, and the healthcheck
commands run against live servers."""
import fnmatch
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from config import SSL_MODES, config_from_environment
from scripts.processes import free_port
from tests.helpers.compose_file import (
    COMPOSE, COMPOSE_TEXT, SELECTION_IDS, SELECTIONS, SERVICES, app_image_services, command,
    compose_schema, dependencies, enabled_services, environment, healthcheck_command, mounts,
    one_shot_services, project_for, published_ports, replicas, service,
)
from tests.helpers import make_app, serve_in_thread

ROOT = Path(__file__).resolve().parent.parent
DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")
DOCKERIGNORE = [
    line.strip() for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    if line.strip() and not line.startswith("#")
]
INITDB = "/docker-entrypoint-initdb.d/"
REDIS_URL = "redis://redis:6379/0"
COMPOSE_ENV = {"SECRET_KEY": "k" * 40}  # what a .env would hold; the rest are defaults
PRIMARY, REPLICA = "db", "db-replica"
READ_OUTSIDE_CONFIG = set()  # config.py reads every setting


def dockerfile_instruction(keyword):
    """Arguments of every `KEYWORD ...` line of the Dockerfile (continuations joined)."""
    joined = re.sub(r"\\\n\s*", " ", DOCKERFILE)
    return [line.split(None, 1)[1] for line in joined.splitlines() if line.startswith(keyword + " ")]


def ignored(path):
    return any(
        fnmatch.fnmatch(path, pattern) or fnmatch.fnmatch(path.split("/")[0], pattern)
        for pattern in DOCKERIGNORE
    )


def schema_errors(document):
    validator = jsonschema.Draft7Validator(compose_schema())
    return [f"{error.json_path}: {error.message}" for error in validator.iter_errors(document)]


def server_options(name):
    """--name=value options of a MySQL service's command, as a dict."""
    return dict(option[2:].split("=", 1) for option in command(name) if option.startswith("--"))


# The file, and what each profile starts


def test_the_schema_is_the_compose_specification():
    jsonschema.Draft7Validator.check_schema(compose_schema())
    assert compose_schema()["title"] == "Compose Specification"


def test_the_schema_rejects_what_compose_rejects():
    broken = {**COMPOSE, "services": {**SERVICES, "app": {**service("app"), "helthcheck": {}}}}
    assert any("helthcheck" in error for error in schema_errors(broken))


def test_the_whole_file_matches_the_compose_specification():
    assert schema_errors(COMPOSE) == []


@pytest.mark.parametrize("profile", SELECTIONS, ids=SELECTION_IDS)
def test_each_profile_matches_the_compose_specification(profile):
    assert schema_errors(project_for(profile)) == []


def test_what_each_profile_starts():
    assert enabled_services(None) == {"db", "redis", "migrate", "app", "worker"}
    assert SELECTIONS == [None, "scale"]
    assert enabled_services("scale") == enabled_services(None) | {REPLICA, "app-pool", "haproxy"}


@pytest.mark.parametrize("profile", SELECTIONS, ids=SELECTION_IDS)
def test_every_dependency_is_started_by_the_same_profile(profile):
    enabled = enabled_services(profile)
    for name in enabled:
        assert set(dependencies(name)) <= enabled, name


@pytest.mark.parametrize("profile", SELECTIONS, ids=SELECTION_IDS)
def test_published_ports_do_not_collide(profile):
    host_ports = []
    for name in enabled_services(profile):
        published = [host for host, _ in published_ports(name) if host]
        if replicas(name) > 1:
            assert not published, f"{name}: {replicas(name)} replicas cannot share a host port"
        host_ports += published
    assert host_ports and len(host_ports) == len(set(host_ports))


@pytest.mark.parametrize("profile", SELECTIONS, ids=SELECTION_IDS)
def test_every_long_running_service_restarts_and_has_a_healthcheck(profile):
    for name in enabled_services(profile) - one_shot_services():
        assert service(name)["restart"] in ("always", "unless-stopped", "on-failure"), name
        healthcheck = service(name)["healthcheck"]
        assert not healthcheck.get("disable") and healthcheck_command(name)[0] in ("CMD", "CMD-SHELL"), name
        assert healthcheck["retries"] >= 1, name


def test_one_shot_services_run_once():
    assert one_shot_services() == {"migrate"}
    assert service("migrate")["restart"] == "no"


def test_waiting_for_healthy_means_a_healthcheck_to_wait_for():
    for name in SERVICES:
        for target, condition in dependencies(name).items():
            assert condition in ("service_healthy", "service_completed_successfully"), (name, target)
            if condition == "service_healthy":
                assert "healthcheck" in service(target), (name, target)


def test_images_are_pinned_and_mysql_is_8_4_lts():
    for name, spec in SERVICES.items():
        image = spec["image"]
        if name in app_image_services():
            assert image == "boards-app"
            continue
        repository, _, tag = image.partition(":")
        assert tag and tag != "latest", name
        if repository == "mysql":
            assert re.fullmatch(r"8\.4(\.\d+)?", tag), name
    assert {service(name)["image"] for name in (PRIMARY, REPLICA)} == {"mysql:8.4"}


def test_mysql_native_password_is_nowhere():
    texts = [COMPOSE_TEXT, DOCKERFILE, *(path.read_text() for path in (ROOT / "deploy").rglob("*") if path.is_file())]
    assert not any("native_password" in text for text in texts)


@pytest.mark.parametrize("name", ["db", "db-replica", "redis"])
def test_servers_are_not_published_on_the_host(name):
    assert published_ports(name) == []


# The MySQL servers


@pytest.mark.parametrize("name", [PRIMARY, REPLICA])
def test_mysql_servers_speak_utf8mb4_with_gtids_and_tls_only(name):
    options = server_options(name)
    assert options["character-set-server"] == "utf8mb4"
    assert options["collation-server"] == "utf8mb4_unicode_ci"
    assert options["gtid-mode"] == "ON" and options["enforce-gtid-consistency"] == "ON"
    # Plain TCP is refused, so a client without MYSQL_SSL_MODE fails at once.
    assert options["require-secure-transport"] == "ON"
    assert not any("authentication" in option for option in command(name))


def test_server_ids_differ_and_only_the_replica_is_read_only():
    primary, replica = server_options(PRIMARY), server_options(REPLICA)
    assert primary["server-id"] != replica["server-id"]
    assert replica["read-only"] == "ON" and "read-only" not in primary


def test_the_primary_gets_the_schema_and_the_accounts_on_first_start():
    inits = sorted((target, source) for source, target in mounts(PRIMARY) if target.startswith(INITDB))
    assert [target.rsplit(".", 1)[1] for target, _ in inits] == ["sql", "sh"]  # schema first
    (_, schema), (_, users) = inits
    assert (ROOT / schema).resolve() == ROOT / "sql" / "schema.sql"
    assert (ROOT / users).resolve() == ROOT / "deploy" / "mysql" / "primary-users.sh"
    assert environment(PRIMARY)["MYSQL_DATABASE"] == "boards"


def test_the_replica_takes_everything_from_the_primary():
    env = environment(REPLICA)
    assert "MYSQL_DATABASE" not in env and "MYSQL_USER" not in env  # they come by replication
    assert env["MYSQL_INITDB_SKIP_TZINFO"] == "1"
    inits = [source for source, target in mounts(REPLICA) if target.startswith(INITDB)]
    assert [(ROOT / source).resolve() for source in inits] == [ROOT / "deploy" / "mysql" / "replica-source.sh"]
    assert env["SOURCE_HOST"] == PRIMARY
    assert dependencies(REPLICA) == {PRIMARY: "service_healthy"}
    primary = environment(PRIMARY, COMPOSE_ENV)
    replica = environment(REPLICA, COMPOSE_ENV)
    for name in ("REPLICATION_USER", "REPLICATION_PASSWORD", "MYSQL_ROOT_PASSWORD"):
        assert replica[name] == primary[name]


def test_each_mysql_server_keeps_its_data_in_a_named_volume_of_its_own():
    data = [dict((target, source) for source, target in mounts(name))["/var/lib/mysql"] for name in (PRIMARY, REPLICA)]
    assert set(data) <= set(COMPOSE["volumes"]) and len(set(data)) == 2


def test_the_primary_healthcheck_pings_over_tcp():
    command_line = " ".join(healthcheck_command(PRIMARY))
    assert "mysqladmin" in command_line and "ping" in command_line
    assert "127.0.0.1" in command_line  # not the socket the init-time server listens on


def test_the_replica_is_healthy_only_while_both_replication_threads_run():
    command_line = healthcheck_command(REPLICA)[1]
    assert "SHOW REPLICA STATUS" in command_line and "127.0.0.1" in command_line
    assert "Replica_(IO|SQL)_Running: Yes" in command_line and "= 2 ]" in command_line


@pytest.mark.parametrize(
    "name", [name for name in SERVICES if "healthcheck" in SERVICES[name] and healthcheck_command(name)[0] == "CMD-SHELL"]
)
def test_shell_healthchecks_are_valid_sh(name):
    script = healthcheck_command(name)[1].replace("$$", "$")
    assert subprocess.run(["sh", "-n", "-c", script], capture_output=True).returncode == 0


# The services of the app's image


def test_the_app_is_built_here_and_published_on_5000():
    assert service("app")["build"] in (".", "./", {"context": "."})
    assert ("5000", "5000") in published_ports("app")


def test_every_app_image_service_is_the_same_build():
    assert app_image_services() == {"migrate", "app", "worker", "app-pool"}
    assert len({json.dumps(service(name)["build"]) for name in app_image_services()}) == 1


def test_migrations_run_once_before_any_app_process():
    assert command("migrate") == ["flask", "--app", "app", "migrate"]
    for name in app_image_services() - {"migrate"}:
        assert dependencies(name)["migrate"] == "service_completed_successfully", name
        assert "migrate" not in " ".join(command(name)), name


@pytest.mark.parametrize("name", ["app", "app-pool"])
def test_web_services_run_the_production_server_on_5000(name):
    assert command(name) == ["python", "-m", "scripts.web_server", "--bind", "0.0.0.0:5000", "wsgi:app"]


@pytest.mark.parametrize("name", ["app", "app-pool"])
def test_web_services_move_a_dead_workers_queued_connections(name):
    """Each worker has its own SO_REUSEPORT socket (scripts/web_server.py):
    without this the connections queued on one that exits are reset."""
    assert service(name)["sysctls"] == {"net.ipv4.tcp_migrate_req": 1}


def test_the_worker_is_the_apps_background_process():
    assert command("worker") == ["flask", "--app", "app", "worker"]
    assert "ports" not in service("worker")


@pytest.mark.parametrize("name", ["migrate", "app", "worker", "app-pool"])
def test_app_processes_reach_the_primary_over_tls_with_the_service_account(name):
    env, db = environment(name, COMPOSE_ENV), environment(PRIMARY, COMPOSE_ENV)
    assert (env["MYSQL_HOST"], env["MYSQL_PORT"], env["MYSQL_DB"]) == (PRIMARY, "3306", db["MYSQL_DATABASE"])
    assert (env["MYSQL_USER"], env["MYSQL_PASSWORD"]) == (db["BOARDS_DB_USER"], db["BOARDS_DB_PASSWORD"])
    assert env["MYSQL_USER"] != "root"
    assert env["MYSQL_SSL_MODE"] == "REQUIRED" and env["MYSQL_SSL_MODE"] in SSL_MODES
    assert dependencies(name)[PRIMARY] == "service_healthy"


@pytest.mark.parametrize("name", ["app", "worker", "app-pool"])
def test_app_processes_share_state_in_redis(name):
    assert environment(name)["REDIS_URL"] == REDIS_URL
    assert dependencies(name)["redis"] == "service_healthy"


def test_migrate_needs_only_the_database():
    assert set(dependencies("migrate")) == {PRIMARY}
    assert not {"REDIS_URL", "RATELIMIT_STORAGE_URI"} & set(environment("migrate"))


@pytest.mark.parametrize("name", ["app", "app-pool"])
def test_web_services_count_failed_logins_in_redis(name):
    assert environment(name)["RATELIMIT_STORAGE_URI"] == REDIS_URL


def test_the_pool_reads_from_replicas_of_the_same_profile():
    env = environment("app-pool", COMPOSE_ENV)
    replicas_named = [entry.split(":") for entry in env["MYSQL_REPLICAS"].split(",")]
    assert replicas_named == [[REPLICA, "3306"]]
    assert set(service("app-pool")["profiles"]) <= set(service(REPLICA)["profiles"])
    assert dependencies("app-pool")[REPLICA] == "service_healthy"
    assert int(env["MYSQL_REPLICA_MAX_LAG"]) == 5
    assert replicas("app-pool") == 2
    for name in ("app", "worker", "migrate"):
        assert "MYSQL_REPLICAS" not in environment(name)


def test_app_processes_run_in_production_with_a_required_secret_key():
    for name in app_image_services():
        env = environment(name)
        assert env["BOARDS_ENV"] == "production"
        assert env["SECRET_KEY"].startswith("${SECRET_KEY:?")
        with pytest.raises(KeyError):
            environment(name, {})


class RecordingEnv(dict):
    """An environment that remembers which variables were read."""

    def __init__(self):
        super().__init__()
        self.read = set()

    def get(self, key, default=None):
        self.read.add(key)
        return super().get(key, default)


@pytest.mark.parametrize("name", ["migrate", "app", "worker", "app-pool"])
def test_every_app_variable_is_one_the_app_reads(name):
    env = RecordingEnv()
    config_from_environment(env)
    server_settings = set(re.findall(r'"(WEB_\w+)"', (ROOT / "scripts" / "web_server.py").read_text()))
    unknown = set(environment(name)) - env.read - server_settings - READ_OUTSIDE_CONFIG
    assert not unknown


@pytest.mark.parametrize("name", ["app", "app-pool"])
def test_web_healthchecks_use_python_on_health(name):
    command_line = healthcheck_command(name)
    assert command_line[:3] == ["CMD", "python", "-c"]
    assert "http://127.0.0.1:5000/health" in command_line[3]
    compile(command_line[3], "healthcheck", "exec")


def run_app_healthcheck(base_url):
    code = healthcheck_command("app")[3].replace("http://127.0.0.1:5000", base_url)
    return subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=30).returncode


def test_app_healthcheck_passes_when_healthy_and_fails_when_the_db_is_down(
    app, db, db_server, database_name
):
    with serve_in_thread(app) as base_url:
        assert run_app_healthcheck(base_url) == 0
    down = make_app(db_server, database_name, MYSQL_PORT=free_port())
    with serve_in_thread(down) as base_url:
        assert run_app_healthcheck(base_url) != 0


def run_worker_healthcheck(settings):
    program, option, code = healthcheck_command("worker")[1:]
    assert (program, option) == ("python", "-c")
    env = {**os.environ, **COMPOSE_ENV, "BOARDS_ENV": "production", **settings}
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, timeout=60).returncode


def test_worker_healthcheck_passes_when_the_db_answers_and_fails_when_it_does_not(
    app, db_server, database_name
):
    settings = {**db_server.environment(), "MYSQL_DB": database_name}
    assert run_worker_healthcheck(settings) == 0
    assert run_worker_healthcheck({**settings, "MYSQL_PORT": str(free_port())}) != 0


# Dockerfile and .dockerignore


def test_dockerfile_serves_wsgi_app_with_the_production_server_on_5000():
    command_line = " ".join(json.loads(dockerfile_instruction("CMD")[-1]))
    assert re.search(r"\bexec python -m scripts\.web_server --bind 0\.0\.0\.0:5000 wsgi:app$", command_line)
    assert "5000" in dockerfile_instruction("EXPOSE")
    assert not dockerfile_instruction("ENTRYPOINT")


def test_wsgi_module_exposes_the_app():
    assert re.search(r"^app = create_app\(\)$", (ROOT / "wsgi.py").read_text(), re.MULTILINE)


def test_dockerfile_installs_the_pinned_requirements_and_mysql_client():
    runs = " ".join(dockerfile_instruction("RUN"))
    assert "pip install --no-cache-dir -r /tmp/requirements.txt" in runs
    assert "default-libmysqlclient-dev" in runs  # to build mysqlclient
    assert "libmariadb3" in runs  # to run it; it carries the caching_sha2_password plugin
    assert all(image.startswith("python:3.11-slim") for image in dockerfile_instruction("FROM"))


def test_dockerfile_runs_as_a_non_root_user():
    users = dockerfile_instruction("USER")
    assert users and users[-1] not in ("root", "0")


@pytest.mark.parametrize("path", [".venv", ".git", ".env", "tests", "deploy", "__pycache__/x.pyc"])
def test_dockerignore_keeps_out(path):
    assert ignored(path)


@pytest.mark.parametrize(
    "path", ["app.py", "wsgi.py", "scripts/web_server.py", "scripts/metrics_dir.py", "requirements.txt",
             "sql/schema.sql",
             "sql/migrations", "templates", "static"],
)
def test_dockerignore_keeps_what_the_service_needs(path):
    assert (ROOT / path).exists()
    assert not ignored(path)
