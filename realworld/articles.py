"""/api/articles: lists, the feed, one article, writing it, favorites.
Runs sql/queries/articles.sql (reads), tags.sql's get_tag_board_count,
users.sql's get_user_counts_by_name and boards.sql's total_boards (the
stored totals), and realworld/article_writes.py
(board_writes.py's counted writes)."""
import json
import unicodedata

from flask.views import MethodView

from api import in_transaction
from queries import utc_now
from realworld.auth import caller_id
from realworld.blueprint import Blueprint
from realworld.errors import abort_with
from realworld.rows import article, newest_first
from realworld.schemas import (
    ArticleListArgs, FeedArgs, MultipleArticlesResponse, NewArticleBody, SingleArticleResponse, UpdateArticleBody,
)
from realworld.slugs import article_id_or_404

FILTERS = ("tag", "author", "favorited")
ONE_FILTER = "use one of tag, author and favorited at a time"


def create_articles_blueprint(mysql, articles, boards, tags, users, writes):
    blp = Blueprint("realworld_articles", __name__, description="RealWorld: articles and favorites")

    def page_and_count(args):
        """(the page's ids, the list's stored total)."""
        conn, page = mysql.connection, {"limit": args["limit"], "offset": args["offset"]}
        given = [name for name in FILTERS if name in args]
        if len(given) > 1:
            abort_with(422, "filter", ONE_FILTER)
        if not given:
            return articles.list_article_ids(conn, **page), boards.total_boards(conn)
        name, value = given[0], args[given[0]]
        if name == "tag":
            value = unicodedata.normalize("NFC", value)  # as tags are stored (tag_rules.py)
            return articles.list_tag_article_ids(conn, tag=value, **page), tags.get_tag_board_count(conn, name=value)
        counts = users.get_user_counts_by_name(conn, name=value) or {}
        if name == "author":
            return articles.list_author_article_ids(conn, author=value, **page), counts.get("board_count")
        return articles.list_favorited_article_ids(conn, favorited=value, **page), counts.get("favorite_count")

    def articles_answer(page, count):
        ids = [entry["id"] for entry in page]
        rows = articles.articles_of_ids(mysql.connection, ids=json.dumps(ids), caller_id=caller_id()) if ids else []
        return {"articles": newest_first(rows), "articlesCount": int(count or 0)}

    def article_answer(board_id):
        rows = list(articles.articles_of_ids(mysql.connection, ids=json.dumps([board_id]), caller_id=caller_id()))
        if not rows:
            abort_with(404, "article", "not found")
        return {"article": {**article(rows[0]), "content": articles.get_article_body(mysql.connection, id=board_id)}}

    def write_article(slug, write, *args):
        """Runs write(conn, board_id, caller_id, *args) on the slug's article
        in one transaction (board_writes' lock order); returns its board id."""
        board_id, me = article_id_or_404(mysql.connection, articles, slug), caller_id()
        in_transaction(mysql, lambda conn: write(conn, board_id, me, *args))
        return board_id

    @blp.route("/articles")
    class Articles(MethodView):
        @blp.token_optional
        @blp.arguments(ArticleListArgs, location="query")
        @blp.response(200, MultipleArticlesResponse)
        @blp.errors(422)
        def get(self, args):
            """Articles, newest first, without their body.

            One filter at a time (`filter: use one of ...`, 422). `articlesCount`
            is the list's stored total: 0 for an unknown author or tag.
            `offset` is at most 500 (422 beyond): an OFFSET reads every
            article it skips."""
            return articles_answer(*page_and_count(args))

        @blp.token_required
        @blp.body(NewArticleBody)
        @blp.response(201, SingleArticleResponse)
        @blp.errors()
        def post(self, body):
            """Write an article; its slug is `<title>-<id>`, unique even for the same title."""
            me, new = caller_id(), body["article"]
            board_id = in_transaction(mysql, lambda conn: writes.create(conn, me, new, utc_now()))
            return article_answer(board_id)

    @blp.route("/articles/feed")
    class Feed(MethodView):
        @blp.token_required
        @blp.arguments(FeedArgs, location="query")
        @blp.response(200, MultipleArticlesResponse)
        @blp.errors(422)
        def get(self, args):
            """Articles by the users you follow, newest first: your feed (the
            native /feed's, about the newest 1,000). `articlesCount` is the
            feed's stored length, an upper bound until the worker has
            removed deleted articles from it."""
            me = caller_id()
            page = articles.list_feed_article_ids(
                mysql.connection, caller_id=me, limit=args["limit"], offset=args["offset"]
            )
            return articles_answer(page, articles.get_feed_length(mysql.connection, caller_id=me))

    @blp.route("/articles/<slug:slug>")
    class Article(MethodView):
        @blp.token_optional
        @blp.response(200, SingleArticleResponse)
        @blp.errors(404)
        def get(self, slug):
            """One article, with its body."""
            return article_answer(article_id_or_404(mysql.connection, articles, slug))

        @blp.token_required
        @blp.body(UpdateArticleBody)
        @blp.response(200, SingleArticleResponse)
        @blp.errors(403, 404)
        def put(self, body, slug):
            """Change your article: fields left out are kept; `tagList` replaces
            the tags (`[]` removes them all). A new title gives a new slug."""
            return article_answer(write_article(slug, writes.update, body["article"], utc_now()))

        @blp.token_required
        @blp.response(204)
        @blp.errors(403, 404)
        def delete(self, slug):
            """Delete your article, with its comments, tags and favorites."""
            write_article(slug, writes.delete)

    @blp.route("/articles/<slug>/favorite")
    class Favorite(MethodView):
        @blp.token_required
        @blp.response(200, SingleArticleResponse)
        @blp.errors(404)
        def post(self, slug):
            """Favorite the article (idempotent)."""
            return article_answer(write_article(slug, writes.favorite, utc_now()))

        @blp.token_required
        @blp.response(200, SingleArticleResponse)
        @blp.errors(404)
        def delete(self, slug):
            """Unfavorite the article (idempotent)."""
            return article_answer(write_article(slug, writes.unfavorite))

    return blp
