"""Hostile input: every text field, query parameter and path parameter, and
hostile bodies. Each case answers a 4xx (never a 5xx) and stores nothing,
except the cases meant to be stored verbatim, which must come back and sit
in the database byte for byte."""
import base64
import itertools
import json
import math
import re
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest

from pagination import encode_cursor
from tests.helpers import PASSWORD, serve_in_thread

TABLES = ("users", "boards", "comments", "follows")
_unique = itertools.count(1)
MAX_ID = 2**63 - 1

# Values


SQL_INJECTION = {
    "drop-table": "'; DROP TABLE users; --",
    "or-true": "' OR '1'='1",
    "union": "x' UNION SELECT password_hash FROM users --",
    "sleep": "1); SELECT SLEEP(5); --",
    "comment-quote": "Robert'); DROP TABLE boards;-- \\' \" `",
    "placeholders": "%s %(name)s :id {0} ?",
}
OTHER_SCRIPTS = {
    "emoji-4-byte": "😀🎉 𝕳𝖊𝖑𝖑𝖔 🏳️‍🌈 👩‍👩‍👧‍👦",
    "korean-japanese-chinese": "안녕하세요 こんにちは 你好",
    "arabic-hebrew-rtl": "مرحبا שלום \u202egnp.exe",
    "combining-and-invisible": "e\u0301 a\u200bb ﷽ ẞ ǅ",
}


def raw_body(json_text):
    """A body given as JSON text (for escapes json.dumps would not write)."""
    return json_text.encode("utf-8")


@dataclass
class TextField:
    """One text field: how to send a value in it, and where it lands."""

    name: str  # as it appears in the error body
    method: str
    url: str  # may name {alice}, {board}, {comment} (World.url)
    body: dict  # the other fields, valid; {value} is put in `name`
    max_length: int
    min_length: int = 0
    table: str = ""  # where a stored value lands ("" = never stored)
    column: str = ""
    creates: bool = False  # a new row (else the existing row changes)
    email_shaped: bool = False
    login: bool = False
    password: bool = False  # only hashed, never stored: NUL characters are fine

    def fit(self, text):
        """`text` made acceptable in length and shape for this field."""
        if self.email_shaped:  # keep what an email's local part may hold: quotes, %, {}, letters
            local = re.sub(r"[^\w'%{}?=+-]", "", text)[:40] or "x"
            return f"{local}@example.com"
        return text * math.ceil(self.min_length / len(text)) if len(text) < self.min_length else text


TEXT_FIELDS = {
    "users.name": TextField("name", "POST", "/users", {"email": "{uniq}@example.com", "password": PASSWORD},
                            50, 1, "users", "name", creates=True),
    "users.email": TextField("email", "POST", "/users", {"name": "{uniq}", "password": PASSWORD},
                             255, 1, "users", "email", creates=True, email_shaped=True),
    "users.password": TextField("password", "POST", "/users", {"name": "{uniq}", "email": "{uniq}@example.com"},
                                128, 8, "users", "", creates=True, password=True),
    "users.name (PATCH)": TextField("name", "PATCH", "/users/{alice}", {}, 50, 1, "users", "name"),
    "login.email": TextField("email", "POST", "/auth/login", {"password": PASSWORD}, 255, 1, login=True),
    "login.password": TextField("password", "POST", "/auth/login", {"email": "{email}"}, 128, 1, login=True,
                                password=True),
    "boards.title": TextField("title", "POST", "/boards", {"content": ""}, 200, 1, "boards", "title", creates=True),
    "boards.content": TextField("content", "POST", "/boards", {"title": "t"}, 20000, 0, "boards", "content",
                                creates=True),
    "boards.title (PUT)": TextField("title", "PUT", "/boards/{board}", {"content": ""}, 200, 1, "boards", "title"),
    "boards.content (PATCH)": TextField("content", "PATCH", "/boards/{board}", {}, 20000, 0, "boards", "content"),
    "comments.content": TextField("content", "POST", "/boards/{board}/comments", {}, 2000, 1, "comments", "content",
                                  creates=True),
}


# Sending a value in conftest's world, as alice, and what got stored


def fill(world, body):
    """The other fields of a body, with names and emails no one has yet."""
    uniq = f"hostile{next(_unique)}x{world.alice['id']}"
    return {k: v.format(uniq=uniq, email=world.alice["email"]) for k, v in body.items()}


