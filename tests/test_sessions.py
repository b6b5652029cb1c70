"""Sessions that end (issue 16): POST /auth/logout for one token or every
token of the caller, password changes that end older tokens, the state in
MySQL (seen by every process, kept over a restart) and revocations that are
purged once their tokens have expired. docs/security.md has the design."""
import uuid
from datetime import datetime, timedelta, timezone

import jwt
import pytest

from flask_jwt_extended import create_access_token

import auth
import revocations
from migrations import create_database, drop_database, migrate, run_script
from queries import SQL_DIR, load_queries, utc_now
from tests.helpers import PASSWORD, TEST_SECRET, make_app
from scripts.processes import http_call
from tests.helpers.service_process import ServiceProcess, query_all

NEW_PASSWORD = "a brand new secret 7"
ENDED = {"code": 401, "status": "Unauthorized", "message": auth.ENDED_TOKEN_MESSAGE}


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def claims_of(headers):
    token = headers["Authorization"].split(" ", 1)[1]
    return jwt.decode(token, TEST_SECRET, algorithms=["HS256"])


def assert_ended(response):
    assert response.status_code == 401, response.get_data(as_text=True)
    assert response.json == ENDED
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="boards"'


def snapshot(db):
    return {table: db.all(f"SELECT * FROM {table} ORDER BY 1")
            for table in ("users", "boards", "comments", "follows", "revoked_tokens")}


@pytest.fixture
def login(client):
    def make(email, password=PASSWORD):
        response = client.post("/auth/login", json={"email": email, "password": password})
        assert response.status_code == 200, response.json
        return bearer(response.json["access_token"])

    return make


@pytest.fixture
def alice_again(world, login):
    """A second token of alice's (conftest's world has her first)."""
    return login(world.alice["email"])


# Every kind of operation that takes a token: (method, url(world), body, status with a live token).
OPERATIONS = {
    "GET /me": ("GET", lambda w: "/me", None, 200),
    "GET /feed": ("GET", lambda w: "/feed", None, 200),
    "POST /boards": ("POST", lambda w: "/boards", {"title": "new"}, 201),
    "PATCH /boards/{id}": ("PATCH", lambda w: f"/boards/{w.board['id']}", {"title": "t2"}, 200),
    "DELETE /boards/{id}": ("DELETE", lambda w: f"/boards/{w.board['id']}", None, 204),
    "POST /boards/{id}/comments": (
        "POST", lambda w: f"/boards/{w.board['id']}/comments", {"content": "c2"}, 201),
    "DELETE /comments/{id}": ("DELETE", lambda w: f"/comments/{w.comment['id']}", None, 204),
    "PUT /users/{id}/follow": ("PUT", lambda w: f"/users/{w.bob['id']}/follow", None, 204),
    "DELETE /users/{id}/follow": ("DELETE", lambda w: f"/users/{w.bob['id']}/follow", None, 204),
    "PATCH /users/{id}": ("PATCH", lambda w: f"/users/{w.alice['id']}", {"name": "alice2"}, 200),
    "DELETE /users/{id}": ("DELETE", lambda w: f"/users/{w.alice['id']}", None, 204),
    "POST /auth/logout": ("POST", lambda w: "/auth/logout", None, 204),
}


def call(client, operation, world, headers):
    method, url, body, _ = OPERATIONS[operation]
    return client.open(url(world), method=method, json=body, headers=headers)


# Logout of one token


@pytest.mark.parametrize("operation", OPERATIONS)
def test_a_logged_out_token_is_401_everywhere_and_the_users_other_tokens_still_work(
        client, db, world, operation, alice_again):
    response = client.post("/auth/logout", headers=world.alice_headers)
    assert response.status_code == 204
    assert response.get_data() == b""
    before = snapshot(db)
    assert_ended(call(client, operation, world, world.alice_headers))
    assert snapshot(db) == before
    response = call(client, operation, world, alice_again)
    assert response.status_code == OPERATIONS[operation][3], response.get_data(as_text=True)


