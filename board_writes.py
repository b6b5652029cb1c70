"""The writes of boards that keep stored counts, one method per change, each
run in the caller's transaction (`db.in_transaction`, which retries
deadlocks): a board created or deleted, its tags changed, a favorite. Shared
by the native API and /api. Counts changed here: users.board_count, the
boards total (counters), tags.board_count, boards.favorite_count and
users.favorite_count. Lock order (docs/queries.md, "Lock order"): an
existing board's row first, then its author, its tags in name order, the
favoriters, the boards total."""
import json

from feeds import BOARD_CREATED, BOARD_DELETED

COUNTER_SLOTS = 16


def names_json(names):
    """A list of tag names or ids as the queries take it: one JSON array."""
    return json.dumps(sorted(names), ensure_ascii=False)


class BoardWrites:
    def __init__(self, boards, tags, favorites, feeds):
        self.boards, self.tags, self.favorites, self.feeds = boards, tags, favorites, feeds

    def create(self, conn, author_id, title, content, tags, now, description=""):
        """A new board by author_id with these (normalised) tags; its id.
        The author's count comes first: the INSERT's foreign-key check takes
        a shared lock on the author, which two boards by one author would
        then both try to upgrade."""
        self.boards.count_author_board(conn, user_id=author_id, change=1)
        board_id = self.boards.insert_board(
            conn, user_id=author_id, title=title, description=description, content=content, now=now
        )
        self._add_tags(conn, board_id, tags)
        self.boards.count_all_boards(conn, slot=board_id % COUNTER_SLOTS, change=1)
        self.feeds.enqueue(conn, BOARD_CREATED, author_id, board_id)
        return board_id

    def set_tags(self, conn, board_id, tags):
        """The board's tags become `tags` (normalised); call it after the
        board's row is locked (its UPDATE)."""
        old = {row["name"] for row in self.tags.tag_names_of_board(conn, board_id=board_id)}
        new = set(tags)
        removed, added = old - new, new - old
        if removed:
            names = names_json(removed)
            self.tags.uncount_tags(conn, board_id=board_id, names=names)
            self.tags.unlink_tags(conn, board_id=board_id, names=names)
            self.tags.drop_unused_tags(conn, names=names)
        self._add_tags(conn, board_id, added)

    def delete(self, conn, board_id, author_id):
        """Delete author_id's board with its comments, tags and favorites;
        False when there is no such board or it is someone else's (nothing
        changed)."""
        board = self.boards.lock_board(conn, id=board_id)
        if board is None or board["author_id"] != author_id:
            return False
        self.boards.count_author_board(conn, user_id=author_id, change=-1)
        self.tags.uncount_board_tags(conn, board_id=board_id)
        self.tags.drop_unused_tags_of_board(conn, board_id=board_id)
        self.boards.uncount_board_favorites(conn, board_id=board_id)
        self.boards.count_all_boards(conn, slot=board_id % COUNTER_SLOTS, change=-1)
        self.boards.delete_board(conn, id=board_id, user_id=author_id)
        self.feeds.enqueue(conn, BOARD_DELETED, author_id, board_id)
        return True

    def favorite(self, conn, user_id, board_id, now):
        """user_id favorites the board (idempotent); False: no such board.
        The counts before the INSERT, whose foreign-key check would take a
        shared lock on the user's row that two favorites would both upgrade."""
        if self.boards.lock_board(conn, id=board_id) is None:
            return False
        if not self.favorites.is_favorite(conn, user_id=user_id, board_id=board_id):
            self._count_favorite(conn, user_id, board_id, 1)
            self.favorites.insert_favorite(conn, user_id=user_id, board_id=board_id, now=now)
        return True

    def unfavorite(self, conn, user_id, board_id):
        """user_id no longer favorites the board (idempotent); False: no such board."""
        if self.boards.lock_board(conn, id=board_id) is None:
            return False
        if self.favorites.delete_favorite(conn, user_id=user_id, board_id=board_id):
            self._count_favorite(conn, user_id, board_id, -1)
        return True

    def _count_favorite(self, conn, user_id, board_id, change):
        self.favorites.count_board_favorite(conn, board_id=board_id, change=change)
        self.favorites.count_user_favorite(conn, user_id=user_id, change=change)

    def _add_tags(self, conn, board_id, names):
        if names:
            names = names_json(names)
            self.tags.count_tags(conn, names=names)
            self.tags.link_tags(conn, board_id=board_id, names=names)
