"""The Auth section of API.md: login, bearer tokens, ownership, and that no
password or hash ever leaves the service."""
import logging
import time
import uuid
import warnings
from datetime import timedelta

import jwt
import pytest
from flask.testing import FlaskClient
from flask_jwt_extended import create_access_token, create_refresh_token, decode_token

import auth
from app import create_app
from tests.helpers import PASSWORD, TEST_SECRET, make_app

OTHER_PASSWORD = "another secret 42"


class RecordingClient(FlaskClient):
    """A test client that hands every response it gets to `self.record`."""

    record = None

    def open(self, *args, **kwargs):
        response = super().open(*args, **kwargs)
        self.record(response)
        return response


class Seen:
    """The responses of one test, and every password hash stored meanwhile."""

    def __init__(self):
        self.responses = []
        self.hashes = set()


@pytest.fixture(autouse=True)
def no_secret_leaks(caplog):
    """After each test: no recorded response and no log line contains a
    password or any hash that was in the users table while the test ran."""
    caplog.set_level(logging.INFO)
    seen = Seen()
    yield seen
    secrets = {PASSWORD, OTHER_PASSWORD, *seen.hashes}
    secrets.update(h.rsplit("$", 1)[-1] for h in seen.hashes)  # the digest alone
    for response in seen.responses:
        text = response.get_data(as_text=True) + str(response.headers)
        for secret in secrets:
            assert secret not in text, f"{response.request.method} {response.request.path} leaks"
    for record in caplog.records:
        for secret in secrets:
            assert secret not in record.getMessage()


@pytest.fixture
def client(app, db, no_secret_leaks):
    """Overrides conftest's client (also for `signup`): every response of
    this module is recorded for no_secret_leaks."""

    def record(response):
        no_secret_leaks.responses.append(response)
        rows = db.all("SELECT password_hash FROM users")
        no_secret_leaks.hashes.update(row["password_hash"] for row in rows)

    app.test_client_class = RecordingClient
    try:
        test_client = app.test_client()
    finally:
        app.test_client_class = None
    test_client.record = record
    return test_client


def assert_401(response):
    assert response.status_code == 401, response.get_data(as_text=True)
    assert response.is_json
    assert response.json["code"] == 401
    assert response.json["message"]
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def login(client, email, password):
    return client.post("/auth/login", json={"email": email, "password": password})


def resigned(token, key, algorithm):
    """The same claims as a real token, signed differently."""
    claims = jwt.decode(token, options={"verify_signature": False})
    with warnings.catch_warnings():  # PyJWT warns about a short key for HS512
        warnings.simplefilter("ignore")
        return jwt.encode(claims, key, algorithm=algorithm)


def snapshot(db):
    """Everything a rejected write must leave as it was."""
    return {
        table: db.all(f"SELECT * FROM {table} ORDER BY 1, 2")
        for table in ("users", "boards", "comments", "follows")
    }


# Login