def send(client, world, field, value=None, data=None):
    """Sends `value` in the field (or a raw JSON `data` body with the
    field's value written as `"@@"`)."""
    body = fill(world, field.body)
    kwargs = {"headers": world.alice_headers}
    if data is None:
        kwargs["json"] = {**body, field.name: value}
    else:
        text = json.dumps({**body, field.name: "@@"}).replace('"@@"', data)
        kwargs.update(data=text.encode("utf-8", "surrogatepass"), content_type="application/json")
    return client.open(world.url(field.url), method=field.method, **kwargs)


def send_bytes(client, world, field, raw_value):
    body = fill(world, field.body)
    text = json.dumps({**body, field.name: "@@"}).encode()
    data = text.replace(b'"@@"', b'"' + raw_value + b'"')
    return client.open(
        world.url(field.url), method=field.method, data=data,
        content_type="application/json", headers=world.alice_headers,
    )


def snapshot(db):
    return {table: db.all(f"SELECT * FROM {table} ORDER BY 1, 2") for table in TABLES}


def counts(db):
    return {table: db.value(f"SELECT COUNT(*) FROM {table}") for table in TABLES}


def assert_client_error(response, *codes):
    assert response.status_code < 500, response.get_data(as_text=True)
    assert response.status_code in codes, (response.status_code, response.get_data(as_text=True))
    body = response.json
    assert body["code"] == response.status_code and body["message"]
    return body


def assert_rejected(db, before, response, *codes):
    body = assert_client_error(response, *codes)
    assert snapshot(db) == before, "nothing stored"
    return body


def assert_names_field(body, field):
    assert field in body["errors"]["json"], body


# Text fields: stored verbatim (SQL injection, other scripts, the longest value)

VERBATIM = {
    **{f"sql-{k}": v for k, v in SQL_INJECTION.items()},
    **{f"text-{k}": v for k, v in OTHER_SCRIPTS.items()},
    "longest-in-4-byte-chars": None,  # "😀" × max length
}


def verbatim_value(field, kind):
    if kind == "longest-in-4-byte-chars":
        if field.email_shaped:  # 255 characters, the local part in 3-byte Korean
            return "가" * 64 + "@" + ".".join(["b" * 63, "c" * 63, "d" * 58]) + ".com"
        return "😀" * field.max_length
    return field.fit(VERBATIM[kind])


def check_stored(client, db, world, field, value, response):
    """The value came back (API) and sits in the database exactly (bytes)."""
    if field.name == "password":
        email = response.json["email"]
        assert client.post("/auth/login", json={"email": email, "password": value}).status_code == 200
        assert client.post("/auth/login", json={"email": email, "password": value[:-1] + "x"}).status_code == 401
        stored_hash = db.value("SELECT password_hash FROM users WHERE id = %s", (response.json["id"],))
        assert value not in stored_hash
        return
    assert response.json[field.name] == value
    row_id = response.json["id"]
    if field.name != "email":  # shown to its owner only; the POST answer above was theirs
        read_back = client.get(f"/{field.table}/{row_id}", headers=world.alice_headers)
        assert read_back.json[field.name] == value
    stored_hex = db.value(
        f"SELECT HEX({field.column}) FROM {field.table} WHERE id = %s", (row_id,)
    )
    assert stored_hex == value.encode("utf-8").hex().upper()


@pytest.mark.parametrize("kind", VERBATIM)
@pytest.mark.parametrize("field_key", TEXT_FIELDS)
def test_text_is_stored_verbatim_or_refused_by_login(client, db, world, field_key, kind):
    field = TEXT_FIELDS[field_key]
    value = verbatim_value(field, kind)
    if field.login:
        before = snapshot(db)
        assert_rejected(db, before, send(client, world, field, value), 401, 422)
        return
    before = counts(db)
    response = send(client, world, field, value)
    assert response.status_code in (200, 201), response.json
    expected = dict(before)
    if field.creates:
        expected[field.table] += 1
    assert counts(db) == expected
    check_stored(client, db, world, field, value, response)


@pytest.mark.parametrize("password", ["nul\x00in\x00between", "\x00" * 8], ids=["nul-inside", "nul-only"])
def test_a_password_may_hold_nul_characters(client, db, world, password):
    """A password is only hashed, never stored, so NUL characters in it are
    kept (the document's password fields have no pattern); a wrong one is
    still a 401, not a 422."""
    field = TEXT_FIELDS["users.password"]
    response = send(client, world, field, password)
    assert response.status_code == 201, response.json
    check_stored(client, db, world, field, password, response)
    wrong = client.post("/auth/login", json={"email": world.alice["email"], "password": password})
    assert wrong.status_code == 401, wrong.json


