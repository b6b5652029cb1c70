"""`make cluster`: the whole topology on this machine, without Docker.

A private MariaDB primary and two GTID replicas (read-only, fed from the
primary's binary log), two app instances under gunicorn reading from the
replicas, HAProxy in front of them, the outbox worker (`flask --app app
worker`), and the local Redis on 127.0.0.1:6379 under a key prefix of the
cluster's own. Prints the URL; Ctrl-C stops everything it started and
removes its files. The tests start it the same way (tests/test_cluster.py).
"""
import contextlib
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import MySQLdb  # noqa: E402
import redis  # noqa: E402

from queries import load_queries  # noqa: E402
from scripts.dbserver import INSTALL_HINT, PrivateServer, find_server_binary  # noqa: E402
from scripts.processes import Production, StoppedOnExit, answers_ok, free_port, stop_process  # noqa: E402

REDIS_URL = "redis://127.0.0.1:6379/0"
HAPROXY_CONFIG = ROOT / "deploy" / "haproxy" / "local-cluster.cfg"
DATABASE = "boards"  # sql/queries/cluster.sql grants this one
SERVICE_USER = "boards"
REPLICATION_USER = "repl"
PRIMARY_OPTIONS = ("--server-id=1", "--log-bin=bin", "--binlog-format=ROW", "--userstat=ON")
READY_SECONDS = 60


def replica_options(server_id):
    return (f"--server-id={server_id}", "--relay-log=relay", "--read-only=ON", "--userstat=ON")


