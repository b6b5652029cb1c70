"""What the tests share that is not a fixture: settings, the app factory
with test settings, raw SQL on the test database, the `world` fixture's
shape, bulk rows, page walking, the app on a real HTTP server."""
import contextlib
import json
import random
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from werkzeug.serving import make_server

from app import create_app

ROOT = Path(__file__).resolve().parent.parent.parent
EMPTY_TABLES_CHILDREN_FIRST = (
    "DELETE FROM outbox",
    "DELETE FROM timeline_entries",
    "DELETE FROM timelines",
    "DELETE FROM follows",
    "DELETE FROM comments",
    "DELETE FROM favorites",
    "DELETE FROM board_tags",
    "DELETE FROM tags",
    "DELETE FROM boards",
    "DELETE FROM users",
    "UPDATE counters SET value = 0",
)
TEST_SECRET = "test-secret-key-that-is-long-enough-for-hs256"
FAST_TEST_HASH = "scrypt:1024:8:1"
PASSWORD = "correct horse 9"


def make_app(db_server, database_name, **overrides):
    config = {
        **db_server.app_config(database_name),
        "SECRET_KEY": TEST_SECRET,
        "TESTING": True,
        "PASSWORD_HASH_METHOD": FAST_TEST_HASH,
        # Many tests fail logins on purpose; tests/test_rate_limit.py turns it on.
        "RATELIMIT_ENABLED": False,
        **overrides,
    }
    return create_app(config)


class Rows:
    """Raw SQL against the test database, outside any request."""

    def __init__(self, conn):
        self.conn = conn

    def many(self, sql, rows):
        """One statement run for each of `rows` (bulk INSERTs)."""
        with self.conn.cursor() as cursor:
            cursor.executemany(sql, rows)

    def all(self, sql, params=None):
        with self.conn.cursor() as cursor:
            cursor.execute(sql, params)
            return list(cursor.fetchall())

    def one(self, sql, params=None):
        rows = self.all(sql, params)
        return rows[0] if rows else None

    def value(self, sql, params=None):
        row = self.one(sql, params)
        return next(iter(row.values())) if row else None

    def status(self, name):
        return int(self.one("SHOW GLOBAL STATUS LIKE %s", (name,))["Value"])


@dataclass
class World:
    """Two users made through the API: alice owns `board`, has written
    `comment` on it and follows bob (conftest's `world` fixture)."""

    alice: dict  # POST /users' answer: her own view, with email
    alice_headers: dict
    bob: dict
    bob_headers: dict
    board: dict
    comment: dict

    def url(self, template):
        """`template` with {alice}, {bob}, {board} and {comment} as their ids."""
        return template.format(alice=self.alice["id"], bob=self.bob["id"],
                               board=self.board["id"], comment=self.comment["id"])


def post_board(client, headers, title="A title", content="Some content"):
    response = client.post("/boards", json={"title": title, "content": content}, headers=headers)
    assert response.status_code == 201, response.json
    return response


def post_comment(client, board_id, headers, content="A comment"):
    response = client.post(f"/boards/{board_id}/comments", json={"content": content}, headers=headers)
    assert response.status_code == 201, response.json
    return response


def insert_users(db, count, prefix="bulk"):
    """count users by SQL (much faster than signing up); returns their ids, oldest first."""
    first = db.value("SELECT COALESCE(MAX(id), 0) FROM users")
    db.many(
        "INSERT INTO users (name, email, password_hash) VALUES (%s, %s, %s)",
        [(f"{prefix}{first}_{n}", f"{prefix}{first}_{n}@example.com", "x") for n in range(count)],
    )
    return [row["id"] for row in db.all(
        "SELECT id FROM users WHERE id > %s ORDER BY id", (first,)
    )]


def insert_boards(db, user_id, count):
    first = db.value("SELECT COALESCE(MAX(id), 0) FROM boards")
    db.many(
        "INSERT INTO boards (user_id, title, content) VALUES (%s, %s, %s)",
        [(user_id, f"board {n}", "") for n in range(count)],
    )
    return [row["id"] for row in db.all(
        "SELECT id FROM boards WHERE id > %s ORDER BY id", (first,)
    )]


