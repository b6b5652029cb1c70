"""`make bench-scale`: what a request costs at 20,000, 200,000 and 1,000,000
boards (issue 14's targets).

For each size, on a database server of the bench's own (a private
mariadbd/mysqld, so its global counters count only the bench):
1. a new database seeded by bench/scale_seed.py (INSERT ... SELECT, derived
   state set-based as `rebuild` makes it), timed;
2. the service (wsgi:app under Granian, as production runs it, or gunicorn)
   with the worker stopped: per GET, the rows the server read for one
   request (Handler_read_% deltas, median of --samples), then latency and
   req/s (wrk at 4 connections for --seconds, or sequential requests);
3. POST /boards by the author with the most followers and by an ordinary
   one, taking turns, sequential (the worker stopped, its backlog dropped);
4. `flask --app app worker` started: how long a new board takes to head
   the feeds of the celebrity's first and last followers, and of an
   ordinary author's follower;
then bench/SCALE.md (or --results) and the plot (docs/scale.png or --plot).
Everything it starts is stopped and every database dropped at the end.
"""
import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import report, scale_report, scale_seed  # noqa: E402
from bench.load import run_wrk  # noqa: E402
from bench.run import SECRET_KEY, app_env, ensure_wrk, say  # noqa: E402
from bench.scale_measure import (  # noqa: E402
    RowsRead, alternating_posts, latency, sequential, time_to_feeds, wait_for_empty_outbox,
)
from bench.scale_requests import PAGE, check_front_page, get_endpoints, logins  # noqa: E402
from bench.seed import BENCH_PREFIX, drop  # noqa: E402
from scripts import dbserver  # noqa: E402
from scripts.processes import SERVERS, stop_process  # noqa: E402

FULL_SIZES = (20_000, 200_000, 1_000_000)
TINY_SIZES = (2_000, 4_000)
SERVER_OPTIONS = ("--innodb-buffer-pool-size=2G", "--innodb-log-file-size=1G",
                  "--tmp-table-size=256M", "--max-heap-table-size=256M")
BOARD = {"title": "A scale bench board", "content": "Written by bench/scale.py."}


def parse_args(argv):
    parser = argparse.ArgumentParser(description="The scale bench (issue 14).")
    parser.add_argument("--sizes", type=int, nargs="+", default=None,
                        help=f"boards per dataset (default {FULL_SIZES})")
    parser.add_argument("--tiny", action="store_true",
                        help=f"small shapes ({TINY_SIZES} boards, 200 followers) for the test suite")
    parser.add_argument("--samples", type=int, default=5, help="single requests per rows-read figure")
    parser.add_argument("--seconds", type=int, default=3,
                        help="wrk seconds per GET; 0: --requests sequential requests instead")
    parser.add_argument("--requests", type=int, default=100, help="sequential requests per GET (--seconds 0)")
    parser.add_argument("--posts", type=int, default=100, help="POST /boards per author")
    parser.add_argument("--busy-posts", type=int, default=20,
                        help="POST /boards per author again with the worker fanning them out")
    parser.add_argument("--fan-outs", type=int, default=3, help="boards timed into feeds, per author")
    parser.add_argument("--server", choices=sorted(SERVERS), default="granian")
    parser.add_argument("--database-url", default=None,
                        help="a server to use instead of a private one (its counters count everyone)")
    parser.add_argument("--results", default=str(ROOT / "bench" / "SCALE.md"))
    parser.add_argument("--plot", default=str(ROOT / "docs" / "scale.png"))
    parser.add_argument("--json", default=None, help="also write the figures as JSON here")
    args = parser.parse_args(argv)
    args.sizes = args.sizes or (TINY_SIZES if args.tiny else FULL_SIZES)
    return args


def start_server(stack, database_url):
    if database_url:
        return dbserver.from_url(database_url)
    binary = dbserver.find_server_binary()
    if binary is None:
        raise SystemExit(dbserver.INSTALL_HINT)
    private = dbserver.PrivateServer(binary, options=SERVER_OPTIONS)
    stack.callback(private.stop)
    private.start()
    return private.server


def measure_gets(args, app, counters, endpoints, headers):
    figures = {}
    for endpoint, caller in endpoints:
        caller_headers = headers[caller] if caller else {}
        rows, statuses = counters.per_request(app.port, "GET", endpoint.path, caller_headers, args.samples)
        if statuses != [200]:
            raise RuntimeError(f"{endpoint.name}: statuses {statuses}")
        if args.seconds:
            run = run_wrk(app.port, endpoint, caller_headers, args.seconds, 4, app.worker_pids())
            timing = {"p50_ms": run["p50_us"] / 1000, "p99_ms": run["p99_us"] / 1000,
                      "rps": run["requests"] / (run["duration_us"] / 1e6), "requests": run["requests"]}
        else:
            timing = latency(sequential(app.port, "GET", endpoint.path, caller_headers, args.requests))
        figures[endpoint.name] = {"rows": rows, **timing}
        say(f"  {endpoint.name}: {rows} rows, p50 {timing['p50_ms']:.1f} ms, {timing['rps']:.0f} req/s")
    return figures


