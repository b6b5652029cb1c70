"""Boards and the feed: runs sql/queries/boards.sql, and board_writes.py for
the writes that keep counts."""
from flask import Response, request, url_for
from flask.views import MethodView

from api import (
    Blueprint,
    FIRST_PAGE_BEFORE_ID,
    abort,
    abort_unless_owned,
    caller,
    caller_id,
    in_transaction,
    or_404,
    page,
    page_rows,
    subject_rows,
    utc_now,
    vary_on_authorization,
)
from auth import ANONYMOUS, abort_unknown_caller, token_generation, token_jti, viewer
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
    version (bumped by every edit, its tags' included), its comment and
    favorite counts, and for a caller with a token whether they favorited it."""
    favorited = board.get("favorited")
    mark = "" if favorited is None else f"-{int(bool(favorited))}"
    return f'"{board["version"]}-{board["comment_count"]}-{board["favorite_count"]}{mark}"'


def if_match_validator():
    """(version, comment_count, favorite_count) named by If-Match, or None
    when there is no precondition (no header, or `*`). An ETag that is not
    one of ours never matches (version 0 does not exist), so the update
    answers 412, after 404 and 403 have had their say."""
    if not request.if_match or request.if_match.star_tag:
        return None
    for tag in request.if_match.as_set():
        parts = tag.split("-")
        if len(parts) in (3, 4) and all(part.isdigit() for part in parts):
            return tuple(int(part) for part in parts[:3])
    return NEVER_MATCHES


def create_board_blueprint(mysql, boards, writes):
    blp = Blueprint("boards", __name__, description="Boards (posts) and the feed")
    vary_on_authorization(blp)

    def boards_page(args, user_id=None):
        params = {"before_id": args.get("cursor", FIRST_PAGE_BEFORE_ID), "limit": args["limit"] + 1,
                  **viewer()}
        if "tag" in args:
            rows = boards.list_tag_boards_page(mysql.connection, tag=args["tag"], author_id=user_id, **params)
            return sorted(rows, key=lambda row: row["id"], reverse=True)
        if user_id is None:
            return list(boards.list_boards_page(mysql.connection, **params))
        return subject_rows(list(boards.list_user_boards_page(mysql.connection, user_id=user_id, **params)))

    def update_board(changes, board_id):
        me = caller()
        expected = if_match_validator() or (None, None, None)

        def update(conn):
            matched = boards.update_board(
                conn, id=board_id, user_id=me["id"], title=changes.get("title"), description=None,
                content=changes.get("content"), version=expected[0], comment_count=expected[1],
                favorite_count=expected[2], now=utc_now(),
            )
            if matched and "tags" in changes:
                writes.set_tags(conn, board_id, changes["tags"])
            return matched

        matched = in_transaction(mysql, update)
        board = boards.get_board(mysql.connection, id=board_id, **viewer())
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
            """A page of boards, newest first; `author_id` keeps one user's, `tag` those with that tag."""
            rows = boards_page(args, args.get("author_id"))
            return page(rows or [], args["limit"])

        @blp.token_required
        @blp.arguments(BoardCreateSchema())
        @blp.response(201, BoardSchema)
        @blp.errors()
        def post(self, new_board):
            """Write a board, with up to 10 tags; the caller is its author."""
            author, now = caller(), utc_now()
            board_id = in_transaction(mysql, lambda conn: writes.create(
                conn, author["id"], new_board["title"], new_board["content"], new_board["tags"], now))
            board = {
                "id": board_id,
                "title": new_board["title"],
                "content": new_board["content"],
                "tag_names": new_board["tags"],
                "author_id": author["id"],
                "author_name": author["name"],
                "comment_count": 0,
                "favorite_count": 0,
                "favorited": False,
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
            board = or_404(boards.get_board(mysql.connection, id=board_id, **viewer()))
            etag = board_etag(board)
            if request.if_none_match.contains_weak(etag.strip('"')):
                return Response(status=304, headers={"ETag": etag})
            return board, {"ETag": etag}

        put, patch = blp.update_operations(
            update_board, BoardSchema, errors=(403, 404, STALE),
            put=(BoardReplaceSchema(), "Replace title and content of your board (and its tags, if given); "
                                       "honours If-Match."),
            patch=(BoardPatchSchema(), "Change title, content and/or tags of your board; honours If-Match."),
        )

        @blp.token_required
        @blp.response(204)
        @blp.errors(403, 404)
        def delete(self, board_id):
            """Delete your board with its comments, tags and favorites; it leaves every feed at once."""
            me = caller()
            if not in_transaction(mysql, lambda conn: writes.delete(conn, board_id, me["id"])):
                abort_unless_owned(boards.get_board(mysql.connection, id=board_id, **ANONYMOUS), NOT_YOURS)

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
            rows = subject_rows(page_rows(
                boards.list_feed_page, mysql.connection, args,
                follower_id=caller_id(), token_generation=token_generation(), jti=token_jti(),
            ))
            if rows is None:
                abort_unknown_caller()
            return page(rows, args["limit"])

    return blp
