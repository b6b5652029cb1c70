"""The Errors table of API.md, request ids and the log line, and the 503 /
recovery behaviour when the database goes away."""
import logging
import os
import re
import time
import uuid

import pytest

from web.request_log import RequestIdFilter
from scripts.processes import free_port
from tests.helpers import make_app

ONE_MIB = 1024 * 1024
GENERATED_ID = re.compile(r"[0-9a-f]{32}")
INTERNALS = ("Traceback", "RuntimeError", "secret-internal-detail", "MySQLdb", "OperationalError")


def assert_error(response, code):
    """The contract's error shape: JSON with code, status and message."""
    assert response.status_code == code, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    body = response.json
    assert body["code"] == code
    assert body["status"]
    assert body["message"]
    return body


def assert_no_internals(response):
    text = response.get_data(as_text=True)
    for internal in INTERNALS:
        assert internal not in text


class LogLines(logging.Handler):
    """Collects log lines formatted exactly as the app's own handler formats them."""

    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.lines = []
        self.addFilter(RequestIdFilter())
        app_handlers = [
            h for h in logging.getLogger().handlers
            if any(isinstance(f, RequestIdFilter) for f in h.filters)
        ]
        assert app_handlers, "the app installs a log handler with request ids"
        self.setFormatter(app_handlers[0].formatter)

    def emit(self, record):
        self.lines.append((record.name, self.format(record)))

    def containing(self, text, logger=None):
        return [line for name, line in self.lines if text in line and logger in (None, name)]


@pytest.fixture
def log_lines(app, caplog):
    caplog.set_level(logging.INFO)
    handler = LogLines()
    root = logging.getLogger()
    root.addHandler(handler)
    yield handler
    root.removeHandler(handler)


@pytest.fixture
def failing_app(db_server, database_name, app):
    """A separate app with a route that raises, answering 500 (not propagating)."""
    boom = make_app(db_server, database_name, PROPAGATE_EXCEPTIONS=False)

    def explode():
        raise RuntimeError("secret-internal-detail")

    boom.add_url_rule("/boom", "boom", explode, methods=["GET", "POST"])
    return boom


@pytest.fixture
def unreachable_app(db_server, database_name, app, db):
    """A separate app whose database port has nothing listening."""
    return make_app(db_server, database_name, MYSQL_PORT=free_port(), MYSQL_CONNECT_TIMEOUT=2)


# 400 / 413 / 415 / 404 / 405


@pytest.mark.parametrize(
    "body",
    ['{"name": ', "{'name': 'single quotes'}", '{"a": 1,}', "[]", '[{"name": "x"}]', '"a string"',
     "42", "null", "true", b'{"name": "\xff"}'],
    ids=["truncated", "single-quotes", "trailing-comma", "empty-array", "array", "string",
         "number", "null", "true", "not-utf8"],
)
@pytest.mark.parametrize("method, url", [("POST", "/users"), ("POST", "/auth/login")])
def test_body_that_is_not_a_json_object_is_400(client, db, method, url, body):
    response = client.open(url, method=method, data=body, content_type="application/json")
    assert_error(response, 400)
    assert db.value("SELECT COUNT(*) FROM users") == 0


def test_400_before_auth_on_protected_writes(client, signup):
    user, headers = signup()
    response = client.patch(f"/users/{user['id']}", data="[1]", content_type="application/json",
                            headers=headers)
    assert_error(response, 400)


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
     "application/xml"],
)
def test_body_that_is_not_json_is_415(client, db, content_type):
    response = client.post("/users", data='{"name": "x"}', content_type=content_type)
    assert_error(response, 415)


def test_json_with_charset_is_accepted(client, db):
    body = '{"name": "a", "email": "a@example.com", "password": "long enough"}'
    response = client.post("/users", data=body, content_type="application/json; charset=utf-8")
    assert response.status_code == 201


def test_body_over_one_mib_is_413(client, db):
    body = '{"name": "' + "x" * ONE_MIB + '"}'
    assert_error(client.post("/users", data=body, content_type="application/json"), 413)
    assert db.value("SELECT COUNT(*) FROM users") == 0


def test_body_of_exactly_one_mib_is_read(client, db):
    head, tail = '{"email": "a@example.com", "password": "long enough", "name": "', '"}'
    body = head + "x" * (ONE_MIB - len(head) - len(tail)) + tail
    assert len(body.encode()) == ONE_MIB
    response = client.post("/users", data=body, content_type="application/json")
    assert_error(response, 422)
    assert "name" in response.json["errors"]["json"]


