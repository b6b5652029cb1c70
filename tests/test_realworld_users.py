"""RealWorld /api: register, log in, the current user, and the error body
every /api error has."""
import pytest

from tests.helpers import PASSWORD, make_app
from tests.helpers.realworld import assert_errors, register, token_headers

BLANK = ["can't be blank"]


def new_user(**fields):
    return {"user": {"username": "jake", "email": "jake@jake.jake", "password": PASSWORD, **fields}}


def test_register_answers_201_with_a_working_token(client, db):
    response = client.post("/api/users", json=new_user(extra="ignored"))
    assert response.status_code == 201
    user = response.json["user"]
    assert set(user) == {"email", "token", "username", "bio", "image"}
    assert (user["username"], user["email"], user["bio"], user["image"]) == ("jake", "jake@jake.jake", None, None)
    me = client.get("/api/user", headers=token_headers(user["token"]))
    assert me.status_code == 200
    assert me.json["user"]["username"] == "jake"
    assert db.value("SELECT name FROM users WHERE email = 'jake@jake.jake'") == "jake"


@pytest.mark.parametrize("field", ["username", "email", "password"])
def test_register_without_a_field_is_blank(client, db, field):
    body = new_user()
    del body["user"][field]
    assert_errors(client.post("/api/users", json=body), 422, {field: BLANK})
    body["user"][field] = ""
    assert_errors(client.post("/api/users", json=body), 422, {field: BLANK})
    body["user"][field] = None
    assert_errors(client.post("/api/users", json=body), 422, {field: BLANK})
    assert db.value("SELECT COUNT(*) FROM users") == 0


def test_register_without_the_wrapper_or_a_body_is_blank(client, db):
    assert_errors(client.post("/api/users", json={"username": "x"}), 422, {"user": BLANK})
    assert_errors(client.post("/api/users", content_type="application/json"), 422, {"user": BLANK})
    assert_errors(client.post("/api/users", json={"user": "x"}), 422, {"user": ["must be an object"]})


@pytest.mark.parametrize("password, status", [
    ("1234567", 422), ("12345678", 201), ("p" * 64, 201), ("p" * 128, 201), ("p" * 129, 422),
])
def test_passwords_of_8_to_128_characters(client, db, password, status):
    response = client.post("/api/users", json=new_user(password=password))
    assert response.status_code == status, response.json
    if password == "1234567":
        assert response.json == {"errors": {"password": ["is too short (minimum is 8 characters)"]}}
    if status == 201:
        login = client.post("/api/users/login", json={"user": {"email": "jake@jake.jake", "password": password}})
        assert login.status_code == 200


def test_an_invalid_email_is_invalid(client, db):
    assert_errors(client.post("/api/users", json=new_user(email="not-an-email")), 422, {"email": ["is invalid"]})


@pytest.mark.parametrize("field", ["username", "email"])
def test_a_taken_username_or_email_is_409(client, db, field):
    assert client.post("/api/users", json=new_user()).status_code == 201
    other = new_user(username="other", email="other@example.com")
    other["user"][field] = new_user()["user"][field].upper()  # names and emails compare case-insensitively
    assert_errors(client.post("/api/users", json=other), 409, {field: ["has already been taken"]})


def test_login_by_email(client, db):
    registered, _ = register(client, "login")
    response = client.post("/api/users/login", json={"user": {"email": registered["email"], "password": PASSWORD}})
    assert response.status_code == 200
    user = response.json["user"]
    assert user["username"] == "login" and user["email"] == registered["email"]
    assert client.get("/api/user", headers=token_headers(user["token"])).status_code == 200


@pytest.mark.parametrize("email, password", [("login@example.com", "wrong password"), ("nobody@example.com", PASSWORD)])
def test_bad_credentials_are_invalid(client, db, email, password):
    register(client, "login")
    response = client.post("/api/users/login", json={"user": {"email": email, "password": password}})
    assert_errors(response, 401, {"credentials": ["invalid"]})


def test_login_without_fields_is_blank(client, db):
    assert_errors(client.post("/api/users/login", json={"user": {}}), 422, {"email": BLANK, "password": BLANK})


@pytest.mark.parametrize("scheme", ["Token", "Bearer"])
def test_the_current_user_with_either_scheme(client, db, scheme):
    user, _ = register(client)
    response = client.get("/api/user", headers=token_headers(user["token"], scheme))
    assert response.status_code == 200
    assert {k: v for k, v in response.json["user"].items() if k != "token"} == {
        k: v for k, v in user.items() if k != "token"}


@pytest.mark.parametrize("headers, message", [
    ({}, "is missing"),
    ({"Authorization": "Token"}, "is missing"),
    ({"Authorization": "Basic abc"}, "is missing"),
    ({"Authorization": "Token not-a-jwt"}, "is invalid"),
])
def test_the_current_user_needs_a_token(client, db, headers, message):
    assert_errors(client.get("/api/user", headers=headers), 401, {"token": [message]})
    assert_errors(client.put("/api/user", headers=headers, json={"user": {"bio": "x"}}), 401, {"token": [message]})


