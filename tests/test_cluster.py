"""The whole topology for real (scripts/cluster.py, as `make cluster`
starts it): a private MariaDB primary and 2 GTID replicas, 2 app instances
behind HAProxy, the worker, Redis. One cluster for the module; each test
leaves it as it found it. Some tests add instances of their own on the same
servers: a `probe` account, whose statements each server counts apart
(user statistics), and settings of their own (lag limit, check interval).
The figures are printed (`-s`) for docs/reliability.md.
"""
import os
import signal
import socket
import subprocess
import sys
import time

import MySQLdb
import pytest

from scripts.cluster import SERVICE_USER, Cluster
from scripts.processes import ROOT, children_of, free_port
from tests.helpers.cluster_client import (
    Load, call, difference, log_in, new_address, root_sql, serving_replicas, sign_up, statements, wait_until,
)

pytestmark = pytest.mark.slow

PROBE = "probe"
PROBE_PASSWORD = "probe password 1"


@pytest.fixture(scope="module")
def cluster():
    with Cluster(settings={"GUNICORN_WORKERS": "1", "LOG_LEVEL": "INFO"}) as running:
        running.add_service_account(PROBE, PROBE_PASSWORD)
        running.wait_replicated()
        yield running


@pytest.fixture
def probe(cluster):
    """probe(**settings): an app instance of the test's own on the cluster,
    as account `probe`, once it has checked both replicas."""
    started = []

    def start(**settings):
        instance = cluster.start_instance(f"probe{len(started)}", MYSQL_USER=PROBE,
                                          MYSQL_PASSWORD=PROBE_PASSWORD, **settings)
        started.append(instance)
        wait_until(lambda: serving_replicas(instance.port) == 2, 10, "the probe reads from both replicas")
        return instance

    yield start
    for instance in started:
        instance.stop()


