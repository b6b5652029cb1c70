"""What the cluster tests share: HTTP clients with a loopback address of
their own (the service keys a client's writes by its address, and by its
token), statements counted per server and account, a load of client
threads, and waiting for a condition with a bound."""
import http.client
import itertools
import time
from dataclasses import dataclass, field

from scripts.client_threads import ClientThreads
from scripts.processes import http_call
from tests.helpers import PASSWORD

_names = itertools.count(1)
_addresses = itertools.count(2)


def new_address():
    """A loopback address no other client of this run has used (127.0.0.2 on)."""
    n = next(_addresses)
    return f"127.0.{n // 250}.{n % 250 + 2}"


def call(port, method, path, body=None, token=None, source="127.0.0.1", headers=None, timeout=10):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout, source_address=(source, 0))
    headers = {**({"Authorization": f"Bearer {token}"} if token else {}), **(headers or {})}
    try:
        return http_call(port, method, path, body, headers, conn=conn)
    finally:
        conn.close()


def sign_up(port, source="127.0.0.1", label="user"):
    """A new user through the API: (user, token)."""
    name = f"{label}{next(_names)}-{time.monotonic_ns() % 10**6}"
    email = f"{name}@example.com"
    user = call(port, "POST", "/users", {"name": name, "email": email, "password": PASSWORD}, source=source)
    assert user.status == 201, user.body
    return user.json(), log_in(port, email, source)


def log_in(port, email, source="127.0.0.1"):
    login = call(port, "POST", "/auth/login", {"email": email, "password": PASSWORD}, source=source)
    assert login.status == 200, login.body
    return login.json()["access_token"]


def wait_until(condition, timeout, what):
    """Polls `condition` until it is true; fails after `timeout` seconds. Returns the seconds it took."""
    started = time.monotonic()
    while not condition():
        assert time.monotonic() - started < timeout, f"not within {timeout}s: {what}"
        time.sleep(0.05)
    return time.monotonic() - started


def serving_replicas(port):
    reply = call(port, "GET", "/health")
    return reply.json().get("replicas") if reply.status == 200 else None


def statements(cluster, user):
    """{server: (SELECT, UPDATE commands)} run by account `user` on each
    server of the cluster (MariaDB's user statistics, --userstat=ON)."""
    counts = {}
    servers = {"primary": cluster.primary, **{f"replica{n}": r for n, r in enumerate(cluster.replicas, 1)}}
    for name, server in servers.items():
        with cluster.root_connection(server) as conn, conn.cursor() as cursor:
            cursor.execute(
                "SELECT SELECT_COMMANDS, UPDATE_COMMANDS FROM information_schema.USER_STATISTICS"
                " WHERE USER = %s", (user,))
            row = cursor.fetchone()
            counts[name] = (row["SELECT_COMMANDS"], row["UPDATE_COMMANDS"]) if row else (0, 0)
    return counts


def difference(after, before):
    return {name: tuple(a - b for a, b in zip(after[name], before[name])) for name in after}


def root_sql(cluster, server, sql):
    with cluster.root_connection(server) as conn, conn.cursor() as cursor:
        cursor.execute(sql)
        return list(cursor.fetchall())


@dataclass
class Outcome:
    method: str
    started: float
    ended: float
    status: int = 0  # 0: no HTTP answer
    error: str = None


@dataclass
class Load(ClientThreads):
    """`clients` threads, each on one keep-alive connection of its own,
    calling `requests(n)` -> (method, path, body, token) until stopped."""

    port: int
    requests: callable
    clients: int = 4
    outcomes: list = field(default_factory=list)

    def __post_init__(self):
        self.start_clients([(n,) for n in range(self.clients)])

    def _client(self, number):
        source = new_address()
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10, source_address=(source, 0))
        for n in itertools.count():
            if self.stop.is_set():
                break
            method, path, body, token = self.requests(number * 100_000 + n)
            outcome = Outcome(method, started=time.monotonic(), ended=0.0)
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            try:
                outcome.status = http_call(self.port, method, path, body, headers, conn=conn).status
            except (OSError, http.client.HTTPException) as error:
                outcome.error = type(error).__name__
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10, source_address=(source, 0))
            outcome.ended = time.monotonic()
            with self.lock:
                self.outcomes.append(outcome)
        conn.close()

    def wait_for(self, count, timeout=30):
        wait_until(lambda: len(self.outcomes) >= count, timeout, f"{count} requests answered")

    def failed(self):
        with self.lock:
            return [o for o in self.outcomes if o.error or o.status >= 500 or o.status == 0]

    def statuses(self):
        with self.lock:
            found = {}
            for outcome in self.outcomes:
                key = outcome.status or outcome.error
                found[key] = found.get(key, 0) + 1
            return found