class Cluster(StoppedOnExit):
    """The processes of the topology, started by start() (or `with`) and
    stopped by stop(); each piece can be killed and started again."""

    def __init__(self, replicas=2, settings=None):
        """`settings`: more environment for the app instances and the worker."""
        self.root = Path(tempfile.mkdtemp(prefix="boards-cluster-"))
        self.prefix = f"boards-cluster-{secrets.token_hex(4)}"
        self.secret_key = secrets.token_urlsafe(32)
        self.passwords = {SERVICE_USER: secrets.token_urlsafe(12), REPLICATION_USER: secrets.token_urlsafe(12)}
        self.settings = dict(settings or {})
        self.replica_count = replicas
        self.admin = load_queries("cluster")
        self.primary, self.replicas, self.instances = None, [], []
        self.worker = self.haproxy = None
        self.port = free_port()  # HAProxy's
        self.url = f"http://127.0.0.1:{self.port}"

    def start_ready(self):
        if not redis_answers():
            raise SystemExit(f"Redis does not answer on {REDIS_URL}: start it (apt-get install redis-server).")
        self._start_databases()
        self._run_flask("init-db")
        self._run_flask("migrate")
        self.wait_replicated()
        self.worker = self._start_worker()
        self.instances = [self.start_instance(f"app{n}", wait=False) for n in (1, 2)]
        for instance in self.instances:
            instance.wait_ready(timeout=READY_SECONDS)
        self.haproxy = self._start_haproxy()

    def _start_databases(self):
        binary = find_server_binary()
        if binary is None:
            raise SystemExit(INSTALL_HINT)
        self.primary = PrivateServer(binary, options=PRIMARY_OPTIONS)
        self.replicas = [
            PrivateServer(binary, options=replica_options(2 + n), template=self.primary.datadir)
            for n in range(self.replica_count)
        ]
        self.primary.start()
        with self.root_connection(self.primary) as conn:
            self.admin.create_account(conn, user=REPLICATION_USER, password=self.passwords[REPLICATION_USER])
            self.admin.grant_replication(conn, user=REPLICATION_USER)
        self.add_service_account(SERVICE_USER, self.passwords[SERVICE_USER])
        for replica in self.replicas:
            self.start_replica(replica, first_time=True)

    def add_service_account(self, user, password):
        """An account with the service's rights, made on the primary (and so on every replica)."""
        with self.root_connection(self.primary) as conn:
            self.admin.create_account(conn, user=user, password=password)
            self.admin.grant_service(conn, user=user)
            self.admin.grant_replica_monitor(conn, user=user)

    def start_replica(self, replica, first_time=False):
        """Start a replica's server; the first time, point it at the primary
        (later starts resume replication by themselves)."""
        replica.start()
        if first_time:
            with self.root_connection(replica) as conn:
                self.admin.follow_primary(
                    conn, host="127.0.0.1", port=self.primary.port,
                    user=REPLICATION_USER, password=self.passwords[REPLICATION_USER],
                )
                self.admin.start_replication(conn)

    def root_connection(self, private_server):
        conn = private_server.server.connect(cursorclass=MySQLdb.cursors.DictCursor, connect_timeout=10)
        return contextlib.closing(conn)

    def wait_replicated(self, timeout=30):
        """Every replica has applied every write the primary has made so far."""
        with self.root_connection(self.primary) as conn:
            position = self.admin.binlog_position(conn)
        for replica in self.replicas:
            with self.root_connection(replica) as conn:
                if self.admin.wait_for_position(conn, position=position, timeout=timeout) != 0:
                    raise RuntimeError(f"replica on port {replica.port} did not catch up within {timeout}s")

    def environment(self, **overrides):
        """The app's settings for this cluster (the instances and the worker)."""
        replicas = ",".join(f"127.0.0.1:{replica.port}" for replica in self.replicas)
        return {
            **os.environ,
            "BOARDS_ENV": "production",
            "SECRET_KEY": self.secret_key,
            "MYSQL_HOST": "127.0.0.1",
            "MYSQL_PORT": str(self.primary.port),
            "MYSQL_USER": SERVICE_USER,
            "MYSQL_PASSWORD": self.passwords[SERVICE_USER],
            "MYSQL_DB": DATABASE,
            "MYSQL_CONNECT_TIMEOUT": "2",
            "MYSQL_REPLICAS": replicas,
            "REDIS_URL": REDIS_URL,
            "REDIS_KEY_PREFIX": self.prefix,
            "RATELIMIT_STORAGE_URI": REDIS_URL,
            "RATELIMIT_KEY_PREFIX": self.prefix,
            "TRUSTED_PROXIES": "1",
            **self.settings,
            **overrides,
        }

    def _run_flask(self, command):
        done = subprocess.run([sys.executable, "-m", "flask", "--app", "app", command], cwd=ROOT,
                              env=self.environment(), capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"flask {command} failed: {done.stderr[-2000:]}")

    def start_instance(self, name, bind=None, wait=True, **overrides):
        """An app instance on this cluster (the production server), ready on /health unless `wait` is false."""
        instance = Production("wsgi:app", self.environment(**overrides), log_path=self.root / f"{name}.log",
                            bind=bind, name=name)
        instance.start()
        try:
            if wait:
                instance.wait_ready(timeout=READY_SECONDS)
        except BaseException:
            instance.stop()
            raise
        return instance

    def restart_instance(self, number):
        """Start instance `number` (0 or 1) again on its address, after a kill or stop."""
        old = self.instances[number]
        old.stop()
        self.instances[number] = self.start_instance(old.name, bind=old.bind)

    def _spawn(self, name, command, env):
        """`command` in a process group of its own, its output in `name`.log."""
        with open(self.root / f"{name}.log", "wb") as log:
            return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                    start_new_session=True)

    def _start_worker(self):
        return self._spawn("worker", [sys.executable, "-m", "flask", "--app", "app", "worker"], self.environment())

    def _start_haproxy(self):
        app1, app2 = (instance.bind for instance in self.instances)
        env = {**os.environ, "CLUSTER_BIND": f"127.0.0.1:{self.port}", "CLUSTER_APP1": app1, "CLUSTER_APP2": app2}
        process = self._spawn("haproxy", [haproxy_binary(), "-db", "-f", str(HAPROXY_CONFIG)], env)
        if not answers_ok(self.port, "/health", process, READY_SECONDS):
            raise RuntimeError(f"HAProxy did not answer: {(self.root / 'haproxy.log').read_text()[-2000:]}")
        return process

    def stop(self):
        """Everything this cluster started, last started first; then its files and Redis keys."""
        for process in (self.haproxy, self.worker):
            stop_process(process)
        for instance in self.instances:
            instance.stop()
        for server in (*self.replicas, self.primary):
            if server is not None:
                server.stop()
        with contextlib.suppress(redis.RedisError):
            connection = redis.Redis.from_url(REDIS_URL)
            for key in connection.scan_iter(f"{self.prefix}*"):
                connection.delete(key)
        shutil.rmtree(self.root, ignore_errors=True)


def haproxy_binary():
    found = shutil.which("haproxy", path=f"{os.environ.get('PATH', '')}:/usr/sbin")
    if found is None:
        raise SystemExit("haproxy is missing: apt-get install haproxy (make cluster installs it as root).")
    return found


def redis_answers():
    try:
        return redis.Redis.from_url(REDIS_URL, socket_timeout=2).ping()
    except redis.RedisError:
        return False


def main():
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    print("Starting a MariaDB primary, 2 replicas, 2 app instances, HAProxy and the worker...", flush=True)
    started = time.monotonic()
    with Cluster() as cluster:
        replicas = ", ".join(f"127.0.0.1:{replica.port}" for replica in cluster.replicas)
        print(f"Serving on {cluster.url} (Swagger UI: {cluster.url}/swagger-ui), "
              f"ready in {time.monotonic() - started:.0f} s\n"
              f"  primary 127.0.0.1:{cluster.primary.port}, replicas {replicas} (root, no password; "
              f"the service's account is '{SERVICE_USER}')\n"
              f"  app instances {', '.join(instance.bind for instance in cluster.instances)}; "
              f"logs in {cluster.root}; Redis keys under {cluster.prefix}\n"
              "Ctrl-C stops everything.", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            while True:
                time.sleep(1)
    print("Stopped.", flush=True)


if __name__ == "__main__":
    main()
