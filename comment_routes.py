"""Comments: runs sql/queries/comments.sql."""
from flask import request
from flask.views import MethodView
from flask_smorest import abort

from auth import BEARER, caller, token_required
from queries import utc_now
from api import documented_errors
from pagination import FIRST_PAGE_AFTER_ID, page, subject_rows
from api import Blueprint
from schemas import CommentCreateSchema, CommentPageSchema, CommentSchema, PageArgsSchema


def create_comment_blueprint(mysql, comments):
    blp = Blueprint("comments", __name__, description="Comments on boards")

    @blp.route("/boards/<id:board_id>/comments")
    class BoardComments(MethodView):
        @blp.arguments(PageArgsSchema(), location="query")
        @blp.response(200, CommentPageSchema)
        @documented_errors(blp, 404, 503)
        def get(self, args, board_id):
            """A page of a board's comments, oldest first."""
            rows = comments.list_board_comments_page(
                mysql.connection,
                board_id=board_id,
                after_id=args.get("cursor", FIRST_PAGE_AFTER_ID),
                limit=args["limit"] + 1,
            )
            rows = subject_rows(list(rows))
            if rows is None:
                abort(404)
            return page(rows, args["limit"])

        @token_required
        @blp.doc(security=BEARER)
        @blp.arguments(CommentCreateSchema())
        @blp.response(201, CommentSchema)
        @documented_errors(blp, 400, 401, 404, 413, 415, 503)
        def post(self, new_comment, board_id):
            """Comment on a board."""
            author, now = caller(), utc_now()
            comment_id = comments.insert_comment(
                mysql.connection,
                board_id=board_id,
                user_id=author["id"],
                content=new_comment["content"],
                now=now,
            )
            comment = {
                **new_comment,
                "id": comment_id,
                "board_id": board_id,
                "author_id": author["id"],
                "author_name": author["name"],
                "created_at": now,
            }
            return comment, {"Location": f"{request.script_root}/comments/{comment_id}"}

    @blp.route("/comments/<id:comment_id>")
    class Comment(MethodView):
        @blp.response(200, CommentSchema)
        @documented_errors(blp, 404, 503)
        def get(self, comment_id):
            """One comment."""
            comment = comments.get_comment(mysql.connection, id=comment_id)
            if comment is None:
                abort(404)
            return comment

        @token_required
        @blp.doc(security=BEARER)
        @blp.response(204)
        @documented_errors(blp, 401, 403, 404, 503)
        def delete(self, comment_id):
            """Delete a comment you wrote, or one on a board you wrote."""
            if not comments.delete_comment(mysql.connection, id=comment_id, user_id=caller()["id"]):
                if comments.get_comment(mysql.connection, id=comment_id) is None:
                    abort(404)
                abort(403, message="Only the comment's or the board's author can delete it.")

    return blp
