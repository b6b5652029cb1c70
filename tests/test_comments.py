"""Comments: every row of the contract's Comments table, and comment_count."""
import pytest

from tests.helpers import assert_empty_page, assert_pages, post_board, post_comment, walk_pages


# POST /boards/{id}/comments


def test_post_comment(client, signup, db):
    _, board_headers = signup()
    commenter, headers = signup("댓글러 🐣")
    board = post_board(client, board_headers).json
    response = client.post(
        f"/boards/{board['id']}/comments", json={"content": "좋은 글 👍"}, headers=headers
    )
    assert response.status_code == 201
    comment = response.json
    assert response.headers["Location"] == f"/comments/{comment['id']}"
    assert comment["board_id"] == board["id"]
    assert comment["content"] == "좋은 글 👍"
    assert comment["author"] == {"id": commenter["id"], "name": "댓글러 🐣"}
    assert comment["created_at"].endswith("+00:00")
    assert set(comment) == {"id", "board_id", "content", "author", "created_at"}
    stored = db.one("SELECT board_id, user_id, content FROM comments WHERE id = %s", (comment["id"],))
    assert stored == {"board_id": board["id"], "user_id": commenter["id"], "content": "좋은 글 👍"}
    assert client.get(response.headers["Location"]).json == comment


def test_post_comment_on_an_unknown_board_is_404(client, signup, db):
    _, headers = signup()
    response = client.post("/boards/999999999/comments", json={"content": "x"}, headers=headers)
    assert response.status_code == 404
    assert response.json["code"] == 404
    assert db.value("SELECT COUNT(*) FROM comments") == 0


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer nope"}])
def test_post_comment_without_a_valid_token_is_401(client, signup, db, headers):
    _, board_headers = signup()
    board = post_board(client, board_headers).json
    response = client.post(f"/boards/{board['id']}/comments", json={"content": "x"}, headers=headers)
    assert response.status_code == 401
    assert db.value("SELECT COUNT(*) FROM comments") == 0


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"content": ""}, id="empty"),
        pytest.param({"content": "x" * 2001}, id="2001-chars"),
        pytest.param({}, id="missing"),
        pytest.param({"content": None}, id="null"),
        pytest.param({"content": 7}, id="number"),
        pytest.param({"content": "a\x00b"}, id="nul"),
    ],
)
def test_post_bad_comment_is_422(client, signup, db, body):
    _, headers = signup()
    board = post_board(client, headers).json
    response = client.post(f"/boards/{board['id']}/comments", json=body, headers=headers)
    assert response.status_code == 422
    assert "content" in response.json["errors"]["json"]
    assert db.value("SELECT COUNT(*) FROM comments") == 0


def test_post_comment_with_an_unknown_field_is_422(client, signup):
    _, headers = signup()
    board = post_board(client, headers).json
    response = client.post(
        f"/boards/{board['id']}/comments", json={"content": "x", "board_id": 1}, headers=headers
    )
    assert response.status_code == 422
    assert "board_id" in response.json["errors"]["json"]


def test_post_comment_of_2000_chars_is_accepted(client, signup):
    _, headers = signup()
    board = post_board(client, headers).json
    assert len(post_comment(client, board["id"], headers, "가" * 2000).json["content"]) == 2000


# GET /boards/{id}/comments


def test_list_comments_oldest_first_with_paging(client, signup):
    _, headers = signup()
    board = post_board(client, headers).json
    other = post_board(client, headers, "other").json
    ids = [post_comment(client, board["id"], headers, f"c{n}").json["id"] for n in range(7)]
    post_comment(client, other["id"], headers, "elsewhere")
    items = assert_pages(client, f"/boards/{board['id']}/comments", 3, ids)
    assert [c["content"] for c in items] == [f"c{n}" for n in range(7)]
    assert {c["board_id"] for c in items} == {board["id"]}


def test_list_comments_of_a_board_without_comments_is_empty(client, signup):
    _, headers = signup()
    board = post_board(client, headers).json
    assert_empty_page(client, f"/boards/{board['id']}/comments")


@pytest.mark.parametrize("board_id", ["999999999", "0", "x"])
def test_list_comments_of_an_unknown_board_is_404(client, db, board_id):
    assert client.get(f"/boards/{board_id}/comments").status_code == 404


