"""Favorites: PUT/DELETE /boards/{id}/favorite (board_writes.py keeps the
counts) and a user's favorites, runs sql/queries/favorites.sql."""
from flask.views import MethodView

from api import (
    Blueprint, abort, caller, in_transaction, or_404, page, page_rows, subject_rows,
    utc_now, vary_on_authorization,
)
from auth import viewer
from schemas import BoardPageSchema, PageArgsSchema


def create_favorite_blueprint(mysql, favorites, writes):
    blp = Blueprint("favorites", __name__, description="Boards users favorited")
    vary_on_authorization(blp)

    @blp.route("/boards/<id:board_id>/favorite")
    class Favorite(MethodView):
        @blp.token_required
        @blp.response(204)
        @blp.errors(404)
        def put(self, board_id):
            """Favorite this board (idempotent)."""
            user_id, now = caller()["id"], utc_now()  # the token's user, while the token is live
            if not in_transaction(mysql, lambda conn: writes.favorite(conn, user_id, board_id, now)):
                abort(404)

        @blp.token_required
        @blp.response(204)
        @blp.errors(404)
        def delete(self, board_id):
            """Stop favoriting this board (idempotent)."""
            user_id = caller()["id"]
            if not in_transaction(mysql, lambda conn: writes.unfavorite(conn, user_id, board_id)):
                abort(404)

    @blp.route("/users/<id:user_id>/favorites")
    class UserFavorites(MethodView):
        @blp.arguments(PageArgsSchema(), location="query")
        @blp.response(200, BoardPageSchema)
        @blp.errors(404)
        def get(self, args, user_id):
            """A page of the boards this user favorited, newest favorite first."""
            rows = page_rows(favorites.list_user_favorites_page, mysql.connection, args,
                             user_id=user_id, **viewer())
            rows = or_404(subject_rows(rows, key="favorite_id"))
            return page(rows, args["limit"], key="favorite_id")

    return blp
