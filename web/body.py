"""The JSON request body: checked before any view, parsed once.

`check_json_body` applies the contract's body rules and parses the body with
Flask's `get_json`, which keeps the result on the request; the `Blueprint`
every resource uses (api.py) hands webargs that kept result, where webargs'
own FlaskParser would read and parse the same bytes a second time."""
from flask import current_app, request
from flask_smorest import abort
from werkzeug.exceptions import BadRequest

from errors import DEFAULT_MESSAGES, error_response

BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
OWN_ERROR_BODIES = "boards_own_error_bodies"  # app.extensions: blueprints with error handlers of their own


def check_json_body():
    """Over 1 MiB is 413 (before reading it), a body that is not JSON is 415,
    malformed JSON or anything but an object is 400. An unknown URL or method
    stays 404/405 whatever the body."""
    req = request
    if req.method not in BODY_METHODS or req.routing_exception is not None:
        return None
    length = req.content_length
    limit = req.max_content_length
    if length is not None and limit is not None and length > limit:
        return body_error(413, DEFAULT_MESSAGES[413])
    if not length and "chunked" not in req.environ.get("HTTP_TRANSFER_ENCODING", ""):
        return None
    if not req.is_json:
        return body_error(415, DEFAULT_MESSAGES[415])
    if length is None and limit is not None and len(req.get_data(cache=True)) >= limit:
        # A chunked body: werkzeug stops reading at the limit without saying so.
        return body_error(413, DEFAULT_MESSAGES[413])
    try:
        body = req.get_json()
    except (BadRequest, RecursionError):
        return body_error(400, DEFAULT_MESSAGES[400])
    if not isinstance(body, dict):
        return body_error(400, "The request body must be a JSON object.")
    return None


def body_error(code, message):
    """The contract's error response; a blueprint that answers errors its
    own way (/api, realworld/) gets the error raised, for its handler."""
    if request.blueprint in current_app.extensions.get(OWN_ERROR_BODIES, ()):
        abort(code, message=message)
    return error_response(code, message)


def init_request_body(app):
    app.before_request(check_json_body)