def test_logout_stores_the_token_until_it_expires(client, db, world, alice_again):
    claims = claims_of(world.alice_headers)
    assert client.post("/auth/logout", headers=world.alice_headers).status_code == 204
    expires = datetime.fromtimestamp(claims["exp"], timezone.utc).replace(tzinfo=None)
    assert db.all("SELECT * FROM revoked_tokens") == [
        {"jti": claims["jti"], "user_id": world.alice["id"], "expires_at": expires}]
    assert client.post("/auth/logout", headers=alice_again).status_code == 204
    assert db.value("SELECT COUNT(*) FROM revoked_tokens") == 2


def test_logout_with_everywhere_false_or_an_empty_body_ends_only_that_token(client, world, login, alice_again):
    third = login(world.alice["email"])
    assert client.post("/auth/logout", json={"everywhere": False}, headers=world.alice_headers).status_code == 204
    assert client.post("/auth/logout", json={}, headers=alice_again).status_code == 204
    assert_ended(client.get("/me", headers=world.alice_headers))
    assert_ended(client.get("/me", headers=alice_again))
    assert client.get("/me", headers=third).status_code == 200


@pytest.mark.parametrize("body", [{"everywhere": "true"}, {"everywhere": "yes"}, {"everywhere": None},
                                  {"everywhere": True, "device": "phone"}],
                         ids=["string-true", "string-yes", "null", "unknown-field"])
def test_a_bad_logout_body_is_422_and_ends_nothing(client, db, world, body):
    before = snapshot(db)
    response = client.post("/auth/logout", json=body, headers=world.alice_headers)
    assert response.status_code == 422
    assert response.json["errors"]["json"]
    assert snapshot(db) == before
    assert client.get("/me", headers=world.alice_headers).status_code == 200


def test_logout_without_a_token_is_401(client, db):
    response = client.post("/auth/logout")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="boards"'


def test_a_logged_out_token_no_longer_shows_the_email_on_public_reads(client, world, alice_again):
    url = f"/users/{world.alice['id']}"
    assert "email" in client.get(url, headers=world.alice_headers).json
    assert client.post("/auth/logout", headers=world.alice_headers).status_code == 204
    response = client.get(url, headers=world.alice_headers)
    assert response.status_code == 200  # reads are public: the token is ignored
    assert "email" not in response.json
    assert "email" in client.get(url, headers=alice_again).json


# Logout everywhere


def test_logout_everywhere_ends_every_token_of_the_caller_only(client, db, world, login, alice_again):
    third = login(world.alice["email"])
    response = client.post("/auth/logout", json={"everywhere": True}, headers=alice_again)
    assert response.status_code == 204
    for headers in (world.alice_headers, alice_again, third):
        assert_ended(client.get("/me", headers=headers))
        assert_ended(client.post("/boards", json={"title": "x"}, headers=headers))
        assert_ended(client.get("/feed", headers=headers))
    assert client.get("/me", headers=world.bob_headers).status_code == 200
    assert db.value("SELECT COUNT(*) FROM revoked_tokens") == 0  # the generation did it
    fresh = login(world.alice["email"])
    assert claims_of(fresh)["gen"] == 1
    assert client.get("/me", headers=fresh).json["id"] == world.alice["id"]


def test_an_ended_token_cannot_log_out_again(client, world, alice_again):
    assert client.post("/auth/logout", headers=world.alice_headers).status_code == 204
    assert_ended(client.post("/auth/logout", headers=world.alice_headers))
    assert_ended(client.post("/auth/logout", json={"everywhere": True}, headers=world.alice_headers))
    assert client.get("/me", headers=alice_again).status_code == 200


# Password changes


