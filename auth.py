"""Passwords, tokens and "who is calling".

Passwords are stored as werkzeug scrypt hashes (salted, memory-hard).
Tokens are HS256 JWTs issued by flask-jwt-extended, each with a unique
`jti` and its user's token generation `gen`. A route that needs the
caller's row asks `caller()`, which reads it (one statement, once per
request) only while the token is live: the user exists, `gen` is the user's
current generation (logging out everywhere and a password change start the
next one) and the `jti` was not logged out (revoked_tokens). Else 401. A
route that only needs the id (the feed) takes `caller_id()`,
`token_generation()` and `token_jti()` and checks the same in its own
single statement. docs/security.md has the design.

Tokens are verified here with one PyJWT `jwt.decode`, once per token and
process (`_decoded`), instead of flask-jwt-extended's `jwt_required`:
- saves 36 % of the instructions of POST /boards, 20 % of GET /feed and 6 %
  of GET /users/{id} (whose optional token check `verify_jwt_in_request`
  costs even without a token; bench/instructions.py, docs/performance.md):
  `jwt_required` parses and base64-decodes each token four times;
- depends on PyJWT (pinned 2.15.1) and on the tokens flask-jwt-extended
  4.7.4 issues (HS256 with JWT_SECRET_KEY; claims sub, type, exp, iat, nbf,
  jti, and our `gen`);
- gives up flask-jwt-extended's request-time callbacks (blocklist loader,
  user lookup, claims verification, its error handlers) and token
  locations other than the Authorization header; none is used here.
tests/test_auth.py checks that a token is accepted here exactly when
flask-jwt-extended's `decode_token` accepts it, with the same claims, and it
carries what a revocable token needs (`exp`, `jti` and `gen`), which every
token issued here does.
"""
import functools
import time
from datetime import datetime, timezone
from types import MappingProxyType

import jwt
from flask import current_app, g, request
from flask_jwt_extended import JWTManager, create_access_token
from flask_smorest import abort
from werkzeug.security import check_password_hash, generate_password_hash

