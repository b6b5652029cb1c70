"""Writing articles and favorites, each in the caller's transaction, with
every stored count the lists read changed in it (docs/queries.md): the
author's board_count (before the INSERT, which takes a shared lock on the
author), the boards total (the slot of the board's id), the tags'
board_count, the favorite counts. A change to an existing board locks its
row first (boards.lock_board), as the native API's writes do; tags are
counted in name order. Runs boards.sql, tags.sql, favorites.sql and, for
the feeds, feeds.py's outbox."""
import json
import unicodedata

from feeds import BOARD_CREATED, BOARD_DELETED
from realworld.errors import abort_with

COUNTER_SLOTS = 16


def tag_names(tags):
    """Tag names as stored: NFC, trimmed, each once, sorted."""
    return sorted({unicodedata.normalize("NFC", tag).strip() for tag in tags} - {""})


class ArticleWrites:
    def __init__(self, boards, tags, favorites, feeds):
        self.boards, self.tags, self.favorites, self.feeds = boards, tags, favorites, feeds

    def create(self, conn, author_id, article, now):
        """The new board's id."""
        self.boards.count_author_board(conn, user_id=author_id, change=1)
        board_id = self.boards.insert_board(
            conn, user_id=author_id, title=article["title"], description=article["description"],
            content=article["body"], now=now,
        )
        self.boards.count_all_boards(conn, slot=board_id % COUNTER_SLOTS, change=1)
        self._add_tags(conn, board_id, tag_names(article.get("tagList") or []))
        self.feeds.enqueue(conn, BOARD_CREATED, author_id, board_id)
        return board_id

    def update(self, conn, board_id, user_id, changes, now):
        """Partial: fields left out keep their value; tagList replaces the tags."""
        self._lock_own(conn, board_id, user_id)
        if "tagList" in changes:
            wanted = set(tag_names(changes["tagList"]))
            current = {row["name"] for row in self.tags.tag_names_of_board(conn, board_id=board_id)}
            self._remove_tags(conn, board_id, sorted(current - wanted))
            self._add_tags(conn, board_id, sorted(wanted - current))
        self.boards.update_board(
            conn, id=board_id, user_id=user_id, title=changes.get("title"),
            description=changes.get("description"), content=changes.get("body"),
            version=None, comment_count=None, favorite_count=None, now=now,
        )

    def delete(self, conn, board_id, user_id):
        self._lock_own(conn, board_id, user_id)
        self.tags.uncount_board_tags(conn, board_id=board_id)
        self.tags.drop_unused_tags_of_board(conn, board_id=board_id)
        self.boards.uncount_board_favorites(conn, board_id=board_id)
        self.boards.count_author_board(conn, user_id=user_id, change=-1)
        self.boards.count_all_boards(conn, slot=board_id % COUNTER_SLOTS, change=-1)
        self.boards.delete_board(conn, id=board_id, user_id=user_id)
        self.feeds.enqueue(conn, BOARD_DELETED, user_id, board_id)

    def favorite(self, conn, board_id, user_id, now):
        """Idempotent."""
        self._lock(conn, board_id)
        if self.favorites.is_favorite(conn, user_id=user_id, board_id=board_id):
            return
        self.favorites.insert_favorite(conn, user_id=user_id, board_id=board_id, now=now)
        self._count_favorite(conn, board_id, user_id, 1)

    def unfavorite(self, conn, board_id, user_id):
        """Idempotent."""
        self._lock(conn, board_id)
        if self.favorites.delete_favorite(conn, user_id=user_id, board_id=board_id):
            self._count_favorite(conn, board_id, user_id, -1)

    def _count_favorite(self, conn, board_id, user_id, change):
        self.favorites.count_board_favorite(conn, board_id=board_id, change=change)
        self.favorites.count_user_favorite(conn, user_id=user_id, change=change)

    def _lock(self, conn, board_id):
        return self.boards.lock_board(conn, id=board_id) or abort_with(404, "article", "not found")

    def _lock_own(self, conn, board_id, user_id):
        if self._lock(conn, board_id)["author_id"] != user_id:
            abort_with(403, "article", "forbidden")

    def _add_tags(self, conn, board_id, names):
        if names:
            self.tags.count_tags(conn, names=json.dumps(names))
            self.tags.link_tags(conn, board_id=board_id, names=json.dumps(names))

    def _remove_tags(self, conn, board_id, names):
        if names:
            self.tags.uncount_tags(conn, board_id=board_id, names=json.dumps(names))
            self.tags.unlink_tags(conn, board_id=board_id, names=json.dumps(names))
            self.tags.drop_unused_tags(conn, names=json.dumps(names))
