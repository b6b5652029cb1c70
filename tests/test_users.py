"""The Users section of API.md (follows and a user's boards are tested elsewhere)."""
import pytest

from tests.helpers import PASSWORD, assert_empty_page, assert_pages

KOREAN_EMOJI_NAME = "김민지 🌸👩‍💻"


def new_user(n, **fields):
    """A valid sign-up body, with `fields` replacing or adding keys."""
    return {"name": f"person{n}", "email": f"person{n}@example.com", "password": PASSWORD, **fields}


def without(body, key):
    return {k: v for k, v in body.items() if k != key}


def assert_error(response, code, field=None):
    """The contract's error shape; with `field`, the error names that field."""
    assert response.status_code == code, response.get_data(as_text=True)
    assert response.is_json
    body = response.json
    assert body["code"] == code
    assert body["message"]
    if field is not None:
        assert field in body["errors"]["json"], body


def count(db, table, where, params):
    return db.value(f"SELECT COUNT(*) FROM {table} WHERE {where}", params)


# POST /users


def test_sign_up_answers_201_with_location_and_email(client, db):
    response = client.post("/users", json=new_user(1))
    assert response.status_code == 201
    user = response.json
    assert response.headers["Location"] == f"/users/{user['id']}"
    assert user["name"] == "person1"
    assert user["email"] == "person1@example.com"
    assert set(user) == {"id", "name", "email", "created_at", "updated_at"}
    assert user["created_at"].endswith("+00:00")
    assert db.value("SELECT name FROM users WHERE id = %s", (user["id"],)) == "person1"


def test_sign_up_location_serves_the_user(client, db):
    response = client.post("/users", json=new_user(1))
    fetched = client.get(response.headers["Location"])
    assert fetched.status_code == 200
    assert fetched.json["id"] == response.json["id"]


@pytest.mark.parametrize(
    "second, field",
    [
        (new_user(2, name="person1"), "name"),
        (new_user(2, email="person1@example.com"), "email"),
        (new_user(2, email="PERSON1@Example.COM"), "email"),
    ],
    ids=["same-name", "same-email", "email-differing-in-case"],
)
def test_sign_up_duplicate_is_409(client, db, second, field):
    assert client.post("/users", json=new_user(1)).status_code == 201
    assert_error(client.post("/users", json=second), 409, field)
    assert db.value("SELECT COUNT(*) FROM users") == 1


VALID = new_user(9)


@pytest.mark.parametrize(
    "body, field",
    [
        (without(VALID, "name"), "name"),
        (without(VALID, "email"), "email"),
        (without(VALID, "password"), "password"),
        ({**VALID, "name": 123}, "name"),
        ({**VALID, "name": None}, "name"),
        ({**VALID, "email": ["a@example.com"]}, "email"),
        ({**VALID, "password": 12345678}, "password"),
        ({**VALID, "name": ""}, "name"),
        ({**VALID, "name": "n" * 51}, "name"),
        ({**VALID, "email": "e" * 244 + "@example.com"}, "email"),
        ({**VALID, "email": "not-an-email"}, "email"),
        ({**VALID, "email": "two@@example.com"}, "email"),
        ({**VALID, "password": "short7!"}, "password"),
        ({**VALID, "password": "p" * 129}, "password"),
        ({**VALID, "is_admin": True}, "is_admin"),
        ({**VALID, "id": 1}, "id"),
    ],
    ids=[
        "missing-name", "missing-email", "missing-password",
        "name-int", "name-null", "email-list", "password-int",
        "name-empty", "name-51", "email-256", "email-bad", "email-two-at",
        "password-7", "password-129", "unknown-field", "id-given",
    ],
)
def test_sign_up_invalid_field_is_422(client, db, body, field):
    assert_error(client.post("/users", json=body), 422, field)
    assert db.value("SELECT COUNT(*) FROM users") == 0


@pytest.mark.parametrize(
    "fields",
    [{"name": "n" * 50}, {"email": "e" * 243 + "@example.com"}, {"password": "p" * 8},
     {"password": "p" * 128}],
    ids=["name-50", "email-255", "password-8", "password-128"],
)
def test_sign_up_accepts_the_limits(client, db, fields):
    assert client.post("/users", json=new_user(1, **fields)).status_code == 201


def test_korean_and_emoji_name_round_trips_byte_for_byte(client, db):
    created = client.post("/users", json=new_user(1, name=KOREAN_EMOJI_NAME))
    assert created.status_code == 201
    assert created.json["name"] == KOREAN_EMOJI_NAME
    assert client.get(f"/users/{created.json['id']}").json["name"] == KOREAN_EMOJI_NAME
    stored = db.value("SELECT HEX(name) FROM users WHERE id = %s", (created.json["id"],))
    assert bytes.fromhex(stored) == KOREAN_EMOJI_NAME.encode("utf-8")