def test_login_returns_a_bearer_token(app, client, signup):
    alice, _ = signup()
    response = login(client, alice["email"], PASSWORD)
    assert response.status_code == 200
    body = response.json
    assert set(body) == {"access_token", "token_type", "expires_in"}
    assert body["token_type"] == "Bearer"
    configured = app.config["JWT_ACCESS_TOKEN_EXPIRES"].total_seconds()
    assert body["expires_in"] == configured > 0
    claims = jwt.decode(body["access_token"], TEST_SECRET, algorithms=["HS256"])
    assert claims["sub"] == str(alice["id"])
    assert claims["exp"] - claims["iat"] == body["expires_in"]
    assert claims["gen"] == 0  # a new user's token generation
    assert uuid.UUID(claims["jti"])
    me = client.get("/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.json["id"] == alice["id"]


def test_wrong_password_and_unknown_email_get_the_same_401(client, signup):
    alice, _ = signup()
    wrong_password = login(client, alice["email"], OTHER_PASSWORD)
    unknown_email = login(client, "nobody@example.com", PASSWORD)
    assert wrong_password.status_code == unknown_email.status_code == 401
    assert wrong_password.json == unknown_email.json
    assert wrong_password.json["message"]
    assert "access_token" not in wrong_password.json


@pytest.mark.parametrize(
    "body, field",
    [({"password": PASSWORD}, "email"), ({"email": "a@example.com"}, "password"),
     ({"email": "a@example.com", "password": 5}, "password"),
     ({"email": "a@example.com", "password": PASSWORD, "remember": True}, "remember")],
    ids=["no-email", "no-password", "password-int", "unknown-field"],
)
def test_login_invalid_body_is_422(client, db, body, field):
    response = client.post("/auth/login", json=body)
    assert response.status_code == 422
    assert field in response.json["errors"]["json"]


def test_stored_hashes_are_scrypt_and_salted(client, signup, db):
    signup(password=PASSWORD)
    signup(password=PASSWORD)
    hashes = [row["password_hash"] for row in db.all("SELECT password_hash FROM users")]
    assert len(hashes) == 2
    assert all(h.startswith("scrypt:") for h in hashes)
    assert hashes[0] != hashes[1]  # same password, different salts


def test_default_hash_method_is_full_strength_scrypt(db_server, database_name):
    from auth import hash_password

    app = create_app({**db_server.app_config(database_name), "SECRET_KEY": TEST_SECRET})
    with app.app_context():
        stored = hash_password(PASSWORD)
    method, _salt, _digest = stored.split("$")
    assert method.split(":")[0] == "scrypt"
    assert int(method.split(":")[1]) >= 2**15


# Protected endpoints, in conftest's world (alice owns everything).
# (method, OpenAPI path) -> (URL for world.url, json body, owner's status, another user's status);
# another user's status is None where the operation is not owner-scoped.
PROTECTED = {
    ("GET", "/me"): ("/me", None, 200, None),
    ("POST", "/auth/logout"): ("/auth/logout", None, 204, None),
    ("PUT", "/users/{user_id}"): ("/users/{alice}", {"name": "n2", "email": "n2@example.com"}, 200, 403),
    ("PATCH", "/users/{user_id}"): ("/users/{alice}", {"name": "n3"}, 200, 403),
    ("DELETE", "/users/{user_id}"): ("/users/{alice}", None, 204, 403),
    ("PUT", "/users/{user_id}/follow"): ("/users/{bob}/follow", None, 204, None),
    ("DELETE", "/users/{user_id}/follow"): ("/users/{bob}/follow", None, 204, None),
    ("POST", "/boards"): ("/boards", {"title": "new"}, 201, None),
    ("PUT", "/boards/{board_id}"): ("/boards/{board}", {"title": "t2", "content": "c2"}, 200, 403),
    ("PATCH", "/boards/{board_id}"): ("/boards/{board}", {"title": "t3"}, 200, 403),
    ("DELETE", "/boards/{board_id}"): ("/boards/{board}", None, 204, 403),
    ("GET", "/feed"): ("/feed", None, 200, None),
    ("POST", "/boards/{board_id}/comments"): ("/boards/{board}/comments", {"content": "c"}, 201, None),
    ("DELETE", "/comments/{comment_id}"): ("/comments/{comment}", None, 204, 403),
    ("PUT", "/boards/{board_id}/favorite"): ("/boards/{board}/favorite", None, 204, None),
    ("DELETE", "/boards/{board_id}/favorite"): ("/boards/{board}/favorite", None, 204, None),
}
OWNER_SCOPED = [key for key, case in PROTECTED.items() if case[3] is not None]


def call(client, key, world, headers):
    method, _path = key
    url, body, _, _ = PROTECTED[key]
    return client.open(world.url(url), method=method, json=body, headers=headers)


def native_paths(spec):
    """The native API's paths (RealWorld's /api has its own Token scheme:
    tests/test_realworld_openapi.py)."""
    return {path: operations for path, operations in spec["paths"].items() if not path.startswith("/api/")}


def secured_operations(spec):
    return {
        (method.upper(), path)
        for path, operations in native_paths(spec).items()
        for method, operation in operations.items()
        if isinstance(operation, dict) and operation.get("security")
    }


def test_openapi_declares_bearer_auth_on_exactly_the_protected_operations(client, db):
    spec = client.get("/openapi.json").json
    assert spec["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
    assert secured_operations(spec) == set(PROTECTED)
    for path, operations in native_paths(spec).items():
        for method, operation in operations.items():
            if isinstance(operation, dict):
                for requirement in operation.get("security", []):
                    assert set(requirement) == {"bearerAuth"}, (method, path)


def test_openapi_documents_401_and_403_where_they_happen(client, db):
    paths = client.get("/openapi.json").json["paths"]
    for method, path in PROTECTED:
        responses = paths[path][method.lower()]["responses"]
        assert "401" in responses, (method, path)
        if PROTECTED[(method, path)][3] == 403:
            assert "403" in responses, (method, path)


def test_unsecured_operations_answer_without_a_token(client, world):
    """Everything OpenAPI does not mark secured really is public."""
    spec = client.get("/openapi.json").json
    ids = {"user_id": world.alice["id"], "board_id": world.board["id"],
           "comment_id": world.comment["id"], "name": world.alice["name"]}
    for path, operations in spec["paths"].items():
        if "get" in operations and not operations["get"].get("security"):
            response = client.get(path.format(**ids))
            assert response.status_code == 200, path


def access_token(identity, **kwargs):
    """A token as auth.issue_token makes them, of a new user's generation (0)."""
    return create_access_token(identity, additional_claims={"gen": 0}, **kwargs)


def expired_token(app, world):
    with app.app_context():
        return access_token(str(world.alice["id"]), expires_delta=timedelta(seconds=-1))


def token_of_missing_user(app, world):
    with app.app_context():
        return access_token("999999999")


def token_with_non_numeric_subject(app, world):
    with app.app_context():
        return access_token("alice")


def good_token(world):
    return world.alice_headers["Authorization"].split(" ", 1)[1]


BAD_AUTHORIZATION = {
    "missing": lambda app, w: None,
    "empty-bearer": lambda app, w: "Bearer ",
    "garbled": lambda app, w: "Bearer not.a.token",
    "truncated": lambda app, w: "Bearer " + good_token(w)[:-5],
    "basic-scheme": lambda app, w: "Basic " + good_token(w),
    "expired": lambda app, w: "Bearer " + expired_token(app, w),
    "other-key": lambda app, w: "Bearer " + resigned(good_token(w), "another-key-" * 4, "HS256"),
    "alg-none": lambda app, w: "Bearer " + resigned(good_token(w), None, "none"),
    "alg-hs512": lambda app, w: "Bearer " + resigned(good_token(w), TEST_SECRET, "HS512"),
    "missing-user": lambda app, w: "Bearer " + token_of_missing_user(app, w),
    "non-numeric-sub": lambda app, w: "Bearer " + token_with_non_numeric_subject(app, w),
}


@pytest.mark.parametrize("kind", BAD_AUTHORIZATION)
@pytest.mark.parametrize("key", PROTECTED, ids=" ".join)
def test_protected_endpoint_without_a_valid_token_is_401(app, client, db, world, key, kind):
    authorization = BAD_AUTHORIZATION[kind](app, world)
    headers = {"Authorization": authorization} if authorization is not None else {}
    before = snapshot(db)
    assert_401(call(client, key, world, headers))
    assert snapshot(db) == before


def test_expired_token_says_so(app, client, world):
    response = client.get("/me", headers={"Authorization": "Bearer " + expired_token(app, world)})
    assert_401(response)
    assert "expired" in response.json["message"]


@pytest.mark.parametrize("key", OWNER_SCOPED, ids=" ".join)
def test_another_users_token_is_403(client, db, world, key):
    before = snapshot(db)
    response = call(client, key, world, world.bob_headers)
    assert response.status_code == PROTECTED[key][3] == 403
    assert response.json["code"] == 403
    assert snapshot(db) == before


@pytest.mark.parametrize("key", PROTECTED, ids=" ".join)
def test_owners_token_succeeds(client, world, key):
    response = call(client, key, world, world.alice_headers)
    assert response.status_code == PROTECTED[key][2], response.get_data(as_text=True)


def test_password_change_ends_the_token_and_the_old_password(client, world):
    """tests/test_sessions.py has the other ways a token ends."""
    alice, headers = world.alice, world.alice_headers
    changed = client.patch(f"/users/{alice['id']}", json={"password": OTHER_PASSWORD}, headers=headers)
    assert changed.status_code == 200
    assert_401(client.get("/me", headers=headers))
    assert login(client, alice["email"], PASSWORD).status_code == 401
    token = login(client, alice["email"], OTHER_PASSWORD).json["access_token"]
    assert client.get("/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_token_decodes_only_with_the_apps_key(app, world):
    with app.app_context():
        assert decode_token(good_token(world))["sub"] == str(world.alice["id"])


def test_a_token_that_was_accepted_is_refused_once_it_expires(client, world, monkeypatch):
    """A token is checked in full once per process and its claims kept; its
    expiry must still be checked on every later request."""
    headers = world.alice_headers
    assert client.get("/me", headers=headers).status_code == 200
    expires = jwt.decode(good_token(world), options={"verify_signature": False})["exp"]
    monkeypatch.setattr(auth, "now_seconds", lambda: expires - 1)
    assert client.get("/me", headers=headers).status_code == 200
    monkeypatch.setattr(auth, "now_seconds", lambda: expires)
    response = client.get("/me", headers=headers)
    assert_401(response)
    assert "expired" in response.json["message"]


def test_a_token_accepted_by_one_app_is_refused_by_an_app_with_another_key(
    app, client, world, db_server, database_name
):
    headers = world.alice_headers
    assert client.get("/me", headers=headers).status_code == 200
    other = make_app(db_server, database_name, SECRET_KEY="another-secret-key-long-enough-for-hs256")
    assert_401(other.test_client().get("/me", headers=headers))


# Leaks on the error paths too (checked by no_secret_leaks)


def test_error_paths_do_not_echo_the_password(client, signup):
    alice, _ = signup(password=OTHER_PASSWORD)
    assert client.post("/users", json={"name": "x", "email": alice["email"],
                                       "password": OTHER_PASSWORD}).status_code == 409
    assert client.post("/users", json={"name": OTHER_PASSWORD * 5, "email": "bad",
                                       "password": OTHER_PASSWORD * 5}).status_code == 422
    assert login(client, alice["email"], OTHER_PASSWORD + "x").status_code == 401
    assert login(client, alice["email"], OTHER_PASSWORD).status_code == 200
    assert client.get(f"/users/{alice['id']}").status_code == 200
    assert client.get("/users").status_code == 200


def test_leak_check_knows_the_stored_hashes(db, signup, no_secret_leaks):
    """The leak check is only as good as its list of hashes and responses."""
    signup()
    stored = db.value("SELECT password_hash FROM users")
    assert no_secret_leaks.hashes == {stored}
    assert len(no_secret_leaks.responses) == 2  # sign-up and login


# Signing key


def test_app_refuses_to_start_in_production_without_secret_key(monkeypatch):
    monkeypatch.setenv("BOARDS_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app()
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({"BOARDS_ENV": "production", "SECRET_KEY": ""})


def test_production_with_secret_key_starts(monkeypatch):
    monkeypatch.setenv("BOARDS_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", TEST_SECRET)
    assert create_app().config["JWT_SECRET_KEY"] == TEST_SECRET


def test_development_without_secret_key_warns_and_uses_a_random_one(monkeypatch, caplog):
    monkeypatch.delenv("BOARDS_ENV", raising=False)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first, second = create_app(), create_app()
    assert first.config["SECRET_KEY"] and first.config["SECRET_KEY"] != second.config["SECRET_KEY"]
    assert any("SECRET_KEY" in r.getMessage() and r.levelno == logging.WARNING for r in caplog.records)


def signed(app, claims, key=TEST_SECRET, algorithm="HS256"):
    return jwt.encode(claims, key, algorithm=algorithm)


def equivalence_cases(app, world):
    """Tokens as the service issues them, and every way one can be wrong."""
    alice = str(world.alice["id"])
    now = int(time.time())
    with app.app_context():
        issued = {
            "issued": good_token(world),
            "expired": expired_token(app, world),
            "refresh": create_refresh_token(alice, additional_claims={"gen": 0}),
            "fresh": access_token(alice, fresh=True),
            "no-expiry": access_token(alice, expires_delta=False),
            "non-numeric-sub": token_with_non_numeric_subject(app, world),
            "no-gen": create_access_token(alice),
        }
    revocable = {"exp": now + 60, "jti": str(uuid.uuid4()), "gen": 0}
    crafted = {
        "other-key": resigned(good_token(world), "another-key-" * 4, "HS256"),
        "alg-none": resigned(good_token(world), None, "none"),
        "alg-hs512": resigned(good_token(world), TEST_SECRET, "HS512"),
        "truncated": good_token(world)[:-5],
        "garbled": "not.a.token",
        "no-sub": signed(app, {**revocable, "type": "access"}),
        "numeric-sub": signed(app, {**revocable, "sub": 1}),
        "no-type": signed(app, {**revocable, "sub": alice}),
        "future-nbf": signed(app, {**revocable, "sub": alice, "nbf": now + 30}),
        "bad-iat": signed(app, {**revocable, "sub": alice, "iat": "soon"}),
        "no-jti": signed(app, {"sub": alice, "exp": now + 60, "gen": 0}),
        "long-jti": signed(app, {**revocable, "sub": alice, "jti": "x" * 37}),
        "numeric-jti": signed(app, {**revocable, "sub": alice, "jti": 7}),
        "string-gen": signed(app, {**revocable, "sub": alice, "gen": "0"}),
        "boolean-gen": signed(app, {**revocable, "sub": alice, "gen": False}),
        "negative-gen": signed(app, {**revocable, "sub": alice, "gen": -1}),
    }
    return {**issued, **crafted}


# Accepted by flask-jwt-extended, refused here: a token that could not be
# revoked (no expiry for the revocation to end with, no jti or generation).
NOT_REVOCABLE = {"no-expiry", "no-gen", "no-jti", "long-jti", "string-gen", "boolean-gen",
                 "negative-gen"}


def test_tokens_are_accepted_exactly_when_flask_jwt_extended_accepts_them(app, world):
    """auth.verified_claims replaces flask-jwt-extended's `jwt_required`
    (docs/performance.md): the same tokens pass, with the same claims, but
    for those that could not be revoked (NOT_REVOCABLE), which the library
    accepts and the service never issues. The library's way is
    `decode_token` plus `jwt_required`'s type check."""
    accepted = set()
    for name, token in equivalence_cases(app, world).items():
        with app.test_request_context():
            try:
                theirs = decode_token(token)
                theirs = theirs if theirs["type"] == "access" else None
            except Exception:  # noqa: BLE001 - any refusal of the library's
                theirs = None
            try:
                ours = dict(auth.verified_claims(token))
                ours.setdefault("type", "access")
                ours.setdefault("fresh", False)
                ours.setdefault("jti", None)
            except jwt.PyJWTError:
                ours = None
        if name in NOT_REVOCABLE:
            assert theirs is not None and ours is None, name
        else:
            assert ours == theirs, name
        if ours is not None:
            accepted.add(name)
    assert accepted == {"issued", "fresh", "non-numeric-sub", "no-type"}
