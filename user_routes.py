"""Users, login, /me and follows: runs sql/queries/users.sql and follows.sql."""
from flask import request
from flask.views import MethodView
from flask_smorest import abort

from auth import (
    BEARER,
    caller,
    hash_password,
    issue_token,
    optional_caller_id,
    password_matches,
    token_required,
)
from queries import utc_now
from api import ErrorSchema, documented_errors
from pagination import FIRST_PAGE_BEFORE_ID, page, subject_rows
from rate_limit import check_login_allowed, record_failed_login
from api import Blueprint
from schemas import (
    LoginSchema,
    PageArgsSchema,
    TokenSchema,
    UserCreateSchema,
    UserPageSchema,
    UserPatchSchema,
    UserReplaceSchema,
    UserSchema,
)


def public(user):
    """A user as anyone but themself sees them: without email."""
    return {key: value for key, value in user.items() if key != "email"}


def create_user_blueprint(mysql, users, follows):
    blp = Blueprint("users", __name__, description="Users, login and follows")

    def own_user_or_abort(user_id):
        """The caller, if they are user_id; else 404 (no such user) or 403."""
        me = caller()
        if me["id"] == user_id:
            return me
        if users.get_user(mysql.connection, id=user_id) is None:
            abort(404)
        abort(403, message="You can only change your own account.")

    def followed_page(list_page, user_id, args):
        rows = subject_rows(
            list(
                list_page(
                    mysql.connection,
                    user_id=user_id,
                    before_id=args.get("cursor", FIRST_PAGE_BEFORE_ID),
                    limit=args["limit"] + 1,
                )
            )
        )
        if rows is None:
            abort(404)
        return page(rows, args["limit"])

    @blp.route("/users")
    class Users(MethodView):
        @blp.arguments(PageArgsSchema(), location="query")
        @blp.response(200, UserPageSchema)
        @documented_errors(blp, 503)
        def get(self, args):
            """A page of users, newest first."""
            rows = users.list_users_page(
                mysql.connection,
                before_id=args.get("cursor", FIRST_PAGE_BEFORE_ID),
                limit=args["limit"] + 1,
            )
            return page(list(rows), args["limit"])

        @blp.arguments(UserCreateSchema())
        @blp.response(201, UserSchema)
        @blp.alt_response(409, schema=ErrorSchema, description="Name or email already taken")
        @documented_errors(blp, 400, 413, 415, 503)
        def post(self, new_user):
            """Sign up. The answer includes the email; never the password."""
            now = utc_now()
            user_id = users.insert_user(
                mysql.connection,
                name=new_user["name"],
                email=new_user["email"],
                password_hash=hash_password(new_user["password"]),
                now=now,
            )
            user = {
                "id": user_id,
                "name": new_user["name"],
                "email": new_user["email"],
                "created_at": now,
                "updated_at": now,
            }
            return user, {"Location": f"{request.script_root}/users/{user_id}"}

    @blp.route("/users/<id:user_id>")
    class User(MethodView):
        @blp.response(200, UserSchema)
        @documented_errors(blp, 404, 503)
        def get(self, user_id):
            """One user (with email only for themself)."""
            user = users.get_user(mysql.connection, id=user_id)
            if user is None:
                abort(404)
            return user if optional_caller_id() == user_id else public(user)

        @token_required
        @blp.doc(security=BEARER)
        @blp.arguments(UserReplaceSchema())
        @blp.response(200, UserSchema)
        @blp.alt_response(409, schema=ErrorSchema, description="Name or email already taken")
        @documented_errors(blp, 400, 401, 403, 404, 413, 415, 503)
        def put(self, changes, user_id):
            """Replace your name and email (and password, if given)."""
            return self._update(user_id, changes)

        @token_required
        @blp.doc(security=BEARER)
        @blp.arguments(UserPatchSchema())
        @blp.response(200, UserSchema)
        @blp.alt_response(409, schema=ErrorSchema, description="Name or email already taken")
        @documented_errors(blp, 400, 401, 403, 404, 413, 415, 503)
        def patch(self, changes, user_id):
            """Change any of your name, email and password."""
            return self._update(user_id, changes)

        @staticmethod
        def _update(user_id, changes):
            me = own_user_or_abort(user_id)
            if not changes:
                return me
            password = changes.get("password")
            users.update_user(
                mysql.connection,
                id=user_id,
                name=changes.get("name"),
                email=changes.get("email"),
                password_hash=hash_password(password) if password else None,
                now=utc_now(),
            )
            return users.get_user(mysql.connection, id=user_id)

        @token_required
        @blp.doc(security=BEARER)
        @blp.response(204)
        @documented_errors(blp, 401, 403, 404, 503)
        def delete(self, user_id):
            """Delete your account, with your boards, comments and follows."""
            own_user_or_abort(user_id)
            users.delete_user(mysql.connection, id=user_id)

    @blp.route("/me")
    class Me(MethodView):
        @token_required
        @blp.doc(security=BEARER)
        @blp.response(200, UserSchema)
        @documented_errors(blp, 401, 503)
        def get(self):
            """The caller, with email."""
            return caller()

    @blp.route("/auth/login")
    class Login(MethodView):
        @blp.arguments(LoginSchema())
        @blp.response(200, TokenSchema)
        @blp.alt_response(401, schema=ErrorSchema, description="Wrong email or password")
        @documented_errors(blp, 400, 413, 415, 503)
        @blp.alt_response(429, schema=ErrorSchema, description="Too many failed logins")
        def post(self, credentials):
            """Trade an email and password for a bearer token."""
            login = users.get_login(mysql.connection, email=credentials["email"])
            check_login_allowed(login, credentials["email"])
            stored_hash = login["password_hash"] if login else None
            if not password_matches(stored_hash, credentials["password"]):
                record_failed_login(login, credentials["email"])
                abort(401, message="Wrong email or password.")
            return issue_token(login["id"])

    @blp.route("/users/<id:user_id>/followers")
    class Followers(MethodView):
        @blp.arguments(PageArgsSchema(), location="query")
        @blp.response(200, UserPageSchema)
        @documented_errors(blp, 404, 503)
        def get(self, args, user_id):
            """A page of the users who follow this user."""
            return followed_page(follows.list_followers_page, user_id, args)

    @blp.route("/users/<id:user_id>/following")
    class Following(MethodView):
        @blp.arguments(PageArgsSchema(), location="query")
        @blp.response(200, UserPageSchema)
        @documented_errors(blp, 404, 503)
        def get(self, args, user_id):
            """A page of the users this user follows."""
            return followed_page(follows.list_following_page, user_id, args)

    @blp.route("/users/<id:user_id>/follow")
    class Follow(MethodView):
        @token_required
        @blp.doc(security=BEARER)
        @blp.response(204)
        @documented_errors(blp, 400, 401, 404, 413, 415, 422, 503)
        def put(self, user_id):
            """Follow this user (idempotent).

            Following yourself is refused with 422: the path id must not be
            the caller's own, a rule no schema can state.
            """
            me = caller()
            if me["id"] == user_id:
                abort(422, message="You cannot follow yourself.")
            follows.follow_user(mysql.connection, follower_id=me["id"], followee_id=user_id)

        @token_required
        @blp.doc(security=BEARER)
        @blp.response(204)
        @documented_errors(blp, 401, 404, 503)
        def delete(self, user_id):
            """Stop following this user (idempotent)."""
            removed = follows.unfollow_user(
                mysql.connection, follower_id=caller()["id"], followee_id=user_id
            )
            if not removed and users.get_user(mysql.connection, id=user_id) is None:
                abort(404)

    return blp
