"""The cost of a request is the rows the server reads for it (issue 14):
every GET at limit 20 reads at most 1,000 rows, and about as many when the
tables double. Rows read are the session's `Handler_read_%` counters on the
connection the app keeps for the test's thread, around one request. The
same figures at 20,000 to 1,000,000 boards are the scale bench's
(bench/SCALE.md)."""
import pytest

from realworld.schemas import MAX_OFFSET
from realworld.slugs import article_slug

from tests.helpers import around_one_get, insert_boards, insert_comments, insert_follows, insert_users

MAX_ROWS = 1000
GROWTH = 1.5


def handler_reads(conn):
    with conn.cursor() as cursor:
        cursor.execute("SHOW SESSION STATUS LIKE 'Handler_read%%'")
        return sum(int(row["Value"]) for row in cursor.fetchall())


@pytest.fixture
def rows_read(app, client):
    """rows_read(url, headers) -> rows the server read for one GET."""
    def measure(url, headers=None):
        response, reads = around_one_get(client, app.extensions["boards_db"], handler_reads, url, headers)
        assert response.status_code == 200, (url, response.json)
        assert len(response.json.get("items", [None])) > 0, url
        return reads

    return measure


class Dataset:
    """Tables that are large next to a page, shaped like the issue's: a hot
    board with many comments among the newest, a reader who follows three
    quiet authors whose boards are all old, one who follows many active
    authors, an author with many followers; a tag on every board of the
    active authors and a reader who favorited all of those boards."""

    def __init__(self, db, signup, login):
        self.db = db
        self.quiet_authors = insert_users(db, 3, "quiet")
        self.active_authors = insert_users(db, 40, "active")
        self.fans = insert_users(db, 1500, "fan")
        self.celebrity = self.active_authors[0]
        self.quiet_reader, self.quiet_headers = signup()
        self.active_reader, self.active_headers = signup()
        for author in self.quiet_authors:
            insert_boards(db, author, 10)
        insert_follows(db, [(self.quiet_reader["id"], author) for author in self.quiet_authors]
                       + [(self.active_reader["id"], author) for author in self.active_authors]
                       + [(fan, self.celebrity) for fan in self.fans])
        db.many("INSERT INTO tags (name) VALUES (%s)", [("big",)] + [(f"tag{n}",) for n in range(200)])
        self.big_tag = db.value("SELECT id FROM tags WHERE name = 'big'")
        self.celebrity_name = db.value("SELECT name FROM users WHERE id = %s", (self.celebrity,))
        self.grow()

    def grow(self):
        """More boards by the active authors, more comments on the hot board."""
        first = self.db.value("SELECT COALESCE(MAX(id), 0) FROM boards")
        for author in self.active_authors:
            boards = insert_boards(self.db, author, 60)
        self.hot_board = boards[-1]
        self.db.all("INSERT INTO board_tags (board_id, tag_id, author_id) SELECT b.id, %s, b.user_id FROM boards AS b "
                    "WHERE b.id > %s",
                    (self.big_tag, first))
        self.db.all("INSERT INTO board_tags (board_id, tag_id, author_id) SELECT b.id, t.id, b.user_id FROM boards AS b "
                    "JOIN tags AS t ON t.name = CONCAT('tag', b.id MOD 200) WHERE b.id > %s", (first,))
        self.db.all("INSERT INTO favorites (user_id, board_id) SELECT %s, b.id FROM boards AS b WHERE b.id > %s",
                    (self.active_reader["id"], first))
        insert_comments(self.db, self.hot_board, self.fans[0], 2500)

    def urls(self):
        deep = self.db.value("SELECT id FROM boards ORDER BY id DESC LIMIT 1 OFFSET 1000")
        return {
            "GET /boards": ("/boards", None),
            "GET /boards (deep)": (f"/boards?cursor={self.cursor(deep)}", None),
            "GET /boards/{hot}": (f"/boards/{self.hot_board}", None),
            "GET /boards/{hot}/comments": (f"/boards/{self.hot_board}/comments", None),
            "GET /users/{celebrity}": (f"/users/{self.celebrity}", None),
            "GET /users/{celebrity}/boards": (f"/users/{self.celebrity}/boards", None),
            "GET /users/{celebrity}/followers": (f"/users/{self.celebrity}/followers", None),
            "GET /users": ("/users", None),
            "GET /feed (3 quiet authors)": ("/feed", self.quiet_headers),
            "GET /feed (40 active authors)": ("/feed", self.active_headers),
            "GET /health": ("/health", None),
            "GET /boards (a token)": ("/boards", self.active_headers),
            "GET /boards/{hot} (a token)": (f"/boards/{self.hot_board}", self.active_headers),
            "GET /boards?tag=big": ("/boards?tag=big", None),
            "GET /boards?tag=big (deep, a token)": (f"/boards?tag=big&cursor={self.cursor(deep)}",
                                                    self.active_headers),
            "GET /boards?tag=big&author_id={celebrity}": (f"/boards?tag=big&author_id={self.celebrity}", None),
            "GET /tags": ("/tags", None),
            "GET /users/{reader}/favorites": (f"/users/{self.active_reader['id']}/favorites", None),
            "GET /users/{reader}/favorites (a token)": (f"/users/{self.active_reader['id']}/favorites",
                                                        self.active_headers),
            "GET /users/by-name/{celebrity}": (f"/users/by-name/{self.celebrity_name}", None),
            **self.realworld_urls(),
        }

    def realworld_urls(self):
        celebrity = self.celebrity_name
        hot = self.db.one("SELECT id, title FROM boards WHERE id = %s", (self.hot_board,))
        slug = article_slug(hot["id"], hot["title"])
        reader, deepest = self.active_reader["name"], f"offset={MAX_OFFSET}"
        return {
            "GET /api/articles": ("/api/articles", None),
            "GET /api/articles (deepest offset)": (f"/api/articles?{deepest}", self.active_headers),
            # The celebrity has 60 boards, then 180: an offset within both.
            "GET /api/articles?author=": (f"/api/articles?author={celebrity}&offset=40", self.active_headers),
            "GET /api/articles?tag=": (f"/api/articles?tag=big&{deepest}", self.active_headers),
            "GET /api/articles?favorited=": (f"/api/articles?favorited={reader}&{deepest}", self.active_headers),
            "GET /api/articles/feed": (f"/api/articles/feed?{deepest}", self.active_headers),
            "GET /api/articles/{hot}": (f"/api/articles/{slug}", self.active_headers),
            "GET /api/articles/{hot}/comments": (f"/api/articles/{slug}/comments", self.active_headers),
            "GET /api/profiles/{celebrity}": (f"/api/profiles/{celebrity}", self.active_headers),
            "GET /api/user": ("/api/user", self.active_headers),
            "GET /api/tags": ("/api/tags", None),
        }

    def cursor(self, last_id):
        from pagination import encode_cursor

        return encode_cursor(last_id)


def measure_all(app, dataset, rows_read):
    with app.test_request_context():
        urls = dataset.urls()
    return {name: rows_read(url, headers) for name, (url, headers) in urls.items()}


@pytest.mark.slow
def test_every_get_reads_a_page_not_the_table(app, db, signup, rows_read, rebuild):
    dataset = Dataset(db, signup, None)
    rebuild()
    small = measure_all(app, dataset, rows_read)
    dataset.grow()
    dataset.grow()
    rebuild()
    large = measure_all(app, dataset, rows_read)
    print("\nrows read per GET (tables x1 -> x3):")
    for name in small:
        print(f"  {name}: {small[name]} -> {large[name]}")
    assert {name: reads for name, reads in large.items() if reads > MAX_ROWS} == {}
    assert {name for name in small if large[name] > GROWTH * small[name] + 5} == set()
    assert db.value("SELECT COUNT(*) FROM boards") > 7000
