"""Logging in: runs sql/queries/auth.sql."""
from flask.views import MethodView

from api import Blueprint, abort
from auth import issue_token, password_matches
from rate_limit import check_login_allowed, record_failed_login
from schemas import LoginSchema, TokenSchema


def create_auth_blueprint(mysql, logins):
    blp = Blueprint("auth", __name__, description="Tokens")

    @blp.route("/auth/login")
    class Login(MethodView):
        @blp.arguments(LoginSchema())
        @blp.response(200, TokenSchema)
        @blp.errors((401, "Wrong email or password"), (429, "Too many failed logins"))
        def post(self, credentials):
            """Trade an email and password for a bearer token."""
            login = logins.get_login(mysql.connection, email=credentials["email"])
            check_login_allowed(login, credentials["email"])
            stored_hash = login["password_hash"] if login else None
            if not password_matches(stored_hash, credentials["password"]):
                record_failed_login(login, credentials["email"])
                abort(401, message="Wrong email or password.")
            return issue_token(login["id"])

    return blp