def test_make_cluster_serves_its_url_and_ctrl_c_stops_everything_it_started():
    launcher = subprocess.Popen([sys.executable, "scripts/cluster.py"], cwd=ROOT, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        lines = []
        while not any(line.startswith("Ctrl-C") for line in lines):
            line = launcher.stdout.readline()
            assert line, "".join(lines)
            lines.append(line)
        url = next(line for line in lines if line.startswith("Serving on")).split()[2]
        logs = next(line for line in lines if "logs in" in line).split("logs in ")[1].split(";")[0]
        port = int(url.rsplit(":", 1)[1])
        wait_until(lambda: serving_replicas(port) == 2, 10, "the cluster reads from both replicas")
        started = descendants(launcher.pid)
        assert len(started) >= 3 + 2 + 1 + 1  # servers, instances (and their workers), worker, HAProxy
        os.killpg(launcher.pid, signal.SIGINT)  # what Ctrl-C in its terminal sends
        assert launcher.wait(timeout=60) == 0
        assert launcher.stdout.read().strip().endswith("Stopped.")
    finally:
        if launcher.poll() is None:
            os.killpg(launcher.pid, signal.SIGKILL)
            launcher.wait(timeout=30)
        launcher.stdout.close()
    assert [pid for pid in started if alive(pid)] == []
    assert not os.path.exists(logs)
    with pytest.raises(ConnectionRefusedError):
        call(port, "GET", "/health")


def test_reads_go_to_the_replicas_and_writes_to_the_primary(cluster, probe):
    instance = probe()
    author, token = sign_up(cluster.port, label="router")
    board = call(cluster.port, "POST", "/boards", {"title": "routed"}, token).json()
    cluster.wait_replicated()
    reads = ["/boards", f"/boards/{board['id']}", "/users", f"/users/{author['id']}",
             f"/users/{author['id']}/boards", f"/boards/{board['id']}/comments"]
    anonymous = new_address()

    before = statements(cluster, PROBE)
    for path in reads * 10:
        assert call(instance.port, "GET", path, source=anonymous).status == 200
    for _ in range(10):  # the author wrote a moment ago: each read first waits for that write
        assert call(instance.port, "GET", "/me", token=token).status == 200
    reads_done = statements(cluster, PROBE)
    for n in range(5):
        assert call(instance.port, "POST", "/boards", {"title": f"w{n}"}, token).status == 201
    writes_done = statements(cluster, PROBE)

    reading, writing = difference(reads_done, before), difference(writes_done, reads_done)
    print(f"\nrouting: 70 GETs -> {reading}; 5 POSTs -> {writing}")
    assert reading["primary"] == (0, 0)
    replica_selects = [reading[name][0] for name in ("replica1", "replica2")]
    assert sum(replica_selects) == 60 + 10 * 2  # /me: the wait for the author's write, then the read
    assert min(replica_selects) >= 10, "reads are spread over both replicas"
    assert writing["replica1"] == writing["replica2"] == (0, 0)
    assert writing["primary"][1] >= 5


def test_read_your_writes_while_the_replicas_apply_nothing(cluster, probe):
    # Instances that checked the replicas once and believe them current:
    # only the GTIDs of the client's own writes keep its reads right.
    writer, reader = probe(MYSQL_REPLICA_CHECK_SECONDS="3600"), probe(MYSQL_REPLICA_CHECK_SECONDS="3600")
    home = new_address()
    user, token = sign_up(writer.port, source=home, label="ryw")
    other_token = log_in(writer.port, user["email"], source=home)
    cluster.wait_replicated()
    for replica in cluster.replicas:
        root_sql(cluster, replica, "STOP SLAVE SQL_THREAD")
    try:
        board = call(writer.port, "POST", "/boards", {"title": "mine"}, token, source=home)
        assert board.status == 201
        path = f"/boards/{board.json()['id']}"
        assert call(reader.port, "GET", path, token=token, source=new_address()).status == 200
        assert call(reader.port, "GET", path, source=new_address()).status == 404, "the replicas are stale"

        assert call(writer.port, "POST", "/auth/logout", token=token, source=home).status == 204
        for replica in cluster.replicas:
            assert root_sql(cluster, replica, "SELECT COUNT(*) AS n FROM boards.revoked_tokens")[0]["n"] == 0
        assert call(reader.port, "GET", "/me", token=token, source=new_address()).status == 401
        assert call(reader.port, "GET", "/feed", token=token, source=new_address()).status == 401
        assert call(reader.port, "GET", "/me", token=other_token, source=new_address()).status == 200

        newcomer_home = new_address()  # a sign-up has no token: its address keeps its write
        newcomer = call(writer.port, "POST", "/users", {
            "name": "newcomer", "email": "newcomer@example.com", "password": "correct horse 9"},
            source=newcomer_home).json()
        assert call(reader.port, "GET", f"/users/{newcomer['id']}", source=newcomer_home).status == 200
        assert call(reader.port, "GET", f"/users/{newcomer['id']}", source=new_address()).status == 404
    finally:
        for replica in cluster.replicas:
            root_sql(cluster, replica, "START SLAVE SQL_THREAD")
    cluster.wait_replicated()


def test_without_redis_writes_are_acknowledged_and_reads_with_a_token_go_to_the_primary(cluster, probe):
    instance = probe(REDIS_URL=f"redis://127.0.0.1:{free_port()}/0")
    board = call(cluster.port, "POST", "/boards", {"title": "read"}, sign_up(cluster.port, label="noredis")[1])
    user, token = sign_up(instance.port, label="noredis")  # its write's GTID cannot be kept
    cluster.wait_replicated()
    before = statements(cluster, PROBE)
    for _ in range(5):
        assert call(instance.port, "GET", "/me", token=token).status == 200
        assert call(instance.port, "GET", f"/boards/{board.json()['id']}", source=new_address()).status == 200
        assert call(instance.port, "GET", "/boards", headers={"Authorization": "Token abc"}).status == 200
    moved = difference(statements(cluster, PROBE), before)
    assert moved["primary"][0] == 10  # /me (a logout must be seen) and the foreign Authorization
    assert moved["replica1"][0] + moved["replica2"][0] == 5  # anonymous reads may lag, within the bound
    assert "Redis did not answer" in instance.log_text()


def test_a_replica_behind_or_not_replicating_gets_no_reads_until_it_catches_up(cluster, probe):
    instance = probe(MYSQL_REPLICA_MAX_LAG="1", MYSQL_REPLICA_CHECK_SECONDS="0.2")
    _user, token = sign_up(cluster.port, label="lag")
    lagging, other = cluster.replicas

    def reads_per_replica():
        before = statements(cluster, PROBE)
        for _ in range(30):
            assert call(instance.port, "GET", "/boards", source=new_address()).status == 200
        moved = difference(statements(cluster, PROBE), before)
        return moved["replica1"][0], moved["replica2"][0], moved["primary"][0]

    # Lag: the replica's SQL thread waits on a lock while the primary writes.
    with cluster.root_connection(lagging) as lock, lock.cursor() as cursor:
        cursor.execute("FLUSH TABLES WITH READ LOCK")
        assert call(cluster.port, "POST", "/boards", {"title": "lag"}, token).status == 201
        locked_at = time.monotonic()
        wait_until(lambda: serving_replicas(instance.port) == 1, 10, "the lagging replica is left out")
        left_out = time.monotonic() - locked_at
        assert reads_per_replica() == (0, 30, 0)
        cursor.execute("UNLOCK TABLES")
    back = wait_until(lambda: serving_replicas(instance.port) == 2, 10, "it serves again once caught up")
    assert reads_per_replica()[0] > 0

    # Not replicating at all: the SQL thread stopped (its lag is unknown).
    root_sql(cluster, other, "STOP SLAVE SQL_THREAD")
    try:
        stopped = wait_until(lambda: serving_replicas(instance.port) == 1, 10, "a stopped replica is left out")
        assert reads_per_replica() == (30, 0, 0)
    finally:
        root_sql(cluster, other, "START SLAVE SQL_THREAD")
    wait_until(lambda: serving_replicas(instance.port) == 2, 10, "it serves again when it replicates")
    assert reads_per_replica()[1] > 0
    print(f"\nlag: left out {left_out:.2f} s after its SQL thread blocked (limit 1 s), serving again "
          f"{back:.2f} s after the lock ended; SQL thread stopped: left out after {stopped:.2f} s")


def test_a_killed_replica_costs_no_request_and_serves_again_when_back(cluster, probe):
    instance = probe(MYSQL_REPLICA_CHECK_SECONDS="0.2")
    _user, token = sign_up(cluster.port, label="replicakill")
    board = call(cluster.port, "POST", "/boards", {"title": "read me"}, token).json()
    cluster.wait_replicated()
    paths = ["/boards", f"/boards/{board['id']}", "/users", "/me", "/feed"]
    victim = cluster.replicas[0]

    def request(n):
        path = paths[n % len(paths)]
        return "GET", path, None, token if path in ("/me", "/feed") else None

    with Load(instance.port, request, clients=4) as load:
        load.wait_for(200)
        victim.kill()
        killed_at, before_kill = time.monotonic(), len(load.outcomes)
        load.wait_for(before_kill + 400)
        during = len(load.outcomes) - before_kill
        cluster.start_replica(victim)
        restarted_at = time.monotonic()
        wait_until(lambda: serving_replicas(instance.port) == 2, 15, "the replica serves again")
        back_after = time.monotonic() - restarted_at
        load.wait_for(len(load.outcomes) + 200)
    reads_on_it = statements(cluster, PROBE)["replica1"][0]  # its counters began with its restart
    print(f"\nreplica killed: {load.statuses()}; {during} answered in the "
          f"{restarted_at - killed_at:.2f} s it was down; serving again {back_after:.2f} s after its restart")
    assert load.failed() == []
    assert reads_on_it > 0
    cluster.wait_replicated()


def test_a_killed_primary_leaves_the_service_read_only_and_writes_come_back(cluster):
    _user, token = sign_up(cluster.port, label="primarykill")
    board = call(cluster.port, "POST", "/boards", {"title": "before"}, token).json()
    cluster.wait_replicated()
    cluster.primary.kill()
    outage = {"health": set(), "reads": set(), "writes": set()}
    try:
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline:
            health = call(cluster.port, "GET", "/health")
            outage["health"].add((health.status, health.json()["status"]))
            for path, bearer in (("/boards", None), (f"/boards/{board['id']}", None), ("/me", token)):
                outage["reads"].add(call(cluster.port, "GET", path, token=bearer).status)
            write = call(cluster.port, "POST", "/boards", {"title": "while down"}, token)
            outage["writes"].add((write.status, write.headers.get("Retry-After")))
    finally:
        cluster.primary.start()  # returns once the primary answers
    writes_back = wait_until(
        lambda: call(cluster.port, "POST", "/boards", {"title": "after"}, token).status == 201, 10,
        "writes come back")
    print(f"\nprimary killed: /health {outage['health']}, GETs {outage['reads']}, POSTs {outage['writes']}; "
          f"first write acknowledged {writes_back:.2f} s after the primary answered again")
    assert outage["health"] == {(200, "read-only")}
    assert outage["reads"] == {200}
    assert outage["writes"] == {(503, "2")}
    assert writes_back <= 5
    assert call(cluster.port, "GET", "/health").json()["status"] == "ok"
    cluster.wait_replicated()


def test_instances_share_tokens_cursors_and_failed_login_counts(cluster):
    first, second = (instance.port for instance in cluster.instances)
    user, token = sign_up(first, label="shared")
    for n in range(3):
        assert call(first, "POST", "/boards", {"title": f"page {n}"}, token).status == 201
    assert call(second, "GET", "/me", token=token).json()["id"] == user["id"]
    page = call(first, "GET", f"/users/{user['id']}/boards?limit=2", token=token).json()
    rest = call(second, "GET", f"/users/{user['id']}/boards?limit=2&cursor={page['next_cursor']}", token=token)
    assert rest.status == 200 and len(rest.json()["items"]) == 1

    for n in range(5):
        failed = call((first, second)[n % 2], "POST", "/auth/login", {"email": user["email"], "password": "wrong"})
        assert failed.status == 401
    for port in (first, second):
        refused = call(port, "POST", "/auth/login", {"email": user["email"], "password": "correct horse 9"})
        assert refused.status == 429 and int(refused.headers["Retry-After"]) >= 1


def test_a_write_that_reaches_a_replica_fails_loudly(cluster):
    replica = cluster.replicas[0]
    grants = [row[next(iter(row))] for row in root_sql(
        cluster, replica, f"SHOW GRANTS FOR '{SERVICE_USER}'@'127.0.0.1'")]
    assert [grant.split(" TO ")[0] for grant in grants if " ON *.* " in grant] == ["GRANT SLAVE MONITOR ON *.*"]
    assert [grant.split(" TO ")[0] for grant in grants if " ON *.* " not in grant] == [
        "GRANT ALL PRIVILEGES ON `boards`.*"]  # no SUPER, no READ ONLY ADMIN: read_only applies
    conn = MySQLdb.connect(host="127.0.0.1", port=replica.port, user=SERVICE_USER,
                           password=cluster.passwords[SERVICE_USER], database="boards")
    try:
        with pytest.raises(MySQLdb.OperationalError) as refused:
            conn.cursor().execute("INSERT INTO users (name, email, password_hash) VALUES ('x', 'x@x', 'x')")
        assert refused.value.args[0] == 1290  # --read-only
    finally:
        conn.close()

    # An instance whose "primary" is a replica by mistake: writes fail, and say so.
    misrouted = cluster.start_instance("misrouted", MYSQL_PORT=str(replica.port), MYSQL_REPLICAS="")
    try:
        signup = call(misrouted.port, "POST", "/users", {
            "name": "lost", "email": "lost@example.com", "password": "correct horse 9"})
        assert signup.status == 500
        assert "read-only" in misrouted.log_text()
    finally:
        misrouted.stop()
    assert root_sql(cluster, replica, "SELECT COUNT(*) AS n FROM boards.users WHERE name = 'lost'")[0]["n"] == 0


def test_an_instance_killed_under_load_costs_at_most_its_requests_in_flight(cluster):
    _user, token = sign_up(cluster.port, label="instancekill")
    board = call(cluster.port, "POST", "/boards", {"title": "busy"}, token).json()

    def request(n):
        if n % 3 == 0:
            return "POST", f"/boards/{board['id']}/comments", {"content": f"c{n}"}, token
        return "GET", ("/boards", f"/boards/{board['id']}", "/me")[n % 3], None, token

    clients = 6
    with Load(cluster.port, request, clients=clients) as load:
        load.wait_for(300)
        victim = cluster.instances[0]
        os.killpg(victim.process.pid, signal.SIGKILL)
        victim.process.wait(timeout=10)
        # Gone once its port refuses connections: a killed worker's last
        # thread may still hold the socket after its main thread is a zombie.
        wait_until(lambda: refuses_connections(victim.port), 10, "the instance's port is closed")
        dead_at = time.monotonic()
        load.wait_for(len(load.outcomes) + 600)
    failed = load.failed()
    print(f"\ninstance killed under load ({clients} clients): {load.statuses()}; "
          f"failed {len(failed)} ({sum(o.method == 'GET' for o in failed)} GETs), "
          f"all sent before it was gone: {all(o.started < dead_at for o in failed)}")
    assert len(failed) <= clients, "more failures than requests in flight"
    assert all(outcome.started < dead_at for outcome in failed)
    cluster.restart_instance(0)
    assert call(cluster.instances[0].port, "GET", "/health").status == 200


def refuses_connections(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return False
    except ConnectionRefusedError:
        return True


def alive(pid):
    """True while process `pid` exists and is not a zombie."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def descendants(pid):
    found = []
    for child in children_of(pid):
        found += [child, *descendants(child)]
    return found
