"""Who calls /api: `Authorization: Token <jwt>` (RealWorld's scheme) or
`Bearer <jwt>` (the native API's), the same tokens either way. The token is
checked before anything is looked up, so a request without one is 401
`token: ["is missing"]` whatever else is wrong with it."""
import functools

from flask import g

from auth import bearer_token, live_caller
from realworld.errors import abort_with

SCHEMES = ("Token", "Bearer")
TOKEN_SECURITY = [{"Token": []}]
TOKEN_SCHEME = {
    "type": "apiKey",
    "in": "header",
    "name": "Authorization",
    "description": "`Token <jwt>` (or `Bearer <jwt>`), the token of /api/users or /api/users/login",
}


def token_required(view):
    """401 `token: ["is missing"]` without a token, `["is invalid"]` for one
    that is not live; else the view runs with `g.realworld_caller`."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        token = bearer_token(SCHEMES)
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
        token = bearer_token(SCHEMES)
        g.realworld_caller = live_caller(token) if token else None
        return view(*args, **kwargs)

    return wrapper


def caller():
    return g.realworld_caller


def caller_id():
    """The caller's id, or None for an anonymous read."""
    return g.realworld_caller["id"] if g.realworld_caller else None
