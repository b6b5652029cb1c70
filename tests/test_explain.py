"""Every list query of sql/queries/ (every query named list_*), EXPLAINed on a
few thousand rows: no sort or temporary table over more than one page, no
full scan of a table. A new list query is checked without touching this file
(unless it takes a parameter not known below: then the test says so).

docs/queries.md shows the plans and why the queries are shaped so.
"""
import json
import random

import pytest

from queries import SQL_DIR, load_queries
from pagination import FIRST_PAGE_AFTER_ID, FIRST_PAGE_BEFORE_ID
from tests.helpers import EMPTY_TABLES_CHILDREN_FIRST

USERS, BOARDS, COMMENTS = 50, 3000, 3000
HEAVY_BOARDS, HEAVY_COMMENTS = 1000, 500
LIMIT = 21
NOT_SERVED = {"migrations"}  # the CLI's ledger of applied migrations, not a page
FULL_SCAN_TYPES = {"ALL", "index"}
ONE_ROW_TYPES = {"system", "const", "eq_ref"}
SORT_MARKS = ("Using filesort", "Using temporary")


def list_queries():
    """(file name, query name, query function) of every list_* query."""
    found = []
    for path in sorted((SQL_DIR / "queries").glob("*.sql")):
        if path.stem in NOT_SERVED:
            continue
        queries = load_queries(path.stem)
        for name in sorted(queries.available_queries):
            if name.startswith("list_") and not name.endswith("_cursor"):
                found.append(pytest.param(getattr(queries, name), id=f"{path.stem}.{name}"))
    return found


LIST_QUERIES = list_queries()


