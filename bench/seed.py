"""Seed a throwaway benchmark database with SQL bulk inserts (not through the API).

The database is created on the given server with the same init-db code the
CLI runs, then filled with multi-row INSERTs (mysqlclient's executemany).
Ids are explicit (1..N, the tables are new), so the bench knows them:

- user 1 is the bench user: a real password hash, and follows users 2..101;
- the other follows are spread over the remaining users;
- boards belong to random users, ids in creation order;
- the board in the middle ("hot board") gets the first 100 comments, the
  rest go to random boards.

Run alone: `.venv/bin/python bench/seed.py --database boards_bench_x` seeds a
database on the server scripts.dbserver finds (it refuses a name that does not
start with boards_bench_).
"""
import argparse
import random
import sys
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from werkzeug.security import generate_password_hash  # noqa: E402

from app import create_app  # noqa: E402
from migrations import init_db  # noqa: E402

BENCH_PREFIX = "boards_bench_"
BENCH_PASSWORD = "bench password 1"
SHARED_HASH_PASSWORD = "nobody logs in as this one"
HOT_BOARD_COMMENTS = 100
BATCH = 2000
EPOCH = datetime(2026, 1, 1)
WORDS = (
    "board service keyset cursor index query page comment follow feed "
    "latency throughput 게시판 댓글 안녕하세요 ☕ mysql flask worker thread"
).split()


@dataclass(frozen=True)
class Sizes:
    users: int = 1000
    boards: int = 20000
    comments: int = 50000
    follows: int = 5000
    followed: int = 100  # how many users the bench user follows

    def check(self):
        if self.users < 3 or self.boards < 1 or self.comments < 1:
            raise ValueError("need at least 3 users, 1 board and 1 comment")
        if not 1 <= self.followed < self.users:
            raise ValueError("the bench user must follow between 1 and users-1 others")
        others = (self.users - 1) * (self.users - 2)
        if not self.followed <= self.follows <= self.followed + others:
            raise ValueError("follows must be at least `followed` and fit in the user pairs")


DEFAULT_SIZES = Sizes()
TINY_SIZES = Sizes(users=30, boards=300, comments=400, follows=60, followed=10)


@dataclass(frozen=True)
class Dataset:
    database: str
    sizes: Sizes
    user_id: int  # the bench user, who follows `followed` others
    email: str
    password: str
    other_user_id: int
    hot_board_id: int

    def as_dict(self):
        return {**asdict(self), "sizes": asdict(self.sizes)}


def app_config(server, database, secret_key):
    return {**server.app_config(database), "SECRET_KEY": secret_key, "LOG_LEVEL": "WARNING"}


def create_schema(server, database, secret_key):
    """CREATE DATABASE + sql/schema.sql, by the code `flask init-db` runs."""
    app = create_app(app_config(server, database, secret_key))
    with app.app_context():
        init_db()


def rebuild_derived(server, database, secret_key):
    """The comment counts and feeds of the rows loaded with SQL, by the
    command a DBA runs after a bulk load (`flask --app app rebuild`)."""
    app = create_app(app_config(server, database, secret_key))
    result = app.test_cli_runner().invoke(args=["rebuild", "--quiet"])
    if result.exit_code != 0:
        raise RuntimeError(f"rebuild failed: {result.output}") from result.exception


def _text(rng, words):
    return " ".join(rng.choice(WORDS) for _ in range(words))


def _insert(cursor, sql, rows):
    for start in range(0, len(rows), BATCH):
        cursor.executemany(sql, rows[start:start + BATCH])


def _follow_pairs(sizes):
    pairs = [(1, followee) for followee in range(2, sizes.followed + 2)]
    step = 1
    while len(pairs) < sizes.follows:
        for follower in range(2, sizes.users + 1):
            followee = (follower - 1 + step) % sizes.users + 1
            if followee != 1:  # user 1's own follows are the ones above
                pairs.append((follower, followee))
            if len(pairs) == sizes.follows:
                break
        step += 1
    return pairs


