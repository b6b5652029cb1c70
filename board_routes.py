"""Boards and the feed: runs sql/queries/boards.sql."""
from flask import Response, request, url_for
from flask.views import MethodView

from api import (
    Blueprint,
    FIRST_PAGE_BEFORE_ID,
    abort,
    abort_unless_owned,
    caller,
    caller_id,
    or_404,
    page,
    subject_rows,
    transaction,
    utc_now,
)
from auth import abort_unknown_caller, token_generation, token_jti
from feeds import BOARD_CREATED, BOARD_DELETED
from schemas import (
    BoardCreateSchema,
    BoardListArgsSchema,
    BoardPageSchema,
    BoardPatchSchema,
    BoardReplaceSchema,
    BoardSchema,
    PageArgsSchema,
)

NEVER_MATCHES = (0, 0, 0)
NOT_YOURS = "You can only change your own boards."
STALE = (412, "If-Match no longer matches")


def board_etag(board):
    """A strong validator of everything a board shows that can change: its
    version (bumped by every edit, its tags' included) and its comment and
    favorite counts."""
    return f'"{board["version"]}-{board["comment_count"]}-{board["favorite_count"]}"'


def if_match_validator():
    """(version, comment_count, favorite_count) named by If-Match, or None when there is no
    precondition (no header, or `*`). An ETag that is not one of ours never
    matches (version 0 does not exist), so the update answers 412, after
    404 and 403 have had their say."""
    if not request.if_match or request.if_match.star_tag:
        return None
    for tag in request.if_match.as_set():
        parts = tag.split("-")
        if len(parts) == 3 and all(part.isdigit() for part in parts):
            return tuple(int(part) for part in parts)
    return NEVER_MATCHES


def create_board_blueprint(mysql, boards, feeds):
    blp = Blueprint("boards", __name__, description="Boards (posts) and the feed")

    def boards_page(args, user_id=None):
        before_id = args.get("cursor", FIRST_PAGE_BEFORE_ID)
        limit = args["limit"] + 1
        if user_id is None:
            rows = boards.list_boards_page(mysql.connection, before_id=before_id, limit=limit, viewer_id=None)
            return list(rows)
        rows = boards.list_user_boards_page(
            mysql.connection, user_id=user_id, before_id=before_id, limit=limit, viewer_id=None
        )
        return subject_rows(list(rows))

    def update_board(changes, board_id):
        me = caller()
        expected = if_match_validator()
        matched = boards.update_board(
            mysql.connection,
            id=board_id,
            user_id=me["id"],
            title=changes.get("title"),
            description=None,
            content=changes.get("content"),
            version=expected[0] if expected else None,
            comment_count=expected[1] if expected else None,
            favorite_count=expected[2] if expected else None,
            now=utc_now(),
        )
        board = boards.get_board(mysql.connection, id=board_id, viewer_id=None)
        if not matched:
            abort_unless_owned(board, NOT_YOURS, owned=board and board["author_id"] == me["id"])
            abort(412, message="The board has changed since you read it (If-Match).")
        return board, {"ETag": board_etag(board)}

    @blp.route("/boards")
    class Boards(MethodView):
        @blp.arguments(BoardListArgsSchema(), location="query")
        @blp.response(200, BoardPageSchema)
        @blp.errors()
        def get(self, args):
            """A page of boards, newest first; `author_id` keeps one user's."""
            rows = boards_page(args, args.get("author_id"))
            return page(rows or [], args["limit"])

        @blp.token_required
        @blp.arguments(BoardCreateSchema())
        @blp.response(201, BoardSchema)
        @blp.errors()
        def post(self, new_board):
            """Write a board; the caller is its author."""
            author, now = caller(), utc_now()
            with transaction(mysql) as conn:
                board_id = boards.insert_board(
                    conn,
                    user_id=author["id"],
                    title=new_board["title"],
                    description="",
                    content=new_board["content"],
                    now=now,
                )
                feeds.enqueue(conn, BOARD_CREATED, author["id"], board_id)
            board = {
                **new_board,
                "id": board_id,
                "author_id": author["id"],
                "author_name": author["name"],
                "comment_count": 0,
                "favorite_count": 0,
                "version": 1,
                "created_at": now,
                "updated_at": now,
            }
            location = url_for("boards.Board", board_id=board_id)
            return board, {"Location": location, "ETag": board_etag(board)}

    @blp.route("/boards/<id:board_id>")
    class Board(MethodView):
        @blp.response(200, BoardSchema)
        @blp.alt_response(304, description="Not modified (If-None-Match)")
        @blp.errors(404)
        def get(self, board_id):
            """One board, with an ETag; If-None-Match answers 304."""
            board = or_404(boards.get_board(mysql.connection, id=board_id, viewer_id=None))
            etag = board_etag(board)
            if request.if_none_match.contains_weak(etag.strip('"')):
                return Response(status=304, headers={"ETag": etag})
            return board, {"ETag": etag}

        put, patch = blp.update_operations(
            update_board, BoardSchema, errors=(403, 404, STALE),
            put=(BoardReplaceSchema(), "Replace title and content of your board; honours If-Match."),
            patch=(BoardPatchSchema(), "Change title and/or content of your board; honours If-Match."),
        )

        @blp.token_required
        @blp.response(204)
        @blp.errors(403, 404)
        def delete(self, board_id):
            """Delete your board and its comments; it leaves every feed at once."""
            me = caller()
            with transaction(mysql) as conn:
                if boards.delete_board(conn, id=board_id, user_id=me["id"]):
                    feeds.enqueue(conn, BOARD_DELETED, me["id"], board_id)
                    return
            abort_unless_owned(boards.get_board(mysql.connection, id=board_id, viewer_id=None), NOT_YOURS)

    @blp.route("/users/<id:user_id>/boards")
    class UserBoards(MethodView):
        @blp.arguments(PageArgsSchema(), location="query")
        @blp.response(200, BoardPageSchema)
        @blp.errors(404)
        def get(self, args, user_id):
            """A page of one user's boards, newest first."""
            return page(or_404(boards_page(args, user_id)), args["limit"])

    @blp.route("/feed")
    class Feed(MethodView):
        @blp.token_required
        @blp.arguments(PageArgsSchema(), location="query")
        @blp.response(200, BoardPageSchema)
        @blp.errors()
        def get(self, args):
            """A page of boards by the users you follow, newest first."""
            rows = boards.list_feed_page(
                mysql.connection,
                follower_id=caller_id(),
                token_generation=token_generation(),
                jti=token_jti(),
                before_id=args.get("cursor", FIRST_PAGE_BEFORE_ID),
                limit=args["limit"] + 1,
            )
            rows = subject_rows(list(rows))
            if rows is None:
                abort_unknown_caller()
            return page(rows, args["limit"])

    return blp
