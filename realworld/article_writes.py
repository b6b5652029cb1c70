"""Writing articles and favorites through board_writes.py (the native API's
counted writes, so every stored count the lists read changes in the same
transaction, in its lock order), with RealWorld's answers: 404 `article:
not found`, 403 `article: forbidden`, 422 `tagList: ...`."""
from realworld.errors import abort_with
from tag_rules import TagError, normalise_tag


def article_tags(names):
    """tagList as stored (tag_rules.py, whose pattern the schema checks):
    NFC, sorted; a tag given twice counts once (frontends send what their
    tag input holds). The schema checked the list's length (at most MAX_TAGS),
    which removing repeats only shortens."""
    try:
        return sorted({normalise_tag(name) for name in names})
    except TagError as error:
        abort_with(422, "tagList", str(error))


class ArticleWrites:
    def __init__(self, board_writes):
        self.boards, self.board_writes = board_writes.boards, board_writes

    def create(self, conn, author_id, article, now):
        """The new board's id."""
        return self.board_writes.create(
            conn, author_id, article["title"], article["body"], article_tags(article.get("tagList") or []),
            now, description=article["description"],
        )

    def update(self, conn, board_id, user_id, changes, now):
        """Partial: fields left out keep their value; tagList replaces the
        tags. The UPDATE locks the board (and moves updatedAt) first."""
        matched = self.boards.update_board(
            conn, id=board_id, user_id=user_id, title=changes.get("title"),
            description=changes.get("description"), content=changes.get("body"),
            version=None, comment_count=None, favorite_count=None, now=now,
        )
        if not matched:
            self._refuse(conn, board_id)
        if "tagList" in changes:
            self.board_writes.set_tags(conn, board_id, article_tags(changes["tagList"]))

    def delete(self, conn, board_id, user_id):
        if not self.board_writes.delete(conn, board_id, user_id):
            self._refuse(conn, board_id)

    def favorite(self, conn, board_id, user_id, now):
        if not self.board_writes.favorite(conn, user_id, board_id, now):
            abort_with(404, "article", "not found")

    def unfavorite(self, conn, board_id, user_id):
        if not self.board_writes.unfavorite(conn, user_id, board_id):
            abort_with(404, "article", "not found")

    def _refuse(self, conn, board_id):
        """After a write that matched nothing: 404 when the board is gone, else 403."""
        if self.boards.lock_board(conn, id=board_id) is None:
            abort_with(404, "article", "not found")
        abort_with(403, "article", "forbidden")
