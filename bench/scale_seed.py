"""The scale bench's datasets (issue 14), made in seconds by the statements
of bench/scale_seed.sql (INSERT ... SELECT from a generated sequence), with
their derived state computed set-based as `flask --app app rebuild` leaves
it (tests/test_scale_bench.py checks that against the base tables and
against rebuild itself).

Users by id:
- 1, the celebrity: `celebrity_followers` followers, a board every
  boards/20 ids;
- 2, the quiet reader: follows the 3 quiet authors (4-6), whose boards are
  the 30 oldest;
- 3, the active reader: follows the 100 active authors (7-106), who wrote
  every 10th board;
- 107 on, ordinary users: each follows 4 others; the first
  `celebrity_followers` of them follow the celebrity too; they wrote the
  other boards and all comments.
The hot board, 5 ids below the newest (so on page 1 of GET /boards), has
`hot_comments` comments and `hot_favorites` favorites (by the ordinary
users after the heavy favoriter); every board has one comment more on
average. The heavy favoriter (an ordinary user) favorited `favorites`
boards spread over all. Tags: `tags` of them, named tag1..; tag1 (the big
tag) is on every 10th board, so on every board of the active authors;
boards have 0 to 2 other tags, every 100th 9 (10 in all).
"""
import contextlib
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import aiosql
from werkzeug.security import generate_password_hash

from bench.seed import BENCH_PREFIX, create_schema
from feeds import FEED_LENGTH

SEED_SQL = Path(__file__).resolve().parent / "scale_seed.sql"
PASSWORD = "scale bench password"
EPOCH = "2026-01-01 00:00:00"
CELEBRITY, QUIET_READER, ACTIVE_READER = 1, 2, 3
QUIET_FIRST, QUIET_BOARDS = 4, 10
ACTIVE_FIRST, ACTIVE_AUTHORS, ACTIVE_EVERY = 7, 100, 10
ORDINARY_FIRST = ACTIVE_FIRST + ACTIVE_AUTHORS
FOLLOWS_PER_ORDINARY = 4
CELEBRITY_BOARDS = 20
READERS_PER_STATEMENT = 20_000
HEAVY_FAVORITER = ORDINARY_FIRST + 2
BIG_TAG, BIG_TAG_EVERY, TEN_TAGS_EVERY = "tag1", 10, 100


@dataclass(frozen=True)
class Shape:
    boards: int
    users: int
    hot_comments: int
    celebrity_followers: int
    tags: int
    favorites: int
    hot_favorites: int

    @property
    def ordinary(self):
        return self.users - ORDINARY_FIRST + 1

    def check(self):
        if self.boards < 100 or self.ordinary < 5 * FOLLOWS_PER_ORDINARY:
            raise ValueError(f"too small for the follow graphs: {self}")
        if not 0 < self.celebrity_followers <= self.ordinary:
            raise ValueError(f"the celebrity's followers must be ordinary users: {self}")
        if not 10 < self.tags < self.boards // 2 or self.favorites > self.boards:
            raise ValueError(f"every tag needs boards, every favorite its own board: {self}")
        if self.hot_favorites > self.ordinary - 3:
            raise ValueError(f"the hot board's favoriters must be ordinary users: {self}")


def full_shape(boards):
    """The issue's sizes: 100,000 comments on the hot board, 50,000 followers,
    50,000 favorites of one user (all boards, when fewer) and of one board."""
    return Shape(boards=boards, users=60_000 + boards // 20, hot_comments=100_000,
                 celebrity_followers=50_000, tags=5_000, favorites=min(50_000, boards),
                 hot_favorites=50_000)


def tiny_shape(boards):
    return Shape(boards=boards, users=400 + boards // 20, hot_comments=300, celebrity_followers=200,
                 tags=200, favorites=min(1_000, boards), hot_favorites=200)


@dataclass(frozen=True)
class Dataset:
    database: str
    shape: Shape
    hot_board: int
    ordinary_step: int
    seed_seconds: dict

    @property
    def ordinary_reader(self):
        """Follows the celebrity (its first follower) and 4 ordinary users."""
        return ORDINARY_FIRST

    @property
    def ordinary_author(self):
        """One the ordinary reader follows."""
        return ORDINARY_FIRST + self.ordinary_step

    @property
    def last_celebrity_follower(self):
        """The last follower the worker's fan-out reaches (it goes by id)."""
        return ORDINARY_FIRST + self.shape.celebrity_followers - 1

    def as_dict(self):
        return {**asdict(self), "ordinary_reader": self.ordinary_reader,
                "ordinary_author": self.ordinary_author,
                "last_celebrity_follower": self.last_celebrity_follower}


def email_of(user_id):
    return f"user{user_id}@example.com"