# GET /comments/{id}


@pytest.mark.parametrize("comment_id", ["999999999", "0", "-3", "x"])
def test_get_unknown_comment_is_404(client, db, comment_id):
    response = client.get(f"/comments/{comment_id}")
    assert response.status_code == 404
    assert response.json["code"] == 404


# DELETE /comments/{id}


@pytest.fixture
def three_people(client, signup):
    """A board by its author, a comment on it by a commenter, and a stranger."""
    board_author, board_headers = signup()
    commenter, commenter_headers = signup()
    _, stranger_headers = signup()
    board = post_board(client, board_headers).json
    comment = post_comment(client, board["id"], commenter_headers).json
    return {
        "board": board,
        "comment": comment,
        "board author": board_headers,
        "comment author": commenter_headers,
        "stranger": stranger_headers,
    }


@pytest.mark.parametrize("who", ["comment author", "board author"])
def test_delete_comment_by_its_author_or_the_boards_author(client, db, three_people, who):
    comment_id = three_people["comment"]["id"]
    response = client.delete(f"/comments/{comment_id}", headers=three_people[who])
    assert response.status_code == 204
    assert response.data == b""
    assert db.value("SELECT COUNT(*) FROM comments WHERE id = %s", (comment_id,)) == 0
    assert client.get(f"/comments/{comment_id}").status_code == 404
    again = client.delete(f"/comments/{comment_id}", headers=three_people[who])
    assert again.status_code == 404


def test_delete_comment_by_anyone_else_is_403(client, db, three_people):
    comment_id = three_people["comment"]["id"]
    response = client.delete(f"/comments/{comment_id}", headers=three_people["stranger"])
    assert response.status_code == 403
    assert response.json["code"] == 403
    assert db.value("SELECT COUNT(*) FROM comments WHERE id = %s", (comment_id,)) == 1


def test_delete_comment_without_a_token_is_401(client, db, three_people):
    comment_id = three_people["comment"]["id"]
    assert client.delete(f"/comments/{comment_id}").status_code == 401
    assert db.value("SELECT COUNT(*) FROM comments WHERE id = %s", (comment_id,)) == 1


def test_delete_unknown_comment_is_404(client, signup):
    _, headers = signup()
    assert client.delete("/comments/999999999", headers=headers).status_code == 404


# comment_count


def counts_seen(client, board_id):
    """comment_count as GET one, the boards list and the two author lists show it."""
    board = client.get(f"/boards/{board_id}").json
    author_id = board["author"]["id"]
    seen = {"get": board["comment_count"]}
    for name, url in [("list", "/boards"), ("author list", f"/users/{author_id}/boards"),
                      ("filtered list", f"/boards?author_id={author_id}")]:
        items, _ = walk_pages(client, url, 2)
        seen[name] = next(b["comment_count"] for b in items if b["id"] == board_id)
    return seen


def test_comment_count_follows_adds_and_removes(client, signup):
    _, headers = signup()
    _, other_headers = signup()
    board = post_board(client, headers, "counted").json
    quiet = post_board(client, headers, "quiet").json
    post_board(client, other_headers, "someone else's")
    added = []
    for n in range(1, 4):
        added.append(post_comment(client, board["id"], other_headers, f"c{n}").json["id"])
        assert set(counts_seen(client, board["id"]).values()) == {n}
    assert set(counts_seen(client, quiet["id"]).values()) == {0}
    client.delete(f"/comments/{added[0]}", headers=other_headers)
    assert set(counts_seen(client, board["id"]).values()) == {2}
    client.delete(f"/comments/{added[1]}", headers=headers)
    assert set(counts_seen(client, board["id"]).values()) == {1}
    assert set(counts_seen(client, quiet["id"]).values()) == {0}


def test_comment_count_in_the_feed(client, signup):
    author, author_headers = signup()
    _, reader_headers = signup()
    board = post_board(client, author_headers).json
    client.put(f"/users/{author['id']}/follow", headers=reader_headers)
    post_comment(client, board["id"], reader_headers)
    post_comment(client, board["id"], author_headers)
    feed = client.get("/feed", headers=reader_headers).json["items"]
    assert [(b["id"], b["comment_count"]) for b in feed] == [(board["id"], 2)]