def test_names_differing_only_in_emoji_are_different_users(client, db):
    """utf8mb4_unicode_ci weighs all emoji the same; the users table must not."""
    assert client.post("/users", json=new_user(1, name="김민지 🌸")).status_code == 201
    second = client.post("/users", json=new_user(2, name="김민지 😀"))
    assert second.status_code == 201, second.json
    assert db.value("SELECT COUNT(*) FROM users") == 2


# GET /users, GET /users/{id}, GET /me


def test_list_users_pages_newest_first_without_email(client, db):
    ids = [client.post("/users", json=new_user(n)).json["id"] for n in range(12)]
    items = assert_pages(client, "/users", 5, sorted(ids, reverse=True))
    assert all("email" not in item for item in items)


def test_list_users_empty(client, db):
    assert_empty_page(client, "/users")


@pytest.mark.parametrize("query", ["limit=0", "limit=101", "limit=x", "cursor=garbage"])
def test_list_users_bad_paging_is_422(client, db, query):
    assert_error(client.get(f"/users?{query}"), 422)


def test_email_is_shown_only_to_the_user_themself(client, signup):
    alice, alice_headers = signup()
    _, bob_headers = signup()
    url = f"/users/{alice['id']}"
    anonymous = client.get(url)
    assert anonymous.status_code == 200
    assert "email" not in anonymous.json
    assert anonymous.json["name"] == alice["name"]
    assert "email" not in client.get(url, headers=bob_headers).json
    assert client.get(url, headers=alice_headers).json["email"] == alice["email"]
    assert client.get(url, headers={"Authorization": "Bearer garbage"}).status_code == 200


def test_me_is_the_caller_with_email(client, signup):
    alice, headers = signup()
    response = client.get("/me", headers=headers)
    assert response.status_code == 200
    assert response.json == alice


@pytest.mark.parametrize("user_id", ["999999999", "abc", "0", "-1", "1.5", "99999999999999999999"])
def test_unknown_or_non_numeric_user_is_404(client, db, user_id):
    assert_error(client.get(f"/users/{user_id}"), 404)


# PUT / PATCH /users/{id}


def test_patch_self_changes_only_the_given_fields(client, signup, db):
    alice, headers = signup()
    response = client.patch(f"/users/{alice['id']}", json={"name": "alice2"}, headers=headers)
    assert response.status_code == 200
    assert response.json["name"] == "alice2"
    assert response.json["email"] == alice["email"]
    assert db.value("SELECT name FROM users WHERE id = %s", (alice["id"],)) == "alice2"


def test_patch_with_empty_body_returns_the_user_unchanged(client, signup):
    alice, headers = signup()
    response = client.patch(f"/users/{alice['id']}", json={}, headers=headers)
    assert response.status_code == 200
    assert response.json == alice


def test_put_replaces_name_email_and_password(client, signup, db):
    alice, headers = signup()
    body = {"name": "renamed", "email": "renamed@example.com", "password": "new password 1"}
    response = client.put(f"/users/{alice['id']}", json=body, headers=headers)
    assert response.status_code == 200
    assert response.json["name"] == "renamed"
    assert response.json["email"] == "renamed@example.com"
    old = client.post("/auth/login", json={"email": "renamed@example.com", "password": PASSWORD})
    assert old.status_code == 401
    new = client.post("/auth/login", json={"email": "renamed@example.com", "password": "new password 1"})
    assert new.status_code == 200


def test_put_without_password_keeps_it(client, signup):
    alice, headers = signup()
    body = {"name": "renamed", "email": alice["email"]}
    assert client.put(f"/users/{alice['id']}", json=body, headers=headers).status_code == 200
    login = client.post("/auth/login", json={"email": alice["email"], "password": PASSWORD})
    assert login.status_code == 200


@pytest.mark.parametrize("missing", ["name", "email"])
def test_put_needs_name_and_email(client, signup, missing):
    alice, headers = signup()
    body = without({"name": "renamed", "email": "r@example.com"}, missing)
    assert_error(client.put(f"/users/{alice['id']}", json=body, headers=headers), 422, missing)


@pytest.mark.parametrize(
    "body, field",
    [({"name": ""}, "name"), ({"email": "nope"}, "email"), ({"password": "short"}, "password"),
     ({"role": "admin"}, "role"), ({"name": 5}, "name")],
    ids=["name-empty", "email-bad", "password-short", "unknown-field", "name-int"],
)
def test_patch_invalid_field_is_422(client, signup, body, field):
    alice, headers = signup()
    assert_error(client.patch(f"/users/{alice['id']}", json=body, headers=headers), 422, field)


