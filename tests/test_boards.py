"""Boards: every row of the contract's Boards table, ETags and If-Match."""
from typing import NamedTuple

import pytest

from tests.helpers import assert_empty_page, assert_pages, post_board, post_comment


def board_row(db, board_id):
    return db.one("SELECT user_id, title, content, version FROM boards WHERE id = %s", (board_id,))


# POST /boards


def test_post_board_creates_it_with_the_caller_as_author(client, signup, db):
    user, headers = signup()
    response = post_board(client, headers, "First", "Hello")
    board = response.json
    assert response.headers["Location"] == f"/boards/{board['id']}"
    assert response.headers["ETag"]
    assert board["title"] == "First"
    assert board["content"] == "Hello"
    assert board["author"] == {"id": user["id"], "name": user["name"]}
    assert board["comment_count"] == 0
    assert board["created_at"].endswith("+00:00")
    assert board["updated_at"].endswith("+00:00")
    assert board_row(db, board["id"])["user_id"] == user["id"]
    fetched = client.get(response.headers["Location"], headers=headers)
    assert fetched.json == board
    assert fetched.headers["ETag"] == response.headers["ETag"]


def test_post_board_content_is_optional(client, signup):
    _, headers = signup()
    response = client.post("/boards", json={"title": "Only a title"}, headers=headers)
    assert response.status_code == 201
    assert response.json["content"] == ""


def test_post_board_ignores_a_user_id_in_the_body(client, signup):
    # The author is always the caller; a user_id field is unknown (422), never obeyed.
    other, _ = signup()
    _, headers = signup()
    response = client.post(
        "/boards", json={"title": "t", "content": "c", "user_id": other["id"]}, headers=headers
    )
    assert response.status_code == 422
    assert "user_id" in response.json["errors"]["json"]


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer not-a-token"}])
def test_post_board_without_a_valid_token_is_401(client, db, headers):
    response = client.post("/boards", json={"title": "t", "content": "c"}, headers=headers)
    assert response.status_code == 401
    assert response.json["code"] == 401
    assert db.value("SELECT COUNT(*) FROM boards") == 0


BAD_BOARDS = [
    pytest.param({"content": "no title"}, "title", id="missing-title"),
    pytest.param({"title": "", "content": "c"}, "title", id="empty-title"),
    pytest.param({"title": "x" * 201, "content": "c"}, "title", id="title-201-chars"),
    pytest.param({"title": "t", "content": "x" * 20001}, "content", id="content-over-20000"),
    pytest.param({"title": 123, "content": "c"}, "title", id="title-number"),
    pytest.param({"title": ["t"], "content": "c"}, "title", id="title-list"),
    pytest.param({"title": None, "content": "c"}, "title", id="title-null"),
    pytest.param({"title": "t", "content": 5}, "content", id="content-number"),
    pytest.param({"title": "t", "content": None}, "content", id="content-null"),
    pytest.param({"title": "t", "content": "c", "labels": ["x"]}, "labels", id="unknown-field"),
    pytest.param({"title": "a\x00b", "content": "c"}, "title", id="nul-in-title"),
    pytest.param({"title": "t", "content": "a\x00b"}, "content", id="nul-in-content"),
]


@pytest.mark.parametrize("body, field", BAD_BOARDS)
def test_post_board_with_a_bad_field_is_422_naming_it(client, signup, db, body, field):
    _, headers = signup()
    response = client.post("/boards", json=body, headers=headers)
    assert response.status_code == 422, response.json
    assert field in response.json["errors"]["json"]
    assert db.value("SELECT COUNT(*) FROM boards") == 0


def test_post_board_at_the_length_limits_is_accepted(client, signup):
    _, headers = signup()
    response = post_board(client, headers, "x" * 200, "y" * 20000)
    assert len(response.json["title"]) == 200
    assert len(response.json["content"]) == 20000


def test_korean_and_emoji_round_trip_exactly(client, signup, db):
    user, headers = signup("김민지 🌸")
    title = "안녕하세요 😀 👩‍👩‍👧‍👦 한국어 제목"
    content = "본문입니다 🇰🇷\n줄바꿈과 결합 문자: é (e\u0301) 𝄞"
    board = post_board(client, headers, title, content).json
    fetched = client.get(f"/boards/{board['id']}").json
    listed = client.get("/boards").json["items"][0]
    for seen in (board, fetched, listed):
        assert seen["title"] == title
        assert seen["content"] == content
        assert seen["author"]["name"] == "김민지 🌸"
    stored = board_row(db, board["id"])
    assert stored["title"] == title
    assert stored["content"] == content
    assert db.value("SELECT HEX(title) FROM boards WHERE id = %s", (board["id"],)) == (
        title.encode("utf-8").hex().upper()
    )


