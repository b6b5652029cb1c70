"""Users and /me: runs sql/queries/users.sql."""
from flask import url_for
from flask.views import MethodView

from api import (
    Blueprint,
    abort,
    caller,
    in_transaction,
    optional_caller_id,
    or_404,
    page,
    page_rows,
    utc_now,
)
from auth import hash_password
from feeds import USER_DELETED
from schemas import (
    PageArgsSchema,
    UserCreateSchema,
    UserPageSchema,
    UserPatchSchema,
    UserReplaceSchema,
    UserSchema,
)

TAKEN = (409, "Name or email already taken")


def as_the_caller_sees(user):
    """A user as the caller sees them: with the email only when it is the
    caller themself."""
    if optional_caller_id() == user["id"]:
        return user
    return {key: value for key, value in user.items() if key != "email"}


def create_user_blueprint(mysql, users, feeds):
    blp = Blueprint("users", __name__, description="Users")

    def own_user_or_abort(user_id):
        """The caller, if they are user_id; else 404 (no such user) or 403."""
        me = caller()
        if me["id"] == user_id:
            return me
        or_404(users.get_user(mysql.connection, id=user_id))
        abort(403, message="You can only change your own account.")

    def update_user(changes, user_id):
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

    @blp.route("/users")
    class Users(MethodView):
        @blp.arguments(PageArgsSchema(), location="query")
        @blp.response(200, UserPageSchema)
        @blp.errors()
        def get(self, args):
            """A page of users, newest first."""
            return page(page_rows(users.list_users_page, mysql.connection, args), args["limit"])

        @blp.arguments(UserCreateSchema())
        @blp.response(201, UserSchema)
        @blp.errors(TAKEN)
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
            return user, {"Location": url_for("users.User", user_id=user_id)}

    @blp.route("/users/<id:user_id>")
    class User(MethodView):
        @blp.response(200, UserSchema)
        @blp.errors(404)
        def get(self, user_id):
            """One user (with email only for themself)."""
            return as_the_caller_sees(or_404(users.get_user(mysql.connection, id=user_id)))

        put, patch = blp.update_operations(
            update_user, UserSchema, errors=(403, 404, TAKEN),
            put=(UserReplaceSchema(), "Replace your name and email (and password, if given)."),
            patch=(UserPatchSchema(), "Change any of your name, email and password."),
        )

        @blp.token_required
        @blp.response(204)
        @blp.errors(403, 404)
        def delete(self, user_id):
            """Delete your account, with your boards, comments, follows and favorites."""
            own_user_or_abort(user_id)

            def delete(conn):
                # Counts of other rows that the cascade would leave wrong, in
                # lock order: boards, then users, then tags, then the total.
                users.uncount_favorites_by(conn, user_id=user_id)
                users.uncount_comments_by(conn, user_id=user_id)
                users.uncount_favorites_of_boards_by(conn, user_id=user_id)
                users.uncount_tags_of_boards_by(conn, user_id=user_id)
                users.drop_unused_tags_of_boards_by(conn, user_id=user_id)
                users.uncount_boards_by(conn, user_id=user_id)
                feeds.enqueue(conn, USER_DELETED, user_id)
                users.delete_user(conn, id=user_id)

            in_transaction(mysql, delete)

    @blp.route("/users/by-name/<path:name>")
    class UserByName(MethodView):
        @blp.response(200, UserSchema)
        @blp.errors(404)
        def get(self, name):
            """The user with this name (names compare case-insensitively, as at sign-up)."""
            return as_the_caller_sees(or_404(users.get_user_by_name(mysql.connection, name=name)))

    @blp.route("/me")
    class Me(MethodView):
        @blp.token_required
        @blp.response(200, UserSchema)
        @blp.errors()
        def get(self):
            """The caller, with email."""
            return caller()

    return blp
