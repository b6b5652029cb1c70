"""GET /metrics from the service as production runs it, with 2 worker
processes: any worker answers with the counts of both (prometheus-client's
multiprocess mode), a killed worker's counts stay in the sums, and the
server's own metrics directory is made and removed with it."""
import os
import signal
import time
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from scripts.processes import SERVERS, http_call
from tests.helpers.service_process import ServiceProcess

TOKEN = "metrics-token-for-the-tests-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
ROUTE = "/boards/<id:board_id>"


def board_requests(port):
    """GET /boards/<id> answered 404, as a scrape through any worker sees them."""
    reply = http_call(port, "GET", "/metrics", headers=AUTH)
    assert reply.status == 200, reply.body
    assert reply.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    for family in text_string_to_metric_families(reply.body.decode()):
        for sample in family.samples:
            if (sample.name == "boards_http_requests_total" and sample.labels["endpoint"] == ROUTE
                    and sample.labels["status"] == "404"):
                return sample.value
    return 0.0


def files_by_pid(directory):
    pids = {}
    for path in Path(directory).glob("*.db"):
        pids.setdefault(int(path.stem.rsplit("_", 1)[1]), []).append(path.name)
    return pids


def metrics_files_open(pid):
    """The multiprocess files a worker holds open (and maps)."""
    found = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = Path(os.readlink(fd))
        except OSError:
            continue
        if target.suffix == ".db" and target.stem.endswith(f"_{pid}"):
            found.add(target)
    return found


@pytest.mark.parametrize("server_kind", sorted(SERVERS))
def test_counts_from_both_workers_add_up_and_survive_a_killed_worker(
        db_server, fresh_database, tmp_path, server_kind):
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    (metrics_dir / "counter_1.db").write_bytes(b"left by an earlier run")
    with ServiceProcess(db_server, fresh_database, tmp_path, server_kind=server_kind, METRICS_TOKEN=TOKEN,
                        PROMETHEUS_MULTIPROC_DIR=str(metrics_dir)) as service:
        assert not (metrics_dir / "counter_1.db").exists()  # emptied at start
        workers = service.worker_pids()
        sent = 0
        deadline = time.monotonic() + 30
        # Each request on a new connection, until both workers have counted some.
        while time.monotonic() < deadline and not set(workers) <= set(files_by_pid(metrics_dir)):
            assert http_call(service.port, "GET", "/boards/999999").status == 404
            sent += 1
        assert set(workers) <= set(files_by_pid(metrics_dir)), "one worker took every connection"
        for _ in range(20):
            assert http_call(service.port, "GET", "/boards/999999").status == 404
        sent += 20
        assert [board_requests(service.port) for _ in range(6)] == [sent] * 6

        os.kill(workers[0], signal.SIGKILL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and (
                workers[0] in service.worker_pids() or len(service.worker_pids()) < 2):
            time.sleep(0.1)
        assert workers[0] not in service.worker_pids()
        assert board_requests(service.port) == sent


def test_the_server_makes_its_metrics_directory_and_removes_it(db_server, fresh_database, tmp_path):
    with ServiceProcess(db_server, fresh_database, tmp_path, METRICS_TOKEN=TOKEN) as service:
        for _ in range(10):
            assert http_call(service.port, "GET", "/boards/999999").status == 404
        assert board_requests(service.port) == 10
        directories = {path.parent for pid in service.worker_pids() for path in metrics_files_open(pid)}
        assert len(directories) == 1
        (directory,) = directories
        assert directory.name.startswith("boards-metrics-")
    assert not directory.exists()


def test_no_metrics_route_and_no_directory_without_a_token(db_server, fresh_database, tmp_path):
    with ServiceProcess(db_server, fresh_database, tmp_path) as service:
        assert http_call(service.port, "GET", "/metrics", headers=AUTH).status == 404
        assert http_call(service.port, "GET", "/boards/999999").status == 404
        assert all(metrics_files_open(pid) == set() for pid in service.worker_pids())
