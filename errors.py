"""Every error the service answers, in one JSON shape, and the one place that
turns database errors into HTTP errors."""
import logging
from http import HTTPStatus

import MySQLdb
from flask import has_request_context, jsonify, request

from db import mark_connection_broken
from db_errors import is_disconnect, is_lock_conflict

log = logging.getLogger("boards.errors")

REQUEST_ID_KEY = "boards.request_id"  # where web/request_log.py keeps it in the WSGI environ
REQUEST_STARTED_KEY = "boards.request_started"  # and its perf_counter() at the request's start
DB_RETRY_AFTER_SECONDS = 2
RETRY_AFTER_HEADER = {"description": "Seconds to wait before retrying", "schema": {"type": "integer"}}
UNIQUE_CONSTRAINT_FIELDS = {"uq_users_email": "email", "uq_users_name": "name"}
ER_DUP_ENTRY = 1062
ER_NO_REFERENCED_ROW = 1452
INTERNAL_MESSAGE = "An unexpected error occurred; quote the request id when reporting it."
DEFAULT_MESSAGES = {
    400: "The request body is not valid JSON.",
    404: "No such resource.",
    405: "This method is not allowed on this URL.",
    413: "The request body is larger than 1 MiB.",
    415: "The request body must be JSON (Content-Type: application/json).",
    422: "Invalid request.",
}


def current_request_id(default=""):
    """This request's id (web/request_log.py gives every request one)."""
    return request.environ.get(REQUEST_ID_KEY, default) if has_request_context() else default


def error_response(code, message, errors=None, headers=None):
    """A response in the contract's error shape, for places where `abort`
    does not fit (error handlers, extension callbacks, before_request)."""
    body = {"code": code, "status": HTTPStatus(code).phrase, "message": message}
    if errors:
        body["errors"] = errors
    if code == 500:
        body["request_id"] = current_request_id()
    response = jsonify(body)
    response.status_code = code
    response.headers.update(headers or {})
    return response


def handle_database_error(error):
    if is_disconnect(error):
        mark_connection_broken()
        log.warning("database unreachable: %s", error)
        return _try_again_later("The database is unreachable; try again shortly.")
    if isinstance(error, MySQLdb.IntegrityError) and error.args:
        code, message = error.args[0], str(error.args[1:])
        if code == ER_DUP_ENTRY:
            for constraint, field in UNIQUE_CONSTRAINT_FIELDS.items():
                if constraint in message:
                    return error_response(
                        409,
                        f"That {field} is already taken.",
                        errors={"json": {field: ["Already taken."]}},
                    )
        if code == ER_NO_REFERENCED_ROW:
            return error_response(404, DEFAULT_MESSAGES[404])
    if is_lock_conflict(error):
        log.warning("database busy: %s", error)
        return _try_again_later("The data is busy; try again shortly.")
    mark_connection_broken()
    log.error("unexpected database error", exc_info=error)
    return error_response(500, INTERNAL_MESSAGE)


def _try_again_later(message):
    return error_response(503, message, headers={"Retry-After": str(DB_RETRY_AFTER_SECONDS)})
