"""bench/servers.py runs end to end on a tiny dataset, so it cannot rot: a
row of figures for every server, connection count and endpoint, one for
every fault. The size of the figures is docs/performance.md's business."""
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bench.servers import LOADED

ROOT = Path(__file__).resolve().parent.parent
SERVERS = ("gunicorn --reuse-port", "granian")
FAULTS = ("worker killed", "graceful restart", "worker killed twice")


@pytest.mark.slow
def test_servers_bench_reports_every_server_and_fault(db_server, tmp_path):
    results = tmp_path / "SERVERS.md"
    command = [sys.executable, str(ROOT / "bench" / "servers.py"), "--tiny", "--runs", "1",
               "--seconds", "1", "--connections", "4", "--database-url", db_server.url(),
               "--results", str(results)]
    for name in SERVERS:
        command += ["--only-server", name]
    completed = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=400)
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    report = results.read_text()
    for name in SERVERS:
        for endpoint in LOADED:
            row = re.search(rf"^\| {re.escape(name)} \| 4 \| {re.escape(endpoint)} \| (\d+) .*\| (\d\+\d) \|$",
                            report, re.M)
            assert row and int(row.group(1)) > 0, (name, endpoint)
            assert sum(map(int, row.group(2).split("+"))) == 4  # the spread of wrk's 4 connections
        for fault in FAULTS:
            assert re.search(rf"^\| {re.escape(name)} \| {fault} \| \d+ \|", report, re.M), (name, fault)
    assert re.search(r"^Worker RSS after the load \(MB\): gunicorn --reuse-port [\d.]+, [\d.]+; granian",
                     report, re.M)
