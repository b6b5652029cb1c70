"""Derived values (issue 14): stored comment counts and feeds kept by
fan-out, checked against the base tables after every kind of change,
concurrent ones included, and after `flask rebuild` following a bulk load
in raw SQL. The worker's own process is tests/test_worker.py."""
import contextlib
import os
import pty
import random
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import pytest

import feeds
import follow_routes
from tests.helpers import (
    derived_mismatches, feed_ids, insert_boards, insert_comments, insert_follows, insert_users,
    post_board, post_comment, run_writers,
)

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def short_feeds(monkeypatch):
    """Feeds of 6 entries (+2 slack), so that trims happen in a small test."""
    monkeypatch.setattr(feeds, "FEED_LENGTH", 6)
    monkeypatch.setattr(feeds, "SLACK", 2)
    monkeypatch.setattr(feeds, "FAN_OUT_BATCH", 3)


def assert_derived_right(db, length=None, slack=None):
    wrong = derived_mismatches(db, length or feeds.FEED_LENGTH, slack if slack is not None else feeds.SLACK)
    assert wrong == [], "\n".join(wrong)


# Comment counts


def counts_seen(client, board_id):
    return client.get(f"/boards/{board_id}").json["comment_count"]


def test_comment_counts_follow_creates_and_deletes_of_comments_boards_and_users(client, db, signup):
    author, author_headers = signup()
    commenter, commenter_headers = signup()
    first, second = (post_board(client, author_headers).json["id"] for _ in range(2))
    mine = [post_comment(client, first, commenter_headers).json["id"] for _ in range(3)]
    post_comment(client, second, commenter_headers)
    post_comment(client, first, author_headers)
    assert counts_seen(client, first) == 4
    assert client.delete(f"/comments/{mine[0]}", headers=author_headers).status_code == 204
    assert client.delete(f"/comments/{mine[0]}", headers=author_headers).status_code == 404
    assert counts_seen(client, first) == 3
    assert client.delete(f"/users/{commenter['id']}", headers=commenter_headers).status_code == 204
    assert (counts_seen(client, first), counts_seen(client, second)) == (1, 0)
    assert_derived_right(db)


def test_a_comment_on_a_missing_board_is_404_and_counts_nothing(client, db, signup):
    _, headers = signup()
    assert client.post("/boards/999999999/comments", json={"content": "c"}, headers=headers).status_code == 404
    assert db.value("SELECT COUNT(*) FROM comments") == 0


def test_concurrent_comments_and_deletes_on_one_board_keep_its_count_exact(app, client, db, signup):
    """Threads with connections of their own add and delete comments on one
    board at once: the count locks the board first, deadlocks are retried,
    and no request fails."""
    _, author_headers = signup()
    board = post_board(client, author_headers).json["id"]
    writers = [signup()[1] for _ in range(6)]
    statuses = []

    def write(own_client, headers, rng):
        mine = []
        for _ in range(12):
            if mine and rng.random() < 0.4:
                statuses.append(own_client.delete(f"/comments/{mine.pop()}", headers=headers).status_code)
            else:
                response = own_client.post(f"/boards/{board}/comments", json={"content": "c"}, headers=headers)
                statuses.append(response.status_code)
                mine.append(response.json["id"])

    run_writers(app, write, writers)
    assert set(statuses) <= {201, 204}, statuses
    assert counts_seen(client, board) == db.value("SELECT COUNT(*) FROM comments WHERE board_id = %s", (board,))
    assert_derived_right(db)


# Feeds


def test_a_new_board_reaches_the_followers_feeds_through_the_worker(client, db, signup, drain):
    author, author_headers = signup()
    followers = [signup()[1] for _ in range(3)]
    for headers in followers:
        client.put(f"/users/{author['id']}/follow", headers=headers)
    board = post_board(client, author_headers).json["id"]
    assert db.value("SELECT COUNT(*) FROM outbox") == 1
    drain()
    for headers in followers:
        assert feed_ids(client, headers) == [board]
    assert db.value("SELECT COUNT(*) FROM outbox") == 0
    assert_derived_right(db)


def test_a_follow_brings_the_followees_boards_and_an_unfollow_takes_them_at_once(client, db, signup):
    author, author_headers = signup()
    other, other_headers = signup()
    _, headers = signup()
    boards = [post_board(client, author_headers).json["id"] for _ in range(3)]
    theirs = post_board(client, other_headers).json["id"]
    client.put(f"/users/{author['id']}/follow", headers=headers)
    client.put(f"/users/{other['id']}/follow", headers=headers)
    assert feed_ids(client, headers) == sorted([*boards, theirs], reverse=True)
    assert client.delete(f"/users/{author['id']}/follow", headers=headers).status_code == 204
    assert feed_ids(client, headers) == [theirs]
    assert_derived_right(db)