def test_sql_injection_in_login_never_logs_in(client, db, world):
    email = world.alice["email"]
    before = snapshot(db)
    for attempt in SQL_INJECTION.values():
        for body in ({"email": attempt, "password": attempt},
                     {"email": email, "password": attempt},
                     {"email": f"{email}' --", "password": "x"}):
            response = client.post("/auth/login", json=body)
            assert response.status_code in (401, 422, 429)  # 429: the account's failure limit
    assert snapshot(db) == before


# Text fields: refused


def overlong(field):
    if field.email_shaped:
        return "a" * 64 + "@" + ".".join(["b" * 63, "c" * 63, "d" * 59]) + ".com"
    return "x" * (field.max_length + 1)


REFUSED = {
    "nul-byte": (lambda f: "a\x00b@example.com" if f.email_shaped else f.fit("a\x00b"), None, (422,)),
    "nul-only": (lambda f: "\x00", None, (422,)),
    "overlong": (overlong, None, (422,)),
    "overlong-4-byte": (lambda f: "😀" * (f.max_length + 1), None, (422,)),
    "overlong-huge": (lambda f: "y" * 500_000, None, (422,)),
    "lone-surrogate-escape": (None, '"ab\\ud800cd"', (422,)),
    "lone-low-surrogate": (None, '"\\udfff"', (422,)),
    "escaped-nul": (None, '"a\\u0000b"', (422,)),
    "number": (lambda f: 12345, None, (422,)),
    "huge-number": (None, "1e400", (422,)),
    "null": (lambda f: None, None, (422,)),
    "array": (lambda f: ["a"], None, (422,)),
    "object": (lambda f: {"$ne": ""}, None, (422,)),
    "bool": (lambda f: True, None, (422,)),
}


NUL_KINDS = {"nul-byte", "nul-only", "escaped-nul"}
REFUSED_IN_FIELD = [
    pytest.param(field_key, kind, id=f"{field_key}-{kind}")
    for field_key, field in TEXT_FIELDS.items()
    for kind in REFUSED
    if not (field.password and kind in NUL_KINDS)
]


@pytest.mark.parametrize(("field_key", "kind"), REFUSED_IN_FIELD)
def test_hostile_text_is_refused_and_nothing_stored(client, db, world, field_key, kind):
    field = TEXT_FIELDS[field_key]
    make_value, raw_json, codes = REFUSED[kind]
    before = snapshot(db)
    if raw_json is not None:
        response = send(client, world, field, data=raw_json)
    else:
        response = send(client, world, field, make_value(field))
    body = assert_rejected(db, before, response, *codes)
    assert_names_field(body, field.name)


INVALID_UTF8 = {
    "lone-continuation": b"\x80",
    "ff-fe": b"\xff\xfe",
    "truncated-4-byte": b"\xf0\x9f\x98",
    "overlong-nul": b"\xc0\x80",
    "encoded-surrogate": b"\xed\xa0\x80",
    "latin-1": "café".encode("latin-1"),
}


@pytest.mark.parametrize("kind", INVALID_UTF8)
@pytest.mark.parametrize("field_key", TEXT_FIELDS)
def test_invalid_utf8_in_a_field_is_400_and_nothing_stored(client, db, world, field_key, kind):
    field = TEXT_FIELDS[field_key]
    before = snapshot(db)
    response = send_bytes(client, world, field, b"ok " + INVALID_UTF8[kind] + b" ok")
    assert_rejected(db, before, response, 400, 422)


# Query parameters

LISTS = {
    "users": "/users",
    "boards": "/boards",
    "feed": "/feed",
    "user-boards": "/users/{alice}/boards",
    "followers": "/users/{alice}/followers",
    "following": "/users/{alice}/following",
    "comments": "/boards/{board}/comments",
}
BAD_LIMITS = {
    "negative": "-1", "zero": "0", "over-max": "101", "huge": "9" * 30, "bigint-overflow": str(2**63),
    "float": "1.5", "exponent": "1e3", "text": "abc", "sql": "1 OR 1=1", "empty": "",
    "nul": "%00", "hex": "0x10", "fullwidth-digits": "%EF%BC%91%EF%BC%90",
}


def real_cursor(app, world):
    """A cursor the app made: the page after alice's board."""
    with app.test_request_context():
        return encode_cursor(world.board["id"])


# The shape of a real cursor (an id and a MAC), with a MAC we made up.
FORGED_CURSOR = base64.urlsafe_b64encode((1).to_bytes(8, "big") + b"forgedmac").decode().rstrip("=")
BAD_CURSORS = {  # each made from a real cursor; an empty cursor is the first page (test_pagination)
    "forged-mac": lambda real: FORGED_CURSOR,
    "truncated": lambda real: real[:-3],
    "extended": lambda real: real + "AA",
    "other-secret": lambda real: "AAAAAAAAAAAAAAAAAAAAAAA",
    "sql": lambda real: "' OR 1=1 --",
    "emoji": lambda real: "😀",
    "nul": lambda real: "%00",
    "long": lambda real: "A" * 5000,
    "not-base64": lambda real: "!!!!",
}