def fill(conn, sizes, seed=7):
    """Insert the rows; conn is on the bench database."""
    rng = random.Random(seed)
    bench_hash = generate_password_hash(BENCH_PASSWORD)
    shared_hash = generate_password_hash(SHARED_HASH_PASSWORD)
    hot_board = max(1, sizes.boards // 2)
    cursor = conn.cursor()
    try:
        conn.begin()
        users = [
            (i, f"bench{i}", f"bench{i}@example.com", bench_hash if i == 1 else shared_hash,
             EPOCH, EPOCH)
            for i in range(1, sizes.users + 1)
        ]
        _insert(cursor, "INSERT INTO users (id, name, email, password_hash, created_at, updated_at) "
                        "VALUES (%s, %s, %s, %s, %s, %s)", users)
        boards = []
        for i in range(1, sizes.boards + 1):
            at = EPOCH + timedelta(seconds=i)
            boards.append((i, rng.randint(1, sizes.users), f"Board {i}: {_text(rng, 5)}",
                           _text(rng, rng.randint(20, 60)), at, at))
        _insert(cursor, "INSERT INTO boards (id, user_id, title, content, created_at, updated_at) "
                        "VALUES (%s, %s, %s, %s, %s, %s)", boards)
        comments = []
        for i in range(1, sizes.comments + 1):
            board = hot_board if i <= HOT_BOARD_COMMENTS else rng.randint(1, sizes.boards)
            comments.append((i, board, rng.randint(1, sizes.users), _text(rng, rng.randint(3, 25)),
                             EPOCH + timedelta(seconds=sizes.boards + i)))
        _insert(cursor, "INSERT INTO comments (id, board_id, user_id, content, created_at) "
                        "VALUES (%s, %s, %s, %s, %s)", comments)
        _insert(cursor, "INSERT INTO follows (follower_id, followee_id, created_at) "
                        "VALUES (%s, %s, %s)", [(a, b, EPOCH) for a, b in _follow_pairs(sizes)])
        conn.commit()
        cursor.execute("ANALYZE TABLE users, boards, comments, follows")
        cursor.fetchall()
    finally:
        cursor.close()
    return hot_board


def seed(server, database, sizes=DEFAULT_SIZES, secret_key="bench-secret"):
    """Create `database` (a new, throwaway one) and fill it; returns a Dataset."""
    if not database.startswith(BENCH_PREFIX):
        raise ValueError(f"bench databases are named {BENCH_PREFIX}*, not {database!r}")
    sizes.check()
    create_schema(server, database, secret_key)
    conn = server.connect(database=database)
    try:
        hot_board = fill(conn, sizes)
    finally:
        conn.close()
    rebuild_derived(server, database, secret_key)
    return Dataset(database=database, sizes=sizes, user_id=1, email="bench1@example.com",
                   password=BENCH_PASSWORD, other_user_id=2, hot_board_id=hot_board)


def drop(server, database):
    if not database.startswith(BENCH_PREFIX):
        raise ValueError(f"refusing to drop {database!r}")
    server.drop_database(database)


def add_size_arguments(parser):
    for name in ("users", "boards", "comments", "follows", "followed"):
        parser.add_argument(f"--{name}", type=int, default=None,
                            help=f"default {getattr(DEFAULT_SIZES, name)}")
    parser.add_argument("--tiny", action="store_true", help=f"smoke-run sizes: {TINY_SIZES}")


def sizes_from_arguments(args):
    base = TINY_SIZES if args.tiny else DEFAULT_SIZES
    chosen = {name: getattr(args, name) for name in asdict(base) if getattr(args, name) is not None}
    return Sizes(**{**asdict(base), **chosen})


def main(argv=None):
    from scripts.dbserver import find_or_start

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", required=True, help=f"a new database named {BENCH_PREFIX}*")
    add_size_arguments(parser)
    args = parser.parse_args(argv)
    server = find_or_start()
    try:
        dataset = seed(server, args.database, sizes_from_arguments(args))
        print(dataset)
    finally:
        server.stop()


if __name__ == "__main__":
    main()
