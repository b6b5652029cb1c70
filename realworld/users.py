"""/api/users, /api/users/login, /api/user: register, log in, the caller's
account. Runs sql/queries/users.sql (insert_user), auth.sql (get_login) and
profiles.sql."""
from flask.views import MethodView

from auth import hash_password, issue_token
from queries import utc_now
from rate_limit import checked_login
from realworld.auth import caller
from realworld.blueprint import Blueprint
from realworld.errors import abort_with
from realworld.schemas import LoginUserBody, NewUserBody, UpdateUserBody, UserResponse


def user_answer(account):
    """{"user": ...} with a token of the account's current generation."""
    token = issue_token(account["id"], account["token_generation"])["access_token"]
    return {"user": {**account, "token": token}}


def stored_or_none(changes, field):
    """(set?, value) for bio/image: left out keeps it; "" and null clear it."""
    if field not in changes:
        return 0, None
    return 1, changes[field] or None


def create_users_blueprint(mysql, users, logins, profiles):
    blp = Blueprint("realworld_users", __name__, description="RealWorld: users and authentication")

    @blp.route("/users")
    class Users(MethodView):
        @blp.body(NewUserBody)
        @blp.response(201, UserResponse)
        @blp.errors(409)
        def post(self, body):
            """Register; the answer carries a token."""
            new = body["user"]
            user_id = users.insert_user(
                mysql.connection, name=new["username"], email=new["email"],
                password_hash=hash_password(new["password"]), now=utc_now(),
            )
            account = {"id": user_id, "name": new["username"], "email": new["email"],
                       "bio": None, "image": None, "token_generation": 0}
            return user_answer(account)

    @blp.route("/users/login")
    class Login(MethodView):
        @blp.body(LoginUserBody)
        @blp.response(200, UserResponse)
        @blp.errors(401, 429)
        def post(self, body):
            """Log in by email and password (failed logins are rate-limited)."""
            credentials = body["user"]
            login = checked_login(logins, mysql.connection, credentials["email"], credentials["password"])
            if login is None:
                abort_with(401, "credentials", "invalid")
            return user_answer(profiles.get_account(mysql.connection, id=login["id"]))

    @blp.route("/user")
    class CurrentUser(MethodView):
        @blp.token_required
        @blp.response(200, UserResponse)
        @blp.errors()
        def get(self):
            """The caller's account, with a fresh token."""
            return user_answer(caller())

        @blp.token_required
        @blp.body(UpdateUserBody)
        @blp.response(200, UserResponse)
        @blp.errors(409)
        def put(self, body):
            """Change any of username, email, password, bio and image (left
            out: kept; bio or image "" or null: none). The answer's token
            works after a password change too (which ends older tokens)."""
            changes, me = body["user"], caller()
            set_bio, bio = stored_or_none(changes, "bio")
            set_image, image = stored_or_none(changes, "image")
            password = changes.get("password")
            profiles.update_account(
                mysql.connection, id=me["id"], name=changes.get("username"), email=changes.get("email"),
                password_hash=hash_password(password) if password else None,
                set_bio=set_bio, bio=bio, set_image=set_image, image=image, now=utc_now(),
            )
            return user_answer(profiles.get_account(mysql.connection, id=me["id"]))

    return blp
