"""The production server, chosen by measurement: the service (wsgi:app) under
gunicorn with one shared socket (its default: the workers race to accept),
gunicorn with --reuse-port (a socket per worker, the kernel spreads new
connections) and Granian as production runs it (scripts/web_server.py; a
socket per worker too), on the bench's data.

1. Load: per run, for each connection count and endpoint, wrk against each
   server in turn (the order rotates every run), the first spread of wrk's
   connections over the workers kept as it came (no restart): req/s, p99
   and that spread per run.
2. Faults, per server, while CHURN_CLIENTS clients open a new connection
   for every request (so some always wait in an accept queue): one worker
   killed (SIGKILL), a graceful restart (SIGHUP to the master), and a
   worker killed twice in a row (its replacement too, a second later, as
   an out-of-memory killer may); the requests that failed, how long until
   every worker was back, and whether the server still serves.
3. The workers' memory (VmRSS) after the load.

    .venv/bin/python bench/servers.py [--runs 5] [--seconds 3] [--tiny]

Writes bench/SERVERS.md (or --results). Uses bench/run.py's data, database
server and endpoints; everything it starts is stopped at the end.
"""
import argparse
import contextlib
import os
import signal
import statistics
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import report  # noqa: E402
from bench import seed as seeding  # noqa: E402
from bench.load import run_wrk  # noqa: E402
from bench.procfs import rss_mb  # noqa: E402
from bench.run import (app_env, deep_cursors, endpoints, ensure_wrk, login, say,  # noqa: E402
                       seeded_database)
from scripts.client_threads import ClientThreads  # noqa: E402
from scripts.processes import Granian, Gunicorn, http_call  # noqa: E402

SERVERS = {
    "gunicorn": lambda env, log: Gunicorn("wsgi:app", {**env, "GUNICORN_REUSE_PORT": "false"},
                                          log_path=log),
    "gunicorn --reuse-port": lambda env, log: Gunicorn("wsgi:app", env, log_path=log, reuse_port=True),
    "granian": lambda env, log: Granian("wsgi:app", env, log_path=log),
}
LOADED = ("GET /boards (page 1)", "GET /boards/<id>", "POST /boards")
CHURN_CLIENTS = 8
FAULT_AT_S = 1.5
FAULT_LOAD_S = 6.0


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    seeding.add_size_arguments(parser)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seconds", type=int, default=3, help="wrk time per run")
    parser.add_argument("--connections", type=int, action="append", default=None,
                        help="wrk connections (repeatable; default 4 and 16)")
    parser.add_argument("--only-server", action="append", default=[], choices=sorted(SERVERS))
    parser.add_argument("--no-faults", action="store_true")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--results", default=str(ROOT / "bench" / "SERVERS.md"))
    return parser.parse_args(argv)


def load_runs(servers, todo, caller, args, admin, sizes):
    """{(server, connections, endpoint name): [wrk figures of each run]}"""
    runs = {}
    names = list(servers)
    for run in range(args.runs):
        order = names[run % len(names):] + names[:run % len(names)]
        for connections in args.connections:
            for endpoint in todo:
                for name in order:
                    server = servers[name]
                    headers = endpoint.headers("service", caller)
                    figures = run_wrk(server.port, endpoint, headers, args.seconds, connections,
                                      server.worker_pids(), even_only=False)
                    runs.setdefault((name, connections, endpoint.name), []).append(figures)
                    if endpoint.method != "GET":
                        admin.delete_rows_after(sizes.boards, sizes.comments)
        say(f"load run {run + 1}/{args.runs} done")
    return runs


class Churn(ClientThreads):
    """Clients that each make GET `path` on a new connection, one after
    another, until stopped: what they got, by status or error."""

    join_timeout = 20

    def __init__(self, port, path):
        self.port, self.path = port, path
        self.outcomes = {}
        self.start_clients([()] * CHURN_CLIENTS)

    def _client(self):
        while not self.stop.is_set():
            try:
                outcome = http_call(self.port, "GET", self.path, timeout=10).status
            except OSError as error:
                outcome = type(error).__name__
            except Exception as error:  # http.client's: RemoteDisconnected, BadStatusLine...
                outcome = type(error).__name__
            with self.lock:
                self.outcomes[outcome] = self.outcomes.get(outcome, 0) + 1


def wait_for_workers(server, replaced, count, timeout=60):
    """Seconds until `count` workers run and none of `replaced` is among them."""
    started = time.monotonic()
    while time.monotonic() - started < timeout and server.process.poll() is None:
        workers = server.worker_pids()
        if len(workers) == count and not set(workers) & set(replaced):
            return time.monotonic() - started
        time.sleep(0.05)
    return None


def inject(fault, server, workers):
    """The fault; returns the workers that must be gone, and how long it took
    until `workers` others run (None: never)."""
    before = server.worker_pids()
    if fault == "graceful restart":
        os.kill(server.process.pid, signal.SIGHUP)
        return wait_for_workers(server, before, workers)
    os.kill(before[0], signal.SIGKILL)
    if fault == "worker killed twice":
        time.sleep(1.0)
        replacement = [pid for pid in server.worker_pids() if pid not in before]
        for pid in replacement:
            os.kill(pid, signal.SIGKILL)
        return wait_for_workers(server, before[:1] + replacement, workers)
    return wait_for_workers(server, before[:1], workers)