@pytest.mark.parametrize("method", ["put", "patch"])
def test_changing_another_user_is_403(client, signup, db, method):
    alice, _ = signup()
    _, bob_headers = signup()
    body = {"name": "hijacked", "email": "hijacked@example.com"}
    response = getattr(client, method)(f"/users/{alice['id']}", json=body, headers=bob_headers)
    assert_error(response, 403)
    assert db.value("SELECT name FROM users WHERE id = %s", (alice["id"],)) == alice["name"]


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_changing_a_user_without_token_is_401(client, signup, db, method):
    alice, _ = signup()
    kwargs = {} if method == "delete" else {"json": {"name": "x", "email": "x@example.com"}}
    assert_error(getattr(client, method)(f"/users/{alice['id']}", **kwargs), 401)
    assert db.value("SELECT name FROM users WHERE id = %s", (alice["id"],)) == alice["name"]


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_changing_an_unknown_user_with_token_is_404(client, signup, method):
    _, headers = signup()
    kwargs = {} if method == "delete" else {"json": {"name": "x", "email": "x@example.com"}}
    assert_error(getattr(client, method)("/users/999999999", headers=headers, **kwargs), 404)


@pytest.mark.parametrize(
    "method, field",
    [("patch", "name"), ("patch", "email"), ("put", "name"), ("put", "email")],
)
def test_taking_another_users_name_or_email_is_409(client, signup, db, method, field):
    alice, _ = signup()
    bob, bob_headers = signup()
    body = {"name": bob["name"], "email": bob["email"], field: alice[field].upper()}
    response = getattr(client, method)(f"/users/{bob['id']}", json=body, headers=bob_headers)
    assert_error(response, 409, field)
    assert db.one("SELECT name, email FROM users WHERE id = %s", (bob["id"],)) == {
        "name": bob["name"], "email": bob["email"]}


def test_renaming_to_own_name_is_fine(client, signup):
    alice, headers = signup()
    response = client.patch(f"/users/{alice['id']}", json={"name": alice["name"]}, headers=headers)
    assert response.status_code == 200
    assert response.json["name"] == alice["name"]


def test_korean_and_emoji_rename_round_trips(client, signup, db):
    alice, headers = signup()
    response = client.patch(f"/users/{alice['id']}", json={"name": KOREAN_EMOJI_NAME}, headers=headers)
    assert response.json["name"] == KOREAN_EMOJI_NAME
    stored = db.value("SELECT HEX(name) FROM users WHERE id = %s", (alice["id"],))
    assert bytes.fromhex(stored) == KOREAN_EMOJI_NAME.encode("utf-8")


# DELETE /users/{id}


def test_delete_self_removes_boards_comments_and_follows(client, signup, db):
    alice, alice_headers = signup()
    bob, bob_headers = signup()
    alice_board = client.post("/boards", json={"title": "a"}, headers=alice_headers).json
    bob_board = client.post("/boards", json={"title": "b"}, headers=bob_headers).json
    for board in (alice_board, bob_board):
        for headers in (alice_headers, bob_headers):
            url = f"/boards/{board['id']}/comments"
            assert client.post(url, json={"content": "hi"}, headers=headers).status_code == 201
    assert client.put(f"/users/{bob['id']}/follow", headers=alice_headers).status_code == 204
    assert client.put(f"/users/{alice['id']}/follow", headers=bob_headers).status_code == 204

    response = client.delete(f"/users/{alice['id']}", headers=alice_headers)

    assert response.status_code == 204
    assert response.get_data() == b""
    gone = (alice["id"],)
    assert count(db, "users", "id = %s", gone) == 0
    assert count(db, "boards", "user_id = %s", gone) == 0
    assert count(db, "comments", "user_id = %s OR board_id = %s", (alice["id"], alice_board["id"])) == 0
    assert count(db, "follows", "follower_id = %s OR followee_id = %s", gone * 2) == 0
    # Bob and his board stay, with none of Alice's comments left on it.
    assert count(db, "boards", "user_id = %s", (bob["id"],)) == 1
    assert count(db, "comments", "board_id = %s", (bob_board["id"],)) == 1
    assert_error(client.get(f"/users/{alice['id']}"), 404)


def test_deleted_users_token_is_401(client, signup):
    alice, headers = signup()
    assert client.delete(f"/users/{alice['id']}", headers=headers).status_code == 204
    assert_error(client.get("/me", headers=headers), 401)
    assert_error(client.post("/boards", json={"title": "ghost"}, headers=headers), 401)
    assert_error(client.delete(f"/users/{alice['id']}", headers=headers), 401)


def test_deleting_another_user_is_403(client, signup, db):
    alice, _ = signup()
    _, bob_headers = signup()
    assert_error(client.delete(f"/users/{alice['id']}", headers=bob_headers), 403)
    assert count(db, "users", "id = %s", (alice["id"],)) == 1


def test_name_and_email_are_free_again_after_delete(client, signup):
    alice, headers = signup()
    assert client.delete(f"/users/{alice['id']}", headers=headers).status_code == 204
    again = {"name": alice["name"], "email": alice["email"], "password": PASSWORD}
    assert client.post("/users", json=again).status_code == 201