@pytest.mark.parametrize("value", BAD_LIMITS)
@pytest.mark.parametrize("list_key", LISTS)
def test_bad_limit_is_422_naming_it(client, db, world, list_key, value):
    before = snapshot(db)
    url = world.url(LISTS[list_key]) + "?limit=" + BAD_LIMITS[value]
    body = assert_rejected(db, before, client.get(url, headers=world.alice_headers), 422)
    assert "limit" in body["errors"]["query"]


@pytest.mark.parametrize("value", BAD_CURSORS)
@pytest.mark.parametrize("list_key", LISTS)
def test_forged_or_truncated_cursor_is_422_naming_it(app, client, db, world, list_key, value):
    before = snapshot(db)
    url = world.url(LISTS[list_key]) + "?cursor=" + BAD_CURSORS[value](real_cursor(app, world))
    body = assert_rejected(db, before, client.get(url, headers=world.alice_headers), 422)
    assert "cursor" in body["errors"]["query"]


@pytest.mark.parametrize("list_key", LISTS)
def test_a_real_cursor_is_accepted(app, client, world, list_key):
    url = world.url(LISTS[list_key]) + "?limit=1&cursor=" + real_cursor(app, world)
    assert client.get(url, headers=world.alice_headers).status_code == 200


BAD_AUTHOR_IDS = {**BAD_LIMITS, "max-plus-one": str(MAX_ID + 1)}
BAD_AUTHOR_IDS.pop("over-max")


@pytest.mark.parametrize("value", BAD_AUTHOR_IDS)
def test_bad_author_id_is_422_naming_it(client, db, world, value):
    before = snapshot(db)
    response = client.get("/boards?author_id=" + BAD_AUTHOR_IDS[value])
    body = assert_rejected(db, before, response, 422)
    assert "author_id" in body["errors"]["query"]


def test_author_id_of_nobody_is_an_empty_page(client, db):
    assert client.get(f"/boards?author_id={MAX_ID}").json["items"] == []


# Path parameters

ROUTES = {
    "user": [("GET", "/users/{id}"), ("PUT", "/users/{id}"), ("PATCH", "/users/{id}"),
             ("DELETE", "/users/{id}"), ("GET", "/users/{id}/boards"),
             ("GET", "/users/{id}/followers"), ("GET", "/users/{id}/following"),
             ("PUT", "/users/{id}/follow"), ("DELETE", "/users/{id}/follow")],
    "board": [("GET", "/boards/{id}"), ("PUT", "/boards/{id}"), ("PATCH", "/boards/{id}"),
              ("DELETE", "/boards/{id}"), ("GET", "/boards/{id}/comments"),
              ("POST", "/boards/{id}/comments")],
    "comment": [("GET", "/comments/{id}"), ("DELETE", "/comments/{id}")],
}
ROUTE_CASES = [(kind, method, url) for kind, routes in ROUTES.items() for method, url in routes]
BAD_IDS = {
    "negative": "-1", "zero": "0", "max-bigint-no-row": str(MAX_ID), "bigint-overflow": str(MAX_ID + 1),
    "huge": "9" * 40, "float": "1.5", "exponent": "1e3", "text": "abc", "sql": "1%20OR%201=1",
    "sql-semicolon": "1;DROP%20TABLE%20users", "nul": "%00", "fullwidth-digit": "%EF%BC%91",
    "emoji": "%F0%9F%98%80", "invalid-utf8": "%FF", "dot-dot": "..%2F1",
}
VALID_BODIES = {"user": {"name": "n", "email": "n@example.com"}, "board": {"title": "t", "content": "c"},
                "comment": {"content": "c"}}


@pytest.mark.parametrize("value", BAD_IDS)
@pytest.mark.parametrize("kind, method, url", ROUTE_CASES, ids=[f"{m} {u}" for _, m, u in ROUTE_CASES])
def test_bad_path_id_is_404_and_nothing_stored(client, db, world, kind, method, url, value):
    before = snapshot(db)
    kwargs = {"headers": world.alice_headers}
    if method in ("PUT", "PATCH", "POST"):
        kwargs["json"] = VALID_BODIES["comment" if url.endswith("comments") else kind]
    response = client.open(url.format(id=BAD_IDS[value]), method=method, **kwargs)
    assert_rejected(db, before, response, 404)


# Bodies

