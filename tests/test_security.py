"""The Security section of issue 8: bearer tokens, production settings,
passwords, security headers, CSP, CORS, and 500s without internals."""
import logging
from datetime import datetime, timedelta, timezone
from html.parser import HTMLParser

import flask
import jwt
import pytest
from playwright.sync_api import sync_playwright

import auth
from app import create_app
from web.request_log import RequestIdFilter
from scripts.processes import free_port
from tests.helpers.browser import launch_chromium
from tests.helpers import PASSWORD, TEST_SECRET, make_app, serve_in_thread

STRONG_SECRET = "k3Q9v-vXc1c7gZ4bT2Nw8yR0pLm5sHj6dFa1EoUi"


def assert_contract_error(response, code):
    assert response.status_code == code, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    body = response.json
    assert body["code"] == code and body["status"] and body["message"]
    return body


def counts(db):
    return {t: db.value(f"SELECT COUNT(*) FROM {t}") for t in ("users", "boards", "comments", "follows")}


# Tokens


def token_for(user_id, key=TEST_SECRET, algorithm="HS256", **claims):
    now = datetime.now(timezone.utc)
    payload = {"sub": str(user_id), "iat": now, "nbf": now, "jti": "x", "type": "access",
               "fresh": False, "exp": now + timedelta(minutes=5), **claims}
    return jwt.encode(payload, key, algorithm=algorithm)


def alg_none(user):
    return "Bearer " + jwt.encode({"sub": str(user["id"]), "type": "access"}, None, algorithm="none")


BAD_TOKENS = {
    "alg-none": alg_none,
    "wrong-signature": lambda u: "Bearer " + token_for(u["id"], key="another-secret-" * 3),
    "expired": lambda u: "Bearer " + token_for(
        u["id"], exp=datetime.now(timezone.utc) - timedelta(seconds=5)
    ),
    "bearer-without-token": lambda u: "Bearer",
    "bearer-space-only": lambda u: "Bearer ",
    "basic-scheme": lambda u: "Basic x",
    "bearer-two-parts": lambda u: "Bearer a b",
    "empty-header": lambda u: "",
    "token-without-scheme": lambda u: token_for(u["id"]),
}


