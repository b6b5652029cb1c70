"""The benchmark runs end to end on a tiny dataset, so it cannot rot.

It checks that every figure exists and that the bench cleaned up after
itself, never how big the figures are (speed is bench/RESULTS.md's business).
"""
import os
import socket
from pathlib import Path

import pytest

from bench.load import is_even, paired_ratio
from bench.procfs import clients_per_process
from tests.helpers import database_exists, run_bench

ENDPOINTS = 9  # 7 GETs (two of them deep pages) and 2 POSTs


@pytest.fixture(scope="module")
def bench_run(db_server, tmp_path_factory):
    out = tmp_path_factory.mktemp("bench")
    arguments = [
        "--tiny", "--seconds", "1", "--rounds", "1", "--warmup", "0",
        "--count-requests", "5", "--profile-requests", "20",
        "--profile-out", str(out / "profile_boards_page1.txt"),
        "--database-url", db_server.url(), "--results", str(out / "RESULTS.md"),
    ]
    return run_bench("run.py", arguments, out / "results.json"), out


@pytest.mark.slow
def test_every_endpoint_has_figures_for_both_apps(bench_run):
    results, _ = bench_run
    rows = results["endpoints"]
    assert len(rows) == ENDPOINTS
    for row in rows:
        assert row["ratio"] > 0, row["name"]
        if row["deep_of"]:
            assert row["deep_cost"] > 0, row["name"]
        for app in ("service", "reference"):
            figures = row[app]
            assert figures["requests"] > 0 and figures["rps"] > 0, (row["name"], app)
            assert figures["p50_ms"] > 0 and figures["p99_ms"] >= figures["p50_ms"]
            assert isinstance(figures["statements"], float), (row["name"], app)
            assert isinstance(figures["connections"], float), (row["name"], app)
            assert figures["unexpected_status"] == [], (row["name"], app)
            assert figures["wrk_restarts"] >= 0 and figures["uneven_rounds"] == 0, (row["name"], app)


@pytest.mark.slow
def test_worker_memory_checks_and_profile_are_reported(bench_run):
    results, out = bench_run
    assert len(results["rss_mb"]["service"]) == 2
    assert all(mb > 0 for mb in results["rss_mb"]["service"] + results["rss_mb"]["reference"])
    assert results["checks"] and all(isinstance(c["met"], bool) for c in results["checks"])
    parts = {part["part"]: part["us"] for part in results["profile"]["parts"]}
    assert any(name.startswith("SQL round trip") and us > 0 for name, us in parts.items())
    report = (out / "RESULTS.md").read_text()
    for row in results["endpoints"]:
        assert f"| {row['name']} |" in report
    assert "## Profile" in report and (out / "profile_boards_page1.txt").stat().st_size > 0
    assert "### What the profiles changed" in report


@pytest.mark.slow
def test_bench_drops_its_database_and_stops_its_servers(bench_run, db_server):
    results, _ = bench_run
    assert not database_exists(db_server, results["dataset"]["database"])
    for pid in (pid for pids in results["server_pids"].values() for pid in pids):
        cmdline = Path(f"/proc/{pid}/cmdline")
        command = cmdline.read_bytes() if cmdline.exists() else b""
        assert b"gunicorn" not in command and b"web_server" not in command, pid


def test_the_ratio_is_the_median_of_the_ratios_of_each_round():
    def rounds(*rps):
        return [{"requests": r, "duration_us": 2e6} for r in rps]

    # Per round: 0.5, 0.25 (a burst slowed the service), 1.0.
    assert paired_ratio(rounds(100, 50, 300), rounds(200, 200, 300)) == 0.5
    assert paired_ratio(rounds(100, 300), rounds(200, 300)) == 0.75
    assert paired_ratio(rounds(0, 100), rounds(100, 0)) == 0.0


def test_connections_are_counted_per_process_that_accepted_them():
    """The spread check reads /proc: accepted sockets count for the process
    holding them, client ends and other ports do not."""
    with socket.create_server(("127.0.0.1", 0)) as listener:
        port = listener.getsockname()[1]
        clients = [socket.create_connection(("127.0.0.1", port)) for _ in range(3)]
        accepted = [listener.accept()[0] for _ in range(2)]  # the third waits in the backlog
        try:
            assert clients_per_process([os.getpid()], port) == {os.getpid(): 2}
            assert clients_per_process([os.getpid()], port + 1 if port < 65535 else 1) == {os.getpid(): 0}
        finally:
            for sock in clients + accepted:
                sock.close()


def test_an_even_spread_is_all_connections_within_one_of_each_other():
    assert is_even([2, 2], 4)
    assert is_even([1, 2], 3)
    assert not is_even([1, 3], 4)
    assert not is_even([0, 4], 4)
    assert not is_even([1, 2], 4)  # one not accepted yet
