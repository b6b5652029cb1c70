"""The benchmark's reference: the service's endpoints with nothing but the work.

A bare WSGI callable (no framework): the SAME SQL as the service, read from
sql/queries/*.sql by aiosql (only the statement text is used; it runs on a
plain cursor), one persistent mysqlclient connection per worker thread, the
rows sent as json.dumps. Cursors are the service's format (same HMAC, same
SECRET_KEY) so the same URLs work on both.

What it leaves out on purpose, and the service does not: validation beyond
what the SQL needs, request ids and the log line, ETags, Link headers,
marshmallow, and JWT: writes and the feed TRUST an `X-User-Id` header instead
of checking a token. They still run the service's token check in SQL, with
a token of generation 0 (the seeded users') and an id that was never
revoked, so the statements do the same work. A write runs the service's
statements: the writer's row (the service reads it to check the token; here
it gives the author's name), then one transaction with the INSERT and the
stored counts (and, for a board, the worker's outbox row); both answer the
new row from what they wrote.

Configured like the service, from MYSQL_* and SECRET_KEY in the environment;
run with `gunicorn -c gunicorn.conf.py bench.reference_app:application`.
"""
import base64
import hashlib
import hmac
import json
import os
import re
import threading
from datetime import datetime, timezone
from http import HTTPStatus
from pathlib import Path
from urllib.parse import parse_qs

import aiosql
import MySQLdb
import MySQLdb.cursors

QUERIES = Path(__file__).resolve().parent.parent / "sql" / "queries"


def _statements(file_name, *names):
    """The text of the named queries of one sql/queries file, in order."""
    queries = aiosql.from_path(QUERIES / file_name, "mysqldb")
    return [getattr(queries, name).sql for name in names]


LIST_BOARDS, LIST_FEED, GET_BOARD, INSERT_BOARD, COUNT_AUTHOR_BOARD, COUNT_ALL_BOARDS = _statements(
    "boards.sql",
    "list_boards_page", "list_feed_page", "get_board", "insert_board", "count_author_board", "count_all_boards",
)
(ENQUEUE,) = _statements("feeds.sql", "enqueue")
COUNT_COMMENT, LIST_COMMENTS, INSERT_COMMENT = _statements(
    "comments.sql", "count_comment", "list_board_comments_page", "insert_comment",
)
GET_USER, GET_CALLER = _statements("users.sql", "get_user", "get_caller")

COUNTER_SLOTS = 16  # board_writes.COUNTER_SLOTS
BOARD_CREATED = "board_created"  # feeds.BOARD_CREATED
FIRST_BEFORE_ID = 2**63 - 1
SECRET = os.environ.get("SECRET_KEY", "").encode()
MAC_BYTES = 9
JSON_HEADERS = [("Content-Type", "application/json")]
LIVE_TOKEN = {"token_generation": 0, "jti": "00000000-0000-4000-8000-000000000000"}

_local = threading.local()


class HttpError(Exception):
    def __init__(self, status):
        super().__init__(status)
        self.status = status


def _connect():
    return MySQLdb.connect(
        host=os.environ.get("MYSQL_HOST", "127.0.0.1"),
        port=int(os.environ.get("MYSQL_PORT", "3306")),
        user=os.environ.get("MYSQL_USER", "root"),
        password=os.environ.get("MYSQL_PASSWORD", ""),
        database=os.environ.get("MYSQL_DB", "boards"),
        charset="utf8mb4",
        autocommit=True,
        cursorclass=MySQLdb.cursors.DictCursor,
    )


def _connection():
    conn = getattr(_local, "conn", None)
    if conn is None:
        conn = _local.conn = _connect()
    return conn


def _execute(conn, sql, params):
    """(rows, lastrowid, rowcount) of one statement; a broken connection is dropped."""
    try:
        with conn.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall(), cursor.lastrowid, cursor.rowcount
    except MySQLdb.OperationalError:
        _local.conn = None
        conn.close()
        raise


def run(sql, params):
    """(rows, lastrowid) of one statement on this thread's connection."""
    rows, lastrowid, _ = _execute(_connection(), sql, params)
    return rows, lastrowid


def in_transaction(work):
    """work(execute) between BEGIN and COMMIT (ROLLBACK if it raises), as the
    service's db.in_transaction runs a write; execute(sql, params) ->
    (rows, lastrowid, rowcount)."""
    conn = _connection()
    conn.begin()
    try:
        result = work(lambda sql, params: _execute(conn, sql, params))
    except BaseException:
        if getattr(_local, "conn", None) is conn:
            conn.rollback()
        raise
    conn.commit()
    return result


def _mac(last_id):
    return hmac.new(SECRET, f"cursor:{last_id}".encode(), hashlib.sha256).digest()[:MAC_BYTES]


def encode_cursor(last_id):
    return base64.urlsafe_b64encode(last_id.to_bytes(8, "big") + _mac(last_id)).decode().rstrip("=")


def decode_cursor(cursor):
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    except ValueError:
        raise HttpError(422) from None
    last_id = int.from_bytes(raw[:8], "big")
    if len(raw) != 8 + MAC_BYTES or not hmac.compare_digest(raw[8:], _mac(last_id)):
        raise HttpError(422)
    return last_id


def page_args(environ, first):
    args = parse_qs(environ.get("QUERY_STRING", ""))
    try:
        limit = int(args.get("limit", ["20"])[0])
    except ValueError:
        raise HttpError(422) from None
    if not 1 <= limit <= 100:
        raise HttpError(422)
    cursor = args.get("cursor")
    return (decode_cursor(cursor[0]) if cursor else first), limit


