"""Follows (PUT/DELETE /users/{id}/follow, followers, following) and /feed."""
import pytest

from tests.helpers import assert_empty_page, assert_pages, post_board


def follow_rows(db, follower_id, followee_id):
    return db.value(
        "SELECT COUNT(*) FROM follows WHERE follower_id = %s AND followee_id = %s",
        (follower_id, followee_id),
    )


# PUT / DELETE /users/{id}/follow


def test_follow_is_idempotent(client, signup, db):
    me, headers = signup()
    them, _ = signup()
    for _ in range(2):
        response = client.put(f"/users/{them['id']}/follow", headers=headers)
        assert response.status_code == 204
        assert response.data == b""
        assert follow_rows(db, me["id"], them["id"]) == 1
    assert follow_rows(db, them["id"], me["id"]) == 0


def test_unfollow_is_idempotent(client, signup, db):
    me, headers = signup()
    them, _ = signup()
    other, _ = signup()
    client.put(f"/users/{them['id']}/follow", headers=headers)
    client.put(f"/users/{other['id']}/follow", headers=headers)
    for _ in range(2):
        response = client.delete(f"/users/{them['id']}/follow", headers=headers)
        assert response.status_code == 204
        assert follow_rows(db, me["id"], them["id"]) == 0
    assert follow_rows(db, me["id"], other["id"]) == 1


def test_unfollow_of_a_user_never_followed_is_204(client, signup):
    _, headers = signup()
    them, _ = signup()
    assert client.delete(f"/users/{them['id']}/follow", headers=headers).status_code == 204


def test_self_follow_is_422(client, signup, db):
    me, headers = signup()
    response = client.put(f"/users/{me['id']}/follow", headers=headers)
    assert response.status_code == 422
    assert response.json["code"] == 422
    assert db.value("SELECT COUNT(*) FROM follows") == 0


@pytest.mark.parametrize("method", ["put", "delete"])
@pytest.mark.parametrize("user_id", ["999999999", "0", "abc"])
def test_follow_of_an_unknown_user_is_404(client, signup, db, method, user_id):
    _, headers = signup()
    response = getattr(client, method)(f"/users/{user_id}/follow", headers=headers)
    assert response.status_code == 404
    assert response.json["code"] == 404
    assert db.value("SELECT COUNT(*) FROM follows") == 0


@pytest.mark.parametrize("method", ["put", "delete"])
def test_follow_without_a_token_is_401(client, signup, db, method):
    them, _ = signup()
    assert getattr(client, method)(f"/users/{them['id']}/follow").status_code == 401
    assert db.value("SELECT COUNT(*) FROM follows") == 0


# followers / following


def test_followers_and_following_pages_newest_first(client, signup):
    star, star_headers = signup()
    fans = [signup() for _ in range(5)]
    for _, headers in fans:
        assert client.put(f"/users/{star['id']}/follow", headers=headers).status_code == 204
    idol, _ = signup()
    client.put(f"/users/{idol['id']}/follow", headers=fans[0][1])
    client.put(f"/users/{fans[2][0]['id']}/follow", headers=star_headers)

    fan_ids_newest_first = sorted((fan["id"] for fan, _ in fans), reverse=True)
    followers = assert_pages(client, f"/users/{star['id']}/followers", 2, fan_ids_newest_first)
    assert set(followers[0]) == {"id", "name", "created_at", "updated_at"}

    following = assert_pages(client, f"/users/{fans[0][0]['id']}/following", 1,
                             sorted([star["id"], idol["id"]], reverse=True))
    assert [u["name"] for u in following] == [
        u["name"] for u in sorted([star, idol], key=lambda u: u["id"], reverse=True)
    ]
    assert [u["id"] for u in client.get(f"/users/{star['id']}/following").json["items"]] == [
        fans[2][0]["id"]
    ]


def test_followers_and_following_of_a_lonely_user_are_empty(client, signup):
    me, _ = signup()
    for url in (f"/users/{me['id']}/followers", f"/users/{me['id']}/following"):
        assert_empty_page(client, url)


def test_unfollow_removes_from_both_lists(client, signup):
    me, headers = signup()
    them, _ = signup()
    client.put(f"/users/{them['id']}/follow", headers=headers)
    assert [u["id"] for u in client.get(f"/users/{them['id']}/followers").json["items"]] == [me["id"]]
    client.delete(f"/users/{them['id']}/follow", headers=headers)
    assert client.get(f"/users/{them['id']}/followers").json["items"] == []
    assert client.get(f"/users/{me['id']}/following").json["items"] == []


@pytest.mark.parametrize("which", ["followers", "following"])
@pytest.mark.parametrize("user_id", ["999999999", "0", "abc"])
def test_follow_lists_of_an_unknown_user_are_404(client, db, which, user_id):
    assert client.get(f"/users/{user_id}/{which}").status_code == 404


# /feed


def test_feed_shows_only_followed_users_boards_newest_first(client, signup, drain):
    me, headers = signup()
    alice, alice_headers = signup()
    bob, bob_headers = signup()
    _, carol_headers = signup()
    client.put(f"/users/{alice['id']}/follow", headers=headers)
    client.put(f"/users/{bob['id']}/follow", headers=headers)
    expected = []
    for n in range(4):
        expected.append(post_board(client, alice_headers, f"alice {n}").json["id"])
        post_board(client, carol_headers, f"carol {n}")
        expected.append(post_board(client, bob_headers, f"bob {n}").json["id"])
    post_board(client, headers, "my own")
    drain()

    items = assert_pages(client, "/feed", 3, expected[::-1], headers)
    assert {b["author"]["id"] for b in items} == {alice["id"], bob["id"]}


def test_feed_drops_a_user_after_unfollow(client, signup):
    _, headers = signup()
    alice, alice_headers = signup()
    post_board(client, alice_headers, "hello")
    client.put(f"/users/{alice['id']}/follow", headers=headers)
    assert len(client.get("/feed", headers=headers).json["items"]) == 1
    client.delete(f"/users/{alice['id']}/follow", headers=headers)
    assert_empty_page(client, "/feed", headers)


def test_feed_of_someone_following_nobody_is_empty(client, signup):
    _, headers = signup()
    _, other_headers = signup()
    post_board(client, other_headers, "not followed")
    assert_empty_page(client, "/feed", headers)


def test_feed_is_per_caller(client, signup):
    alice, alice_headers = signup()
    bob, bob_headers = signup()
    alice_board = post_board(client, alice_headers, "by alice").json["id"]
    bob_board = post_board(client, bob_headers, "by bob").json["id"]
    client.put(f"/users/{alice['id']}/follow", headers=bob_headers)
    client.put(f"/users/{bob['id']}/follow", headers=alice_headers)
    assert [b["id"] for b in client.get("/feed", headers=alice_headers).json["items"]] == [bob_board]
    assert [b["id"] for b in client.get("/feed", headers=bob_headers).json["items"]] == [alice_board]


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic x"}])
def test_feed_without_a_valid_token_is_401(client, db, headers):
    response = client.get("/feed", headers=headers)
    assert response.status_code == 401
    assert response.json["code"] == 401


@pytest.mark.parametrize("query", ["limit=0", "limit=101", "cursor=garbage"])
def test_feed_with_bad_paging_is_422(client, signup, query):
    _, headers = signup()
    assert client.get(f"/feed?{query}", headers=headers).status_code == 422
