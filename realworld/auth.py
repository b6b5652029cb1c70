"""Who calls /api: `Authorization: Token <jwt>` (RealWorld's scheme) or
`Bearer <jwt>` (the native API's), the same tokens either way. The token is
checked before anything is looked up, so a request without one is 401
`token: ["is missing"]` whatever else is wrong with it."""
import functools

import jwt
from flask import current_app, g, request

from auth import verified_claims
from realworld.errors import abort_with

SCHEMES = ("Token", "Bearer")
TOKEN_SECURITY = [{"Token": []}]
TOKEN_SCHEME = {
    "type": "apiKey",
    "in": "header",
    "name": "Authorization",
    "description": "`Token <jwt>` (or `Bearer <jwt>`), the token of /api/users or /api/users/login",
}


def header_token():
    """The token of `Authorization: Token <jwt>` or `Bearer <jwt>`, or None."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    token = token.strip()
    return token if scheme in SCHEMES and token else None


def live_caller(token):
    """The row of a live token's user (users.get_caller, with bio and
    image), or None: the native API's check of the same tokens."""
    try:
        claims = verified_claims(token)
    except jwt.PyJWTError:
        return None
    return current_app.extensions["boards_callers"].load(claims)


def token_required(view):
    """401 `token: ["is missing"]` without a token, `["is invalid"]` for one
    that is not live; else the view runs with `g.realworld_caller`."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        token = header_token()
        if token is None:
            abort_with(401, "token", "is missing")
        g.realworld_caller = live_caller(token) or abort_with(401, "token", "is invalid")
        return view(*args, **kwargs)

    return wrapper


def token_optional(view):
    """A public read: `g.realworld_caller` is the caller when a live token
    comes with the request, else None (a token that is not live reads as
    anonymous, as in the native API)."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        token = header_token()
        g.realworld_caller = live_caller(token) if token else None
        return view(*args, **kwargs)

    return wrapper


def caller():
    return g.realworld_caller


def caller_id():
    """The caller's id, or None for an anonymous read."""
    return g.realworld_caller["id"] if g.realworld_caller else None