def seed(server, database, shape, secret_key):
    """Create `database` (new, named boards_bench_*) and fill it; a Dataset
    with the seconds each step took."""
    if not database.startswith(BENCH_PREFIX):
        raise ValueError(f"bench databases are named {BENCH_PREFIX}*, not {database!r}")
    shape.check()
    timer = Timer()
    with timer("schema"):
        create_schema(server, database, secret_key)
    statements = aiosql.from_path(SEED_SQL, "mysqldb")
    conn = server.connect(database=database)
    try:
        step, hot_board = fill_base_tables(statements, conn, shape, timer)
        fill_derived(statements, conn, timer, shape.users)
        with timer("analyze"):
            statements.analyze_tables(conn)
    finally:
        conn.close()
    return Dataset(database=database, shape=shape, hot_board=hot_board, ordinary_step=step,
                   seed_seconds=timer.seconds)


def fill_base_tables(statements, conn, shape, timer):
    """Users, boards, comments, follows, tags, favorites; returns (ordinary
    follow step, hot board id)."""
    hot_board, step = shape.boards - 5, shape.ordinary // (FOLLOWS_PER_ORDINARY + 1)
    ordinary = {"ordinary_first": ORDINARY_FIRST, "ordinary": shape.ordinary}
    statements.fast_bulk_load(conn)
    with timer("sequence"):
        statements.create_digits(conn)
        statements.fill_digits(conn)
        statements.create_numbers(conn)
        statements.fill_numbers(conn, count=max(shape.boards, shape.users, shape.hot_comments,
                                                shape.tags, shape.hot_favorites))
    with timer("users"):
        password_hash = generate_password_hash(PASSWORD)
        statements.insert_users(conn, users=shape.users, password_hash=password_hash, epoch=EPOCH)
    with timer("boards"):
        statements.insert_boards(
            conn, boards=shape.boards, hot_board=hot_board, hot_author=ORDINARY_FIRST + 1,
            celebrity=CELEBRITY, celebrity_every=max(1, shape.boards // CELEBRITY_BOARDS),
            quiet_first=QUIET_FIRST, quiet_boards=QUIET_BOARDS, active_first=ACTIVE_FIRST,
            active_authors=ACTIVE_AUTHORS, active_every=ACTIVE_EVERY, epoch=EPOCH, **ordinary)
    with timer("comments"):
        statements.insert_hot_comments(conn, hot_board=hot_board, hot_comments=shape.hot_comments,
                                       epoch=EPOCH, **ordinary)
        statements.insert_other_comments(conn, first_id=shape.hot_comments, count=shape.boards,
                                         boards=shape.boards, epoch=EPOCH, **ordinary)
    with timer("follows"):
        statements.insert_follows_of_range(conn, follower=QUIET_READER, followee_first=QUIET_FIRST,
                                           count=3)
        statements.insert_follows_of_range(conn, follower=ACTIVE_READER, followee_first=ACTIVE_FIRST,
                                           count=ACTIVE_AUTHORS)
        statements.insert_followers_of(conn, followee=CELEBRITY, follower_first=ORDINARY_FIRST,
                                       count=shape.celebrity_followers)
        statements.insert_ordinary_follows(conn, per_user=FOLLOWS_PER_ORDINARY, step=step, **ordinary)
    with timer("tags"):
        statements.insert_tags(conn, tags=shape.tags)
        statements.insert_big_tag(conn, big_tag_every=BIG_TAG_EVERY)
        statements.insert_other_tags(conn, tags=shape.tags, ten_tags_every=TEN_TAGS_EVERY,
                                     boards=shape.boards)
    with timer("favorites"):
        statements.insert_favorites_of_user(conn, user_id=HEAVY_FAVORITER, first_id=0, count=shape.favorites,
                                            boards=shape.boards, epoch=EPOCH)
        statements.insert_favoriters_of_board(conn, board_id=hot_board, first_id=shape.favorites,
                                              user_first=HEAVY_FAVORITER + 1, count=shape.hot_favorites,
                                              epoch=EPOCH)
    statements.drop_sequences(conn)
    return step, hot_board


def fill_derived(statements, conn, timer, last_user):
    """Stored counts, the total of boards and feeds, as `flask --app app
    rebuild` makes them."""
    with timer("stored counts"):
        statements.count_boards(conn)
        statements.count_users(conn)
        statements.count_boards_of_tags(conn)
        statements.count_boards_total(conn)
    with timer("feeds"):
        for after in range(0, last_user, READERS_PER_STATEMENT):
            statements.fill_timelines(conn, after=after, last=after + READERS_PER_STATEMENT,
                                      length=FEED_LENGTH)
        statements.fill_timeline_rows(conn, length=FEED_LENGTH)


class Timer:
    """`with timer(step):` records the step's seconds, in order, in `seconds`."""

    def __init__(self):
        self.seconds = {}

    @contextlib.contextmanager
    def __call__(self, step):
        started = time.monotonic()
        yield
        self.seconds[step] = round(time.monotonic() - started, 2)


def remove_bench_writes(conn, boards):
    """The boards the bench POSTed with the worker stopped, and their
    outbox events, so nothing is fanned out later."""
    statements = aiosql.from_path(SEED_SQL, "mysqldb")
    statements.delete_outbox(conn)
    statements.delete_boards_after(conn, boards=boards)
