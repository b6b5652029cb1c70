"""/api/profiles/{username} and its follow: runs sql/queries/profiles.sql,
and follows.sql through following.py (the native API's follow, feeds kept
right)."""
from flask.views import MethodView

from api import in_transaction
from following import FollowingCapReached, follow, unfollow
from realworld.auth import caller_id
from realworld.blueprint import Blueprint
from realworld.errors import abort_with
from realworld.schemas import ProfileResponse


def profile_answer(row, following=None):
    return {"profile": {**row, "following": bool(row["following"] if following is None else following)}}


def create_profiles_blueprint(mysql, profiles, follows, feeds):
    blp = Blueprint("realworld_profiles", __name__, description="RealWorld: profiles")

    def profile_or_404(username):
        row = profiles.get_profile(mysql.connection, name=username, caller_id=caller_id())
        return row or abort_with(404, "profile", "not found")

    @blp.route("/profiles/<username>")
    class Profile(MethodView):
        @blp.token_optional
        @blp.response(200, ProfileResponse)
        @blp.errors(404)
        def get(self, username):
            """A user's profile; `following` says whether the caller (with a token) follows them."""
            return profile_answer(profile_or_404(username))

    @blp.route("/profiles/<username>/follow")
    class Follow(MethodView):
        @blp.token_required
        @blp.response(200, ProfileResponse)
        @blp.errors(404, 422)
        def post(self, username):
            """Follow this user (idempotent); their boards join your feed.

            Following yourself is 422 (`profile: cannot follow yourself`),
            and so is a follow past the 5,000 users one account may follow."""
            profile, me = profile_or_404(username), caller_id()
            if profile["id"] == me:
                abort_with(422, "profile", "cannot follow yourself")
            try:
                in_transaction(mysql, lambda conn: follow(conn, follows, feeds, me, profile["id"]))
            except FollowingCapReached as cap:
                abort_with(422, "profile", cap.message)
            return profile_answer(profile, following=True)

        @blp.token_required
        @blp.response(200, ProfileResponse)
        @blp.errors(404)
        def delete(self, username):
            """Stop following this user (idempotent)."""
            profile, me = profile_or_404(username), caller_id()
            in_transaction(mysql, lambda conn: unfollow(conn, follows, feeds, me, profile["id"]))
            return profile_answer(profile, following=False)

    return blp