@pytest.mark.parametrize("url", ["/nope", "/users/1/nope", "/boards/1/comments/1", "/api/nope"])
def test_unknown_url_is_404_json(client, db, url):
    assert_error(client.get(url), 404)


@pytest.mark.parametrize(
    "method, url, allowed",
    [("DELETE", "/boards", {"GET", "POST"}), ("PATCH", "/users", {"GET", "POST"}),
     ("GET", "/auth/login", {"POST"}), ("POST", "/me", {"GET"}), ("PUT", "/health", {"GET"})],
)
def test_wrong_method_is_405_json_with_allow(client, db, method, url, allowed):
    response = client.open(url, method=method, json={})
    assert_error(response, 405)
    assert allowed <= {m.strip() for m in response.headers["Allow"].split(",")}


@pytest.mark.parametrize(
    "method, url, data, content_type, code",
    [("POST", "/nope", "[1]", "application/json", 404),
     ("POST", "/users/1/nope", "{", "application/json", 404),
     ("PUT", "/boards", "{", "application/json", 405),
     ("POST", "/health", "hi", "text/plain", 405)],
)
def test_unknown_url_or_method_wins_over_a_bad_body(client, db, method, url, data, content_type, code):
    assert_error(client.open(url, method=method, data=data, content_type=content_type), code)


@pytest.mark.parametrize(
    "data, content_type, code",
    [("[]", "application/json", 400), ("x", "text/plain", 415),
     ("x" * (ONE_MIB + 1), "application/json", 413)],
)
def test_body_errors_carry_a_request_id(client, db, data, content_type, code):
    response = client.post("/users", data=data, content_type=content_type,
                           headers={"X-Request-ID": "body-check"})
    assert_error(response, code)
    assert response.headers["X-Request-ID"] == "body-check"


# 500


def test_unexpected_error_is_500_json_with_request_id_and_no_internals(failing_app, log_lines):
    response = failing_app.test_client().get("/boom", headers={"X-Request-ID": "trace-500"})
    body = assert_error(response, 500)
    assert body["request_id"] == response.headers["X-Request-ID"] == "trace-500"
    assert_no_internals(response)
    logged = log_lines.containing("trace-500")
    assert any("secret-internal-detail" in line for line in logged), "the bug is logged"
    assert len(log_lines.containing("trace-500", logger="boards.access")) == 1


def test_500_gets_a_generated_request_id_too(failing_app):
    response = failing_app.test_client().post("/boom", json={})
    body = assert_error(response, 500)
    assert GENERATED_ID.fullmatch(body["request_id"])
    assert body["request_id"] == response.headers["X-Request-ID"]


def test_database_error_that_is_not_a_disconnect_is_500(db_server, app):
    missing = f"boards_test_missing_{uuid.uuid4().hex[:8]}"  # never created
    broken = make_app(db_server, missing)
    response = broken.test_client().get("/boards")
    body = assert_error(response, 500)
    assert body["request_id"] == response.headers["X-Request-ID"]
    assert_no_internals(response)
    assert missing not in response.get_data(as_text=True)


# X-Request-ID and the log line


@pytest.mark.parametrize("given", ["abc-123", "trace.id:42_x", "A" * 128, str(uuid.uuid4())])
def test_sane_request_id_is_echoed(client, db, given):
    assert client.get("/boards", headers={"X-Request-ID": given}).headers["X-Request-ID"] == given


@pytest.mark.parametrize(
    "given", ["A" * 500, "A" * 129, "has spaces", "<script>", "semi;colon", "ünïcode", ""],
    ids=["500-chars", "129-chars", "spaces", "markup", "semicolon", "non-ascii", "empty"],
)
def test_insane_request_id_is_replaced(client, db, given):
    returned = client.get("/boards", headers={"X-Request-ID": given}).headers["X-Request-ID"]
    assert returned != given
    assert GENERATED_ID.fullmatch(returned)


def test_request_id_is_generated_when_absent_and_unique(client, db):
    first = client.get("/boards").headers["X-Request-ID"]
    second = client.get("/boards").headers["X-Request-ID"]
    assert GENERATED_ID.fullmatch(first) and GENERATED_ID.fullmatch(second)
    assert first != second