def page(rows, limit):
    items = rows[:limit]
    next_cursor = encode_cursor(items[-1]["id"]) if len(rows) > limit else None
    return {"items": items, "next_cursor": next_cursor}


def caller_id(environ):
    """Trusted, not checked: the reference does no authentication."""
    try:
        return int(environ["HTTP_X_USER_ID"])
    except (KeyError, ValueError):
        raise HttpError(401) from None


def body(environ):
    size = int(environ.get("CONTENT_LENGTH") or 0)
    try:
        data = json.loads(environ["wsgi.input"].read(size))
    except ValueError:
        raise HttpError(400) from None
    if not isinstance(data, dict):
        raise HttpError(400)
    return data


def list_boards(environ):
    before_id, limit = page_args(environ, FIRST_BEFORE_ID)
    rows, _ = run(LIST_BOARDS, {"before_id": before_id, "limit": limit + 1, "viewer_id": None, "viewer_generation": None, "viewer_jti": None})
    return 200, page(rows, limit)


def feed(environ):
    before_id, limit = page_args(environ, FIRST_BEFORE_ID)
    params = {"follower_id": caller_id(environ), **LIVE_TOKEN, "before_id": before_id,
              "limit": limit + 1}
    rows, _ = run(LIST_FEED, params)
    return 200, page(rows, limit)


def one(sql, params):
    rows, _ = run(sql, params)
    if not rows:
        raise HttpError(404)
    return rows[0]


def get_board(environ, board_id):
    return 200, one(GET_BOARD, {"id": board_id, "viewer_id": None, "viewer_generation": None, "viewer_jti": None})


def get_user(environ, user_id):
    user = one(GET_USER, {"id": user_id})
    user.pop("email")
    return 200, user


def board_comments(environ, board_id):
    after_id, limit = page_args(environ, 0)
    rows, _ = run(LIST_COMMENTS, {"board_id": board_id, "after_id": after_id, "limit": limit + 1})
    if not rows:
        raise HttpError(404)
    return 200, page([row for row in rows if row["id"] is not None], limit)


def author(environ):
    """The writer's row: the service reads it to check the token's user; here
    it only gives the author's name, so the SQL is the same."""
    return one(GET_CALLER, {"id": caller_id(environ), **LIVE_TOKEN})


def utc_now():
    return datetime.now(timezone.utc).replace(tzinfo=None)


def post_board(environ):
    data, writer, now = body(environ), author(environ), utc_now()
    params = {"user_id": writer["id"], "title": data.get("title"), "description": "",
              "content": data.get("content", ""), "now": now}

    def write(execute):
        execute(COUNT_AUTHOR_BOARD, {"user_id": writer["id"], "change": 1})
        _, new_id, _ = execute(INSERT_BOARD, params)
        execute(COUNT_ALL_BOARDS, {"slot": new_id % COUNTER_SLOTS, "change": 1})
        execute(ENQUEUE, {"kind": BOARD_CREATED, "author_id": writer["id"], "board_id": new_id, "now": now})
        return new_id

    board_id = in_transaction(write)
    return 201, {"id": board_id, "title": params["title"], "content": params["content"],
                 "tags": [], "author": {"id": writer["id"], "name": writer["name"]}, "comment_count": 0,
                 "favorite_count": 0,
                 "created_at": now, "updated_at": now}


def post_comment(environ, board_id):
    data, writer, now = body(environ), author(environ), utc_now()
    params = {"board_id": board_id, "user_id": writer["id"], "content": data.get("content"),
              "now": now}

    def write(execute):
        if not execute(COUNT_COMMENT, {"board_id": board_id, "change": 1})[2]:
            raise HttpError(404)
        return execute(INSERT_COMMENT, params)[1]

    comment_id = in_transaction(write)
    return 201, {"id": comment_id, "board_id": board_id, "content": params["content"],
                 "author": {"id": writer["id"], "name": writer["name"]}, "created_at": now}


ROUTES = [
    (re.compile(r"/boards"), {"GET": list_boards, "POST": post_board}),
    (re.compile(r"/boards/([1-9][0-9]{0,18})"), {"GET": get_board}),
    (re.compile(r"/boards/([1-9][0-9]{0,18})/comments"), {"GET": board_comments, "POST": post_comment}),
    (re.compile(r"/users/([1-9][0-9]{0,18})"), {"GET": get_user}),
    (re.compile(r"/feed"), {"GET": feed}),
    (re.compile(r"/health"), {"GET": lambda environ: (200, {"status": "ok"})}),
]


def _json_default(value):
    return value.isoformat() + "+00:00"


def dispatch(environ):
    path = environ.get("PATH_INFO", "")
    for pattern, methods in ROUTES:
        match = pattern.fullmatch(path)
        if match:
            handler = methods.get(environ["REQUEST_METHOD"])
            if handler is None:
                raise HttpError(405)
            return handler(environ, *(int(group) for group in match.groups()))
    raise HttpError(404)


def application(environ, start_response):
    try:
        status, payload = dispatch(environ)
    except HttpError as error:
        status, payload = error.status, {"code": error.status}
    data = json.dumps(payload, default=_json_default).encode()
    start_response(f"{status} {HTTPStatus(status).phrase}",
                   [*JSON_HEADERS, ("Content-Length", str(len(data)))])
    return [data]