BEARER = [{"bearerAuth": []}]
BEARER_SCHEME = {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
_UNAUTHORIZED_HEADERS = {"WWW-Authenticate": 'Bearer realm="boards"'}
ENDED_TOKEN_MESSAGE = "The bearer token has been revoked, or its user no longer exists."
TOKEN_ALGORITHM = "HS256"
REQUIRED_CLAIMS = ["sub", "exp", "jti", "gen"]
JTI_MAX_LENGTH = 36  # revoked_tokens.jti; flask-jwt-extended's are UUIDs
VERIFIED_TOKENS_KEPT = 1024  # per worker process, about 2 KB each


def init_auth(app, mysql, users):
    """Tokens signed with SECRET_KEY; `caller()` reads the users table."""
    app.config["JWT_SECRET_KEY"] = app.config["SECRET_KEY"]
    app.config["JWT_TOKEN_LOCATION"] = ["headers"]
    app.config["JWT_ALGORITHM"] = TOKEN_ALGORITHM
    app.config.setdefault("PASSWORD_HASH_METHOD", "scrypt")
    # One manager per app (it issues the tokens): a second app in the same
    # process (tests, workers) keeps its own key.
    JWTManager(app)
    app.extensions["boards_callers"] = Callers(mysql, users)


class Callers:
    """Reads the calling user's row while the token is live, when a route
    asks for it (`caller()`). flask-jwt-extended's `user_lookup_loader`
    would read it on every request with a token, the feed's too, which
    checks the token in its own single statement."""

    def __init__(self, mysql, users):
        self.mysql, self.users = mysql, users

    def load(self, claims):
        """The row of the token's user, or None (no such user, or the token has ended)."""
        try:
            user_id = int(claims["sub"])
        except ValueError:
            return None
        return self.users.get_caller(
            self.mysql.connection, id=user_id, token_generation=claims["gen"], jti=claims["jti"]
        )


def bearer_token(schemes=("Bearer",)):
    """The token of `Authorization: <scheme> <token>` (Bearer unless told), or None."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    token = token.strip()
    return token if scheme in schemes and token else None


def verified_claims(token):
    """The claims of an access token we signed and that has not expired;
    raises jwt.ExpiredSignatureError or another jwt.PyJWTError otherwise."""
    claims = _decoded(token, current_app.config["JWT_SECRET_KEY"])
    if "exp" in claims and claims["exp"] <= now_seconds():
        raise jwt.ExpiredSignatureError("Signature has expired")
    return claims


def now_seconds():
    return time.time()


@functools.lru_cache(maxsize=VERIFIED_TOKENS_KEPT)
def _decoded(token, key):
    """A token checked in full (signature, algorithm, claims, expiry) the
    first time this process sees it. Clients send the same token for its
    whole life, so the checked claims are kept, keyed by the exact token and
    key, and only the expiry is checked again on later requests (above). A
    token that fails is not kept: errors are not cached. The checks are
    flask-jwt-extended's: a `sub` claim (a string), `type` "access" when
    present, exp/nbf/iat verified when present. Ours on top: it expires
    (so a revocation can expire too) and carries the jti and generation that
    logging out refers to."""
    claims = jwt.decode(token, key, algorithms=[TOKEN_ALGORITHM], options={"require": REQUIRED_CLAIMS})
    if claims.get("type", "access") != "access":
        raise jwt.InvalidTokenError("not an access token")
    jti, generation = claims["jti"], claims["gen"]
    if not (isinstance(jti, str) and jti.isascii() and len(jti) <= JTI_MAX_LENGTH):
        raise jwt.InvalidTokenError("not a token id we issue")
    if type(generation) is not int or generation < 0:
        raise jwt.InvalidTokenError("not a token generation")
    return MappingProxyType(claims)


def token_required(fn):
    """The request needs a valid, unexpired bearer token signed by us."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        token = bearer_token()
        if token is None:
            abort_unauthorized("A bearer token is required.")
        try:
            g.token_claims = verified_claims(token)
        except jwt.ExpiredSignatureError:
            abort_unauthorized("The bearer token has expired.")
        except jwt.PyJWTError:
            abort_unauthorized("The bearer token is not valid.")
        return fn(*args, **kwargs)

    return wrapper


def caller_id():
    """The user id in the request's verified token (no database read)."""
    try:
        return int(g.token_claims["sub"])
    except (TypeError, ValueError):
        abort_unknown_caller()


def token_generation():
    """The user's token generation the request's token was issued in."""
    return g.token_claims["gen"]


def token_jti():
    """The unique id of the request's token."""
    return g.token_claims["jti"]


def token_expiry():
    """When the request's token expires, as the tables store time (naive UTC)."""
    return datetime.fromtimestamp(g.token_claims["exp"], timezone.utc).replace(tzinfo=None)


def caller():
    """The calling user's row (id, name, email, ...), read once per request;
    401 when the token has ended or its user no longer exists."""
    row = g.get("caller")
    if row is None:
        row = current_app.extensions["boards_callers"].load(g.token_claims)
        if row is None:
            abort_unknown_caller()
        g.caller = row
    return row


def abort_unauthorized(message):
    abort(401, message=message, headers=_UNAUTHORIZED_HEADERS)


def abort_unknown_caller():
    abort_unauthorized(ENDED_TOKEN_MESSAGE)


def optional_caller_id():
    """On a public read: the live bearer token's user id, else None (one
    statement, only with a token; it decides whether to show private fields)."""
    token = bearer_token()
    row = live_caller(token) if token else None
    return row["id"] if row else None


def live_caller(token):
    """The row of a live token's user, or None (not ours, expired or ended)."""
    try:
        claims = verified_claims(token)
    except jwt.PyJWTError:
        return None
    return current_app.extensions["boards_callers"].load(claims)


ANONYMOUS = MappingProxyType({"viewer_id": None, "viewer_generation": None, "viewer_jti": None})


def viewer():
    """For a public read showing the caller's own state (`favorited`): the
    token's user, generation and jti as the queries take them, or ANONYMOUS;
    no database read (the query checks that the token is live itself)."""
    token = bearer_token()
    if token is None:
        return ANONYMOUS
    try:
        claims = verified_claims(token)
        user_id = int(claims["sub"])
    except (jwt.PyJWTError, ValueError):
        return ANONYMOUS
    return {"viewer_id": user_id, "viewer_generation": claims["gen"], "viewer_jti": claims["jti"]}


def issue_token(user_id, generation):
    """A token of user_id's current token generation (from the row just read or written)."""
    expires = current_app.config["JWT_ACCESS_TOKEN_EXPIRES"]
    return {
        "access_token": create_access_token(identity=str(user_id), additional_claims={"gen": generation}),
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
