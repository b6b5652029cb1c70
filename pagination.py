"""Keyset pagination: opaque signed cursors, the page envelope and the Link
header. A cursor carries the last id of a page and an HMAC of it, so a
forged or truncated cursor is refused (422) rather than silently obeyed."""
import base64
import hashlib
import hmac
from urllib.parse import urlencode

from flask import current_app, request
from marshmallow import ValidationError

FIRST_PAGE_BEFORE_ID = 2**63 - 1
FIRST_PAGE_AFTER_ID = 0
_MAC_BYTES = 9


def _mac(last_id):
    key = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(key, f"cursor:{last_id}".encode(), hashlib.sha256).digest()
    return digest[:_MAC_BYTES]


def encode_cursor(last_id):
    raw = last_id.to_bytes(8, "big") + _mac(last_id)
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor):
    """The last id a cursor stands for; ValidationError if it is not one of ours."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    except (ValueError, TypeError):
        raw = b""
    if len(raw) != 8 + _MAC_BYTES:
        raise ValidationError("Not a valid cursor.")
    last_id = int.from_bytes(raw[:8], "big")
    if not hmac.compare_digest(raw[8:], _mac(last_id)):
        raise ValidationError("Not a valid cursor.")
    return last_id


def page(rows, limit, key="id"):
    """The page envelope from up to limit + 1 rows (the extra one only says
    that a next page exists), and the headers that go with it. The cursor is
    the last row's `key` (the column the list is keyset-paged on)."""
    items = rows[:limit]
    if len(rows) <= limit:
        return {"items": items, "next_cursor": None}, {}
    cursor = encode_cursor(items[-1][key])
    args = request.args.to_dict()
    args.update(cursor=cursor, limit=limit)
    next_url = f"{request.script_root}{request.path}?{urlencode(args)}"
    return {"items": items, "next_cursor": cursor}, {"Link": f'<{next_url}>; rel="next"'}


def subject_rows(rows, oldest_first=False, key="id"):
    """For list queries that LEFT JOIN a page to their subject (a user, a
    board): None when the subject does not exist, else the page's rows in
    order, newest first (a subject with nothing to list comes back as one row
    of NULLs). The queries leave the order to this function: an ORDER BY over
    the join made the server sort the page in a temporary table, on disk for
    boards (their MEDIUMTEXT content), for every request (docs/queries.md)."""
    if not rows:
        return None
    found = [row for row in rows if row["id"] is not None]
    return sorted(found, key=lambda row: row[key], reverse=not oldest_first)
