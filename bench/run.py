"""`make bench`: the service against a bare reference app, same data, same run.

1. A database server of its own (a private mariadbd/mysqld on a free port, so
   the server-wide counters are quiet), or DATABASE_URL / --database-url.
2. A throwaway database seeded with SQL (bench/seed.py).
3. The service (wsgi:app) and the reference (bench/reference_app.py), each
   under gunicorn with gunicorn.conf.py (issue 7's targets were set and met
   so) or, with `--server granian`, under the production server
   (scripts/web_server.py), on free loopback ports.
4. Per endpoint: wrk at 4 connections for a fixed time, service and reference
   alternating (S R, then R S, ...); then SQL statements and new connections
   per request from SHOW GLOBAL STATUS deltas around sequential requests.
5. Worker RSS from /proc, an in-process profile of GET /boards page 1 (its
   whole call tree only with --profile-out).
6. One table on stdout and in bench/RESULTS.md (or --results).

Everything it starts is stopped at the end (process groups, try/finally).
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
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import report  # noqa: E402
from bench import seed as seeding  # noqa: E402
from bench.load import Admin, combine_rounds, count_per_request, paired_ratio, run_wrk  # noqa: E402
from bench.procfs import rss_mb  # noqa: E402
from bench.profile_page import profile_page_one  # noqa: E402
from scripts import dbserver  # noqa: E402
from scripts.processes import SERVERS, http_call  # noqa: E402

BENCH_DIR = ROOT / "bench"
SECRET_KEY = "bench-secret-key-that-is-long-enough-for-hs256"
TARGETS = {"service": "wsgi:app", "reference": "bench.reference_app:application"}
PAGE_SIZE = 20
DEEP_PAGE = 1000


# Endpoints


@dataclass
class Endpoint:
    name: str
    kind: str  # page | single | write
    method: str
    path: str
    body: dict | None = None
    as_caller: bool = False  # service: bearer token; reference: X-User-Id
    expect: int = 200
    deep_of: str | None = None  # name of the page-1 endpoint this is the deep page of

    def headers(self, app, caller):
        if not self.as_caller:
            return {}
        if app == "service":
            return {"Authorization": f"Bearer {caller['token']}"}
        return {"X-User-Id": str(caller["user_id"])}


def endpoints(dataset, cursors):
    hot = dataset.hot_board_id
    boards_depth, boards_cursor = cursors["boards"]
    feed_depth, feed_cursor = cursors["feed"]
    return [
        Endpoint("GET /boards (page 1)", "page", "GET", "/boards"),
        Endpoint(f"GET /boards (page {boards_depth})", "page", "GET",
                 f"/boards?cursor={boards_cursor}", deep_of="GET /boards (page 1)"),
        Endpoint("GET /boards/<id>", "single", "GET", f"/boards/{hot}"),
        Endpoint("GET /users/<id>", "single", "GET", f"/users/{dataset.other_user_id}"),
        Endpoint("GET /boards/<id>/comments", "page", "GET", f"/boards/{hot}/comments"),
        Endpoint("GET /feed (page 1)", "page", "GET", "/feed", as_caller=True),
        Endpoint(f"GET /feed (page {feed_depth})", "page", "GET", f"/feed?cursor={feed_cursor}",
                 as_caller=True, deep_of="GET /feed (page 1)"),
        Endpoint("POST /boards", "write", "POST", "/boards", as_caller=True, expect=201,
                 body={"title": "A bench board", "content": "Written by wrk; deleted after the run."}),
        Endpoint("POST /boards/<id>/comments", "write", "POST", f"/boards/{hot}/comments",
                 as_caller=True, expect=201, body={"content": "A bench comment, deleted after the run."}),
    ]


def deep_cursors(admin, dataset):
    """(page number, cursor) of the deepest page to load: page 1,000 of
    /boards (or the last full page of a smaller set), the last full page of
    the feed. A cursor is the last id of the page before."""
    from app import create_app
    from pagination import encode_cursor

    with admin.conn.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM boards")
        (board_count,) = cursor.fetchone()
        cursor.execute(
            "SELECT b.id FROM boards AS b JOIN follows AS f ON f.followee_id = b.user_id "
            "WHERE f.follower_id = %s ORDER BY b.id DESC", (dataset.user_id,))
        feed_ids = [row[0] for row in cursor.fetchall()]
        boards_depth = max(2, min(DEEP_PAGE, board_count // PAGE_SIZE))
        cursor.execute("SELECT id FROM boards ORDER BY id DESC LIMIT 1 OFFSET %s",
                       ((boards_depth - 1) * PAGE_SIZE - 1,))
        (boards_last_id,) = cursor.fetchone()
    feed_depth = max(2, min(DEEP_PAGE, len(feed_ids) // PAGE_SIZE))
    feed_last_id = feed_ids[(feed_depth - 1) * PAGE_SIZE - 1]
    app = create_app({"SECRET_KEY": SECRET_KEY, "LOG_LEVEL": "WARNING"})
    with app.app_context():
        return {"boards": (boards_depth, encode_cursor(boards_last_id)),
                "feed": (feed_depth, encode_cursor(feed_last_id))}


def login(port, dataset):
    reply = http_call(port, "POST", "/auth/login",
                      body={"email": dataset.email, "password": dataset.password})
    if reply.status != 200:
        raise RuntimeError(f"bench login failed: {reply.status} {reply.body[:200]!r}")
    return reply.json()["access_token"]


# Main


def parse_args(argv):
    parser = argparse.ArgumentParser(description="Benchmark the service against a bare reference.")
    seeding.add_size_arguments(parser)
    parser.add_argument("--seconds", type=int, default=2, help="wrk time per round (default 2)")
    parser.add_argument("--rounds", type=int, default=7, help="rounds per endpoint and app (default 7)")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--warmup", type=int, default=2, help="wrk seconds per app before measuring")
    parser.add_argument("--count-requests", type=int, default=20,
                        help="sequential requests per counter measurement")
    parser.add_argument("--threads", type=int, default=None,
                        help="threads per worker (WEB_THREADS; default: the server's 4)")
    parser.add_argument("--server", choices=sorted(SERVERS), default="gunicorn",
                        help="the server both apps run under (default gunicorn, as issue 7's "
                             "targets were measured; granian is production's: bench/README.md)")
    parser.add_argument("--profile-requests", type=int, default=2000, help="0: no profile")
    parser.add_argument("--profile-seconds", type=int, default=15,
                        help="time limit of each profile phase (plain, profiled)")
    parser.add_argument("--profile-out", default=None, metavar="PATH",
                        help="also write the profile's whole call tree and self times here")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"),
                        help="mysql://user:pass@host:port of a server to use (default: a private "
                             "mariadbd/mysqld started for the run; env DATABASE_URL)")
    parser.add_argument("--only", action="append", default=[], metavar="TEXT",
                        help="load only the endpoints whose name contains TEXT (repeatable); "
                             "for trying a change, the checks then cover just those")
    parser.add_argument("--results", default=str(BENCH_DIR / "RESULTS.md"))
    parser.add_argument("--json", default=None, help="also write the figures as JSON here")
    return parser.parse_args(argv)


def ensure_wrk():
    subprocess.run(["bash", str(ROOT / "scripts" / "install_debian.sh"), "wrk", "wrk"], check=True)


def start_server(stack, database_url):
    if database_url:
        server = dbserver.from_url(database_url)
        if not dbserver.answers(server, timeout=5):
            raise SystemExit(f"--database-url names a server that does not answer: {server.host}")
        return server
    binary = dbserver.find_server_binary()
    if binary is None:
        raise SystemExit(dbserver.INSTALL_HINT)
    try:
        private = dbserver.start_private(binary)
    except (subprocess.CalledProcessError, RuntimeError) as error:  # seen once on a busy machine
        say(f"starting a private server failed ({error}); trying once more")
        private = dbserver.start_private(binary)
    stack.callback(private.stop)
    return private.server


def seeded_database(stack, database_url, sizes):
    """(server, dataset, admin connection) of a new bench database; `stack`
    drops it and stops what was started."""
    server = start_server(stack, database_url)
    database = f"{seeding.BENCH_PREFIX}{uuid.uuid4().hex[:12]}"
    stack.callback(seeding.drop, server, database)
    say(f"seeding {database} on {server.origin} {server.host}:{server.port}: {sizes}")
    dataset = seeding.seed(server, database, sizes, SECRET_KEY)
    admin = Admin(server, database)
    stack.callback(admin.close)
    return server, dataset, admin


def app_env(server, dataset, threads):
    env = dict(os.environ)
    env.update(server.environment())
    env.update({"MYSQL_DB": dataset.database, "SECRET_KEY": SECRET_KEY,
                "BOARDS_ENV": "production", "PYTHONDONTWRITEBYTECODE": "1"})
    if threads:
        env["WEB_THREADS"] = str(threads)
    env.pop("DATABASE_URL", None)
    return env


def server_settings(name, threads):
    from scripts.web_server import server_settings as production_settings

    settings = production_settings({**os.environ, **({"WEB_THREADS": str(threads)} if threads else {})})
    return f"{name}, {settings['workers']} workers, {settings['blocking_threads']} threads each"


def say(message):
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def main(argv=None):
    args = parse_args(argv)
    sizes = seeding.sizes_from_arguments(args)
    ensure_wrk()
    started = time.monotonic()
    load_at_start = os.getloadavg()
    with contextlib.ExitStack() as stack:
        log_dir = stack.enter_context(tempfile.TemporaryDirectory(prefix="boards-bench-"))
        server, dataset, admin = seeded_database(stack, args.database_url, sizes)
        cursors = deep_cursors(admin, dataset)

        env = app_env(server, dataset, args.threads)
        apps = {name: SERVERS[args.server](target, env, name=name, log_path=Path(log_dir) / f"{name}.log")
                for name, target in TARGETS.items()}
        for app in apps.values():
            stack.callback(app.stop)
            app.start()
        for app in apps.values():
            app.wait_ready()
        caller = {"token": login(apps["service"].port, dataset), "user_id": dataset.user_id}
        say(f"service on :{apps['service'].port}, reference on :{apps['reference'].port}")

        todo = endpoints(dataset, cursors)
        by_name = {endpoint.name: endpoint for endpoint in todo}
        if args.only:
            todo = [endpoint for endpoint in todo if any(text in endpoint.name for text in args.only)]
        for name, app in apps.items():
            for endpoint in todo:
                if endpoint.method == "GET":
                    reply = http_call(app.port, "GET", endpoint.path, headers=endpoint.headers(name, caller))
                    if reply.status != endpoint.expect:
                        raise RuntimeError(f"{name} {endpoint.path}: {reply.status} {reply.body[:300]!r}")
            if args.warmup:
                run_wrk(app.port, todo[0], {}, args.warmup, args.connections)

        rows, rows_deleted = [], 0
        for index, endpoint in enumerate(todo):
            # A deep page is also compared with page 1 of its list run right
            # next to it, so that a change of machine load does not pass for cost.
            first_page = by_name.get(endpoint.deep_of)
            rounds = {"service": [], "reference": [], "page 1": []}
            for round_number in range(args.rounds):
                order = [("service", endpoint), ("reference", endpoint)]
                if first_page is not None:
                    order.append(("page 1", first_page))
                if (index + round_number) % 2:
                    order.reverse()
                for key, target in order:
                    name = "reference" if key == "reference" else "service"
                    rounds[key].append(run_wrk(apps[name].port, target, target.headers(name, caller),
                                               args.seconds, args.connections,
                                               apps[name].worker_pids()))
                    if target.method != "GET":
                        rows_deleted += admin.delete_rows_after(sizes.boards, sizes.comments)
            row = {"name": endpoint.name, "kind": endpoint.kind, "method": endpoint.method,
                   "path": endpoint.path, "as_caller": endpoint.as_caller,
                   "deep_of": endpoint.deep_of}
            for name in ("service", "reference"):
                figures = combine_rounds(rounds[name])
                figures.update(count_per_request(admin, apps[name].port, endpoint,
                                                 endpoint.headers(name, caller),
                                                 args.count_requests))
                if endpoint.method != "GET":
                    rows_deleted += admin.delete_rows_after(sizes.boards, sizes.comments)
                row[name] = figures
            if first_page is not None:
                row["deep_cost"] = paired_ratio(rounds["page 1"], rounds["service"])
            reference_rps = row["reference"]["rps"]
            row["ratio"] = paired_ratio(rounds["service"], rounds["reference"])
            rows.append(row)
            say(f"{endpoint.name}: service {row['service']['rps']:.0f} req/s, reference "
                f"{reference_rps:.0f} req/s, ratio {row['ratio']:.2f}")

        workers = {name: app.worker_pids() for name, app in apps.items()}
        rss = {name: [rss_mb(pid) for pid in pids] for name, pids in workers.items()}
        pids = {name: [apps[name].process.pid, *workers[name]] for name in apps}
        for app in apps.values():
            app.stop()

        results = {
            "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "machine": report.machine(),
            "versions": report.versions(admin.conn),
            "server_origin": server.origin,
            "dataset": dataset.as_dict(),
            "load": {"connections": args.connections, "seconds": args.seconds,
                     "rounds": args.rounds, "count_requests": args.count_requests,
                     "server": server_settings(args.server, args.threads)},
            "endpoints": rows,
            "rss_mb": rss,
            "load_average": {"start": load_at_start, "end": os.getloadavg()},
            "server_pids": pids,
            "rows_deleted": rows_deleted,
        }
        if args.profile_requests:
            say("profiling GET /boards page 1 in-process")
            results["profile"] = profile_page_one(server, dataset, SECRET_KEY, args.profile_requests,
                                                  args.profile_seconds)
        results["checks"] = report.checks(results)
        results["elapsed_s"] = round(time.monotonic() - started, 1)

    profile = results.get("profile")
    if profile:
        tree = profile.pop("tree")
        if args.profile_out:
            Path(args.profile_out).write_text(tree, encoding="utf-8")
            profile["tree_path"] = args.profile_out
    report.print_table(results)
    Path(args.results).write_text(report.markdown(results), encoding="utf-8")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2, default=str), encoding="utf-8")
    say(f"done in {results['elapsed_s']} s; wrote {args.results}")
    return results


if __name__ == "__main__":
    main()
