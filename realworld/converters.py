"""Path converters of /api. Every path value reaches the view, which
answers RealWorld's 404 (`article: not found`, `comment: not found`): a
value the router refused would get the native API's 404 body instead."""
from werkzeug.routing import BaseConverter

from schemas import MAX_ID


class SlugConverter(BaseConverter):
    """/api/articles/<slug>: any slug but `feed`, which is
    /api/articles/feed's (so that URL allows only GET, as documented)."""

    regex = r"(?!feed$)[^/]+"


class CommentIdConverter(BaseConverter):
    """A comment id; anything that is not one (letters, 0, too large)
    becomes 0, which no comment has."""

    regex = r"[^/]+"

    def to_python(self, value):
        return int(value) if value.isascii() and value.isdigit() and 0 < int(value) <= MAX_ID else 0

    def to_url(self, value):
        return str(value)


def init_converters(app, api):
    app.url_map.converters["slug"] = SlugConverter
    app.url_map.converters["comment_id"] = CommentIdConverter
    api.register_converter(SlugConverter, lambda _converter: {"type": "string"})
    api.register_converter(CommentIdConverter, lambda _converter: {"type": "integer"})
