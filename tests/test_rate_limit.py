"""Login brute force: failed logins are limited per account and per client
address (rate_limit.py), on memory or on Redis; successful logins never are."""
import itertools
import logging
import time
import uuid

import pytest
import redis

from config import config_from_environment
from scripts.processes import free_port
from tests.helpers import PASSWORD, make_app

REDIS_URI = "redis://127.0.0.1:6379/0"
WRONG = "wrong password 1"
_numbers = itertools.count(1)


@pytest.fixture
def limited_app(db_server, database_name, app, db):
    """limited_app(**config) -> a fresh app (its own in-memory counters) on the test database."""

    def make(**overrides):
        return make_app(db_server, database_name, **{"RATELIMIT_ENABLED": True, **overrides})

    return make


@pytest.fixture
def redis_prefix():
    """A key prefix of this test alone; its keys are removed afterwards."""
    prefix = f"boards-test-{uuid.uuid4().hex}"
    yield prefix
    connection = redis.Redis.from_url(REDIS_URI)
    keys = list(connection.scan_iter(f"*{prefix}*"))
    if keys:
        connection.delete(*keys)
    connection.close()


def new_user(client):
    n = next(_numbers)
    email = f"limited{n}-{uuid.uuid4().hex[:6]}@example.com"
    response = client.post(
        "/users", json={"name": f"limited{n}-{uuid.uuid4().hex[:6]}", "email": email, "password": PASSWORD}
    )
    assert response.status_code == 201, response.json
    return email


