"""RealWorld /api/articles/{slug}/comments: add, list, delete (only by the
comment's author), on the native comments and their stored counts."""
import pytest

from realworld.slugs import article_slug
from tests.helpers.realworld import as_bearer, assert_errors, register


@pytest.fixture
def article(client, db):
    """An article (a native board) by its author: (slug, board id, author headers)."""
    _, headers = register(client, "author")
    board = client.post("/boards", json={"title": "How to train your dragon", "content": "c"},
                        headers=as_bearer(headers)).json
    slug = article_slug(board["id"], board["title"])
    assert slug == f"how-to-train-your-dragon-{board['id']}"
    return slug, board["id"], headers


def comment(client, slug, headers, body="Thank you so much!"):
    return client.post(f"/api/articles/{slug}/comments", headers=headers, json={"comment": {"body": body}})


def test_add_a_comment_201(client, db, article):
    slug, board_id, _ = article
    me, headers = register(client, "commenter")
    response = comment(client, slug, headers)
    assert response.status_code == 201
    body = response.json["comment"]
    assert set(body) == {"id", "createdAt", "updatedAt", "body", "author"}
    assert body["body"] == "Thank you so much!"
    assert body["createdAt"] == body["updatedAt"]
    assert body["author"] == {"username": "commenter", "bio": None, "image": None, "following": False}
    assert db.value("SELECT comment_count FROM boards WHERE id = %s", (board_id,)) == 1
    assert db.value("SELECT content FROM comments WHERE id = %s", (body["id"],)) == "Thank you so much!"


def test_list_newest_first_with_following(client, db, article):
    slug, _, author_headers = article
    _, reader_headers = register(client, "reader")
    first = comment(client, slug, author_headers, "first").json["comment"]
    second = comment(client, slug, reader_headers, "second").json["comment"]
    client.post("/api/profiles/author/follow", headers=reader_headers)
    response = client.get(f"/api/articles/{slug}/comments", headers=reader_headers)
    assert response.status_code == 200
    listed = response.json["comments"]
    assert [c["id"] for c in listed] == [second["id"], first["id"]]
    assert [c["author"]["following"] for c in listed] == [False, True]
    assert listed[1] == {**first, "author": {**first["author"], "following": True}}
    anonymous = client.get(f"/api/articles/{slug}/comments").json["comments"]
    assert [c["author"]["following"] for c in anonymous] == [False, False]


def test_an_article_without_comments_lists_none(client, db, article):
    assert client.get(f"/api/articles/{article[0]}/comments").json == {"comments": []}


@pytest.mark.parametrize("slug", ["no-such-article-999999", "how-to-train-your-cat-{id}", "{id}x", "-{id}"])
def test_an_unknown_article_is_404(client, db, article, slug):
    slug = slug.format(id=article[1])
    _, headers = register(client)
    assert_errors(client.get(f"/api/articles/{slug}/comments"), 404, {"article": ["not found"]})
    assert_errors(comment(client, slug, headers), 404, {"article": ["not found"]})
    assert_errors(client.delete(f"/api/articles/{slug}/comments/1", headers=headers), 404, {"article": ["not found"]})


def test_writing_or_deleting_needs_a_token_first(client, db):
    assert_errors(comment(client, "no-such-article-1", {}), 401, {"token": ["is missing"]})
    assert_errors(client.delete("/api/articles/no-such-article-1/comments/1"), 401, {"token": ["is missing"]})


@pytest.mark.parametrize("body, errors", [
    ({"comment": {}}, {"body": ["can't be blank"]}),
    ({"comment": {"body": ""}}, {"body": ["can't be blank"]}),
    ({"comment": {"body": None}}, {"body": ["can't be blank"]}),
    ({}, {"comment": ["can't be blank"]}),
])
def test_a_blank_comment_is_422(client, db, article, body, errors):
    _, headers = register(client)
    assert_errors(client.post(f"/api/articles/{article[0]}/comments", headers=headers, json=body), 422, errors)
    assert db.value("SELECT COUNT(*) FROM comments") == 0


def test_only_the_comments_author_deletes_it(client, db, article):
    slug, board_id, author_headers = article
    _, headers = register(client, "writer")
    written = comment(client, slug, headers).json["comment"]
    # Not even the article's author (the native API lets them).
    assert_errors(client.delete(f"/api/articles/{slug}/comments/{written['id']}", headers=author_headers),
                  403, {"comment": ["forbidden"]})
    deleted = client.delete(f"/api/articles/{slug}/comments/{written['id']}", headers=headers)
    assert deleted.status_code == 204 and deleted.data == b""
    assert db.value("SELECT COUNT(*) FROM comments") == 0
    assert db.value("SELECT comment_count FROM boards WHERE id = %s", (board_id,)) == 0
    assert_errors(client.delete(f"/api/articles/{slug}/comments/{written['id']}", headers=headers),
                  404, {"comment": ["not found"]})


def test_a_comment_of_another_article_is_not_found(client, db, article):
    slug, _, headers = article
    other = client.post("/boards", json={"title": "Other"}, headers=as_bearer(headers)).json
    written = comment(client, article_slug(other["id"], "Other"), headers).json["comment"]
    assert_errors(client.delete(f"/api/articles/{slug}/comments/{written['id']}", headers=headers),
                  404, {"comment": ["not found"]})
    assert db.value("SELECT COUNT(*) FROM comments") == 1


def test_the_list_is_the_newest_100(client, db, article):
    slug, board_id, _ = article
    author_id = db.value("SELECT id FROM users WHERE name = 'author'")
    db.many("INSERT INTO comments (board_id, user_id, content) VALUES (%s, %s, %s)",
            [(board_id, author_id, f"c{n}") for n in range(105)])
    db.conn.commit()
    listed = client.get(f"/api/articles/{slug}/comments").json["comments"]
    assert [c["body"] for c in listed] == [f"c{n}" for n in range(104, 4, -1)]