@pytest.mark.parametrize("method, body", [
    ("PATCH", {"password": NEW_PASSWORD}),
    ("PUT", {"name": "alice-new", "email": "alice-new@example.com", "password": NEW_PASSWORD}),
], ids=["PATCH", "PUT"])
def test_a_password_change_ends_every_older_token(client, db, world, login, method, body, alice_again):
    alice = world.alice
    response = client.open(f"/users/{alice['id']}", method=method, json=body, headers=world.alice_headers)
    assert response.status_code == 200
    assert response.json["id"] == alice["id"]
    for headers in (world.alice_headers, alice_again):
        assert_ended(client.get("/me", headers=headers))
        assert_ended(client.delete(f"/boards/{world.board['id']}", headers=headers))
    assert db.value("SELECT COUNT(*) FROM boards") == 1
    assert client.get("/me", headers=world.bob_headers).status_code == 200
    fresh = login(body.get("email", alice["email"]), NEW_PASSWORD)
    assert client.get("/me", headers=fresh).status_code == 200


@pytest.mark.parametrize("method, body", [
    ("PATCH", {"name": "renamed"}),
    ("PATCH", {"email": "moved@example.com"}),
    ("PATCH", {}),
    ("PUT", {"name": "renamed", "email": "moved@example.com"}),
], ids=["name", "email", "nothing", "PUT-without-password"])
def test_changing_name_or_email_keeps_the_tokens(client, db, world, method, body, alice_again):
    alice = world.alice
    response = client.open(f"/users/{alice['id']}", method=method, json=body, headers=world.alice_headers)
    assert response.status_code == 200
    assert db.value("SELECT token_generation FROM users WHERE id = %s", (alice["id"],)) == 0
    for headers in (world.alice_headers, alice_again):
        assert client.get("/me", headers=headers).status_code == 200


def test_a_token_from_before_a_password_change_stays_ended_after_logout_everywhere(
        client, world, login):
    """Generations only grow: no later change brings an old token back."""
    alice = world.alice
    assert client.patch(f"/users/{alice['id']}", json={"password": NEW_PASSWORD},
                        headers=world.alice_headers).status_code == 200
    fresh = login(alice["email"], NEW_PASSWORD)
    assert client.post("/auth/logout", json={"everywhere": True}, headers=fresh).status_code == 204
    for headers in (world.alice_headers, fresh):
        assert_ended(client.get("/me", headers=headers))
    assert claims_of(login(alice["email"], NEW_PASSWORD))["gen"] == 2


def test_deleting_the_user_deletes_their_revocations(client, db, world, alice_again):
    assert client.post("/auth/logout", headers=world.alice_headers).status_code == 204
    assert db.value("SELECT COUNT(*) FROM revoked_tokens") == 1
    assert client.delete(f"/users/{world.alice['id']}", headers=alice_again).status_code == 204
    assert db.value("SELECT COUNT(*) FROM revoked_tokens") == 0


def test_a_token_from_before_generations_is_refused(app, client, world):
    """Tokens issued before this version carry no `gen`: they cannot be
    ended by a password change, so they are refused (log in again)."""
    with app.app_context():
        legacy = create_access_token(str(world.alice["id"]))
    response = client.get("/me", headers=bearer(legacy))
    assert response.status_code == 401
    assert response.json["message"] == "The bearer token is not valid."


def test_the_migration_gives_existing_users_generation_0(db_server):
    name = f"boards_test_{uuid.uuid4().hex[:8]}_upgrade"
    app = make_app(db_server, name)
    admin = db_server.connect()
    try:
        create_database(admin, name)
        admin.select_db(name)
        migrations = sorted((SQL_DIR / "migrations").glob("[0-9][0-9][0-9][0-9]_*.sql"))
        before = [path for path in migrations if path.stem < "0006_token_revocation"]
        ledger = load_queries("migrations")
        ledger.create_schema_migrations(admin)
        for path in before:
            run_script(admin, path)
            ledger.record_migration(admin, version=path.stem)
        with admin.cursor() as cursor:
            cursor.execute("INSERT INTO users (name, email, password_hash) VALUES ('old', 'old@x.com', 'h')")
        with app.app_context():
            assert migrate()[0] == "0006_token_revocation"
        with admin.cursor() as cursor:
            cursor.execute("SELECT name, token_generation FROM users")
            assert cursor.fetchall() == (("old", 0),)
    finally:
        drop_database(admin, name)
        admin.close()