def insert_comments(db, board_id, user_id, count):
    first = db.value("SELECT COALESCE(MAX(id), 0) FROM comments")
    db.many(
        "INSERT INTO comments (board_id, user_id, content) VALUES (%s, %s, %s)",
        [(board_id, user_id, f"comment {n}") for n in range(count)],
    )
    return [row["id"] for row in db.all(
        "SELECT id FROM comments WHERE id > %s ORDER BY id", (first,)
    )]


def insert_follows(db, pairs):
    """(follower id, followee id) pairs by SQL."""
    db.many("INSERT INTO follows (follower_id, followee_id) VALUES (%s, %s)", pairs)


def walk_pages(client, url, limit, headers=None):
    """Every item of a paged list, following next_cursor: (items, pages).
    Checks that a page with a next cursor is full and has the Link header."""
    items, cursor, pages = [], None, 0
    while True:
        separator = "&" if "?" in url else "?"
        query = f"{url}{separator}limit={limit}" + (f"&cursor={cursor}" if cursor else "")
        response = client.get(query, headers=headers)
        assert response.status_code == 200, response.json
        body = response.json
        assert len(body["items"]) <= limit
        items.extend(body["items"])
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            assert "Link" not in response.headers
            return items, pages
        assert len(body["items"]) == limit
        assert 'rel="next"' in response.headers["Link"]


