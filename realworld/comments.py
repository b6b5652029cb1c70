"""/api/articles/{slug}/comments: runs sql/queries/article_comments.sql,
comments.sql's count_comment, insert_comment and get_comment (the board's
stored comment count changes in the comment's transaction, board row locked
first, as in the native API) and articles.sql's get_article_title (the slug)."""
from flask.views import MethodView

from api import in_transaction
from queries import utc_now
from realworld.auth import caller, caller_id
from realworld.blueprint import Blueprint
from realworld.errors import abort_with
from realworld.rows import profile
from realworld.schemas import MultipleCommentsResponse, NewCommentBody, SingleCommentResponse
from realworld.slugs import article_id_or_404

COMMENTS_SHOWN = 100


def comment_answer(row):
    return {**row, "author": profile(row)}


def create_comments_blueprint(mysql, articles, comments, article_comments):
    blp = Blueprint("realworld_comments", __name__, description="RealWorld: comments")

    def board_id_or_404(slug):
        return article_id_or_404(mysql.connection, articles, slug)

    @blp.route("/articles/<slug>/comments")
    class ArticleComments(MethodView):
        @blp.token_optional
        @blp.response(200, MultipleCommentsResponse)
        @blp.errors(404)
        def get(self, slug):
            """The article's newest 100 comments, newest first."""
            rows = article_comments.list_article_comments(
                mysql.connection, board_id=board_id_or_404(slug), caller_id=caller_id(), limit=COMMENTS_SHOWN
            )
            ordered = sorted(rows, key=lambda row: row["id"], reverse=True)
            return {"comments": [comment_answer(row) for row in ordered]}

        @blp.token_required
        @blp.body(NewCommentBody)
        @blp.response(201, SingleCommentResponse)
        @blp.errors(404)
        def post(self, body, slug):
            """Comment on the article."""
            board_id, me, now = board_id_or_404(slug), caller(), utc_now()
            content = body["comment"]["body"]

            def write(conn):
                if not comments.count_comment(conn, board_id=board_id, change=1):
                    abort_with(404, "article", "not found")
                return comments.insert_comment(conn, board_id=board_id, user_id=me["id"], content=content, now=now)

            comment_id = in_transaction(mysql, write)
            row = {**me, "id": comment_id, "content": content, "created_at": now, "updated_at": now,
                   "following": False}
            return {"comment": comment_answer(row)}

    @blp.route("/articles/<slug>/comments/<comment_id:comment_id>")
    class ArticleComment(MethodView):
        @blp.token_required
        @blp.response(204)
        @blp.errors(403, 404)
        def delete(self, slug, comment_id):
            """Delete a comment you wrote (only its author may)."""
            board_id, me = board_id_or_404(slug), caller()
            comment = comments.get_comment(mysql.connection, id=comment_id)
            if comment is None or comment["board_id"] != board_id:
                abort_with(404, "comment", "not found")
            if comment["author_id"] != me["id"]:
                abort_with(403, "comment", "forbidden")

            def delete(conn):
                comments.count_comment(conn, board_id=board_id, change=-1)
                if not article_comments.delete_own_comment(conn, id=comment_id, board_id=board_id, user_id=me["id"]):
                    abort_with(404, "comment", "not found")

            in_transaction(mysql, delete)

    return blp