# Clean-up: nothing grows forever


def insert_revocations(db, user_id, expires_at, count):
    rows = [(str(uuid.uuid4()), user_id, expires_at) for _ in range(count)]
    with db.conn.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO revoked_tokens (jti, user_id, expires_at) VALUES (%s, %s, %s)", rows)
    return {jti for jti, _, _ in rows}


def stored_jtis(db):
    return {row["jti"] for row in db.all("SELECT jti FROM revoked_tokens")}


@pytest.fixture
def revocation_rows(db, world):
    """Expired long ago (more than one purge batch), expired within the
    allowance for clock skew, and not expired yet."""
    user_id, now = world.alice["id"], utc_now()
    skew = revocations.CLOCK_SKEW
    return {
        "old": insert_revocations(db, user_id, now - skew - timedelta(hours=2), revocations.PURGE_BATCH + 30),
        "recent": insert_revocations(db, user_id, now - skew / 2, 3),
        "live": insert_revocations(db, user_id, now + timedelta(minutes=30), 4),
    }


def test_each_logout_purges_one_batch_of_expired_revocations(client, db, world, revocation_rows):
    assert client.post("/auth/logout", headers=world.alice_headers).status_code == 204
    left = stored_jtis(db)
    assert len(revocation_rows["old"] & left) == 30
    assert revocation_rows["recent"] | revocation_rows["live"] <= left
    assert claims_of(world.alice_headers)["jti"] in left


def test_the_periodic_purge_deletes_every_expired_revocation_and_keeps_the_rest(
        app, db, revocation_rows):
    with app.app_context():
        conn = app.extensions["boards_db"].connection
        purged = revocations.purge_expired_revocations(conn)
        assert revocations.purge_expired_revocations(conn, load_queries("auth")) == 0
    assert purged == len(revocation_rows["old"])
    assert stored_jtis(db) == revocation_rows["recent"] | revocation_rows["live"]


def test_the_purge_goes_by_the_clock_it_is_given(app, db, revocation_rows):
    later = utc_now() + timedelta(hours=1) + revocations.CLOCK_SKEW
    with app.app_context():
        conn = app.extensions["boards_db"].connection
        assert revocations.purge_expired_revocations(conn, now=later, max_batches=1) == \
            revocations.PURGE_BATCH
        revocations.purge_expired_revocations(conn, now=later)
    assert stored_jtis(db) == set()


# OpenAPI


def test_openapi_documents_logout(client, db):
    spec = client.get("/openapi.json").json
    operation = spec["paths"]["/auth/logout"]["post"]
    assert operation["security"] == [{"bearerAuth": []}]
    assert {"204", "400", "401", "413", "415", "422", "503"} <= set(operation["responses"])
    assert set(operation["responses"]) - {"default"} == {
        "204", "400", "401", "413", "415", "422", "503"}
    assert operation["requestBody"]["required"] is False
    schema_ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    schema = spec["components"]["schemas"][schema_ref.rsplit("/", 1)[1]]
    assert schema["properties"]["everywhere"]["type"] == "boolean"
    assert schema["properties"]["everywhere"]["default"] is False


# Several processes on one database, and a restart


def start_two(db_server, database, log_dir):
    """Two instances of the service, one worker each: two processes that
    share nothing but the database."""
    started = []
    try:
        for name in ("first", "second"):
            (log_dir / name).mkdir(exist_ok=True)
            service = ServiceProcess(db_server, database, log_dir / name, workers=1, threads=2)
            started.append(service.start())
            service.wait_ready()
    except BaseException:
        for service in started:
            service.stop()
        raise
    return started


