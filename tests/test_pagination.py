"""Keyset pagination on 250 rows: every row once, in order, stable while
rows are inserted and deleted mid-walk; bad limits and cursors are 422 (an
empty cursor is the first page); the Link header and next_cursor lead to
the same page."""
import base64
import re
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.helpers import assert_pages, insert_boards, insert_comments, insert_follows, insert_users

ROWS = 250
LIMIT = 7
LINK_NEXT = re.compile(r'^<([^>]+)>; rel="next"$')


def get_page(client, url, cursor=None, limit=LIMIT):
    separator = "&" if "?" in url else "?"
    query = f"{url}{separator}limit={limit}" + (f"&cursor={cursor}" if cursor else "")
    response = client.get(query)
    assert response.status_code == 200, response.json
    return response


def walk_with_change(client, url, change_after_page, change):
    """Walks every page; after page number change_after_page, calls change()."""
    ids, cursor, pages = [], None, 0
    while True:
        body = get_page(client, url, cursor).json
        ids.extend(item["id"] for item in body["items"])
        pages += 1
        if pages == change_after_page:
            change()
        cursor = body["next_cursor"]
        if cursor is None:
            return ids, pages


@pytest.fixture
def author_id(db):
    return insert_users(db, 1, "author")[0]


# Walking every page


def test_walk_all_boards(client, db, author_id):
    board_ids = insert_boards(db, author_id, ROWS)
    assert_pages(client, "/boards", LIMIT, board_ids[::-1])


