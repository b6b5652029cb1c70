"""One SQL statement per list page and per single-row GET, no new connection
per request.

Statements are counted with the session's own `Questions` counter on the
connection the app keeps for this thread (the Flask test client runs the
request in the test's thread), so other test runs on the same server do not
disturb the count. `Questions` leaves out COM_PING, so an idle-connection
ping would not be counted as a statement.
"""
import pytest

from tests.helpers import PASSWORD, around_one_get, insert_boards, insert_comments, insert_follows, insert_users

PAGE = 5


def questions(conn):
    with conn.cursor() as cursor:
        cursor.execute("SHOW SESSION STATUS LIKE 'Questions'")
        return int(cursor.fetchone()["Value"])


@pytest.fixture
def statements(app, client):
    """statements(url, headers) -> (response, SQL statements the request sent)."""
    return lambda url, headers=None: around_one_get(
        client, app.extensions["boards_db"], questions, url, headers)


@pytest.fixture
def crowded(db, world, rebuild):
    """conftest's world with more rows than one page in every list (bob's
    boards, followers and followings, alice's board's comments), so that
    every list answers a full page and a next cursor."""
    fans = insert_users(db, PAGE + 2, "fan")
    bob = world.bob["id"]
    insert_boards(db, bob, PAGE + 2)
    insert_boards(db, world.alice["id"], 1)
    insert_comments(db, world.board["id"], bob, PAGE + 2)
    insert_follows(db, [(fan, bob) for fan in fans] + [(bob, fan) for fan in fans])
    rebuild()
    return world


LIST_URLS = [
    "/boards",
    "/boards?author_id={bob}",
    "/users",
    "/users/{bob}/boards",
    "/boards/{board}/comments",
    "/users/{bob}/followers",
    "/users/{bob}/following",
]
ONE_ROW_URLS = ["/boards/{board}", "/users/{bob}", "/comments/{comment}"]
NOT_FOUND_URLS = [
    "/boards/999999999",
    "/users/999999999",
    "/comments/999999999",
    "/users/999999999/boards",
    "/boards/999999999/comments",
    "/users/999999999/followers",
    "/users/999999999/following",
]


@pytest.mark.parametrize("url", LIST_URLS)
def test_a_list_page_is_one_statement(statements, crowded, url):
    url = crowded.url(url)
    first, sent = statements(f"{url}{'&' if '?' in url else '?'}limit={PAGE}")
    assert first.status_code == 200
    assert len(first.json["items"]) == PAGE
    assert sent == 1
    cursor = first.json["next_cursor"]
    second, sent = statements(f"{url}{'&' if '?' in url else '?'}limit={PAGE}&cursor={cursor}")
    assert second.status_code == 200
    assert second.json["items"]
    assert sent == 1


@pytest.mark.parametrize("url", ONE_ROW_URLS)
def test_a_single_row_get_is_one_statement(statements, crowded, url):
    response, sent = statements(crowded.url(url))
    assert response.status_code == 200
    assert sent == 1


def test_a_single_board_304_is_one_statement(statements, crowded):
    url = crowded.url("/boards/{board}")
    etag = statements(url)[0].headers["ETag"]
    response, sent = statements(url, {"If-None-Match": etag})
    assert response.status_code == 304
    assert sent == 1


@pytest.mark.parametrize("url", NOT_FOUND_URLS)
def test_a_404_read_is_one_statement(statements, crowded, url):
    response, sent = statements(url)
    assert response.status_code == 404
    assert sent == 1


def test_the_feed_is_one_statement_token_check_included(statements, crowded):
    """The feed query starts from the caller's row, so it also proves the
    token's user still exists."""
    response, sent = statements(f"/feed?limit={PAGE}", crowded.alice_headers)
    assert response.status_code == 200
    assert len(response.json["items"]) == PAGE
    assert sent == 1
    cursor = response.json["next_cursor"]
    response, sent = statements(f"/feed?limit={PAGE}&cursor={cursor}", crowded.alice_headers)
    assert response.json["items"]
    assert sent == 1


def test_me_and_own_user_cost_at_most_one_more(statements, crowded):
    me, headers = crowded.alice["id"], crowded.alice_headers
    for url in ("/me", f"/users/{me}", f"/users/{me}/boards"):
        response, sent = statements(url, headers)
        assert response.status_code == 200
        assert sent <= 2, url


def test_no_new_connection_per_request(app, client, crowded):
    database = app.extensions["boards_db"]
    client.get("/boards")
    conn = database.thread_connection()
    server_thread = conn.thread_id()
    urls = [crowded.url(url) for url in LIST_URLS + ONE_ROW_URLS + NOT_FOUND_URLS]
    for url in urls:
        client.get(url)
        assert database.thread_connection() is conn, url
    client.get("/feed", headers=crowded.alice_headers)
    assert database.thread_connection() is conn
    assert conn.thread_id() == server_thread
    assert questions(conn) > 0  # still open and answering


def test_the_token_check_folds_into_the_callers_row(statements, world, client):
    """/me and the feed check that the token has not ended in the statement
    that reads the caller, live or ended (issue 16); so does a public list
    (for `favorited`); a user's own page may check it with one more."""
    me, headers = world.alice["id"], world.alice_headers
    other = client.post("/auth/login", json={"email": client.get("/me", headers=headers).json["email"],
                                             "password": PASSWORD}).json["access_token"]
    for url in ("/me", f"/feed?limit={PAGE}"):
        response, sent = statements(url, headers)
        assert response.status_code == 200
        assert sent == 1, url
    response, sent = statements(f"/boards?limit={PAGE}", headers)
    assert response.status_code == 200
    assert sent == 1
    response, sent = statements(f"/users/{me}", headers)
    assert "email" in response.json
    assert sent == 2
    assert client.post("/auth/logout", headers={"Authorization": f"Bearer {other}"}).status_code == 204
    for url in ("/me", f"/feed?limit={PAGE}"):
        response, sent = statements(url, {"Authorization": f"Bearer {other}"})
        assert response.status_code == 401
        assert sent == 1, url
