"""Half-done writes: a write of several rows stays whole or not at all.

Two kinds of multi-row write exist. Statements grouped with
`db.transaction()` are committed together or rolled back together. Deleting a
user (their boards, their comments and the comments on their boards, their
follows) or a board (its comments) is one DELETE whose foreign keys cascade:
InnoDB runs the whole cascade inside that statement and undoes all of it when
any row of it fails. Both are made to fail halfway here.
"""
from contextlib import contextmanager

import MySQLdb
import pytest

from db import transaction
from queries import load_queries, utc_now

boards = load_queries("boards")
comments = load_queries("comments")
LOCK_WAIT_SECONDS = 1


def test_transaction_keeps_nothing_of_a_failed_second_statement(app, db, signup):
    user, _headers = signup()
    mysql = app.extensions["boards_db"]
    with app.test_request_context():
        with pytest.raises(MySQLdb.IntegrityError):
            with transaction(mysql) as conn:
                board_id = boards.insert_board(conn, user_id=user["id"], title="first", description="", content="", now=utc_now())
                # The second statement fails: no such board (foreign key).
                comments.insert_comment(conn, board_id=board_id + 1000, user_id=user["id"], content="x", now=utc_now())
    assert db.value("SELECT COUNT(*) FROM boards WHERE id = %s", (board_id,)) == 0


def test_transaction_keeps_both_statements_when_both_succeed(app, db, signup):
    user, _headers = signup()
    mysql = app.extensions["boards_db"]
    with app.test_request_context():
        with transaction(mysql) as conn:
            board_id = boards.insert_board(conn, user_id=user["id"], title="first", description="", content="", now=utc_now())
            comments.insert_comment(conn, board_id=board_id, user_id=user["id"], content="x", now=utc_now())
    assert db.value("SELECT COUNT(*) FROM comments WHERE board_id = %s", (board_id,)) == 1


def counts(db, user_id):
    """Every row that deleting this user removes."""
    return {
        "users": db.value("SELECT COUNT(*) FROM users WHERE id = %s", (user_id,)),
        "boards": db.value("SELECT COUNT(*) FROM boards WHERE user_id = %s", (user_id,)),
        "their comments": db.value("SELECT COUNT(*) FROM comments WHERE user_id = %s", (user_id,)),
        "comments on their boards": db.value(
            "SELECT COUNT(*) FROM comments AS c JOIN boards AS b ON b.id = c.board_id "
            "WHERE b.user_id = %s",
            (user_id,),
        ),
        "follows": db.value(
            "SELECT COUNT(*) FROM follows WHERE follower_id = %s OR followee_id = %s",
            (user_id, user_id),
        ),
    }


def short_lock_wait_for_this_thread(app):
    """The app keeps one connection per thread (the test client runs requests
    in this thread): make that connection give up on a lock after 1 s."""
    mysql = app.extensions["boards_db"]
    with app.test_request_context():
        cursor = mysql.connection.cursor()
        cursor.execute("SET SESSION innodb_lock_wait_timeout = %s", (LOCK_WAIT_SECONDS,))
        cursor.execute("SELECT @@SESSION.innodb_lock_wait_timeout AS t")
        assert cursor.fetchone()["t"] == LOCK_WAIT_SECONDS
        cursor.close()


def restore_lock_wait(app):
    mysql = app.extensions["boards_db"]
    with app.test_request_context():
        cursor = mysql.connection.cursor()
        cursor.execute("SET SESSION innodb_lock_wait_timeout = DEFAULT")
        cursor.close()


@pytest.fixture
def other_session(db_server, database_name):
    """A second connection that holds row locks, as another client would."""
    conn = db_server.connect(database=database_name)
    yield conn
    conn.rollback()
    conn.close()


LOCK_COMMENT = "SELECT id FROM comments WHERE id = %s FOR UPDATE"


@contextmanager
def comment_locked(app, other_session, comment_id):
    """Another session holds a lock on one comment while the block runs, and
    this thread's app connection waits at most LOCK_WAIT_SECONDS for it."""
    other_session.begin()
    cursor = other_session.cursor()
    cursor.execute(LOCK_COMMENT, (comment_id,))
    assert cursor.fetchone() is not None
    cursor.close()
    short_lock_wait_for_this_thread(app)
    try:
        yield
    finally:
        other_session.rollback()
        restore_lock_wait(app)


@pytest.mark.parametrize("locked", ["comment on their board", "their comment elsewhere"])
def test_user_delete_cascade_is_all_or_nothing(app, client, db, signup, other_session, locked):
    author, author_headers = signup()
    reader, reader_headers = signup()
    board_ids = [
        client.post("/boards", json={"title": f"b{n}"}, headers=author_headers).json["id"]
        for n in range(3)
    ]
    elsewhere = client.post("/boards", json={"title": "reader's"}, headers=reader_headers).json
    on_theirs = client.post(
        f"/boards/{board_ids[-1]}/comments", json={"content": "hi"}, headers=reader_headers
    ).json
    theirs_elsewhere = client.post(
        f"/boards/{elsewhere['id']}/comments", json={"content": "mine"}, headers=author_headers
    ).json
    assert client.put(f"/users/{reader['id']}/follow", headers=author_headers).status_code == 204
    assert client.put(f"/users/{author['id']}/follow", headers=reader_headers).status_code == 204
    before = counts(db, author["id"])
    assert all(before.values()), before

    # Another session holds one row the cascade must delete: the DELETE gets
    # part of the way, waits for that lock, times out, and must undo it all.
    locked_id = on_theirs["id"] if locked == "comment on their board" else theirs_elsewhere["id"]
    with comment_locked(app, other_session, locked_id):
        failed = client.delete(f"/users/{author['id']}", headers=author_headers)
    assert failed.status_code == 503, failed.json
    assert failed.headers["Retry-After"]
    assert counts(db, author["id"]) == before

    done = client.delete(f"/users/{author['id']}", headers=author_headers)
    assert done.status_code == 204
    assert set(counts(db, author["id"]).values()) == {0}


def test_board_delete_cascade_is_all_or_nothing(app, client, db, signup, other_session):
    _author, author_headers = signup()
    _reader, reader_headers = signup()
    board = client.post("/boards", json={"title": "b"}, headers=author_headers).json
    comment_ids = [
        client.post(f"/boards/{board['id']}/comments", json={"content": str(n)},
                    headers=reader_headers).json["id"]
        for n in range(5)
    ]
    with comment_locked(app, other_session, comment_ids[-1]):
        failed = client.delete(f"/boards/{board['id']}", headers=author_headers)
    assert failed.status_code == 503, failed.json
    assert db.value("SELECT COUNT(*) FROM boards WHERE id = %s", (board["id"],)) == 1
    assert db.value("SELECT COUNT(*) FROM comments WHERE board_id = %s", (board["id"],)) == 5

    assert client.delete(f"/boards/{board['id']}", headers=author_headers).status_code == 204
    assert db.value("SELECT COUNT(*) FROM comments WHERE board_id = %s", (board["id"],)) == 0
