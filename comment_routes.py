"""Comments: runs sql/queries/comments.sql."""
from flask import url_for
from flask.views import MethodView

from api import (
    Blueprint, abort, abort_unless_owned, caller, in_transaction, or_404, page, page_rows, subject_rows, utc_now,
)
from schemas import CommentCreateSchema, CommentPageSchema, CommentSchema, PageArgsSchema


def create_comment_blueprint(mysql, comments):
    blp = Blueprint("comments", __name__, description="Comments on boards")

    @blp.route("/comments/<id:comment_id>")
    class Comment(MethodView):
        @blp.response(200, CommentSchema)
        @blp.errors(404)
        def get(self, comment_id):
            """One comment."""
            return or_404(comments.get_comment(mysql.connection, id=comment_id))

        @blp.token_required
        @blp.response(204)
        @blp.errors(403, 404)
        def delete(self, comment_id):
            """Delete a comment you wrote, or one on a board you wrote."""
            me, comment = caller(), or_404(comments.get_comment(mysql.connection, id=comment_id))

            def delete(conn):
                # The board's count first: its row lock is what orders
                # concurrent writes of one board's comments.
                comments.count_comment(conn, board_id=comment["board_id"], change=-1)
                if not comments.delete_comment(conn, id=comment_id, user_id=me["id"]):
                    abort_unless_owned(
                        comments.get_comment(conn, id=comment_id),
                        "Only the comment's or the board's author can delete it.",
                    )

            in_transaction(mysql, delete)

    @blp.route("/boards/<id:board_id>/comments")
    class BoardComments(MethodView):
        @blp.arguments(PageArgsSchema(), location="query")
        @blp.response(200, CommentPageSchema)
        @blp.errors(404)
        def get(self, args, board_id):
            """A page of a board's comments, oldest first."""
            rows = page_rows(comments.list_board_comments_page, mysql.connection, args,
                             oldest_first=True, board_id=board_id)
            return page(or_404(subject_rows(rows, oldest_first=True)), args["limit"])

        @blp.token_required
        @blp.arguments(CommentCreateSchema())
        @blp.response(201, CommentSchema)
        @blp.errors(404)
        def post(self, new_comment, board_id):
            """Comment on a board."""
            author, now = caller(), utc_now()

            def write(conn):
                if not comments.count_comment(conn, board_id=board_id, change=1):
                    abort(404)
                return comments.insert_comment(
                    conn, board_id=board_id, user_id=author["id"], content=new_comment["content"], now=now
                )

            comment_id = in_transaction(mysql, write)
            comment = {
                **new_comment,
                "id": comment_id,
                "board_id": board_id,
                "author_id": author["id"],
                "author_name": author["name"],
                "created_at": now,
            }
            return comment, {"Location": url_for("comments.Comment", comment_id=comment_id)}

    return blp
