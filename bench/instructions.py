"""Instructions per request of a gunicorn worker, counted by valgrind's callgrind.

Wall-clock figures on a shared 2-core machine move by 10 % from run to run;
the instruction count of the same requests repeats to about 0.1 %, so a
change of a few percent shows. Each app runs under gunicorn (the repo's
gunicorn.conf.py, 1 worker, 1 thread; not the production server, Granian,
whose Rust threads callgrind would count too) inside callgrind with counting off.
Per endpoint: 20 requests to warm up, then counting on for `--requests`
requests over one keep-alive connection, and the count divided by them. It
covers the worker's own work (gunicorn, the app, mysqlclient): not the
kernel, not the database server.

    .venv/bin/python bench/instructions.py [--requests 100] [--only TEXT]

Needs valgrind (Debian: apt-get install valgrind). Same data and endpoints as
`make bench` (default sizes unless given).
"""
import argparse
import contextlib
import http.client
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import seed as seeding  # noqa: E402
from bench.run import TARGETS, app_env, deep_cursors, endpoints, login, say, seeded_database  # noqa: E402
from scripts.processes import Gunicorn, http_call  # noqa: E402

WARMUP_REQUESTS = 20
START_TIMEOUT_S = 300


class CountedGunicorn(Gunicorn):
    """gunicorn with one single-threaded worker, under callgrind, counting off."""

    def __init__(self, name, env, out_dir):
        self.out_dir = Path(out_dir) / name
        self.out_dir.mkdir()
        valgrind = ("valgrind", "--tool=callgrind", "--trace-children=yes", "--instr-atstart=no",
                    f"--callgrind-out-file={self.out_dir}/callgrind.%p")
        env = {**env, "WEB_WORKERS": "1", "WEB_THREADS": "1", "GUNICORN_TIMEOUT": "600"}
        super().__init__(TARGETS[name], env, name=name, log_path=self.out_dir / f"{name}.log",
                         reuse_port=True, wrapper=valgrind)
        self.conn = None

    def start(self):
        super().start()
        self.wait_ready(timeout=START_TIMEOUT_S)
        self.worker = self.worker_pids()[0]
        self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=START_TIMEOUT_S)
        return self

    def call(self, endpoint, headers):
        reply = http_call(self.port, endpoint.method, endpoint.path, endpoint.body, headers, conn=self.conn)
        if reply.status != endpoint.expect:
            raise RuntimeError(f"{self.name} {endpoint.path}: {reply.status} {reply.body[:300]!r}")

    def instructions_per_request(self, endpoint, headers, requests):
        for _ in range(WARMUP_REQUESTS):
            self.call(endpoint, headers)
        self._dump()  # what came before goes to a file of its own
        self._control("--instr=on")
        for _ in range(requests):
            self.call(endpoint, headers)
        self._control("--instr=off")
        return self._total(self._dump()) / requests

    def _control(self, option):
        subprocess.run(["callgrind_control", option, str(self.worker)], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def _dump(self):
        """The new dump file: the worker writes it when it next runs (its
        event loop wakes at least once a second)."""
        before = set(self._dumps())
        self._control("--dump")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            new = [path for path in self._dumps() if path not in before]
            if new:
                time.sleep(0.2)  # let the file be written in full
                return new[-1]
            time.sleep(0.1)
        raise RuntimeError(f"{self.name}: callgrind wrote no dump within 30 s")

    def _dumps(self):
        return sorted(self.out_dir.glob(f"callgrind.{self.worker}.*"),
                      key=lambda path: int(path.suffix[1:]))

    @staticmethod
    def _total(dump):
        """The dump's `totals:` line (its `summary:` can read 0 when counting
        was switched on and off by hand)."""
        for line in dump.read_text(errors="replace").splitlines():
            if line.startswith("totals:"):
                return int(line.split()[1])
        raise RuntimeError(f"no totals line in {dump}")

    def stop(self):
        if self.conn is not None:
            self.conn.close()
        super().stop()


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    seeding.add_size_arguments(parser)
    parser.add_argument("--requests", type=int, default=100, help="counted requests per endpoint")
    parser.add_argument("--only", action="append", default=[], metavar="TEXT",
                        help="only the endpoints whose name contains TEXT (repeatable)")
    parser.add_argument("--app", action="append", default=[], choices=sorted(TARGETS),
                        help="only this app (repeatable; default both)")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    if shutil.which("valgrind") is None or shutil.which("callgrind_control") is None:
        raise SystemExit("bench/instructions.py needs valgrind: apt-get install valgrind")
    sizes = seeding.sizes_from_arguments(args)
    with contextlib.ExitStack() as stack:
        out_dir = stack.enter_context(tempfile.TemporaryDirectory(prefix="boards-instructions-"))
        server, dataset, admin = seeded_database(stack, args.database_url, sizes)
        todo = endpoints(dataset, deep_cursors(admin, dataset))
        if args.only:
            todo = [e for e in todo if any(text in e.name for text in args.only)]
        env = app_env(server, dataset, None)
        counts = {}
        for name in args.app or TARGETS:
            say(f"starting {name} under callgrind")
            app = CountedGunicorn(name, env, out_dir)
            stack.callback(app.stop)
            app.start()
            caller = {"user_id": dataset.user_id}
            if name == "service":
                caller["token"] = login(app.port, dataset)
            for endpoint in todo:
                counts[endpoint.name, name] = app.instructions_per_request(
                    endpoint, endpoint.headers(name, caller), args.requests)
                if endpoint.method != "GET":
                    admin.delete_rows_after(sizes.boards, sizes.comments)
            app.stop()
    width = max(len(e.name) for e in todo)
    print(f"\n{'endpoint':{width}}  service k/req  reference k/req  reference / service")
    for endpoint in todo:
        service, reference = counts.get((endpoint.name, "service")), counts.get((endpoint.name, "reference"))
        ratio = f"{reference / service:19.2f}" if service and reference else ""
        print(f"{endpoint.name:{width}}  {thousands(service):>13}  {thousands(reference):>15}  {ratio}")


def thousands(count):
    return "-" if count is None else f"{count / 1000:,.0f}"


if __name__ == "__main__":
    main()
