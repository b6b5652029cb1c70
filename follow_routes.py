"""Follows: runs sql/queries/follows.sql."""
from flask.views import MethodView

from api import Blueprint, abort, caller, in_transaction, or_404, page, page_rows, subject_rows
from following import FOLLOWING_CAP, FollowingCapReached, follow, unfollow
from schemas import PageArgsSchema, UserPageSchema


def create_follow_blueprint(mysql, follows, feeds):
    blp = Blueprint("follows", __name__, description="Who follows whom")

    @blp.route("/users/<id:user_id>/followers", endpoint="Followers", defaults={"side": "followers"})
    @blp.route("/users/<id:user_id>/following", endpoint="Following", defaults={"side": "following"})
    class FollowLists(MethodView):
        @blp.arguments(PageArgsSchema(), location="query")
        @blp.response(200, UserPageSchema)
        @blp.errors(404)
        def get(self, args, user_id, side):
            """A page of the users who follow this user (/followers) or whom it follows (/following)."""
            rows = page_rows(follows.list_follows_page, mysql.connection, args, user_id=user_id, side=side)
            return page(or_404(subject_rows(rows)), args["limit"])

    @blp.route("/users/<id:user_id>/follow")
    class Follow(MethodView):
        @blp.token_required
        @blp.response(204)
        @blp.errors(400, 404, 413, 415, 422)
        def put(self, user_id):
            """Follow this user (idempotent).

            Following yourself is refused with 422: the path id must not be
            the caller's own, a rule no schema can state. So is a follow past
            the 5,000 users one account may follow.
            """
            me = caller()
            if me["id"] == user_id:
                abort(422, message="You cannot follow yourself.")

            try:
                in_transaction(mysql, lambda conn: follow(conn, follows, feeds, me["id"], user_id, FOLLOWING_CAP))
            except FollowingCapReached as cap:
                abort(422, message=cap.message)

        @blp.token_required
        @blp.response(204)
        @blp.errors(404)
        def delete(self, user_id):
            """Stop following this user (idempotent)."""
            me = caller()
            if not in_transaction(mysql, lambda conn: unfollow(conn, follows, feeds, me["id"], user_id)):
                or_404(follows.user_exists(mysql.connection, id=user_id))

    return blp
