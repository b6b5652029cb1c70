"""Favorites (PUT/DELETE /boards/{id}/favorite, GET /users/{id}/favorites,
favorite_count, favorited with Vary: Authorization), GET /users/by-name/{name}
and timestamps with their microseconds."""
from datetime import datetime

import pytest

from tests.helpers import assert_empty_page, assert_pages, post_board


def favorite(client, board_id, headers, method="put"):
    return getattr(client, method)(f"/boards/{board_id}/favorite", headers=headers)


def counts(db, board_id, user_id):
    return (db.value("SELECT favorite_count FROM boards WHERE id = %s", (board_id,)),
            db.value("SELECT favorite_count FROM users WHERE id = %s", (user_id,)))


def test_favorite_and_unfavorite_are_idempotent_204s_with_counts(client, signup, db):
    _, author = signup()
    fan, headers = signup()
    board = post_board(client, author).json
    for _ in range(2):
        response = favorite(client, board["id"], headers)
        assert response.status_code == 204
        assert response.data == b""
    assert counts(db, board["id"], fan["id"]) == (1, 1)
    assert client.get(f"/boards/{board['id']}").json["favorite_count"] == 1
    for _ in range(2):
        assert favorite(client, board["id"], headers, "delete").status_code == 204
    assert counts(db, board["id"], fan["id"]) == (0, 0)
    assert db.value("SELECT COUNT(*) FROM favorites") == 0


@pytest.mark.parametrize("method", ["put", "delete"])
def test_favorite_of_an_unknown_board_is_404(client, signup, method):
    _, headers = signup()
    response = favorite(client, 999999999, headers, method)
    assert response.status_code == 404
    assert response.json["code"] == 404


@pytest.mark.parametrize("method", ["put", "delete"])
@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer nope"}])
def test_favorite_without_a_valid_token_is_401(client, signup, db, method, headers):
    _, author = signup()
    board = post_board(client, author).json
    assert favorite(client, board["id"], headers, method).status_code == 401
    assert db.value("SELECT COUNT(*) FROM favorites") == 0


def test_favorited_only_with_a_token_and_vary_always(client, signup):
    _, author = signup()
    _, fan = signup()
    board = post_board(client, author).json
    favorite(client, board["id"], fan)
    for url in (f"/boards/{board['id']}", "/boards", f"/users/{board['author']['id']}/boards"):
        anonymous = client.get(url)
        assert "Authorization" in anonymous.headers["Vary"]
        row = anonymous.json if "items" not in anonymous.json else anonymous.json["items"][0]
        assert "favorited" not in row
        row = client.get(url, headers=fan).json
        assert (row if "items" not in row else row["items"][0])["favorited"] is True
        row = client.get(url, headers=author).json
        assert (row if "items" not in row else row["items"][0])["favorited"] is False
        stale = client.get(url, headers={"Authorization": "Bearer not-a-token"}).json
        assert "favorited" not in (stale if "items" not in stale else stale["items"][0])


def test_a_logged_out_token_sees_no_favorited(client, signup):
    _, author = signup()
    board = post_board(client, author).json
    favorite(client, board["id"], author)
    assert client.post("/auth/logout", headers=author).status_code == 204
    response = client.get(f"/boards/{board['id']}", headers=author)
    assert response.status_code == 200
    assert "favorited" not in response.json


def test_the_etag_changes_with_favorites(client, world):
    author, fan = world.alice_headers, world.bob_headers
    url = f"/boards/{world.board['id']}"
    before = client.get(url).headers["ETag"]
    favorite(client, world.board["id"], fan)
    assert client.get(url, headers={"If-None-Match": before}).status_code == 200
    assert client.get(url).headers["ETag"] != before
    assert client.get(url, headers=fan).headers["ETag"] != client.get(url, headers=author).headers["ETag"]
    response = client.patch(url, json={"title": "x"}, headers={**author, "If-Match": before})
    assert response.status_code == 412


def test_user_favorites_newest_favorite_first(client, signup, db):
    _, author = signup()
    fan, headers = signup()
    boards = [post_board(client, author).json["id"] for _ in range(5)]
    order = [boards[3], boards[0], boards[4], boards[1]]
    for board_id in order:
        assert favorite(client, board_id, headers).status_code == 204
    items = assert_pages(client, f"/users/{fan['id']}/favorites", 3, order[::-1])
    assert all(item["favorite_count"] == 1 for item in items)
    assert "Authorization" in client.get(f"/users/{fan['id']}/favorites").headers["Vary"]
    mine = client.get(f"/users/{fan['id']}/favorites", headers=headers).json["items"]
    assert all(item["favorited"] for item in mine)


