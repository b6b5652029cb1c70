"""The JSON request body: checked before any view, parsed once.

`check_json_body` applies the contract's body rules and parses the body with
Flask's `get_json`, which keeps the result on the request; the `Blueprint`
every resource uses (api.py) hands webargs that kept result, where webargs'
own FlaskParser would read and parse the same bytes a second time."""
from flask import request
from werkzeug.exceptions import BadRequest

from errors import DEFAULT_MESSAGES, error_response

BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


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
        return error_response(413, DEFAULT_MESSAGES[413])
    if not length and "chunked" not in req.environ.get("HTTP_TRANSFER_ENCODING", ""):
        return None
    if not req.is_json:
        return error_response(415, DEFAULT_MESSAGES[415])
    if length is None and limit is not None and len(req.get_data(cache=True)) >= limit:
        # A chunked body: werkzeug stops reading at the limit without saying so.
        return error_response(413, DEFAULT_MESSAGES[413])
    try:
        body = req.get_json()
    except (BadRequest, RecursionError):
        return error_response(400, DEFAULT_MESSAGES[400])
    if not isinstance(body, dict):
        return error_response(400, "The request body must be a JSON object.")
    return None


def init_request_body(app):
    app.before_request(check_json_body)