def test_a_token_of_a_deleted_user_is_invalid(client, db):
    user, headers = register(client)
    db.all("DELETE FROM users WHERE name = %s", (user["username"],))
    db.conn.commit()
    assert_errors(client.get("/api/user", headers=headers), 401, {"token": ["is invalid"]})


def test_update_is_partial(client, db):
    user, headers = register(client, "partial")
    response = client.put("/api/user", headers=headers, json={"user": {"bio": "I work at statefarm", "image": "https://i.example/a.png"}})
    assert response.status_code == 200
    changed = response.json["user"]
    assert (changed["username"], changed["email"]) == ("partial", user["email"])
    assert (changed["bio"], changed["image"]) == ("I work at statefarm", "https://i.example/a.png")
    kept = client.put("/api/user", headers=headers, json={"user": {"username": "partial2"}}).json["user"]
    assert (kept["username"], kept["bio"], kept["image"]) == ("partial2", "I work at statefarm", "https://i.example/a.png")


@pytest.mark.parametrize("empty", ["", None])
def test_empty_or_null_bio_and_image_store_null(client, db, empty):
    user, headers = register(client, "clears")
    client.put("/api/user", headers=headers, json={"user": {"bio": "b", "image": "i"}})
    response = client.put("/api/user", headers=headers, json={"user": {"bio": empty, "image": empty}})
    assert response.status_code == 200
    assert (response.json["user"]["bio"], response.json["user"]["image"]) == (None, None)
    assert db.one("SELECT bio, image FROM users WHERE name = 'clears'") == {"bio": None, "image": None}


def test_changing_username_email_and_password_answers_a_working_token(client, db):
    _, headers = register(client, "before")
    response = client.put("/api/user", headers=headers, json={"user": {
        "username": "after", "email": "after@example.com", "password": "a new password"}})
    assert response.status_code == 200
    user = response.json["user"]
    assert (user["username"], user["email"]) == ("after", "after@example.com")
    assert client.get("/api/user", headers=token_headers(user["token"])).json["user"]["username"] == "after"
    assert_errors(client.get("/api/user", headers=headers), 401, {"token": ["is invalid"]})  # older tokens end
    login = client.post("/api/users/login", json={"user": {"email": "after@example.com", "password": "a new password"}})
    assert login.status_code == 200


def test_update_to_a_taken_name_is_409_and_invalid_fields_422(client, db):
    register(client, "taken")
    _, headers = register(client, "mine")
    assert_errors(client.put("/api/user", headers=headers, json={"user": {"username": "taken"}}),
                  409, {"username": ["has already been taken"]})
    assert_errors(client.put("/api/user", headers=headers, json={"user": {"username": ""}}), 422, {"username": BLANK})
    assert_errors(client.put("/api/user", headers=headers, json={"user": {"email": "nope"}}), 422, {"email": ["is invalid"]})
    assert_errors(client.put("/api/user", headers=headers, json={"user": {"password": "short"}}),
                  422, {"password": ["is too short (minimum is 8 characters)"]})
    assert db.value("SELECT COUNT(*) FROM users WHERE name = 'mine'") == 1


@pytest.mark.parametrize("data, content_type, status, message", [
    ("[1]", "application/json", 400, "The request body must be a JSON object."),
    ("{", "application/json", 400, "The request body is not valid JSON."),
    ("x", "text/plain", 415, "The request body must be JSON (Content-Type: application/json)."),
])
def test_body_errors_have_the_realworld_body(client, db, data, content_type, status, message):
    response = client.post("/api/users", data=data, content_type=content_type)
    assert_errors(response, status, {"body": [message]})


def test_the_native_api_keeps_its_error_body(client, db):
    response = client.post("/users", data="[1]", content_type="application/json")
    assert response.status_code == 400
    assert response.json == {"code": 400, "status": "Bad Request", "message": "The request body must be a JSON object."}


def test_failed_logins_are_limited_as_on_the_native_api(db_server, database_name, app, db):
    """Five failures a minute per account (rate_limit.py), then 429 in
    RealWorld's body with Retry-After; the native login counts the same."""
    client = make_app(db_server, database_name, RATELIMIT_ENABLED=True).test_client()
    user, _ = register(client, "limited")
    wrong = {"user": {"email": user["email"], "password": "wrong password"}}
    for _ in range(5):
        assert_errors(client.post("/api/users/login", json=wrong), 401, {"credentials": ["invalid"]})
    refused = client.post("/api/users/login", json={"user": {"email": user["email"], "password": PASSWORD}})
    assert_errors(refused, 429, {"credentials": ["too many failed logins; try again later"]})
    assert int(refused.headers["Retry-After"]) > 0
    assert client.post("/auth/login", json={"email": user["email"], "password": PASSWORD}).status_code == 429


def test_unknown_fields_are_ignored_at_every_level(client, db):
    response = client.post("/api/users", json={**new_user(role="admin"), "stray": {"x": 1}})
    assert response.status_code == 201
    assert set(response.json["user"]) == {"email", "token", "username", "bio", "image"}


def test_one_account_for_both_apis(client, db):
    user, _ = register(client, "both")
    native = client.post("/auth/login", json={"email": user["email"], "password": PASSWORD})
    assert native.status_code == 200
    me = client.get("/api/user", headers=token_headers(native.json["access_token"]))
    assert me.json["user"]["username"] == "both"
