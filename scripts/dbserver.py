"""Find a MySQL-compatible server for the service or the tests, or start one.

In order: a server URL from the environment (mysql://user:password@host:port),
the local server on 127.0.0.1:3306 (root, no password), MySQL 8 in a
testcontainer when a Docker engine answers, a private mariadbd/mysqld from
PATH in a temporary directory. With none of those, SystemExit with one line
saying what to install.
"""
import os
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from urllib.parse import quote, unquote, urlparse

import MySQLdb

from scripts.processes import free_port

INSTALL_HINT = (
    "No MySQL-compatible server found: set DATABASE_URL=mysql://user:pass@host:port, "
    "start Docker, or install a server (apt-get install mariadb-server)."
)
SERVER_BINARIES = ("mariadbd", "mysqld")
SBIN_DIRS = ("/usr/sbin", "/usr/local/sbin", "/usr/local/mysql/bin")


@dataclass
class Server:
    host: str
    port: int
    user: str = "root"
    password: str = ""
    origin: str = ""
    stop: callable = field(default=lambda: None, repr=False)
    temp_dir: str = ""  # a private server's files, removed by stop()

    def connect(self, **kwargs):
        return MySQLdb.connect(
            host=self.host, port=self.port, user=self.user, password=self.password,
            charset="utf8mb4", autocommit=True, **kwargs,
        )

    def drop_database(self, name):
        """Drop a throwaway database (tests, bench) if it exists."""
        from migrations import drop_database  # the checked helper; it imports Flask

        conn = self.connect()
        try:
            drop_database(conn, name)
        finally:
            conn.close()

    def app_config(self, database):
        return {
            "MYSQL_HOST": self.host,
            "MYSQL_PORT": self.port,
            "MYSQL_USER": self.user,
            "MYSQL_PASSWORD": self.password,
            "MYSQL_DB": database,
        }

    def url(self):
        """The server as a URL that from_url reads back."""
        user, password = quote(self.user, safe=""), quote(self.password, safe="")
        return f"mysql://{user}:{password}@{self.host}:{self.port}"

    def environment(self):
        return {
            "MYSQL_HOST": self.host,
            "MYSQL_PORT": str(self.port),
            "MYSQL_USER": self.user,
            "MYSQL_PASSWORD": self.password,
        }


def from_url(url):
    parts = urlparse(url)
    if parts.scheme not in ("mysql", "mariadb"):
        raise SystemExit(f"Server URL must start with mysql:// (got {url!r}).")
    return Server(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 3306,
        user=unquote(parts.username or "root"),
        password=unquote(parts.password or ""),
        origin="environment",
    )


def answers(server, timeout=2):
    try:
        server.connect(connect_timeout=timeout).close()
        return True
    except MySQLdb.Error:
        return False


def find_or_start(env_vars=("DATABASE_URL",)):
    for name in env_vars:
        if os.environ.get(name):
            server = from_url(os.environ[name])
            if not answers(server, timeout=5):
                raise SystemExit(f"{name} names a server that does not answer: {server.host}:{server.port}")
            return server
    local = Server("127.0.0.1", 3306, origin="local server on 127.0.0.1:3306")
    if answers(local):
        return local
    container = start_testcontainer()
    if container is not None:
        return container
    binary = find_server_binary()
    if binary is not None:
        return start_private(binary).server
    raise SystemExit(INSTALL_HINT)


def start_testcontainer():
    try:
        import docker
        from testcontainers.mysql import MySqlContainer

        docker.from_env(timeout=3).ping()
    except Exception:
        return None
    container = MySqlContainer("mysql:8.4", username="root", password="test", dbname="boards")
    container.start()
    return Server(
        host=container.get_container_host_ip(),
        port=int(container.get_exposed_port(3306)),
        user="root",
        password="test",
        origin="testcontainers mysql:8.4",
        stop=container.stop,
    )


def find_server_binary():
    for name in SERVER_BINARIES:
        found = shutil.which(name)
        if found:
            return found
        for folder in SBIN_DIRS:
            candidate = os.path.join(folder, name)
            if os.access(candidate, os.X_OK):
                return candidate
    return None


class PrivateServer:
    """A mariadbd/mysqld of our own on a free loopback port, its data in a
    temporary directory. It can be killed and started again on the same data
    (the fault tests do). `options`: more server options (replication);
    `template`: a fresh data directory to copy instead of initializing one."""

    def __init__(self, binary, datadir=None, port=None, options=(), template=None):
        self.binary = binary
        self.root = tempfile.mkdtemp(prefix="boards-db-")
        self.datadir = datadir or os.path.join(self.root, "data")
        self.port = port or free_port()
        self.options = list(options)
        self.template = template
        self.process = None
        self.log_path = os.path.join(self.root, "server.log")
        self.server = Server("127.0.0.1", self.port, origin=f"private {os.path.basename(binary)}",
                             stop=self.stop, temp_dir=self.root)
        try:
            self._initialize()
        except BaseException:
            shutil.rmtree(self.root, ignore_errors=True)
            raise

    @property
    def is_mariadb(self):
        return "mariadb" in os.path.basename(self.binary) or _reports_mariadb(self.binary)

    def _user_args(self):
        return ["--user=root"] if os.geteuid() == 0 else []

    def _initialize(self):
        if self.template:
            shutil.copytree(self.template, self.datadir, symlinks=True)
            return
        os.makedirs(self.datadir, exist_ok=True)
        if self.is_mariadb:
            install = shutil.which("mariadb-install-db") or shutil.which("mysql_install_db")
            command = [install, "--no-defaults", f"--datadir={self.datadir}",
                       "--auth-root-authentication-method=normal", "--skip-test-db",
                       *self._user_args()]
        else:
            command = [self.binary, "--no-defaults", "--initialize-insecure",
                       f"--datadir={self.datadir}", *self._user_args()]
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(
                f"{os.path.basename(command[0])} failed ({done.returncode}): {done.stderr.strip()[-2000:]}"
            )

    def start(self, timeout=60):
        command = [
            self.binary, "--no-defaults", f"--datadir={self.datadir}",
            f"--port={self.port}", "--bind-address=127.0.0.1",
            f"--socket={os.path.join(self.root, 'mysqld.sock')}",
            f"--pid-file={os.path.join(self.root, 'mysqld.pid')}",
            f"--log-error={self.log_path}",
            "--innodb-buffer-pool-size=64M", "--max-connections=200",
            "--character-set-server=utf8mb4", "--collation-server=utf8mb4_unicode_ci",
            *self.options, *self._user_args(),
        ]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.binary} exited; see {self.log_path}")
            if answers(self.server, timeout=1):
                return self.server
            time.sleep(0.2)
        raise RuntimeError(f"{self.binary} did not answer within {timeout}s; see {self.log_path}")

    def kill(self):
        """SIGKILL, as a crash would."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=30)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()
        shutil.rmtree(self.root, ignore_errors=True)


def _reports_mariadb(binary):
    try:
        out = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return False
    return "mariadb" in out.lower()


def start_private(binary=None):
    server = PrivateServer(binary or find_server_binary())
    server.start()
    return server


if __name__ == "__main__":
    found = find_or_start()
    print(f"{found.origin}: {found.host}:{found.port}")
    found.stop()
