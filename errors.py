"""Every error the service answers, in one JSON shape, and the one place that
turns database errors into HTTP errors."""
import logging
from http import HTTPStatus

import flask_smorest
import MySQLdb
from flask import g, jsonify
from marshmallow import Schema, fields

from db import is_disconnect, mark_connection_broken

log = logging.getLogger("boards.errors")

DB_RETRY_AFTER_SECONDS = 2
RETRY_AFTER_HEADER = {"description": "Seconds to wait before retrying", "schema": {"type": "integer"}}
UNIQUE_CONSTRAINT_FIELDS = {"uq_users_email": "email", "uq_users_name": "name"}
ER_DUP_ENTRY = 1062
ER_NO_REFERENCED_ROW = 1452
# A lock wait timeout or a deadlock rolls the statement back: busy, not a bug.
LOCK_CONFLICT_CODES = frozenset({1205, 1213})
INTERNAL_MESSAGE = "An unexpected error occurred; quote the request id when reporting it."
DEFAULT_MESSAGES = {
    400: "The request body is not valid JSON.",
    404: "No such resource.",
    405: "This method is not allowed on this URL.",
    413: "The request body is larger than 1 MiB.",
    415: "The request body must be JSON (Content-Type: application/json).",
    422: "Invalid request.",
}


class ErrorSchema(Schema):
    code = fields.Integer(required=True, metadata={"description": "HTTP status code"})
    status = fields.String(required=True, metadata={"description": "HTTP status name"})
    message = fields.String(required=True, metadata={"description": "What went wrong"})
    errors = fields.Dict(metadata={"description": "Messages per location and field"})
    request_id = fields.String(metadata={"description": "On a 500: quote it when reporting"})


class Api(flask_smorest.Api):
    """flask-smorest's Api whose error bodies always carry a `message`, and
    which also answers database errors as JSON."""

    ERROR_SCHEMA = ErrorSchema

    def _register_error_handlers(self):
        super()._register_error_handlers()
        self._app.register_error_handler(MySQLdb.Error, handle_database_error)

    def handle_http_exception(self, error):
        payload, code, headers = super().handle_http_exception(error)
        if code == 500:
            if error.original_exception is not None:
                mark_connection_broken()
            payload["message"] = INTERNAL_MESSAGE
            payload["request_id"] = g.get("request_id", "")
        payload.setdefault("message", DEFAULT_MESSAGES.get(code, error.description))
        if code == 405 and getattr(error, "valid_methods", None):
            headers = {**headers, "Allow": ", ".join(error.valid_methods)}
        return payload, code, headers


def documented_errors(blp, *codes):
    """Lists error statuses an operation can answer in the OpenAPI document,
    each with the error body, so that clients need not guess from `default`.

    Only the documentation is taken from flask-smorest's `alt_response`: its
    wrapper does nothing at run time but add a call per status to every
    request, so the view itself is returned, carrying the documentation."""

    def decorate(view):
        documented = view
        for code in codes:
            if code == 503:
                documented = blp.alt_response(
                    503,
                    schema=ErrorSchema,
                    description="The database is unreachable or busy; try again later",
                    headers={"Retry-After": RETRY_AFTER_HEADER},
                )(documented)
            else:
                documented = blp.alt_response(code, HTTPStatus(code).name)(documented)
        view._apidoc = documented._apidoc
        return view

    return decorate


def error_response(code, message, errors=None, headers=None):
    """A response in the contract's error shape, for places where `abort`
    does not fit (error handlers, extension callbacks, before_request)."""
    body = {"code": code, "status": HTTPStatus(code).phrase, "message": message}
    if errors:
        body["errors"] = errors
    if code == 500:
        body["request_id"] = g.get("request_id", "")
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
    if isinstance(error, MySQLdb.OperationalError) and error.args:
        if error.args[0] in LOCK_CONFLICT_CODES:
            log.warning("database busy: %s", error)
            return _try_again_later("The data is busy; try again shortly.")
    mark_connection_broken()
    log.error("unexpected database error", exc_info=error)
    return error_response(500, INTERNAL_MESSAGE)


def _try_again_later(message):
    return error_response(503, message, headers={"Retry-After": str(DB_RETRY_AFTER_SECONDS)})