@pytest.mark.parametrize("kind", BAD_TOKENS)
@pytest.mark.parametrize(
    "method, url", [("GET", "/me"), ("POST", "/boards")], ids=["GET /me", "POST /boards"]
)
def test_bad_token_is_401_with_contract_body_and_stores_nothing(client, signup, db, kind, method, url):
    user, _ = signup()
    before = counts(db)
    headers = {"Authorization": BAD_TOKENS[kind](user)}
    response = client.open(url, method=method, headers=headers, json={"title": "t", "content": ""})
    assert_contract_error(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert counts(db) == before


def test_token_of_a_deleted_user_is_401(client, signup, db):
    user, headers = signup()
    assert client.delete(f"/users/{user['id']}", headers=headers).status_code == 204
    for response in (client.get("/me", headers=headers),
                     client.post("/boards", headers=headers, json={"title": "ghost"})):
        assert_contract_error(response, 401)
    assert counts(db)["boards"] == 0


def test_forged_token_does_not_reveal_the_email_on_public_reads(client, signup):
    user, _ = signup()
    for forged in (alg_none(user), BAD_TOKENS["wrong-signature"](user)):
        response = client.get(f"/users/{user['id']}", headers={"Authorization": forged})
        assert response.status_code == 200
        assert "email" not in response.json


# Production settings and debug


@pytest.mark.parametrize("secret", [None, "", "dev", "changeme", "Secret", "short-but-random-1"])
def test_production_refuses_a_missing_or_development_secret(monkeypatch, secret):
    monkeypatch.setenv("BOARDS_ENV", "production")
    if secret is None:
        monkeypatch.delenv("SECRET_KEY", raising=False)
    else:
        monkeypatch.setenv("SECRET_KEY", secret)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app()


def test_production_starts_with_a_strong_secret_from_the_environment(monkeypatch):
    monkeypatch.setenv("BOARDS_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", STRONG_SECRET)
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    app = create_app()
    assert app.config["SECRET_KEY"] == app.config["JWT_SECRET_KEY"] == STRONG_SECRET
    assert app.debug is False


def test_debug_is_off_unless_asked_and_refused_in_production(monkeypatch):
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    monkeypatch.delenv("BOARDS_ENV", raising=False)
    assert create_app({"SECRET_KEY": STRONG_SECRET}).debug is False
    monkeypatch.setenv("FLASK_DEBUG", "1")
    assert create_app({"SECRET_KEY": STRONG_SECRET}).debug is True, "asked for"
    monkeypatch.setenv("BOARDS_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", STRONG_SECRET)
    with pytest.raises(RuntimeError, match="Debug"):
        create_app()


# Passwords


@pytest.fixture
def hash_checks(monkeypatch):
    """Every (stored hash, password) that auth checks during the test."""
    seen = []
    real = auth.check_password_hash

    def counting(stored_hash, password):
        seen.append(stored_hash)
        return real(stored_hash, password)

    monkeypatch.setattr(auth, "check_password_hash", counting)
    return seen


def test_unknown_user_costs_one_hash_check_like_a_wrong_password(client, signup, db, hash_checks):
    user, _ = signup()
    stored = db.value("SELECT password_hash FROM users WHERE id = %s", (user["id"],))
    email = db.value("SELECT email FROM users WHERE id = %s", (user["id"],))
    hash_checks.clear()
    wrong = client.post("/auth/login", json={"email": email, "password": "not the password"})
    assert hash_checks == [stored]
    unknown = client.post("/auth/login", json={"email": "nobody@example.com", "password": "x" * 9})
    assert len(hash_checks) == 2
    dummy = hash_checks[1]
    assert dummy != stored
    parameters = stored.split("$", 1)[0]
    assert dummy.split("$", 1)[0] == parameters, "same method and cost parameters as real hashes"
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json == unknown.json
    assert {k for k, _ in wrong.headers} == {k for k, _ in unknown.headers}


def test_no_password_or_hash_in_any_response_or_log_line(client, signup, db, caplog):
    caplog.set_level(logging.DEBUG)
    user, headers = signup(password=PASSWORD)
    new_password = "brand new secret 77"
    email = db.value("SELECT email FROM users WHERE id = %s", (user["id"],))
    responses = [
        client.get("/me", headers=headers),
        client.get(f"/users/{user['id']}", headers=headers),
        client.get("/users"),
        client.post("/auth/login", json={"email": email, "password": "wrong " + PASSWORD}),
        client.post("/users", json={"name": "x", "email": "bad", "password": "short"}),
        client.post("/users", json={"name": "y" * 60, "email": email, "password": new_password}),
        client.patch(f"/users/{user['id']}", headers=headers, json={"password": new_password}),
        client.post("/auth/login", json={"email": email, "password": new_password}),
    ]
    stored = db.value("SELECT password_hash FROM users WHERE id = %s", (user["id"],))
    secrets = {PASSWORD, new_password, "short", stored, stored.rsplit("$", 1)[-1]}
    for response in responses:
        text = response.get_data(as_text=True) + str(response.headers)
        assert not [s for s in secrets if s in text], response.request.path
    log_text = "\n".join(r.getMessage() + str(r.args) for r in caplog.records)
    assert caplog.records, "the requests were logged"
    assert not [s for s in secrets if s in log_text]


# Headers


def failing_app(db_server, database_name):
    app = make_app(db_server, database_name, PROPAGATE_EXCEPTIONS=False)

    def explode():
        raise RuntimeError("secret-internal-detail")

    app.add_url_rule("/boom", "boom", explode)
    return app


HEADER_CASES = {
    "200 json": ("GET", "/boards", {}, 200),
    "200 openapi": ("GET", "/openapi.json", {}, 200),
    "201 json": ("POST", "/boards", {"json": {"title": "t"}, "auth": True}, 201),
    "204": ("DELETE", "/users/{me}/follow", {"auth": True}, 204),
    "401": ("POST", "/boards", {"json": {"title": "t"}}, 401),
    "404": ("GET", "/boards/999999", {}, 404),
    "404 route": ("GET", "/no-such-page", {}, 404),
    "405": ("DELETE", "/boards", {}, 405),
    "413": ("POST", "/users", {"data": b"{" * (2 * 1024 * 1024), "json_type": True}, 413),
    "415": ("POST", "/users", {"data": b"name=x"}, 415),
    "400": ("POST", "/users", {"data": b"[]", "json_type": True}, 400),
    "422": ("POST", "/users", {"json": {}}, 422),
    "html manage-users": ("GET", "/manage-users", {}, 200),
    "html manage-boards": ("GET", "/manage-boards", {}, 200),
    "html swagger-ui": ("GET", "/swagger-ui", {}, 200),
    "static js": ("GET", "/static/swagger-ui-init.js", {}, 200),
    "swagger asset": ("GET", "/swagger-ui-assets/swagger-ui.css", {}, 200),
}


def assert_security_headers(response):
    headers = response.headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]