def test_walk_one_authors_boards(client, db, author_id):
    other_id = insert_users(db, 1, "other")[0]
    board_ids = insert_boards(db, author_id, ROWS // 2)
    insert_boards(db, other_id, 20)
    board_ids += insert_boards(db, author_id, ROWS - ROWS // 2)
    for url in (f"/boards?author_id={author_id}", f"/users/{author_id}/boards"):
        assert_pages(client, url, LIMIT, board_ids[::-1])


def test_walk_all_users(client, db):
    user_ids = insert_users(db, ROWS)
    assert_pages(client, "/users", LIMIT, user_ids[::-1])


def test_walk_a_boards_comments_oldest_first(client, db, author_id):
    board_id, other_board_id = insert_boards(db, author_id, 2)
    comment_ids = insert_comments(db, board_id, author_id, ROWS)
    insert_comments(db, other_board_id, author_id, 10)
    assert_pages(client, f"/boards/{board_id}/comments", LIMIT, comment_ids)


def test_walk_followers_and_following(client, db, author_id):
    fan_ids = insert_users(db, ROWS, "fan")
    insert_follows(db, [(fan, author_id) for fan in fan_ids] + [(author_id, fan) for fan in fan_ids])
    for which in ("followers", "following"):
        assert_pages(client, f"/users/{author_id}/{which}", LIMIT, fan_ids[::-1])


# Rows inserted or deleted while walking


def test_boards_inserted_mid_walk_neither_repeat_nor_skip(client, db, author_id):
    board_ids = insert_boards(db, author_id, ROWS)
    inserted = []
    ids, _ = walk_with_change(
        client, "/boards", 5, lambda: inserted.extend(insert_boards(db, author_id, 3))
    )
    assert len(ids) == len(set(ids))
    assert ids == board_ids[::-1]
    assert not set(inserted) & set(ids)
    assert [b["id"] for b in get_page(client, "/boards", limit=3).json["items"]] == inserted[::-1]


def test_boards_deleted_mid_walk_skip_nothing_else(client, db, author_id):
    board_ids = insert_boards(db, author_id, ROWS)
    newest_first = board_ids[::-1]
    seen_on_page_one = newest_first[:LIMIT]
    not_yet_seen = newest_first[LIMIT * 3]

    def delete_some():
        db.all("DELETE FROM boards WHERE id IN (%s, %s)", (seen_on_page_one[-1], not_yet_seen))

    ids, _ = walk_with_change(client, "/boards", 1, delete_some)
    assert ids == [i for i in newest_first if i != not_yet_seen]


def test_users_inserted_mid_walk_neither_repeat_nor_skip(client, db):
    user_ids = insert_users(db, ROWS)
    ids, _ = walk_with_change(client, "/users", 10, lambda: insert_users(db, 5, "late"))
    assert ids == user_ids[::-1]


def test_comments_inserted_mid_walk_come_last_and_once(client, db, author_id):
    """Comments are oldest first, so a comment added mid-walk appears once,
    at the end: still nothing repeated and nothing skipped."""
    board_id = insert_boards(db, author_id, 1)[0]
    comment_ids = insert_comments(db, board_id, author_id, ROWS)
    inserted = []
    ids, _ = walk_with_change(
        client,
        f"/boards/{board_id}/comments",
        4,
        lambda: inserted.extend(insert_comments(db, board_id, author_id, 2)),
    )
    assert ids == comment_ids + inserted


# Bad limits and cursors


LIST_URLS = [
    "/boards",
    "/boards?author_id={user}",
    "/users",
    "/users/{user}/boards",
    "/users/{user}/followers",
    "/users/{user}/following",
    "/boards/{board}/comments",
]


@pytest.fixture
def list_urls(db, author_id):
    board_id = insert_boards(db, author_id, 1)[0]
    return [url.format(user=author_id, board=board_id) for url in LIST_URLS]


@pytest.mark.parametrize("limit", ["0", "101", "-1", "abc", "1.5", ""])
def test_bad_limit_is_422(client, list_urls, limit):
    for url in list_urls:
        separator = "&" if "?" in url else "?"
        response = client.get(f"{url}{separator}limit={limit}")
        assert response.status_code == 422, url
        assert "limit" in response.json["errors"]["query"], url


@pytest.mark.parametrize("limit", [1, 100])
def test_limits_at_the_bounds_are_accepted(client, db, author_id, limit):
    insert_boards(db, author_id, 101)
    assert len(get_page(client, "/boards", limit=limit).json["items"]) == limit


def test_default_limit_is_20(client, db, author_id):
    insert_boards(db, author_id, 21)
    body = client.get("/boards").json
    assert len(body["items"]) == 20
    assert body["next_cursor"]


@pytest.fixture
def real_cursor(client, db, author_id):
    insert_boards(db, author_id, 3)
    cursor = get_page(client, "/boards", limit=1).json["next_cursor"]
    assert cursor
    return cursor


def forged(cursor):
    """Same id, MAC bytes flipped: still valid base64 of the right length."""
    raw = bytearray(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    raw[-1] ^= 0xFF
    return base64.urlsafe_b64encode(bytes(raw)).decode().rstrip("=")


def other_id(cursor):
    """The id changed, MAC kept: a client trying to jump elsewhere."""
    raw = bytearray(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    raw[7] ^= 0x01
    return base64.urlsafe_b64encode(bytes(raw)).decode().rstrip("=")


@pytest.mark.parametrize(
    "bad",
    [
        pytest.param(forged, id="wrong-mac"),
        pytest.param(other_id, id="changed-id"),
        pytest.param(lambda c: c[:-3], id="truncated"),
        pytest.param(lambda c: c[:5], id="very-truncated"),
        pytest.param(lambda c: c + "AAAA", id="extended"),
        pytest.param(lambda c: "not-a-cursor!", id="random-string"),
        pytest.param(lambda c: base64.b64encode(b"hello world").decode(), id="other-base64"),
        pytest.param(lambda c: "%00", id="nul"),
    ],
)
def test_bad_cursor_is_422(client, list_urls, real_cursor, bad):
    cursor = bad(real_cursor)
    assert cursor != real_cursor
    for url in list_urls:
        separator = "&" if "?" in url else "?"
        response = client.get(f"{url}{separator}cursor={cursor}")
        assert response.status_code == 422, url
        assert "cursor" in response.json["errors"]["query"], url


def db_newest_board_ids(db, count):
    return [row["id"] for row in db.all("SELECT id FROM boards ORDER BY id DESC LIMIT %s", (count,))]


def test_empty_cursor_is_the_first_page(client, db, author_id, list_urls):
    """`cursor=` is no cursor, as when it is left out (a client that fills
    it in from a null next_cursor starts over, it is not refused)."""
    insert_boards(db, author_id, 3)
    for url in list_urls:
        separator = "&" if "?" in url else "?"
        first = client.get(f"{url}{separator}limit=2")
        empty = client.get(f"{url}{separator}limit=2&cursor=")
        assert empty.status_code == 200, (url, empty.json)
        assert empty.json == first.json, url
    newest = client.get("/boards?limit=2&cursor=").json
    assert [item["id"] for item in newest["items"]] == db_newest_board_ids(db, 2)
    assert newest["next_cursor"]


# Link header


@pytest.mark.parametrize("url", ["/boards", "/boards?author_id={user}", "/users/{user}/boards"])
def test_link_header_leads_to_the_same_page_as_next_cursor(client, db, author_id, url):
    url = url.format(user=author_id)
    insert_boards(db, author_id, 10)
    first = get_page(client, url, limit=3)
    cursor = first.json["next_cursor"]
    match = LINK_NEXT.match(first.headers["Link"])
    assert match, first.headers["Link"]
    link = match.group(1)
    query = parse_qs(urlsplit(link).query)
    assert query["cursor"] == [cursor]
    assert query["limit"] == ["3"]
    assert urlsplit(link).path == urlsplit(url).path
    if "author_id" in url:
        assert query["author_id"] == [str(author_id)]
    by_link = client.get(link)
    assert by_link.status_code == 200
    by_cursor = get_page(client, url, cursor=cursor, limit=3)
    assert by_link.json == by_cursor.json
    assert by_link.json["items"][0]["id"] < first.json["items"][-1]["id"]


def test_last_page_has_no_link_and_no_cursor(client, db, author_id):
    insert_boards(db, author_id, 6)
    first = get_page(client, "/boards", limit=3)
    last = get_page(client, "/boards", cursor=first.json["next_cursor"], limit=3)
    assert len(last.json["items"]) == 3
    assert last.json["next_cursor"] is None
    assert "Link" not in last.headers
