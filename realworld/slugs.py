"""Article slugs: `<the title, slugified>-<board id>`, computed, never
stored. The id makes a slug unique (the same title twice gives two slugs)
and finds the board by its primary key; the rest must match the board's
current title, so a slug stops working when the title changes, as
RealWorld's do."""
import re
import unicodedata

from realworld.errors import abort_with
from schemas import MAX_ID

NOT_SLUG = re.compile(r"[^a-z0-9]+")
SLUG = re.compile(r"^(?:(?P<words>[a-z0-9-]*)-)?(?P<id>[1-9][0-9]{0,18})$")


def slugify(title):
    """ASCII words of the title, lowercased, joined by "-"."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    return NOT_SLUG.sub("-", ascii_title.lower()).strip("-")


def article_slug(board_id, title):
    words = slugify(title)
    return f"{words}-{board_id}" if words else str(board_id)


def slug_id(slug):
    """The board id a slug names, or None when it is not one of ours."""
    match = SLUG.match(slug)
    if not match or int(match["id"]) > MAX_ID:
        return None
    return int(match["id"])


def article_id_or_404(conn, articles, slug):
    """The id of the board the slug names under its current title
    (articles.get_article_title), else 404 `article: not found`."""
    board_id = slug_id(slug)
    title = articles.get_article_title(conn, id=board_id) if board_id else None
    if title is None or article_slug(board_id, title) != slug:
        abort_with(404, "article", "not found")
    return board_id