@pytest.fixture(scope="module")
def seeded(admin_conn):
    """Empties the tables and loads them with skewed data: a heavy user with
    a third of the boards, a board with many comments, everyone following ten
    others. ANALYZE TABLE so the optimizer sees the real sizes."""
    rng = random.Random(2026)
    with admin_conn.cursor() as cursor:
        for statement in EMPTY_TABLES_CHILDREN_FIRST:
            cursor.execute(statement)
        cursor.executemany(
            "INSERT INTO users (name, email, password_hash) VALUES (%s, %s, %s)",
            [(f"explain{n}", f"explain{n}@example.com", "x") for n in range(USERS)],
        )
        cursor.execute("SELECT id FROM users ORDER BY id")
        users = [row["id"] for row in cursor.fetchall()]
        heavy = users[0]
        authors = [heavy] * HEAVY_BOARDS + [rng.choice(users[1:]) for _ in range(BOARDS - HEAVY_BOARDS)]
        rng.shuffle(authors)
        cursor.executemany(
            "INSERT INTO boards (user_id, title, content) VALUES (%s, %s, %s)",
            [(author, "title", "content") for author in authors],
        )
        cursor.execute("SELECT id FROM boards ORDER BY id")
        boards = [row["id"] for row in cursor.fetchall()]
        busy = boards[len(boards) // 2]
        commented = [busy] * HEAVY_COMMENTS + [rng.choice(boards) for _ in range(COMMENTS - HEAVY_COMMENTS)]
        cursor.executemany(
            "INSERT INTO comments (board_id, user_id, content) VALUES (%s, %s, %s)",
            [(board, rng.choice(users), "comment") for board in commented],
        )
        cursor.executemany(
            "INSERT INTO follows (follower_id, followee_id) VALUES (%s, %s)",
            [(follower, followee)
             for follower in users
             for followee in rng.sample([u for u in users if u != follower], 10)],
        )
        cursor.execute(  # the feeds as `flask rebuild` makes them, without the length cap
            "INSERT INTO timeline_entries (user_id, board_id, author_id) "
            "SELECT f.follower_id, b.id, b.user_id FROM follows AS f JOIN boards AS b ON b.user_id = f.followee_id"
        )
        cursor.execute("INSERT INTO tags (name) VALUES ('big'), ('small')")
        cursor.execute(  # 'big' on every other board, 'small' on every tenth
            "INSERT INTO board_tags (board_id, tag_id, author_id) SELECT b.id, t.id, b.user_id FROM boards AS b "
            "JOIN tags AS t "
            "ON (t.name = 'big' AND b.id MOD 2 = 0) OR (t.name = 'small' AND b.id MOD 10 = 0)"
        )
        cursor.executemany(
            "INSERT INTO favorites (user_id, board_id) VALUES (%s, %s)",
            [(heavy, board) for board in rng.sample(boards, 1500)]
            + [(user, board) for user in users[1:] for board in rng.sample(boards, 20)],
        )
        cursor.execute("ANALYZE TABLE users, boards, comments, follows, timeline_entries, tags, board_tags, "
                       "favorites")
        cursor.fetchall()
        cursor.execute("SELECT id FROM comments WHERE board_id = %s ORDER BY id", (busy,))
        busy_comments = [row["id"] for row in cursor.fetchall()]
    yield {"users": users, "heavy": heavy, "boards": boards, "busy": busy,
           "busy_comments": busy_comments}
    with admin_conn.cursor() as cursor:
        for statement in EMPTY_TABLES_CHILDREN_FIRST:
            cursor.execute(statement)


def parameter_values(seeded, page):
    """A value for every parameter a list query may take; page "first" or "middle"."""
    middle = page == "middle"
    return {
        "limit": LIMIT,
        "side": "following" if middle else "followers",
        "user_id": seeded["heavy"],
        "author_id": seeded["heavy"] if middle else None,
        "viewer_id": seeded["users"][1],
        "viewer_generation": 0,
        "viewer_jti": "never-revoked",
        "tag": "small" if middle else "big",
        "follower_id": seeded["users"][1],
        "caller_id": seeded["users"][1],
        "author": "explain0",
        "favorited": "explain0",
        "offset": 100 if middle else 0,
        "token_generation": 0,
        "jti": "never-revoked",
        "board_id": seeded["busy"],
        "before_id": seeded["boards"][len(seeded["boards"]) // 2] if middle else FIRST_PAGE_BEFORE_ID,
        "after_id": seeded["busy_comments"][len(seeded["busy_comments"]) // 2]
        if middle else FIRST_PAGE_AFTER_ID,
    }


def explain(conn, sql, params):
    with conn.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        return list(cursor.fetchall())


def is_table(row):
    """A base table (all tables here are big), not <derivedN>, <subqueryN>, <unionN,M>."""
    return bool(row["table"]) and not row["table"].startswith("<")


def plan_problems(plan, limit):
    """What is wrong with an EXPLAIN plan, as readable lines (empty: fine)."""
    problems = []
    for row in plan:
        name, access, extra = row["table"], row["type"], row["Extra"] or ""
        if is_table(row) and access in FULL_SCAN_TYPES:
            problems.append(f"{name}: full scan (type {access})")
        if not is_table(row) and name and name.startswith("<derived") and int(row["rows"] or 0) > limit:
            problems.append(f"{name}: derived table of {row['rows']} rows, more than a page")
        if any(mark in extra for mark in SORT_MARKS):
            level = [other for other in plan if other["id"] == row["id"]]
            unbounded = [
                other["table"] for other in level
                if is_table(other) and other["type"] not in ONE_ROW_TYPES
            ]
            if unbounded:
                problems.append(
                    f"{name}: {extra!r} over rows of {', '.join(unbounded)} (more than one page)"
                )
    return problems


def describe(plan):
    return "\n".join(
        f"  {row['id']} {row['select_type']} {row['table']} {row['type']} "
        f"key={row['key']} rows={row['rows']} {row['Extra']}"
        for row in plan
    )


def test_every_list_query_is_found():
    names = {param.id for param in LIST_QUERIES}
    assert {"users.list_users_page", "boards.list_boards_page", "boards.list_feed_page",
            "boards.list_user_boards_page", "comments.list_board_comments_page",
            "follows.list_follows_page", "boards.list_tag_boards_page", "tags.list_tags_page",
            "favorites.list_user_favorites_page"} <= names


@pytest.mark.parametrize("page", ["first", "middle"])
@pytest.mark.parametrize("query", LIST_QUERIES)
def test_list_query_plan_reads_one_page_through_an_index(admin_conn, seeded, query, page):
    values = parameter_values(seeded, page)
    unknown = set(query.parameters) - set(values)
    assert not unknown, f"add a value for {sorted(unknown)} to parameter_values()"
    params = {name: values[name] for name in query.parameters}
    plan = explain(admin_conn, query.sql, params)
    problems = plan_problems(plan, LIMIT)
    assert not problems, "\n".join(problems) + "\n" + describe(plan)
    with admin_conn.cursor() as cursor:
        cursor.execute(query.sql, params)
        rows = list(cursor.fetchall())
    assert 0 < len(rows) <= LIMIT


SORTS_EVERY_BOARD_OF_A_USER = """
SELECT u.id AS subject_id, b.id, b.title, b.content
FROM users AS u
LEFT JOIN boards AS b
    ON b.user_id = u.id
   AND b.id < %(before_id)s
WHERE u.id = %(user_id)s
ORDER BY b.id DESC
LIMIT %(limit)s
"""
FULL_SCAN = "SELECT b.id FROM boards AS b WHERE b.title = %(title)s ORDER BY b.created_at LIMIT 5"


@pytest.mark.parametrize(
    "sql, params, expected",
    [
        pytest.param(SORTS_EVERY_BOARD_OF_A_USER, {"before_id": FIRST_PAGE_BEFORE_ID, "limit": LIMIT},
                     "more than one page", id="left-join-ordered-by-inner-table"),
        pytest.param(FULL_SCAN, {"title": "title"}, "full scan", id="full-scan"),
    ],
)
def test_the_check_catches_bad_plans(admin_conn, seeded, sql, params, expected):
    params = {**params, "user_id": seeded["heavy"]} if "user_id" in sql else params
    problems = plan_problems(explain(admin_conn, sql, params), LIMIT)
    assert any(expected in problem for problem in problems), problems


def test_articles_of_ids_reads_each_board_of_the_page_by_its_key(admin_conn, seeded):
    """RealWorld's lists join their page's ids (a JSON_TABLE `j`, which
    EXPLAIN shows as a full scan of its 20 ids) to the wide rows: every base
    table by a key, nothing sorted."""
    query = load_queries("articles").articles_of_ids
    params = {"ids": json.dumps(seeded["boards"][:20]), "caller_id": seeded["users"][1]}
    plan = [row for row in explain(admin_conn, query.sql, params) if row["table"] != "j"]
    assert {row["table"]: row["type"] for row in plan if row["table"] in ("b", "u")} == {
        "b": "eq_ref", "u": "eq_ref"}, describe(plan)
    assert plan_problems(plan, LIMIT) == [], describe(plan)