# GET /boards


def test_list_boards_newest_first_with_author_and_comment_count(client, signup):
    alice, alice_headers = signup()
    bob, bob_headers = signup()
    first = post_board(client, alice_headers, "first").json
    second = post_board(client, bob_headers, "second").json
    client.post(f"/boards/{first['id']}/comments", json={"content": "hi"}, headers=bob_headers)
    response = client.get("/boards")
    assert response.status_code == 200
    body = response.json
    assert body["next_cursor"] is None
    assert "Link" not in response.headers
    assert [b["id"] for b in body["items"]] == [second["id"], first["id"]]
    assert body["items"][0]["author"] == {"id": bob["id"], "name": bob["name"]}
    assert body["items"][1]["author"] == {"id": alice["id"], "name": alice["name"]}
    assert [b["comment_count"] for b in body["items"]] == [0, 1]


def test_list_boards_of_an_empty_table(client, db):
    assert_empty_page(client, "/boards")


@pytest.mark.parametrize("url", ["/boards?author_id={id}", "/users/{id}/boards"])
def test_one_authors_boards_page_newest_first(client, signup, url):
    alice, alice_headers = signup()
    _, bob_headers = signup()
    mine = [post_board(client, alice_headers, f"a{i}").json["id"] for i in range(5)]
    post_board(client, bob_headers, "not alice's")
    items = assert_pages(client, url.format(id=alice["id"]), 2, mine[::-1])
    assert {b["author"]["id"] for b in items} == {alice["id"]}


def test_list_boards_of_an_unknown_author_is_an_empty_page(client, signup):
    _, headers = signup()
    post_board(client, headers)
    assert_empty_page(client, "/boards?author_id=999999999")


@pytest.mark.parametrize("author_id", ["abc", "0", "-1", "1.5", "", "99999999999999999999"])
def test_list_boards_with_a_bad_author_id_is_422(client, db, author_id):
    response = client.get(f"/boards?author_id={author_id}")
    assert response.status_code == 422
    assert "author_id" in response.json["errors"]["query"]


# GET /boards/{id}


def test_get_board_sends_an_etag_and_honours_if_none_match(client, signup):
    _, headers = signup()
    board = post_board(client, headers).json
    response = client.get(f"/boards/{board['id']}")
    assert response.status_code == 200
    etag = response.headers["ETag"]
    assert etag.startswith('"') and etag.endswith('"')
    not_modified = client.get(f"/boards/{board['id']}", headers={"If-None-Match": etag})
    assert not_modified.status_code == 304
    assert not_modified.data == b""
    assert not_modified.headers["ETag"] == etag
    other = client.get(f"/boards/{board['id']}", headers={"If-None-Match": '"other"'})
    assert other.status_code == 200
    assert other.json == {key: value for key, value in board.items() if key != "favorited"}
    one_of_many = client.get(f"/boards/{board['id']}", headers={"If-None-Match": f'"x", {etag}'})
    assert one_of_many.status_code == 304


