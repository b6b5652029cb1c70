"""Passwords, tokens and "who is calling".

Passwords are stored as werkzeug scrypt hashes (salted, memory-hard).
Tokens are JWTs from flask-jwt-extended. A route that needs the caller's
row asks `caller()`, which reads it (one statement, once per request) and
answers 401 when that user no longer exists, so the token of a deleted user
stops working at once. A route that only needs the id (the feed) takes
`caller_id()` and proves the user exists in its own single statement.
"""
from flask import current_app, g, request
from flask_jwt_extended import (
    JWTManager,
    create_access_token,
    decode_token,
    get_jwt_identity,
)
from flask_jwt_extended import jwt_required as _jwt_required
from flask_jwt_extended.exceptions import JWTExtendedException
from flask_smorest import abort
from jwt.exceptions import PyJWTError
from werkzeug.security import check_password_hash, generate_password_hash

from errors import error_response

BEARER = [{"bearerAuth": []}]
BEARER_SCHEME = {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
_UNAUTHORIZED_HEADERS = {"WWW-Authenticate": 'Bearer realm="boards"'}
DELETED_USER_MESSAGE = "The bearer token's user no longer exists."


def init_auth(app, mysql, users):
    """Wire flask-jwt-extended to the users table and to the contract's 401s."""
    app.config["JWT_SECRET_KEY"] = app.config["SECRET_KEY"]
    app.config["JWT_TOKEN_LOCATION"] = ["headers"]
    app.config["JWT_ALGORITHM"] = "HS256"
    app.config.setdefault("PASSWORD_HASH_METHOD", "scrypt")
    # One manager per app: its callbacks close over this app's database, so a
    # second app in the same process (tests, workers) must not replace them.
    jwt = JWTManager(app)
    app.extensions["boards_load_user"] = lambda user_id: users.get_user(
        mysql.connection, id=user_id
    )

    def unauthorized(message):
        return error_response(401, message, headers=_UNAUTHORIZED_HEADERS)

    jwt.unauthorized_loader(lambda _reason: unauthorized("A bearer token is required."))
    jwt.invalid_token_loader(lambda _reason: unauthorized("The bearer token is not valid."))
    jwt.expired_token_loader(lambda _h, _p: unauthorized("The bearer token has expired."))
    jwt.revoked_token_loader(lambda _h, _p: unauthorized("The bearer token was revoked."))


def token_required(fn):
    """The request needs a valid, unexpired bearer token signed by us."""
    return _jwt_required()(fn)


def caller_id():
    """The user id in the request's verified token (no database read)."""
    try:
        return int(get_jwt_identity())
    except (TypeError, ValueError):
        abort_unknown_caller()


def caller():
    """The calling user's row (id, name, email, ...), read once per request."""
    if "caller" not in g:
        g.caller = current_app.extensions["boards_load_user"](caller_id())
        if g.caller is None:
            abort_unknown_caller()
    return g.caller


def abort_unknown_caller():
    abort(401, message=DELETED_USER_MESSAGE, headers=_UNAUTHORIZED_HEADERS)


def optional_caller_id():
    """On a public read: the id in a valid bearer token, or None. Not checked
    against the database; it only decides whether to show private fields."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme != "Bearer" or not token:
        return None
    try:
        return int(decode_token(token.strip())["sub"])
    except (JWTExtendedException, PyJWTError, KeyError, TypeError, ValueError):
        return None


def issue_token(user_id):
    expires = current_app.config["JWT_ACCESS_TOKEN_EXPIRES"]
    return {
        "access_token": create_access_token(identity=str(user_id)),
        "token_type": "Bearer",
        "expires_in": int(expires.total_seconds()),
    }


def hash_password(password):
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def password_matches(stored_hash, password):
    """Checks a password; an unknown user (stored_hash None) costs the same
    time as a wrong password, so the answer tells nothing about which it was."""
    if not stored_hash:
        check_password_hash(_dummy_hash(), password)
        return False
    return check_password_hash(stored_hash, password)


def _dummy_hash():
    config = current_app.config
    if "_DUMMY_PASSWORD_HASH" not in config:
        config["_DUMMY_PASSWORD_HASH"] = hash_password("not-a-real-password")
    return config["_DUMMY_PASSWORD_HASH"]