BODY_ENDPOINTS = {
    "POST /users": ("POST", "/users"),
    "POST /auth/login": ("POST", "/auth/login"),
    "PUT /users/{id}": ("PUT", "/users/{alice}"),
    "PATCH /users/{id}": ("PATCH", "/users/{alice}"),
    "POST /boards": ("POST", "/boards"),
    "PUT /boards/{id}": ("PUT", "/boards/{board}"),
    "PATCH /boards/{id}": ("PATCH", "/boards/{board}"),
    "POST /boards/{id}/comments": ("POST", "/boards/{board}/comments"),
}
DEPTH = 10_000
HOSTILE_BODIES = {
    "nested-arrays-10000": ("[" * DEPTH + "]" * DEPTH, "application/json", 400),
    "nested-objects-10000": ('{"a":' * DEPTH + "1" + "}" * DEPTH, "application/json", 400),
    "nested-in-a-field-10000": ('{"title": ' + "[" * DEPTH + "]" * DEPTH + "}", "application/json", 400),
    "array": ('[{"title": "t"}]', "application/json", 400),
    "string": ('"title"', "application/json", 400),
    "number": ("42", "application/json", 400),
    "null": ("null", "application/json", 400),
    "truncated-json": ('{"title": "t"', "application/json", 400),
    "not-json": ("title=t", "application/json", 400),
    "invalid-utf8": (b'{"title": "\xff"}', "application/json", 400),
    "utf16": ('{"title": "t"}'.encode("utf-16"), "application/json", 400),
    "text-plain": ('{"title": "t"}', "text/plain", 415),
    "form": ("title=t&content=c", "application/x-www-form-urlencoded", 415),
    "multipart": ("--x\r\n\r\nt\r\n--x--", "multipart/form-data; boundary=x", 415),
    "xml": ("<title>t</title>", "application/xml", 415),
    "body-10-MB": (b" " * (10 * 1024 * 1024), "application/json", 413),
}


@pytest.mark.parametrize("case", HOSTILE_BODIES)
@pytest.mark.parametrize("endpoint", BODY_ENDPOINTS)
def test_hostile_body_is_refused_and_nothing_stored(client, db, world, endpoint, case):
    method, url = BODY_ENDPOINTS[endpoint]
    data, content_type, code = HOSTILE_BODIES[case]
    before = snapshot(db)
    response = client.open(
        world.url(url), method=method, data=data, content_type=content_type, headers=world.alice_headers
    )
    assert_rejected(db, before, response, code)


@pytest.mark.parametrize("endpoint", BODY_ENDPOINTS)
def test_unknown_field_is_422_naming_it(client, db, world, endpoint):
    method, url = BODY_ENDPOINTS[endpoint]
    before = snapshot(db)
    response = client.open(world.url(url), method=method, json={"is_admin": True},
                           headers=world.alice_headers)
    body = assert_rejected(db, before, response, 422)
    assert_names_field(body, "is_admin")


# 413 before the body is read: a real server, a raw socket


@pytest.fixture
def live_server(app):
    with serve_in_thread(app) as base_url:
        yield urlsplit(base_url).port


def raw_request(port, head, body=b""):
    """Sends a request head (and a body, if any) and reads the answer (head
    and Content-Length bytes of body); a server that waited for the
    announced request body would time out instead."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(head.encode() + body)
        reply = b""
        while b"\r\n\r\n" not in reply:
            reply += sock.recv(65536)
        head_part, _, answer = reply.partition(b"\r\n\r\n")
        length = int(re.search(rb"Content-Length: (\d+)", head_part).group(1))
        while len(answer) < length:
            answer += sock.recv(65536)
    return (head_part + b"\r\n\r\n" + answer).decode("latin-1")


@pytest.mark.parametrize("url", ["/boards", "/users", "/auth/login"])
def test_10_mb_content_length_is_413_before_the_body_is_read(live_server, db, url):
    before = counts(db)
    head = (
        f"POST {url} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Content-Length: {10 * 1024 * 1024}\r\nConnection: close\r\n\r\n"
    )
    reply = raw_request(live_server, head, b"{}")
    status_line = reply.split("\r\n", 1)[0]
    assert status_line.split(" ")[1] == "413", reply
    assert '"code": 413' in reply or '"code":413' in reply
    assert counts(db) == before


def test_chunked_body_over_the_limit_is_413(live_server, db):
    chunk = b"x" * 65536
    body = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(20)) + b"0\r\n\r\n"
    head = (
        "POST /boards HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    )
    reply = raw_request(live_server, head, body)
    assert reply.split("\r\n", 1)[0].split(" ")[1] == "413", reply
    assert db.value("SELECT COUNT(*) FROM boards") == 0