def test_user_favorites_empty_and_unknown_user(client, signup):
    user, _ = signup()
    assert_empty_page(client, f"/users/{user['id']}/favorites")
    assert client.get("/users/999999999/favorites").status_code == 404
    assert client.get(f"/users/{user['id']}/favorites?cursor=bad").status_code == 422


def test_deleting_a_board_takes_it_off_its_favoriters(client, signup, db):
    _, author = signup()
    fan, headers = signup()
    board = post_board(client, author).json
    favorite(client, board["id"], headers)
    assert client.delete(f"/boards/{board['id']}", headers=author).status_code == 204
    assert counts(db, board["id"], fan["id"]) == (None, 0)
    assert_empty_page(client, f"/users/{fan['id']}/favorites")


def test_user_by_name(client, signup):
    user, headers = signup("Ünïcode Name")
    response = client.get("/users/by-name/Ünïcode Name")
    assert response.status_code == 200
    assert response.json == {key: user[key] for key in ("id", "name", "created_at", "updated_at")}
    assert client.get("/users/by-name/ünïcode name").json["id"] == user["id"]  # as at sign-up
    assert client.get("/users/by-name/Ünïcode Name", headers=headers).json["email"] == user["email"]
    missing = client.get("/users/by-name/nobody-at-all")
    assert missing.status_code == 404
    assert missing.json["code"] == 404


def test_user_by_name_with_a_slash(client, signup):
    user, _ = signup("a/b")
    assert client.get("/users/by-name/a/b").json["id"] == user["id"]
    assert client.get("/users/by-name/a%2Fb").json["id"] == user["id"]


def test_timestamps_keep_zero_microseconds(client, signup, db):
    _, headers = signup()
    board = post_board(client, headers).json
    db.all("UPDATE boards SET created_at = %s, updated_at = %s WHERE id = %s",
           (datetime(2026, 11, 24, 10, 0, 0), datetime(2026, 11, 24, 10, 0, 0, 5), board["id"]))
    fetched = client.get(f"/boards/{board['id']}").json
    assert fetched["created_at"] == "2026-11-24T10:00:00.000000+00:00"
    assert fetched["updated_at"] == "2026-11-24T10:00:00.000005+00:00"
    assert client.get("/boards").json["items"][0]["created_at"] == "2026-11-24T10:00:00.000000+00:00"


def test_openapi_documents_the_new_operations(client):
    spec = client.get("/openapi.json").json
    paths = spec["paths"]
    assert {"put", "delete"} <= set(paths["/boards/{board_id}/favorite"])
    for path in ("/tags", "/users/{user_id}/favorites", "/users/by-name/{name}"):
        assert "get" in paths[path], path
    board = spec["components"]["schemas"]["Board"]["properties"]
    assert {"tags", "favorite_count", "favorited"} <= set(board)
    assert "tags" in spec["components"]["schemas"]["BoardCreate"]["properties"]
    assert "404" in paths["/boards/{board_id}/favorite"]["put"]["responses"]
    assert "tag" in {p["name"] for p in paths["/boards"]["get"]["parameters"]}


def test_the_page_queries_for_other_list_shapes(client, signup, db):
    """tags.tags_of_boards and favorites.favorited_among (for lists that
    /api builds its own way): a page's tags and favorites in one statement each."""
    from board_writes import names_json
    from queries import load_queries

    _, author = signup()
    fan, headers = signup()
    first = client.post("/boards", json={"title": "a", "tags": ["x", "y"]}, headers=author).json["id"]
    second = client.post("/boards", json={"title": "b"}, headers=author).json["id"]
    favorite(client, first, headers)
    page = names_json([first, second, 999999999])
    tags = load_queries("tags").tags_of_boards(db.conn, board_ids=page)
    assert sorted((row["board_id"], row["name"]) for row in tags) == [(first, "x"), (first, "y")]
    favorited = load_queries("favorites").favorited_among(db.conn, user_id=fan["id"], board_ids=page)
    assert [row["board_id"] for row in favorited] == [first]
    assert load_queries("boards").total_boards(db.conn) == 2
    assert load_queries("tags").get_tag_board_count(db.conn, name="x") == 1
    counts = load_queries("users").get_user_counts_by_name(db.conn, name=fan["name"].upper())
    assert (counts["id"], counts["board_count"], counts["favorite_count"]) == (fan["id"], 0, 1)