@pytest.mark.parametrize("case", HEADER_CASES)
def test_security_headers_on_every_response(client, signup, case):
    method, url, options, status = HEADER_CASES[case]
    user, auth_headers = signup()
    kwargs = {"headers": dict(auth_headers) if options.get("auth") else {}}
    if "json" in options:
        kwargs["json"] = options["json"]
    if "data" in options:
        kwargs["data"] = options["data"]
        kwargs["content_type"] = "application/json" if options.get("json_type") else "text/plain"
    response = client.open(url.format(me=user["id"]), method=method, **kwargs)
    response.close()
    assert response.status_code == status
    assert_security_headers(response)


def test_security_headers_on_304_429_500_and_503(client, signup, db_server, database_name):
    _, headers = signup()
    location = client.post("/boards", json={"title": "t"}, headers=headers).headers["Location"]
    etag = client.get(location).headers["ETag"]
    not_modified = client.get(location, headers={"If-None-Match": etag})
    assert not_modified.status_code == 304
    limited = make_app(
        db_server, database_name, RATELIMIT_ENABLED=True, LOGIN_FAILURES_PER_ACCOUNT="1/minute"
    ).test_client()
    for _ in range(2):
        too_many = limited.post("/auth/login", json={"email": "a@example.com", "password": "x"})
    assert too_many.status_code == 429
    broken = failing_app(db_server, database_name).test_client().get("/boom")
    assert broken.status_code == 500
    unreachable = make_app(
        db_server, database_name, MYSQL_PORT=free_port(), MYSQL_CONNECT_TIMEOUT=2
    ).test_client().get("/boards")
    assert unreachable.status_code == 503
    for response in (not_modified, too_many, broken, unreachable):
        assert_security_headers(response)