def start_worker(env, log_path):
    with open(log_path, "wb") as log:
        return subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "worker"], cwd=ROOT,
                                env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def measure_size(args, server, boards, deep_page, log_dir):
    shape = (scale_seed.tiny_shape if args.tiny else scale_seed.full_shape)(boards)
    database = f"{BENCH_PREFIX}{uuid.uuid4().hex[:12]}"
    say(f"seeding {boards:,} boards: {shape}")
    with contextlib.ExitStack() as size_stack:
        size_stack.callback(drop, server, database)
        dataset = scale_seed.seed(server, database, shape, SECRET_KEY)
        say(f"  seeded in {sum(dataset.seed_seconds.values()):.1f} s: {dataset.seed_seconds}")
        admin = server.connect(database=database)
        size_stack.callback(admin.close)
        env = app_env(server, dataset, None)
        app = SERVERS[args.server]("wsgi:app", env, name="service", log_path=log_dir / f"service-{boards}.log")
        size_stack.callback(app.stop)
        app.start()
        app.wait_ready()
        headers = logins(app.port, dataset)
        check_front_page(app.port, dataset)
        gets = measure_gets(args, app, RowsRead(admin), get_endpoints(dataset, deep_page, SECRET_KEY), headers)

        authors = {"celebrity": headers["celebrity"], "ordinary": headers["ordinary author"]}
        writes = measure_writes(args, app, authors, admin, shape)
        size_stack.callback(stop_process, start_worker(env, log_dir / f"worker-{boards}.log"))
        fan_out = measure_fan_out(args, app, headers)
        busy, drain = measure_busy_writes(args, app, authors, shape)
        return {"boards": boards, "dataset": dataset.as_dict(), "gets": gets, "writes": writes,
                "writes_with_worker": busy, "drain": drain, "fan_out": fan_out,
                "versions": report.versions(admin)}


def measure_writes(args, app, authors, admin, shape):
    """POST /boards by both authors, taking turns, the worker stopped; the
    boards and their outbox events are deleted afterwards."""
    writes = {name: latency(seconds) for name, seconds in
              alternating_posts(app.port, authors, args.posts, BOARD).items()}
    scale_seed.remove_bench_writes(admin, shape.boards)
    say(f"  POST /boards p50: celebrity {writes['celebrity']['p50_ms']:.1f} ms, "
        f"ordinary {writes['ordinary']['p50_ms']:.1f} ms")
    return writes


def measure_fan_out(args, app, headers):
    """Seconds from a board's 201 to the head of followers' feeds, after one
    unmeasured board (the worker's start)."""
    followers = {"first follower": headers["ordinary reader"], "last follower": headers["last follower"]}
    follower = {"follower": headers["ordinary reader"]}
    time_to_feeds(app.port, headers["ordinary author"], follower, BOARD)
    fan_out = {"celebrity": [], "ordinary": []}
    for _ in range(args.fan_outs):
        fan_out["celebrity"].append(time_to_feeds(app.port, headers["celebrity"], followers, BOARD))
        fan_out["ordinary"].append(time_to_feeds(app.port, headers["ordinary author"], follower, BOARD))
    say(f"  into feeds: {fan_out}")
    return fan_out


def measure_busy_writes(args, app, authors, shape):
    """POST /boards by both authors, taking turns, while the worker fans the
    celebrity's boards out; then how long the worker took to empty the
    outbox, from the first POST."""
    started = time.monotonic()
    posts = alternating_posts(app.port, authors, args.busy_posts, BOARD)
    seconds = time.monotonic() - started + wait_for_empty_outbox(app.port)
    entries = args.busy_posts * (shape.celebrity_followers + scale_seed.FOLLOWS_PER_ORDINARY)
    busy = {name: latency(times) for name, times in posts.items()}
    say(f"  POST /boards p50 with the worker busy: celebrity {busy['celebrity']['p50_ms']:.1f} ms, "
        f"ordinary {busy['ordinary']['p50_ms']:.1f} ms; {entries:,} feed entries in {seconds:.1f} s")
    return busy, {"boards": 2 * args.busy_posts, "entries": entries, "seconds": round(seconds, 2)}


def main(argv=None):
    args = parse_args(argv)
    if args.seconds:
        ensure_wrk()
    started = time.monotonic()
    deep_page = min(1000, (min(args.sizes) - 1) // PAGE)  # a page with more after it
    with contextlib.ExitStack() as stack:
        log_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="boards-scale-")))
        server = start_server(stack, args.database_url)
        load_at_start = os.getloadavg()
        sizes = [measure_size(args, server, boards, deep_page, log_dir) for boards in args.sizes]
    results = {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": report.machine(), "server_origin": server.origin,
        "load_average": {"start": load_at_start, "end": os.getloadavg()},
        "settings": {"server": args.server, "samples": args.samples, "seconds": args.seconds,
                     "requests": args.requests, "posts": args.posts, "busy_posts": args.busy_posts,
                     "fan_outs": args.fan_outs,
                     "database_options": [] if args.database_url else list(SERVER_OPTIONS)},
        "sizes": sizes, "databases": [size["dataset"]["database"] for size in sizes],
    }
    results["checks"] = scale_report.checks(results)
    results["elapsed_s"] = round(time.monotonic() - started, 1)
    scale_report.plot(results, args.plot)
    Path(args.results).write_text(scale_report.markdown(results, args.plot, args.results), encoding="utf-8")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2, default=str), encoding="utf-8")
    failed = [check["target"] for check in results["checks"] if not check["met"]]
    say(f"done in {results['elapsed_s']} s; wrote {args.results} and {args.plot}; "
        f"{'all targets met' if not failed else 'FAILED: ' + '; '.join(failed)}")
    return results


if __name__ == "__main__":
    main()
