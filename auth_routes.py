"""Logging in and out: runs sql/queries/auth.sql."""
from flask.views import MethodView

from api import Blueprint, abort, caller
from auth import issue_token, token_expiry, token_jti
from rate_limit import checked_login
from revocations import purge_expired_revocations
from schemas import LoginSchema, LogoutSchema, TokenSchema


def create_auth_blueprint(mysql, logins):
    blp = Blueprint("auth", __name__, description="Tokens")

    @blp.route("/auth/login")
    class Login(MethodView):
        @blp.arguments(LoginSchema())
        @blp.response(200, TokenSchema)
        @blp.errors((401, "Wrong email or password"), (429, "Too many failed logins"))
        def post(self, credentials):
            """Trade an email and password for a bearer token."""
            login = checked_login(logins, mysql.connection, credentials["email"], credentials["password"])
            if login is None:
                abort(401, message="Wrong email or password.")
            return issue_token(login["id"], login["token_generation"])

    @blp.route("/auth/logout")
    class Logout(MethodView):
        @blp.token_required
        @blp.arguments(LogoutSchema(), required=False)
        @blp.response(204)
        @blp.errors()
        def post(self, options):
            """End this token; with `{"everywhere": true}`, every token of yours.

            An ended token answers 401 from then on, on every instance of the service."""
            me = caller()
            if options["everywhere"]:
                logins.end_every_token(mysql.connection, id=me["id"])
                return
            purge_expired_revocations(mysql.connection, logins, max_batches=1)
            logins.revoke_token(
                mysql.connection, jti=token_jti(), user_id=me["id"], expires_at=token_expiry()
            )

    return blp