class ScriptTags(HTMLParser):
    """The <script> tags of a page, and any inline event handler attributes."""

    def __init__(self):
        super().__init__()
        self.scripts, self.handlers = [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.handlers += [name for name in attrs if name.startswith("on")]
        if tag == "script":
            self.scripts.append(attrs.get("src"))


@pytest.mark.parametrize("url", ["/manage-users", "/manage-boards", "/swagger-ui"])
def test_html_pages_have_a_csp_without_inline_scripts_and_no_inline_script(client, db, url):
    response = client.get(url)
    policy = dict(
        (directive.split(" ", 1) + [""])[:2]
        for directive in (d.strip() for d in response.headers["Content-Security-Policy"].split(";"))
    )
    assert policy["script-src"] == "'self'"
    assert "unsafe" not in policy["script-src"] and "unsafe" not in policy["default-src"]
    assert policy["object-src"] == "'none'" and policy["frame-ancestors"] == "'none'"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
    page = ScriptTags()
    page.feed(response.get_data(as_text=True))
    assert page.scripts, "the page loads its scripts"
    assert None not in page.scripts, "every script has a src: no inline script"
    assert not page.handlers, "no inline event handlers"
    for src in page.scripts:
        script = client.get(src)
        script.close()
        assert script.status_code == 200, src


def test_json_responses_get_a_policy_that_allows_nothing(client, db):
    assert client.get("/boards").headers["Content-Security-Policy"].startswith("default-src 'none'")


def test_no_cookie_session_is_read_or_written(app, client, signup):
    """The API is stateless: no request sets a cookie, and a view cannot
    write to the (shared, empty) session."""
    _, headers = signup()
    responses = [client.get("/boards"), client.get("/manage-users"),
                 client.post("/boards", json={"title": "t"}, headers=headers)]
    assert [r.headers.get("Set-Cookie") for r in responses] == [None, None, None]
    with app.test_request_context("/"):
        with pytest.raises(RuntimeError):
            flask.session["user"] = "x"
        assert dict(flask.session) == {}


# CORS


PREFLIGHT = {
    "Access-Control-Request-Method": "POST",
    "Access-Control-Request-Headers": "Authorization, Content-Type",
}


def test_cors_is_off_by_default(client, db):
    for response in (
        client.get("/boards", headers={"Origin": "https://evil.example"}),
        client.options("/boards", headers={"Origin": "https://evil.example", **PREFLIGHT}),
    ):
        assert "Access-Control-Allow-Origin" not in response.headers
        assert "Access-Control-Allow-Credentials" not in response.headers


def test_cors_only_for_origins_in_config(db_server, database_name, db, monkeypatch):
    monkeypatch.setenv("CORS_ORIGINS", "https://app.example, https://admin.example")
    client = make_app(db_server, database_name).test_client()
    allowed = client.get("/boards", headers={"Origin": "https://app.example"})
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://app.example"
    assert "X-Request-ID" in allowed.headers["Access-Control-Expose-Headers"]
    assert "Origin" in ", ".join(allowed.headers.getlist("Vary"))  # beside Authorization (favorited)
    preflight = client.options("/boards", headers={"Origin": "https://admin.example", **PREFLIGHT})
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == "https://admin.example"
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert "authorization" in preflight.headers["Access-Control-Allow-Headers"].lower()
    for origin in ("https://evil.example", "https://app.example.evil.example", "null"):
        response = client.get("/boards", headers={"Origin": origin})
        assert "Access-Control-Allow-Origin" not in response.headers, origin
        preflight = client.options("/boards", headers={"Origin": origin, **PREFLIGHT})
        assert "Access-Control-Allow-Origin" not in preflight.headers, origin
    assert "Access-Control-Allow-Credentials" not in allowed.headers


# 500


class LogLines(logging.Handler):
    """Log lines with the request id the app's own handler would print."""

    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.lines = []
        self.addFilter(RequestIdFilter())
        self.setFormatter(logging.Formatter("[%(request_id)s] %(name)s %(message)s"))

    def emit(self, record):
        self.lines.append(self.format(record))


def test_500_answers_the_request_id_and_logs_the_traceback_with_it(db_server, database_name, db):
    handler = LogLines()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        response = failing_app(db_server, database_name).test_client().get("/boom")
    finally:
        root.removeHandler(handler)
    body = assert_contract_error(response, 500)
    request_id = response.headers["X-Request-ID"]
    assert body["request_id"] == request_id
    text = response.get_data(as_text=True)
    for internal in ("Traceback", "RuntimeError", "secret-internal-detail", "explode", ".py"):
        assert internal not in text
    logged = [line for line in handler.lines if line.startswith(f"[{request_id}]")]
    assert any("Traceback" in line and "secret-internal-detail" in line for line in logged)


# In a real browser: the pages run under their policy, and the policy bites

RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation",
    (event) => window.__violations.push(event.violatedDirective + " " + event.blockedURI));
"""
INJECT_INLINE_SCRIPT = """() => {
    const script = document.createElement("script");
    script.textContent = "window.__inlineRan = true";
    document.body.appendChild(script);
    return new Promise((resolve) => setTimeout(() => resolve(window.__inlineRan === true), 200));
}"""


def test_pages_run_under_their_policy_and_inline_script_is_blocked(app, db):
    with serve_in_thread(app) as base_url, sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            page = browser.new_page()
            page.add_init_script(RECORD_VIOLATIONS)
            for path in ("/manage-users", "/manage-boards", "/swagger-ui"):
                page.goto(base_url + path)
                page.wait_for_load_state("networkidle")
                assert page.evaluate("window.__violations") == [], path
            assert page.locator(".opblock").count() > 0, "Swagger UI started from its external script"
            assert page.evaluate(INJECT_INLINE_SCRIPT) is False, "an injected inline script must not run"
            assert any("script-src" in v for v in page.evaluate("window.__violations"))
        finally:
            browser.close()