def test_a_deleted_board_and_a_deleted_author_leave_every_feed_at_once(client, db, signup, drain):
    author, author_headers = signup()
    other, other_headers = signup()
    readers = [signup()[1] for _ in range(2)]
    for headers in readers:
        client.put(f"/users/{author['id']}/follow", headers=headers)
        client.put(f"/users/{other['id']}/follow", headers=headers)
    gone, kept = (post_board(client, author_headers).json["id"] for _ in range(2))
    theirs = post_board(client, other_headers).json["id"]
    drain()
    client.delete(f"/boards/{gone}", headers=author_headers)
    for headers in readers:  # before the worker has removed anything
        assert feed_ids(client, headers) == [theirs, kept]
    client.delete(f"/users/{author['id']}", headers=author_headers)
    for headers in readers:
        assert feed_ids(client, headers) == [theirs]
    drain()
    assert db.value("SELECT COUNT(*) FROM timeline_entries WHERE author_id = %s", (author["id"],)) == 0
    assert_derived_right(db)


def test_a_feed_keeps_its_length_and_its_floor(client, db, signup, drain, short_feeds):
    author, author_headers = signup()
    _, headers = signup()
    before = [post_board(client, author_headers).json["id"] for _ in range(10)]
    client.put(f"/users/{author['id']}/follow", headers=headers)
    assert feed_ids(client, headers) == before[::-1][:6]  # the newest FEED_LENGTH
    after = [post_board(client, author_headers).json["id"] for _ in range(5)]
    drain()
    shown = feed_ids(client, headers)
    assert shown[:5] == after[::-1]
    assert 6 <= len(shown) <= 8
    assert_derived_right(db, 6, 2)


def test_feed_pages_neither_repeat_nor_skip_while_boards_arrive(client, db, signup, drain):
    author, author_headers = signup()
    _, headers = signup()
    client.put(f"/users/{author['id']}/follow", headers=headers)
    old = [post_board(client, author_headers).json["id"] for _ in range(9)]
    drain()
    first = client.get("/feed?limit=4", headers=headers).json
    [post_board(client, author_headers) for _ in range(3)]
    drain()
    seen = [item["id"] for item in first["items"]]
    cursor = first["next_cursor"]
    while cursor:
        page = client.get(f"/feed?limit=4&cursor={cursor}", headers=headers).json
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
    assert seen == old[::-1]


def test_random_follows_unfollows_boards_and_deletes_leave_every_feed_right(client, db, signup, drain, short_feeds):
    rng = random.Random(14)
    people = [signup() for _ in range(6)]
    boards = []
    for _ in range(120):
        (me, my_headers), (them, _) = rng.sample(people, 2)
        action = rng.random()
        if action < 0.45:
            boards.append((post_board(client, my_headers).json["id"], my_headers))
        elif action < 0.65:
            client.put(f"/users/{them['id']}/follow", headers=my_headers)
        elif action < 0.8:
            client.delete(f"/users/{them['id']}/follow", headers=my_headers)
        elif action < 0.9 and boards:
            board, headers = boards.pop(rng.randrange(len(boards)))
            client.delete(f"/boards/{board}", headers=headers)
        else:
            drain()
    drain()
    assert_derived_right(db, 6, 2)


def test_following_is_capped_and_the_cap_says_so(client, db, signup, monkeypatch):
    monkeypatch.setattr(follow_routes, "FOLLOWING_CAP", 2)
    _, headers = signup()
    first, second, third = (signup()[0] for _ in range(3))
    for user in (first, second):
        assert client.put(f"/users/{user['id']}/follow", headers=headers).status_code == 204
    refused = client.put(f"/users/{third['id']}/follow", headers=headers)
    assert refused.status_code == 422
    assert refused.json["message"] == "You follow 2 users, the most one account may."
    assert client.put(f"/users/{first['id']}/follow", headers=headers).status_code == 204  # already


# Counts of tags and favorites (issue 17)