@pytest.mark.parametrize(
    "method, url, status",
    [("GET", "/boards", 200), ("GET", "/nope", 404), ("DELETE", "/boards", 405),
     ("POST", "/boards", 401)],
)
def test_one_log_line_per_request_with_its_id(client, db, log_lines, method, url, status):
    response = client.open(url, method=method, headers={"X-Request-ID": "line-check-1"})
    assert response.status_code == status
    assert response.headers["X-Request-ID"] == "line-check-1"
    lines = log_lines.containing("line-check-1", logger="boards.access")
    assert len(lines) == 1
    assert f"{method} {url} {status}" in lines[0]


def test_generated_id_is_in_the_log_line(client, db, log_lines):
    request_id = client.get("/users").headers["X-Request-ID"]
    assert len(log_lines.containing(request_id, logger="boards.access")) == 1


def test_other_log_formats_still_get_the_process_id(app):
    """The app's logging setup leaves alone what other formats need:
    gunicorn's own lines (worker boot and exit) show `%(process)d`."""
    gunicorn_format = logging.Formatter("%(asctime)s [%(process)d] [%(levelname)s] %(message)s")
    record = logging.getLogger("gunicorn.error").makeRecord(
        "gunicorn.error", logging.INFO, __file__, 1, "Worker exiting (pid: %s)", (os.getpid(),), None
    )
    assert f"[{os.getpid()}] [INFO] Worker exiting" in gunicorn_format.format(record)


# 503 and recovery


def test_database_unreachable_is_503_then_recovers_without_a_new_app(
    db_server, unreachable_app, signup
):
    user, headers = signup()  # on the session app, whose database answers
    client = unreachable_app.test_client()

    boards = client.get("/boards", headers={"X-Request-ID": "down-1"})
    body = assert_error(boards, 503)
    assert int(boards.headers["Retry-After"]) > 0
    assert boards.headers["X-Request-ID"] == "down-1"
    assert_no_internals(boards)
    assert str(unreachable_app.config["MYSQL_PORT"]) not in boards.get_data(as_text=True)
    assert body["code"] == 503

    health = client.get("/health")
    assert health.status_code == 503
    assert int(health.headers["Retry-After"]) > 0
    assert health.json["database"] == "unreachable"

    write = client.post("/boards", json={"title": "t"}, headers=headers)
    assert_error(write, 503)
    sign_up = client.post("/users", json={"name": "n", "email": "n@example.com",
                                          "password": "long enough"})
    assert_error(sign_up, 503)

    unreachable_app.config["MYSQL_PORT"] = db_server.port

    health = client.get("/health").json
    assert (health["status"], health["database"]) == ("ok", "ok")
    assert client.get("/boards").status_code == 200
    assert client.get(f"/users/{user['id']}").json["name"] == user["name"]
    assert client.post("/boards", json={"title": "t"}, headers=headers).status_code == 201


def held_connection_id(app):
    """The MySQL thread id of the connection this thread keeps for `app`."""
    with app.test_request_context():
        return app.extensions["boards_db"].connection.thread_id()


def kill_and_wait(admin_conn, thread_id):
    """KILL a connection from the admin side and wait until the server has
    dropped it (a condition, not a timing assertion)."""
    with admin_conn.cursor() as cursor:
        cursor.execute("KILL %s", (thread_id,))
    for _ in range(200):
        with admin_conn.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE ID = %s",
                           (thread_id,))
            if cursor.fetchone()["n"] == 0:
                return
        time.sleep(0.05)
    pytest.fail(f"connection {thread_id} still listed after KILL")


@pytest.mark.parametrize(
    "ping_after_idle, expected_503s",
    [(0.0, 0), (1e9, 1)],
    ids=["pinged-before-reuse", "reused-without-ping"],
)
def test_killed_kept_connection_recovers(
    db_server, database_name, app, db, admin_conn, ping_after_idle, expected_503s
):
    """A kept connection killed on the server: when the app pings before
    reusing it, no request notices; when it does not, exactly the first
    request after the kill gets a 503 (and drops the connection), the next
    one opens a new connection and succeeds."""
    kept = make_app(db_server, database_name, MYSQL_PING_AFTER_IDLE=ping_after_idle)
    client = kept.test_client()
    assert client.get("/boards").status_code == 200
    old_id = held_connection_id(kept)
    assert client.get("/users").status_code == 200
    assert held_connection_id(kept) == old_id, "the connection is kept between requests"

    kill_and_wait(admin_conn, old_id)

    statuses = [client.get("/boards").status_code for _ in range(3)]
    assert statuses == [503] * expected_503s + [200] * (3 - expected_503s)
    assert held_connection_id(kept) != old_id
    health = client.get("/health").json
    assert (health["status"], health["database"]) == ("ok", "ok")