def fault_runs(servers, path, workers):
    results = {}
    for name, server in servers.items():
        for fault in ("worker killed", "graceful restart", "worker killed twice"):
            with Churn(server.port, path) as churn:
                time.sleep(FAULT_AT_S)
                back_s = inject(fault, server, workers)
                time.sleep(max(0.0, FAULT_LOAD_S - FAULT_AT_S - (back_s or 0)))
            failed = {k: v for k, v in churn.outcomes.items() if k != 200}
            serving = server.process.poll() is None
            results[name, fault] = {"requests": sum(churn.outcomes.values()), "failed": failed,
                                    "back_s": back_s, "serving": serving}
            say(f"{name}, {fault}: {results[name, fault]}")
            if not serving:
                break
            server.wait_ready(timeout=60)
    return results


def markdown(results):
    lines = [f"# Servers compared: {results['date']}", "",
             f"Machine: {results['machine']}; load average {results['load_average']}; "
             f"{results['workers']} workers x {results['threads']} threads; dataset "
             f"{results['dataset']}; {results['runs']} runs of {results['seconds']} s per cell, "
             "the servers' order rotating every run. `bench/servers.py` wrote this file.", "",
             "| server | connections | endpoint | req/s median (min-max) | p99 ms median (worst) "
             "| spreads over the workers |", "|---|---|---|---|---|---|"]
    for (name, connections, endpoint), runs in results["load"].items():
        rps = [r["requests"] / (r["duration_us"] / 1e6) for r in runs]
        p99 = [r["p99_us"] / 1000 for r in runs]
        spreads = " ".join("+".join(map(str, r["spread"])) for r in runs)
        lines.append(f"| {name} | {connections} | {endpoint} | {statistics.median(rps):.0f} "
                     f"({min(rps):.0f}-{max(rps):.0f}) | {statistics.median(p99):.1f} "
                     f"({max(p99):.1f}) | {spreads} |")
    if results.get("faults"):
        lines += ["", f"Faults, {CHURN_CLIENTS} clients each opening a new connection per "
                  "`GET /boards/<id>`:", "",
                  "| server | fault | requests | failed | workers back after s | still serving |",
                  "|---|---|---|---|---|---|"]
        for (name, fault), found in results["faults"].items():
            failed = ", ".join(f"{k} {v}" for k, v in found["failed"].items()) or "0"
            back = "never" if found["back_s"] is None else f"{found['back_s']:.1f}"
            serving = "yes" if found["serving"] else "**no: the server exited**"
            lines.append(f"| {name} | {fault} | {found['requests']} | {failed} | {back} | {serving} |")
    lines += ["", "Worker RSS after the load (MB): " + "; ".join(
        f"{name} {', '.join(f'{mb:.1f}' for mb in sizes)}" for name, sizes in results["rss_mb"].items())]
    return "\n".join(lines) + "\n"


def main(argv=None):
    args = parse_args(argv)
    args.connections = args.connections or [4, 16]
    sizes = seeding.sizes_from_arguments(args)
    ensure_wrk()
    load_at_start = os.getloadavg()
    with contextlib.ExitStack() as stack:
        log_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="boards-servers-")))
        server, dataset, admin = seeded_database(stack, args.database_url, sizes)
        todo = [e for e in endpoints(dataset, deep_cursors(admin, dataset)) if e.name in LOADED]
        env = app_env(server, dataset, None)
        names = args.only_server or list(SERVERS)
        servers = {}
        for name in names:
            servers[name] = SERVERS[name](env, log_dir / f"{name.split()[0]}-{len(servers)}.log")
            stack.callback(servers[name].stop)
            servers[name].start()
        for app in servers.values():
            app.wait_ready()
        caller = {"token": login(servers[names[0]].port, dataset), "user_id": dataset.user_id}
        for app in servers.values():
            run_wrk(app.port, todo[0], {}, 2, max(args.connections))  # warm up
        workers = len(servers[names[0]].worker_pids())
        results = {
            "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "machine": report.machine(), "dataset": dataset.as_dict(), "runs": args.runs,
            "seconds": args.seconds, "workers": workers, "threads": env.get("GUNICORN_THREADS", "4"),
            "load": load_runs(servers, todo, caller, args, admin, sizes),
            "rss_mb": {name: [rss_mb(pid) for pid in app.worker_pids()] for name, app in servers.items()},
        }
        if not args.no_faults:
            results["faults"] = fault_runs(servers, f"/boards/{dataset.hot_board_id}", workers)
        results["load_average"] = f"{load_at_start[0]:.1f} at start, {os.getloadavg()[0]:.1f} at end"
    text = markdown(results)
    Path(args.results).write_text(text, encoding="utf-8")
    print(text)
    return results


if __name__ == "__main__":
    main()