def test_every_count_stays_exact_through_tags_favorites_and_deletes(client, db, signup):
    """Boards with tags, favorites by several users, tag edits, board and
    user deletes (a user who favorited, was favorited and tagged): every
    stored count against the base tables after each step."""
    (alice, alice_h), (bob, bob_h), (carol, carol_h) = signup(), signup(), signup()
    alice_boards = [client.post("/boards", json={"title": "a", "tags": ["x", f"a{n}"]},
                                headers=alice_h).json["id"] for n in range(3)]
    bob_boards = [client.post("/boards", json={"title": "b", "tags": ["x", "y"]},
                              headers=bob_h).json["id"] for _ in range(2)]
    for headers, board in [(bob_h, alice_boards[0]), (carol_h, alice_boards[0]), (alice_h, bob_boards[0]),
                           (alice_h, alice_boards[1]), (carol_h, bob_boards[1]), (bob_h, bob_boards[0])]:
        assert client.put(f"/boards/{board}/favorite", headers=headers).status_code == 204
    assert_derived_right(db)
    assert client.patch(f"/boards/{bob_boards[1]}", json={"tags": ["z"]}, headers=bob_h).status_code == 200
    assert client.delete(f"/boards/{alice_boards[0]}/favorite", headers=carol_h).status_code == 204
    assert client.delete(f"/boards/{bob_boards[0]}", headers=bob_h).status_code == 204
    assert_derived_right(db)
    assert client.delete(f"/users/{alice['id']}", headers=alice_h).status_code == 204
    assert_derived_right(db)
    assert db.all("SELECT name, board_count FROM tags") == [{"name": "z", "board_count": 1}]
    assert db.value("SELECT favorite_count FROM users WHERE id = %s", (bob["id"],)) == 0
    assert db.value("SELECT favorite_count FROM users WHERE id = %s", (carol["id"],)) == 1
    assert client.delete(f"/users/{bob['id']}", headers=bob_h).status_code == 204
    assert_derived_right(db)
    assert db.value("SELECT COUNT(*) FROM tags") == 0


def test_concurrent_favorites_tags_and_deletes_keep_every_count_exact(app, client, db, signup):
    """Threads favorite, unfavorite, retag and delete boards at once (shared
    tags, shared boards): locks queue, deadlocks are retried, nothing fails."""
    writers = [signup()[1] for _ in range(4)]
    boards = [client.post("/boards", json={"title": "t", "tags": ["shared", f"own{n}"]},
                          headers=writers[n % 4]).json["id"] for n in range(8)]
    statuses = []

    def write(own_client, headers, rng):
        for _ in range(15):
            board, action = rng.choice(boards), rng.random()
            if action < 0.4:
                statuses.append(own_client.put(f"/boards/{board}/favorite", headers=headers).status_code)
            elif action < 0.6:
                statuses.append(own_client.delete(f"/boards/{board}/favorite", headers=headers).status_code)
            elif action < 0.9:
                tags = rng.sample(["shared", "other", "third", "fourth"], rng.randint(0, 3))
                statuses.append(own_client.patch(f"/boards/{board}", json={"tags": tags},
                                                 headers=headers).status_code)
            elif action < 0.95:
                statuses.append(own_client.post("/boards", json={"title": "n", "tags": ["shared"]},
                                                headers=headers).status_code)
            else:
                statuses.append(own_client.delete(f"/boards/{board}", headers=headers).status_code)

    run_writers(app, write, writers)
    assert statuses and set(statuses) <= {200, 201, 204, 403, 404}, statuses
    assert_derived_right(db)


# flask rebuild after a bulk load


def bulk_load(db):
    """Rows a DBA loads with plain SQL: the service's counts and feeds do not
    know of them."""
    users = insert_users(db, 8)
    boards = [board for user in users[:4] for board in insert_boards(db, user, 5)]
    for board in boards[::3]:
        insert_comments(db, board, users[5], 2)
    insert_follows(db, [(reader, author) for reader in users[4:] for author in users[:4]])
    db.many("INSERT INTO favorites (user_id, board_id) VALUES (%s, %s)",
            [(user, board) for user in users[3:6] for board in boards[::2]])
    db.many("INSERT INTO tags (name) VALUES (%s)", [("bulk-a",), ("bulk-b",), ("bulk-unused",)])
    db.all("INSERT INTO board_tags (board_id, tag_id, author_id) SELECT b.id, t.id, b.user_id "
           "FROM boards AS b JOIN tags AS t ON t.name = 'bulk-a' OR (t.name = 'bulk-b' AND b.id MOD 2 = 0)")
    return users


def test_rebuild_makes_counts_and_feeds_right_after_a_bulk_load(db, rebuild, short_feeds):
    bulk_load(db)
    wrong = "\n".join(derived_mismatches(db, 6, 2))
    for count in ("boards.comment_count", "boards.favorite_count", "users.board_count",
                  "users.favorite_count", "tags.board_count", "boards total", "tags without boards"):
        assert count in wrong
    rebuild()
    assert_derived_right(db, 6, 2)
    before = db.all("SELECT * FROM timeline_entries ORDER BY user_id, board_id")
    rebuild()
    assert db.all("SELECT * FROM timeline_entries ORDER BY user_id, board_id") == before


