"""RealWorld /api/profiles: a profile by username, follow and unfollow (the
native follows, so the feed follows too)."""
import pytest

from tests.helpers import insert_boards
from tests.helpers.realworld import assert_errors, register, token_headers


def test_a_profile_without_a_token(client, db):
    user, headers = register(client, "celeb")
    client.put("/api/user", headers=headers, json={"user": {"bio": "hi", "image": "https://i.example/c.png"}})
    response = client.get("/api/profiles/celeb")
    assert response.status_code == 200
    assert response.json == {"profile": {"username": "celeb", "bio": "hi", "image": "https://i.example/c.png",
                                         "following": False}}


def test_an_unknown_profile_is_404(client, db):
    _, headers = register(client)
    assert_errors(client.get("/api/profiles/nobody"), 404, {"profile": ["not found"]})
    assert_errors(client.post("/api/profiles/nobody/follow", headers=headers), 404, {"profile": ["not found"]})
    assert_errors(client.delete("/api/profiles/nobody/follow", headers=headers), 404, {"profile": ["not found"]})


@pytest.mark.parametrize("method", ["post", "delete"])
def test_follow_needs_a_token_before_the_profile_is_looked_up(client, db, method):
    assert_errors(getattr(client, method)("/api/profiles/nobody/follow"), 401, {"token": ["is missing"]})


def test_follow_and_unfollow_answer_the_profile(client, db, drain):
    celeb, celeb_headers = register(client, "celeb")
    fan, fan_headers = register(client, "fan")
    celeb_id = db.value("SELECT id FROM users WHERE name = 'celeb'")
    insert_boards(db, celeb_id, 3)
    # A stray body and Content-Type: application/json, as frontends send.
    followed = client.post("/api/profiles/celeb/follow", headers=fan_headers, json={"user": {"email": "x"}})
    assert followed.status_code == 200
    assert followed.json == {"profile": {"username": "celeb", "bio": None, "image": None, "following": True}}
    assert client.post("/api/profiles/celeb/follow", headers=fan_headers,
                       content_type="application/json").json["profile"]["following"] is True
    assert client.get("/api/profiles/celeb", headers=fan_headers).json["profile"]["following"] is True
    assert client.get("/api/profiles/celeb").json["profile"]["following"] is False
    assert db.value("SELECT COUNT(*) FROM follows") == 1
    assert db.value("SELECT COUNT(*) FROM timeline_entries WHERE author_id = %s", (celeb_id,)) == 3
    unfollowed = client.delete("/api/profiles/celeb/follow", headers=fan_headers)
    assert unfollowed.status_code == 200
    assert unfollowed.json["profile"]["following"] is False
    assert client.delete("/api/profiles/celeb/follow", headers=fan_headers).status_code == 200
    assert db.value("SELECT COUNT(*) FROM follows") == 0
    assert db.value("SELECT COUNT(*) FROM timeline_entries") == 0


def test_following_yourself_is_422(client, db):
    _, headers = register(client, "self")
    assert_errors(client.post("/api/profiles/self/follow", headers=headers), 422, {"profile": ["cannot follow yourself"]})
    assert db.value("SELECT COUNT(*) FROM follows") == 0


def test_the_native_follow_is_the_same_follow(client, db, signup):
    native, native_headers = signup()
    _, headers = register(client, "target")
    target_id = db.value("SELECT id FROM users WHERE name = 'target'")
    assert client.put(f"/users/{target_id}/follow", headers=native_headers).status_code == 204
    token = native_headers["Authorization"].split(" ")[1]
    assert client.get("/api/profiles/target", headers=token_headers(token)).json["profile"]["following"] is True
    assert client.get(f"/api/profiles/{native['name']}", headers=headers).json["profile"]["username"] == native["name"]
