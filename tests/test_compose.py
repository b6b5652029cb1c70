"""docker-compose.yml, Dockerfile and .dockerignore, checked by reading them
(Docker does not run in CI) and by running the app's healthcheck command
against a live server."""
import fnmatch
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from config import config_from_environment
from scripts.processes import free_port
from tests.helpers import make_app, serve_in_thread

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")
DOCKERIGNORE = [
    line.strip() for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    if line.strip() and not line.startswith("#")
]
INITDB = "/docker-entrypoint-initdb.d/"


def service(name):
    return COMPOSE["services"][name]


def environment(name):
    env = service(name)["environment"]
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {key: str(value) for key, value in env.items()}


def volume_mounts(name):
    """(source, target) of each short-syntax volume."""
    mounts = []
    for volume in service(name).get("volumes", []):
        source, target = volume.split(":")[:2]
        mounts.append((source, target))
    return mounts


def healthcheck_command(name):
    test = service(name)["healthcheck"]["test"]
    return test if isinstance(test, list) else ["CMD-SHELL", test]


def dockerfile_instruction(keyword):
    """Arguments of every `KEYWORD ...` line of the Dockerfile (continuations joined)."""
    joined = re.sub(r"\\\n\s*", " ", DOCKERFILE)
    return [line.split(None, 1)[1] for line in joined.splitlines() if line.startswith(keyword + " ")]


def ignored(path):
    return any(
        fnmatch.fnmatch(path, pattern) or fnmatch.fnmatch(path.split("/")[0], pattern)
        for pattern in DOCKERIGNORE
    )


# The database service


def test_services_exist():
    assert set(COMPOSE["services"]) >= {"db", "app"}


def test_db_is_mysql_8_with_the_boards_database():
    assert re.fullmatch(r"mysql:8\.0(\.\d+)?", service("db")["image"])  # 8.4 lacks the auth flag
    assert environment("db")["MYSQL_DATABASE"] == "boards"
    assert "MYSQL_ROOT_PASSWORD" in environment("db")


def test_db_server_speaks_utf8mb4():
    command = service("db")["command"]
    command = command if isinstance(command, list) else command.split()
    assert "--character-set-server=utf8mb4" in command
    assert "--collation-server=utf8mb4_unicode_ci" in command
    assert "--default-authentication-plugin=mysql_native_password" in command


def test_schema_is_mounted_into_the_init_folder():
    inits = [(s, t) for s, t in volume_mounts("db") if t.startswith(INITDB)]
    assert len(inits) == 1
    source, target = inits[0]
    assert target.endswith(".sql")
    assert (ROOT / source).resolve() == ROOT / "sql" / "schema.sql"


def test_db_data_is_a_named_volume():
    targets = {target: source for source, target in volume_mounts("db")}
    assert targets["/var/lib/mysql"] in COMPOSE["volumes"]


def test_db_healthcheck_pings_over_tcp():
    command = " ".join(healthcheck_command("db"))
    assert "mysqladmin" in command and "ping" in command
    assert "127.0.0.1" in command  # not the socket the init-time server listens on
    assert service("db")["healthcheck"]["retries"] >= 1


# The app service


def test_app_is_built_here_and_published_on_5000():
    assert service("app")["build"] in (".", "./", {"context": "."})
    published = [str(port) for port in service("app")["ports"]]
    assert any(port.split(":")[-1] == "5000" for port in published)


def test_app_waits_for_a_healthy_database():
    assert service("app")["depends_on"]["db"]["condition"] == "service_healthy"


@pytest.mark.parametrize("name", ["db", "app"])
def test_restart_policy(name):
    assert service(name)["restart"] in ("always", "unless-stopped", "on-failure")


def test_app_reaches_the_db_service_with_its_credentials():
    app_env, db_env = environment("app"), environment("db")
    assert app_env["MYSQL_HOST"] == "db"
    assert app_env["MYSQL_PORT"] == "3306"
    assert app_env["MYSQL_DB"] == db_env["MYSQL_DATABASE"]
    assert app_env["MYSQL_USER"] == db_env["MYSQL_USER"]
    assert app_env["MYSQL_PASSWORD"] == db_env["MYSQL_PASSWORD"]


def test_app_runs_in_production_with_a_required_secret_key():
    app_env = environment("app")
    assert app_env["BOARDS_ENV"] == "production"
    assert app_env["SECRET_KEY"].startswith("${SECRET_KEY:?")


class RecordingEnv(dict):
    """An environment that remembers which variables were read."""

    def __init__(self):
        super().__init__()
        self.read = set()

    def get(self, key, default=None):
        self.read.add(key)
        return super().get(key, default)


def test_every_app_variable_is_one_the_app_reads():
    env = RecordingEnv()
    config_from_environment(env)
    gunicorn_settings = set(re.findall(r'"(GUNICORN_\w+)"', (ROOT / "gunicorn.conf.py").read_text()))
    unknown = set(environment("app")) - env.read - gunicorn_settings
    assert not unknown


def test_app_healthcheck_uses_python_on_health():
    command = healthcheck_command("app")
    assert command[:3] == ["CMD", "python", "-c"]
    assert "http://127.0.0.1:5000/health" in command[3]
    compile(command[3], "healthcheck", "exec")


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


# Dockerfile and .dockerignore


def test_dockerfile_serves_wsgi_app_with_gunicorn_on_5000():
    command = " ".join(json.loads(dockerfile_instruction("CMD")[-1]))
    assert re.search(r"\bexec gunicorn -c gunicorn\.conf\.py --bind 0\.0\.0\.0:5000 wsgi:app$", command)
    assert "5000" in dockerfile_instruction("EXPOSE")
    assert not dockerfile_instruction("ENTRYPOINT")


def test_wsgi_module_exposes_the_app():
    assert re.search(r"^app = create_app\(\)$", (ROOT / "wsgi.py").read_text(), re.MULTILINE)


def test_dockerfile_installs_the_pinned_requirements_and_mysql_client():
    runs = " ".join(dockerfile_instruction("RUN"))
    assert "pip install --no-cache-dir -r /tmp/requirements.txt" in runs
    assert "default-libmysqlclient-dev" in runs  # to build mysqlclient
    assert "libmariadb3" in runs  # to run it
    assert all(image.startswith("python:3.11-slim") for image in dockerfile_instruction("FROM"))


def test_dockerfile_runs_as_a_non_root_user():
    users = dockerfile_instruction("USER")
    assert users and users[-1] not in ("root", "0")


@pytest.mark.parametrize("path", [".venv", ".git", ".env", "tests", "__pycache__/x.pyc"])
def test_dockerignore_keeps_out(path):
    assert ignored(path)


@pytest.mark.parametrize(
    "path", ["app.py", "wsgi.py", "gunicorn.conf.py", "requirements.txt", "sql/schema.sql",
             "sql/migrations", "templates", "static"],
)
def test_dockerignore_keeps_what_the_service_needs(path):
    assert (ROOT / path).exists()
    assert not ignored(path)