@pytest.fixture(scope="module")
def services(db_server, module_database, tmp_path_factory):
    pair = list(start_two(db_server, module_database, tmp_path_factory.mktemp("services")))
    yield pair
    for service in pair:
        service.stop()


def request(service, method, path, body=None, headers=None):
    """(status, headers, JSON body) of one request to `service`."""
    reply = http_call(service.port, method, path, body, headers)
    return reply.status, reply.headers, reply.json()


def login_via(service, email, password=PASSWORD):
    status, _, body = request(service, "POST", "/auth/login", {"email": email, "password": password})
    assert status == 200, body
    return bearer(body["access_token"])


def assert_ended_via(service, headers):
    """The token is refused on a read and a write; the write stored nothing."""
    for method, path, body in (("GET", "/me", None), ("GET", "/feed", None),
                               ("POST", "/boards", {"title": "never stored"})):
        status, response_headers, answer = request(service, method, path, body, headers)
        assert (status, answer) == (401, ENDED), (method, path)
        assert response_headers["WWW-Authenticate"] == 'Bearer realm="boards"'


def assert_live_via(service, headers):
    status, _, _ = request(service, "GET", "/me", headers=headers)
    assert status == 200


def new_user(service):
    name = f"s{uuid.uuid4().hex[:10]}"
    user, headers = service.signup(name)
    return user, headers, f"{name}@example.com"


def test_a_token_logged_out_through_one_process_is_refused_by_the_other(services):
    one, other = services
    _, headers, email = new_user(one)
    kept = login_via(one, email)
    for service in services:  # both have checked (and cached) the token
        assert_live_via(service, headers)
    status, _, _ = request(one, "POST", "/auth/logout", headers=headers)
    assert status == 204
    assert_ended_via(other, headers)
    assert_ended_via(one, headers)
    assert_live_via(other, kept)


def test_logout_everywhere_through_one_process_ends_the_tokens_on_the_other(services):
    one, other = services
    _, headers, email = new_user(other)
    tokens = [headers, login_via(one, email), login_via(other, email)]
    for service in services:
        for token in tokens:
            assert_live_via(service, token)
    status, _, _ = request(other, "POST", "/auth/logout", {"everywhere": True}, tokens[1])
    assert status == 204
    for service in services:
        for token in tokens:
            assert_ended_via(service, token)
    assert_live_via(one, login_via(other, email))


def test_a_password_change_through_one_process_ends_the_tokens_on_the_other(services):
    one, other = services
    user, headers, email = new_user(one)
    assert_live_via(other, headers)
    status, _, _ = request(one, "PATCH", f"/users/{user['id']}", {"password": NEW_PASSWORD}, headers)
    assert status == 200
    assert_ended_via(other, headers)
    assert_live_via(one, login_via(other, email, NEW_PASSWORD))


def test_revocations_survive_a_restart_of_the_service(db_server, module_database, services, tmp_path):
    one, other = services
    user, single, email = new_user(one)
    everywhere_user, everywhere, everywhere_email = new_user(one)
    kept = login_via(one, email)
    assert request(one, "POST", "/auth/logout", headers=single)[0] == 204
    assert request(one, "POST", "/auth/logout", {"everywhere": True}, everywhere)[0] == 204
    for service in services:
        service.stop()
    services[:] = start_two(db_server, module_database, tmp_path)
    for service in services:
        assert_ended_via(service, single)
        assert_ended_via(service, everywhere)
        assert_live_via(service, kept)
        assert_live_via(service, login_via(service, everywhere_email))
    rows = query_all(db_server, module_database,
                     "SELECT user_id FROM revoked_tokens WHERE user_id IN (%s, %s)",
                     (user["id"], everywhere_user["id"]))
    assert rows == [{"user_id": user["id"]}]