@pytest.mark.parametrize("path", ["/boards/999999999", "/boards/0", "/boards/-1", "/boards/abc"])
def test_get_unknown_board_is_404(client, db, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response.json["code"] == 404


def test_etag_changes_when_a_comment_is_added_or_removed(client, signup):
    _, headers = signup()
    board = post_board(client, headers).json
    url = f"/boards/{board['id']}"
    before = client.get(url).headers["ETag"]
    comment = client.post(f"{url}/comments", json={"content": "c"}, headers=headers)
    after_add = client.get(url, headers={"If-None-Match": before})
    assert after_add.status_code == 200
    assert after_add.json["comment_count"] == 1
    assert after_add.headers["ETag"] != before
    client.delete(f"/comments/{comment.json['id']}", headers=headers)
    after_delete = client.get(url)
    assert after_delete.json["comment_count"] == 0
    assert after_delete.headers["ETag"] != after_add.headers["ETag"]


# PUT / PATCH /boards/{id}


def test_put_replaces_title_and_content(client, signup, db):
    user, headers = signup()
    created = post_board(client, headers, "old", "old content")
    board = created.json
    response = client.put(
        f"/boards/{board['id']}", json={"title": "new", "content": ""}, headers=headers
    )
    assert response.status_code == 200
    assert response.json["title"] == "new"
    assert response.json["content"] == ""
    assert response.json["author"]["id"] == user["id"]
    assert response.json["updated_at"] >= board["updated_at"]
    assert response.headers["ETag"] != created.headers["ETag"]
    assert board_row(db, board["id"])["title"] == "new"
    assert board_row(db, board["id"])["content"] == ""


@pytest.mark.parametrize(
    "method, body, field",
    [
        pytest.param("put", {"title": "only title"}, "content", id="put-missing-content"),
        pytest.param("put", {"content": "only content"}, "title", id="put-missing-title"),
        pytest.param("put", {"title": "", "content": "c"}, "title", id="put-empty-title"),
        pytest.param("put", {"title": "t", "content": "c", "x": 1}, "x", id="put-unknown-field"),
        pytest.param("patch", {"title": ""}, "title", id="patch-empty-title"),
        pytest.param("patch", {"content": "x" * 20001}, "content", id="patch-long-content"),
        pytest.param("patch", {"title": 1}, "title", id="patch-title-number"),
        pytest.param("patch", {"author_id": 1}, "author_id", id="patch-unknown-field"),
    ],
)
def test_a_bad_put_or_patch_is_422_and_changes_nothing(client, signup, db, method, body, field):
    """PUT needs both fields; PATCH any of them; both refuse unknown fields."""
    _, headers = signup()
    board = post_board(client, headers, "old", "old content").json
    response = getattr(client, method)(f"/boards/{board['id']}", json=body, headers=headers)
    assert response.status_code == 422
    assert field in response.json["errors"]["json"]
    assert board_row(db, board["id"])["title"] == "old"


@pytest.mark.parametrize(
    "changes",
    [{"title": "new title"}, {"content": "new content"}, {"title": "t2", "content": "c2"}],
)
def test_patch_changes_only_the_given_fields(client, signup, db, changes):
    _, headers = signup()
    board = post_board(client, headers, "old title", "old content").json
    response = client.patch(f"/boards/{board['id']}", json=changes, headers=headers)
    assert response.status_code == 200
    expected = {"title": "old title", "content": "old content", **changes}
    assert {k: response.json[k] for k in ("title", "content")} == expected
    stored = board_row(db, board["id"])
    assert {k: stored[k] for k in ("title", "content")} == expected


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_changing_another_users_board_is_403(client, signup, db, method):
    _, owner_headers = signup()
    _, other_headers = signup()
    board = post_board(client, owner_headers, "mine", "mine").json
    kwargs = {} if method == "delete" else {"json": {"title": "theirs", "content": "theirs"}}
    response = getattr(client, method)(f"/boards/{board['id']}", headers=other_headers, **kwargs)
    assert response.status_code == 403
    assert board_row(db, board["id"])["title"] == "mine"


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_changing_an_unknown_board_is_404(client, signup, method):
    _, headers = signup()
    kwargs = {} if method == "delete" else {"json": {"title": "t", "content": "c"}}
    response = getattr(client, method)("/boards/999999999", headers=headers, **kwargs)
    assert response.status_code == 404


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_changing_a_board_without_a_token_is_401(client, signup, db, method):
    _, headers = signup()
    board = post_board(client, headers, "mine", "mine").json
    kwargs = {} if method == "delete" else {"json": {"title": "t", "content": "c"}}
    response = getattr(client, method)(f"/boards/{board['id']}", **kwargs)
    assert response.status_code == 401
    assert board_row(db, board["id"])["title"] == "mine"


class OwnBoard(NamedTuple):
    id: int
    url: str
    etag: str
    headers: dict  # its owner's


@pytest.fixture
def v1_board(client, signup):
    """A new user's board, title "v1", content "c1", and its ETag."""
    _, headers = signup()
    board_id = post_board(client, headers, "v1", "c1").json["id"]
    url = f"/boards/{board_id}"
    return OwnBoard(board_id, url, client.get(url).headers["ETag"], headers)


def if_match(client, method, board, etag, body):
    """The owner's PUT or PATCH of `board` with `If-Match: etag`."""
    return getattr(client, method)(board.url, json=body, headers={**board.headers, "If-Match": etag})


@pytest.mark.parametrize("method", ["put", "patch"])
def test_stale_if_match_is_412_and_changes_nothing(client, db, v1_board, method):
    assert client.patch(v1_board.url, json={"title": "v2"}, headers=v1_board.headers).status_code == 200
    before = board_row(db, v1_board.id)
    response = if_match(client, method, v1_board, v1_board.etag, {"title": "v3", "content": "c3"})
    assert response.status_code == 412
    assert response.json["code"] == 412
    assert board_row(db, v1_board.id) == before
    assert before["title"] == "v2"


def test_stale_if_match_after_a_new_comment_is_412(client, db, v1_board):
    post_comment(client, v1_board.id, v1_board.headers, "news")
    response = if_match(client, "patch", v1_board, v1_board.etag, {"title": "v2"})
    assert response.status_code == 412
    assert board_row(db, v1_board.id)["title"] == "v1"


@pytest.mark.parametrize("method", ["put", "patch"])
def test_current_if_match_is_200_with_a_new_etag(client, db, v1_board, method):
    response = if_match(client, method, v1_board, v1_board.etag, {"title": "v2", "content": "c2"})
    assert response.status_code == 200
    new_etag = response.headers["ETag"]
    assert new_etag != v1_board.etag
    assert client.get(v1_board.url, headers=v1_board.headers).headers["ETag"] == new_etag
    assert board_row(db, v1_board.id)["title"] == "v2"
    assert if_match(client, "patch", v1_board, new_etag, {"title": "v3"}).status_code == 200


def test_if_match_star_is_200(client, db, v1_board):
    assert if_match(client, "patch", v1_board, "*", {"title": "v2"}).status_code == 200
    assert board_row(db, v1_board.id)["title"] == "v2"


@pytest.mark.parametrize("etag", ['"garbage"', "garbage", '"1-"', '"-1"', 'W/"x"', '"9999-0"'])
def test_garbage_if_match_is_412(client, db, v1_board, etag):
    assert if_match(client, "patch", v1_board, etag, {"title": "v2"}).status_code == 412
    assert board_row(db, v1_board.id)["title"] == "v1"


def test_if_match_on_another_users_board_is_403_not_412(client, world):
    url = f"/boards/{world.board['id']}"
    etag = client.get(url).headers["ETag"]
    response = client.patch(url, json={"title": "x"}, headers={**world.bob_headers, "If-Match": etag})
    assert response.status_code == 403


# DELETE /boards/{id}


def test_delete_board_removes_it_and_its_comments(client, signup, db):
    _, headers = signup()
    _, other_headers = signup()
    board = post_board(client, headers).json
    kept = post_board(client, headers, "kept").json
    for n in range(3):
        client.post(f"/boards/{board['id']}/comments", json={"content": f"c{n}"}, headers=other_headers)
    client.post(f"/boards/{kept['id']}/comments", json={"content": "stays"}, headers=other_headers)
    response = client.delete(f"/boards/{board['id']}", headers=headers)
    assert response.status_code == 204
    assert response.data == b""
    assert client.get(f"/boards/{board['id']}").status_code == 404
    assert db.value("SELECT COUNT(*) FROM boards WHERE id = %s", (board["id"],)) == 0
    assert db.value("SELECT COUNT(*) FROM comments WHERE board_id = %s", (board["id"],)) == 0
    assert db.value("SELECT COUNT(*) FROM comments WHERE board_id = %s", (kept["id"],)) == 1
    assert client.delete(f"/boards/{board['id']}", headers=headers).status_code == 404


# GET /users/{id}/boards


def test_user_boards_of_a_user_without_boards_is_an_empty_page(client, signup):
    user, _ = signup()
    assert_empty_page(client, f"/users/{user['id']}/boards")


@pytest.mark.parametrize("user_id", ["999999999", "0", "abc"])
def test_user_boards_of_an_unknown_user_is_404(client, db, user_id):
    assert client.get(f"/users/{user_id}/boards").status_code == 404


@pytest.mark.parametrize("etag", ['"garbage"', '"1-0"'])
def test_if_match_does_not_hide_404_or_403(client, signup, etag):
    """Preconditions are judged after "does it exist" and "may you change it"."""
    _, owner_headers = signup()
    _, other_headers = signup()
    board = post_board(client, owner_headers).json
    unknown = client.patch("/boards/999999999", json={"title": "x"},
                           headers={**owner_headers, "If-Match": etag})
    assert unknown.status_code == 404
    theirs = client.patch(f"/boards/{board['id']}", json={"title": "x"},
                          headers={**other_headers, "If-Match": etag})
    assert theirs.status_code == 403
