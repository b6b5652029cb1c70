"""An in-process profile of GET /boards page 1 (Flask test client,
pyinstrument), split by where the time goes."""
import contextlib
import logging
import os
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _in(fragment, *functions):
    """A frame in a file whose path contains `fragment`, optionally only these
    functions (decorator wrappers such as webargs' use_args nest the view, so
    they must not swallow it)."""
    def matches(frame):
        path = frame.file_path or ""
        return fragment in path and (not functions or frame.function in functions)
    return matches


def _any(*rules):
    return lambda frame: any(rule(frame) for rule in rules)


# The first rule that matches a frame, top-down, takes the frame's whole time.
PROFILE_CATEGORIES = (
    ("Flask routing (URL adapter + match)", _any(
        _in("/flask/ctx.py", "match_request"), _in("/flask/app.py", "create_url_adapter"))),
    ("argument parsing (webargs + marshmallow load + cursor)", _in("/webargs/core.py", "parse")),
    ("SQL round trip (aiosql + mysqlclient)", _any(_in("/aiosql/"), _in("/MySQLdb/"))),
    ("connection checkout/teardown (db.py)", _in(str(ROOT / "db.py"))),
    ("marshmallow dumping", _in("/marshmallow/schema.py", "dump")),
    ("JSON encoding + Response (flask.json)", _in("/flask/json/")),
    ("next cursor + Link header (pagination.page)", _in(str(ROOT / "pagination.py"), "page")),
    ("request id + access log line", _any(_in(str(ROOT / "web" / "request_log.py")), _in("/logging/"))),
    ("rate limiting (login failures)", _in("/rate_limit.py")),
    ("CORS + security headers", _any(_in("/flask_cors/"), _in(str(ROOT / "web" / "security.py")))),
    ("auth (bearer token check)", _any(_in(str(ROOT / "auth.py")), _in("/jwt/"))),
)


def _categorize(frame, totals):
    for name, matches in PROFILE_CATEGORIES:
        if matches(frame):
            totals[name] = totals.get(name, 0.0) + frame.time
            return
    for child in frame.children:
        _categorize(child, totals)


def _app_frames(frame):
    if frame.function == "wsgi_app" and (frame.file_path or "").endswith("flask/app.py"):
        return [frame]
    return [found for child in frame.children for found in _app_frames(child)]


@contextlib.contextmanager
def access_log_to_devnull():
    """The service logs one line per request at INFO; keep that cost in the
    profile, but not the output."""
    root = logging.getLogger()
    level = root.level
    streams = [(h, h.setStream(open(os.devnull, "w"))) for h in root.handlers
               if isinstance(h, logging.StreamHandler)]
    root.setLevel(logging.INFO)
    try:
        yield
    finally:
        root.setLevel(level)
        for handler, stream in streams:
            handler.setStream(stream).close()


def _repeat(call, requests, seconds):
    """Up to `requests` calls, stopping early after `seconds`; returns
    (calls made, seconds taken)."""
    started = time.perf_counter()
    done = 0
    while done < requests and (done == 0 or time.perf_counter() - started < seconds):
        call()
        done += 1
    return done, time.perf_counter() - started


def profile_page_one(server, dataset, secret_key, requests, seconds=15):
    """GET /boards page 1 through the Flask test client, in this process,
    under pyinstrument; time per request split by where it goes. Each phase
    makes up to `requests` requests and stops after `seconds`."""
    from pyinstrument import Profiler

    from app import create_app

    app = create_app({**server.app_config(dataset.database), "SECRET_KEY": secret_key})
    client = app.test_client()

    def get_page_one():
        assert client.get("/boards").status_code == 200

    with access_log_to_devnull():
        _repeat(get_page_one, 50, seconds)
        plain_requests, plain_seconds = _repeat(get_page_one, requests, seconds)
        profiler = Profiler(interval=0.001)
        with profiler:
            requests, _ = _repeat(get_page_one, requests, seconds)
    app.extensions["boards_db"].close_thread_connection()
    root = profiler.last_session.root_frame()
    app_frames = _app_frames(root)
    app_time = sum(frame.time for frame in app_frames)
    totals = {}
    for frame in app_frames:
        _categorize(frame, totals)
    parts = [(name, totals.get(name, 0.0)) for name, _ in PROFILE_CATEGORIES]
    parts.append(("rest of Flask/flask-smorest/werkzeug (contexts, hooks, response)",
                  app_time - sum(totals.values())))
    return {
        "tree": profiler.output_text(unicode=True, color=False, show_all=True)
        + "\n\nSelf time by function:\n"
        + profiler.output_text(unicode=True, color=False, flat=True),
        "requests": requests,
        "plain_us_per_request": plain_seconds / plain_requests * 1e6,
        "profiled_app_us_per_request": app_time / requests * 1e6,
        "client_us_per_request": root.time / requests * 1e6,
        "parts": [
            {"part": name, "us": t / requests * 1e6, "share": t / app_time if app_time else 0.0}
            for name, t in parts
        ],
    }