def login(client, email, password=WRONG, address="127.0.0.1"):
    return client.post(
        "/auth/login",
        json={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def assert_429(response):
    assert response.status_code == 429, response.json
    body = response.json
    assert body["code"] == 429 and body["status"] == "Too Many Requests"
    retry_after = int(response.headers["Retry-After"])
    assert 1 <= retry_after <= 60
    assert f"{retry_after} seconds" in body["message"]
    return retry_after


def fail_until_limited(client, email, allowed, address="127.0.0.1"):
    for attempt in range(allowed):
        assert login(client, email, address=address).status_code == 401, attempt
    return assert_429(login(client, email, address=address))


def test_defaults_come_from_the_environment():
    defaults = config_from_environment({})
    assert defaults["LOGIN_FAILURES_PER_ACCOUNT"] == "5/minute"
    assert defaults["LOGIN_FAILURES_PER_ADDRESS"] == "50/minute"
    assert defaults["RATELIMIT_STORAGE_URI"] == "memory://"
    custom = config_from_environment(
        {"LOGIN_FAILURES_PER_ACCOUNT": "3/hour", "RATELIMIT_STORAGE_URI": REDIS_URI,
         "RATELIMIT_ENABLED": "false"}
    )
    assert custom["LOGIN_FAILURES_PER_ACCOUNT"] == "3/hour"
    assert custom["RATELIMIT_STORAGE_URI"] == REDIS_URI
    assert custom["RATELIMIT_ENABLED"] is False


def test_sixth_failure_for_one_account_is_429_even_with_the_right_password(limited_app):
    client = limited_app().test_client()
    email = new_user(client)
    fail_until_limited(client, email, allowed=5)
    assert_429(login(client, email, PASSWORD))
    other = new_user(client)
    assert login(client, other, PASSWORD).status_code == 200, "other accounts are not locked"


def test_unknown_account_is_limited_the_same_way(limited_app):
    client = limited_app().test_client()
    fail_until_limited(client, f"nobody-{uuid.uuid4().hex}@example.com", allowed=5)


def test_spelling_variants_of_one_email_share_the_account_count(limited_app):
    client = limited_app().test_client()
    email = new_user(client)
    variants = [email, email.upper(), email.title(), f"{email} ", email.swapcase()]
    for variant in variants:
        assert login(client, variant).status_code == 401
    assert_429(login(client, email.capitalize(), PASSWORD))


def test_account_limit_applies_across_addresses(limited_app):
    client = limited_app().test_client()
    email = new_user(client)
    for n in range(5):
        assert login(client, email, address=f"10.0.0.{n + 1}").status_code == 401
    assert_429(login(client, email, PASSWORD, address="10.0.0.99"))


def test_address_limit_from_the_environment_counts_failures_over_all_accounts(
    limited_app, monkeypatch
):
    monkeypatch.setenv("LOGIN_FAILURES_PER_ADDRESS", "8/minute")
    app = limited_app()
    assert app.config["LOGIN_FAILURES_PER_ADDRESS"] == "8/minute"
    client = app.test_client()
    email = new_user(client)
    for n in range(8):
        assert login(client, f"guess{n}@example.com", address="192.0.2.7").status_code == 401
    assert_429(login(client, email, PASSWORD, address="192.0.2.7"))
    assert login(client, email, PASSWORD, address="192.0.2.8").status_code == 200


def test_default_address_limit_is_50_failures(limited_app):
    client = limited_app().test_client()
    for n in range(50):
        assert login(client, f"guess{n}-{uuid.uuid4().hex}@example.com").status_code == 401, n
    assert_429(login(client, f"guess-last-{uuid.uuid4().hex}@example.com"))


def test_hundreds_of_successful_logins_from_one_address_are_never_limited(limited_app):
    client = limited_app().test_client()
    emails = [new_user(client) for _ in range(200)]
    statuses = {login(client, email, PASSWORD).status_code for email in emails}
    statuses |= {login(client, emails[0], PASSWORD).status_code for _ in range(60)}
    assert statuses == {200}


def test_invalid_requests_are_not_counted(limited_app):
    client = limited_app().test_client()
    email = new_user(client)
    for _ in range(10):
        response = client.post("/auth/login", json={"email": email})
        assert response.status_code == 422
    assert login(client, email, PASSWORD).status_code == 200


def test_limit_lifts_after_retry_after(limited_app):
    client = limited_app(LOGIN_FAILURES_PER_ACCOUNT="2/2second").test_client()
    email = new_user(client)
    retry_after = fail_until_limited(client, email, allowed=2)
    assert retry_after <= 2
    time.sleep(retry_after + 0.2)
    assert login(client, email, PASSWORD).status_code == 200


def test_disabled_limits_never_answer_429(limited_app):
    client = limited_app(RATELIMIT_ENABLED=False).test_client()
    email = new_user(client)
    assert {login(client, email).status_code for _ in range(12)} == {401}


def test_openapi_documents_429_on_login(limited_app):
    spec = limited_app().test_client().get("/openapi.json").json
    assert "429" in spec["paths"]["/auth/login"]["post"]["responses"]


# Redis


def test_redis_storage_counts_failures_for_every_worker(limited_app, redis_prefix):
    settings = {"RATELIMIT_STORAGE_URI": REDIS_URI, "RATELIMIT_KEY_PREFIX": redis_prefix}
    first, second = limited_app(**settings).test_client(), limited_app(**settings).test_client()
    email = new_user(first)
    for client in (first, second, first, second, first):
        assert login(client, email).status_code == 401
    assert_429(login(second, email, PASSWORD))
    assert_429(login(first, email, PASSWORD))
    keys = list(redis.Redis.from_url(REDIS_URI).scan_iter(f"*{redis_prefix}*"))
    assert keys, "the counts are in Redis, under this run's prefix"


def test_redis_limits_from_the_environment(limited_app, redis_prefix, monkeypatch):
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", REDIS_URI)
    monkeypatch.setenv("RATELIMIT_KEY_PREFIX", redis_prefix)
    monkeypatch.setenv("LOGIN_FAILURES_PER_ACCOUNT", "3/minute")
    client = limited_app().test_client()
    email = new_user(client)
    fail_until_limited(client, email, allowed=3)


def test_unreachable_redis_fails_open_and_logs(limited_app, caplog):
    unreachable = f"redis://127.0.0.1:{free_port()}/0"
    client = limited_app(RATELIMIT_STORAGE_URI=unreachable).test_client()
    email = new_user(client)
    assert {login(client, email).status_code for _ in range(7)} == {401}
    assert login(client, email, PASSWORD).status_code == 200
    assert any(
        r.name == "boards.rate_limit" and r.levelno == logging.ERROR for r in caplog.records
    )