def assert_pages(client, url, limit, ids, headers=None):
    """The list at `url` is exactly `ids`, in that order, in as few pages of
    `limit` as they fill; returns its items."""
    items, pages = walk_pages(client, url, limit, headers)
    assert [item["id"] for item in items] == ids
    assert pages == max(1, -(-len(ids) // limit))
    return items


def assert_empty_page(client, url, headers=None):
    response = client.get(url, headers=headers)
    assert response.status_code == 200, response.json
    assert response.json == {"items": [], "next_cursor": None}
    assert "Link" not in response.headers


def close_db_connection_after_each_request(app):
    """WSGI wrapper: the threaded server runs each request on a new thread,
    so the connection that thread kept is closed as the request ends."""
    database = app.extensions["boards_db"]

    def wsgi(environ, start_response):
        try:
            return app(environ, start_response)
        finally:
            database.close_thread_connection()

    return wsgi


@contextlib.contextmanager
def serve_in_thread(app):
    """Serves the app on a free loopback port; yields its base URL."""
    server = make_server("127.0.0.1", 0, close_db_connection_after_each_request(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def run_writers(app, work, writers):
    """Runs work(client, headers, rng) on one thread per writer's headers at
    once, each thread with its own test client, seeded rng and database
    connection (closed as the thread ends); returns when all are done."""
    database = app.extensions["boards_db"]

    def run(headers, seed):
        try:
            work(app.test_client(), headers, random.Random(seed))
        finally:
            database.close_thread_connection()

    threads = [threading.Thread(target=run, args=(headers, n)) for n, headers in enumerate(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def derived_mismatches(db, feed_length, slack):
    """Every derived value checked against the base tables (issues 14 and
    17): stored counts (stored_count_mismatches), and each feed = the boards by the reader's
    followees at or above its floor (after the worker has drained the
    outbox), no longer than its length and slack, `entries` an upper bound.
    Returns what is wrong, as text; [] when all is right."""
    wrong = stored_count_mismatches(db)
    readers = db.all(
        "SELECT u.id, COALESCE(t.floor_board_id, 0) AS floor, COALESCE(t.entries, 0) AS entries "
        "FROM users AS u LEFT JOIN timelines AS t ON t.user_id = u.id "
        "WHERE t.user_id IS NOT NULL OR EXISTS (SELECT 1 FROM follows AS f WHERE f.follower_id = u.id)"
    )
    for reader in readers:
        stored = {row["board_id"] for row in db.all(
            "SELECT board_id FROM timeline_entries WHERE user_id = %s", (reader["id"],))}
        expected = {row["id"] for row in db.all(
            "SELECT b.id FROM follows AS f JOIN boards AS b ON b.user_id = f.followee_id "
            "WHERE f.follower_id = %s AND b.id >= %s", (reader["id"], reader["floor"]))}
        if stored != expected:
            wrong.append(f"feed of {reader['id']}: missing {sorted(expected - stored)[:10]}, "
                         f"extra {sorted(stored - expected)[:10]}")
        if len(stored) > feed_length + slack:
            wrong.append(f"feed of {reader['id']}: {len(stored)} entries, over {feed_length} + {slack}")
        if reader["entries"] < len(stored):
            wrong.append(f"feed of {reader['id']}: counted {reader['entries']}, holds {len(stored)}")
    orphans = db.value("SELECT COUNT(*) FROM timeline_entries AS e "
                       "LEFT JOIN boards AS b ON b.id = e.board_id WHERE b.id IS NULL")
    if orphans:
        wrong.append(f"{orphans} feed entries of deleted boards")
    return wrong


STORED_COUNTS = {
    "boards.comment_count": ("boards", "comment_count", "comments", "board_id"),
    "boards.favorite_count": ("boards", "favorite_count", "favorites", "board_id"),
    "users.board_count": ("users", "board_count", "boards", "user_id"),
    "users.favorite_count": ("users", "favorite_count", "favorites", "user_id"),
    "tags.board_count": ("tags", "board_count", "board_tags", "tag_id"),
}


def stored_count_mismatches(db):
    """Every stored count against a count of its base table, the total of
    boards against COUNT(*), and no tag without boards; as text ([]: right)."""
    wrong = []
    for label, (table, column, counted_table, key) in STORED_COUNTS.items():
        rows = db.all(
            f"SELECT s.id, s.{column} AS stored, (SELECT COUNT(*) FROM {counted_table} AS c "
            f"WHERE c.{key} = s.id) AS counted FROM {table} AS s HAVING stored <> counted"
        )
        wrong += [f"{label} of {row['id']}: stored {row['stored']}, counted {row['counted']}" for row in rows]
    total = db.value("SELECT CAST(SUM(value) AS SIGNED) FROM counters WHERE name = 'boards'")
    boards = db.value("SELECT COUNT(*) FROM boards")
    if total != boards:
        wrong.append(f"boards total: stored {total}, counted {boards}")
    unused = db.value("SELECT COUNT(*) FROM tags WHERE board_count = 0")
    if unused:
        wrong.append(f"{unused} tags without boards")
    return wrong


def feed_ids(client, headers, limit=100):
    """Every board id of the caller's feed, newest first, page by page."""
    items, _ = walk_pages(client, "/feed", limit, headers)
    return [item["id"] for item in items]


def around_one_get(client, database, read_counter, url, headers=None):
    """(response, how much `read_counter(conn)` grew for one GET), read on
    the connection the app keeps for the test's thread (the test client runs
    the request in it), less what reading the counter costs by itself."""
    assert client.get(url, headers=headers).status_code < 500  # warm-up: the connection is held
    conn = database.thread_connection()
    first = read_counter(conn)
    overhead = read_counter(conn) - first
    before = read_counter(conn)
    response = client.get(url, headers=headers)
    after = read_counter(conn)
    assert database.thread_connection() is conn, "the request did not reuse the thread's connection"
    return response, after - before - overhead


def run_bench(script, arguments, json_path, timeout=300):
    """bench/`script` run to its end with `arguments`; the figures it wrote
    as JSON to `json_path`."""
    command = [sys.executable, str(ROOT / "bench" / script), *arguments, "--json", str(json_path)]
    completed = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    return json.loads(Path(json_path).read_text())


def database_exists(db_server, name):
    conn = db_server.connect()
    try:
        with conn.cursor() as cursor:
            cursor.execute("SHOW DATABASES LIKE %s", (name,))
            return cursor.fetchall() != ()
    finally:
        conn.close()