def test_rebuild_beside_live_writes_leaves_every_count_right(app, client, db, signup, rebuild):
    bulk_load(db)
    author, author_headers = signup()
    board = post_board(client, author_headers).json["id"]
    done = threading.Event()

    def comment_meanwhile():
        own_client = app.test_client()
        while not done.is_set():
            assert post_comment(own_client, board, author_headers).status_code == 201
        app.extensions["boards_db"].close_thread_connection()

    writer = threading.Thread(target=comment_meanwhile)
    writer.start()
    try:
        for _ in range(3):
            rebuild()
    finally:
        done.set()
        writer.join()
    assert_derived_right(db)


def run_rebuild(app, *options, tty=False):
    """`flask --app app rebuild` as a process: (exit code, what it printed)."""
    env = {**os.environ, **{key: str(app.config[key]) for key in
                            ("MYSQL_HOST", "MYSQL_PORT", "MYSQL_USER", "MYSQL_PASSWORD", "MYSQL_DB")},
           "SECRET_KEY": app.config["SECRET_KEY"], "COLUMNS": "100"}
    command = [sys.executable, "-m", "flask", "--app", "app", "rebuild", *options]
    if not tty:
        done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
        return done.returncode, done.stdout + done.stderr
    leader, follower = pty.openpty()
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdin=follower, stdout=follower,
                               stderr=follower, close_fds=True)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    return process.wait(timeout=60), b"".join(chunks).decode(errors="replace")


def test_rebuild_shows_its_progress_on_a_terminal_and_nothing_when_quiet(app, db):
    bulk_load(db)
    code, shown = run_rebuild(app, tty=True)
    assert code == 0, shown
    for part in ("comment counts", "feeds", "boards", "users", "100%", "Rebuilt the comment counts"):
        assert part in shown, shown
    assert "20/20" in shown  # rows done of total
    code, printed = run_rebuild(app)
    assert code == 0 and "Rebuilt the comment counts of 20 boards" in printed
    assert "%" not in printed  # no bar when not on a terminal
    assert run_rebuild(app, "--quiet") == (0, "")


@contextlib.contextmanager
def migrated_from(db_server, applied, rows):
    """A database of its own with the migrations matching `applied` (a glob)
    applied and `rows` (SQL statements) inserted, then `migrate` run; yields
    (what migrate applied, an admin cursor on it)."""
    from migrations import create_database, drop_database, migrate, run_script
    from queries import SQL_DIR, load_queries
    from tests.helpers import make_app

    name = f"boards_test_{uuid.uuid4().hex[:8]}_counts"
    app, admin = make_app(db_server, name), db_server.connect()
    try:
        create_database(admin, name)
        admin.select_db(name)
        ledger = load_queries("migrations")
        ledger.create_schema_migrations(admin)
        for path in sorted((SQL_DIR / "migrations").glob(applied)):
            run_script(admin, path)
            ledger.record_migration(admin, version=path.stem)
        with admin.cursor() as cursor:
            for statement in rows:
                cursor.execute(statement)
        with app.app_context():
            applied_now = migrate()
        with admin.cursor() as cursor:
            yield applied_now, cursor
    finally:
        drop_database(admin, name)
        admin.close()


def test_the_migration_counts_the_comments_of_existing_boards(db_server):
    """0007 adds the stored count and computes it for the rows already there."""
    rows = ["INSERT INTO users (id, name, email, password_hash) VALUES (1, 'u', 'u@x.com', 'h')",
            "INSERT INTO boards (id, user_id, title, content) VALUES (1, 1, 't', ''), (2, 1, 't', '')",
            "INSERT INTO comments (board_id, user_id, content) VALUES (1, 1, 'c'), (1, 1, 'c'), (1, 1, 'c')"]
    with migrated_from(db_server, "000[1-6]_*.sql", rows) as (applied, cursor):
        assert "0007_counters_timelines" in applied
        cursor.execute("SELECT id, comment_count FROM boards ORDER BY id")
        assert cursor.fetchall() == ((1, 3), (2, 0))


def test_the_migration_counts_the_boards_of_existing_users(db_server):
    """0008 adds the stored board counts and the boards total and computes
    them for the rows already there."""
    rows = ["INSERT INTO users (id, name, email, password_hash) VALUES (1, 'u', 'u@x.com', 'h'), "
            "(2, 'v', 'v@x.com', 'h')",
            "INSERT INTO boards (user_id, title, content) VALUES (1, 't', ''), (1, 't', ''), (2, 't', '')"]
    with migrated_from(db_server, "000[1-7]_*.sql", rows) as (applied, cursor):
        assert "0008_tags_favorites" in applied  # and the later ones (0009)
        cursor.execute("SELECT id, board_count, favorite_count FROM users ORDER BY id")
        assert cursor.fetchall() == ((1, 2, 0), (2, 1, 0))
        cursor.execute("SELECT CAST(SUM(value) AS SIGNED), COUNT(*) FROM counters WHERE name = 'boards'")
        assert cursor.fetchone() == (3, 16)
