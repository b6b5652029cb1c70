"""RealWorld's error body, `{"errors": {"<field>": ["<message>"]}}`, for
every error a /api view, its body check or its database raises. Flask uses
a blueprint's handlers before the app's, so the native API's error body is
untouched."""
import MySQLdb
from flask import jsonify
from flask_smorest import abort
from werkzeug.exceptions import HTTPException

from db import mark_connection_broken
from errors import ER_DUP_ENTRY, handle_database_error as native_database_error

BLANK = "can't be blank"
TAKEN = "has already been taken"
UNIQUE_FIELDS = {"uq_users_email": "email", "uq_users_name": "username"}
MARSHMALLOW_MESSAGES = {
    "Missing data for required field.": BLANK,
    "Field may not be null.": BLANK,
    "Not a valid string.": "must be a string",
    "Not a valid integer.": "must be an integer",
    "Not a valid list.": "must be a list",
    "Invalid input type.": "must be an object",
}
DEFAULT_ERRORS = {
    400: {"body": ["is not valid JSON"]},
    401: {"token": ["is invalid"]},
    403: {"resource": ["forbidden"]},
    404: {"resource": ["not found"]},
    413: {"body": ["is larger than 1 MiB"]},
    415: {"body": ["must be JSON (Content-Type: application/json)"]},
    422: {"body": ["is invalid"]},
    429: {"credentials": ["too many failed logins; try again later"]},
    500: {"server": ["unexpected error; quote the X-Request-ID header when reporting it"]},
    503: {"database": ["is unavailable; try again shortly"]},
}


def abort_with(code, field, message):
    """Stop the request with RealWorld's error body: {field: [message]}."""
    abort(code, realworld_errors={field: [message]})


def error_body(code, errors):
    response = jsonify({"errors": errors})
    response.status_code = code
    return response


def field_messages(messages, prefix=""):
    """webargs' nested messages ({"json": {"user": {"email": [...]}}}) as
    RealWorld's flat {"email": [...]}, in its words ("can't be blank")."""
    flat = {}
    for key, value in messages.items():
        name = prefix if key == "_schema" or str(key).isdigit() else key
        if isinstance(value, dict):
            for field, texts in field_messages(value, name).items():
                flat.setdefault(field, []).extend(text for text in texts if text not in flat.get(field, ()))
        else:
            flat[name or "body"] = [MARSHMALLOW_MESSAGES.get(message, message) for message in value]
    return flat


def handle_http_exception(error):
    code = error.code or 500
    if code == 500 and getattr(error, "original_exception", None) is not None:
        mark_connection_broken()
    data = getattr(error, "data", None) or {}
    if "realworld_errors" in data:
        errors = data["realworld_errors"]
    elif code in (400, 413, 415) and "message" in data:
        errors = {"body": [data["message"]]}
    elif code == 422 and "messages" in data:
        errors = field_messages(data["messages"]) or DEFAULT_ERRORS[422]
    else:
        errors = DEFAULT_ERRORS.get(code, {"request": [error.description or "failed"]})
    response = error_body(code, errors)
    response.headers.update(data.get("headers") or {})
    return response


def handle_database_error(error):
    """A duplicate username or email is 409 "has already been taken"; every
    other database error is what the native API makes of it (503, 500, ...),
    in this body."""
    if isinstance(error, MySQLdb.IntegrityError) and error.args and error.args[0] == ER_DUP_ENTRY:
        for constraint, field in UNIQUE_FIELDS.items():
            if constraint in str(error.args[1:]):
                return error_body(409, {field: [TAKEN]})
    native = native_database_error(error)
    response = error_body(native.status_code, DEFAULT_ERRORS.get(native.status_code, DEFAULT_ERRORS[500]))
    if "Retry-After" in native.headers:
        response.headers["Retry-After"] = native.headers["Retry-After"]
    return response


def register_error_handlers(blueprint):
    blueprint.register_error_handler(HTTPException, handle_http_exception)
    blueprint.register_error_handler(MySQLdb.Error, handle_database_error)
