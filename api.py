"""What route modules import instead of flask-smorest's own: the project's
`Api` (error bodies with a `message`), its `Blueprint` (the parse-once body
parser, and decorators that document errors and tokens), the error schema,
and the helpers every route uses (`abort`, the caller, pages, the clock)."""
import functools
from http import HTTPStatus

import flask_smorest
import MySQLdb
from flask import request
from flask_smorest import abort
from marshmallow import Schema, fields, missing
from webargs.flaskparser import FlaskParser

import auth
from auth import caller, caller_id, optional_caller_id
from db import in_transaction, mark_connection_broken, transaction
from errors import (
    DEFAULT_MESSAGES, INTERNAL_MESSAGE, RETRY_AFTER_HEADER, current_request_id, handle_database_error,
)
from pagination import FIRST_PAGE_AFTER_ID, FIRST_PAGE_BEFORE_ID, page, subject_rows
from queries import utc_now

__all__ = [
    "Api", "Blueprint", "ErrorSchema", "abort", "abort_unless_owned", "or_404", "caller", "caller_id",
    "optional_caller_id", "page", "subject_rows", "utc_now", "in_transaction", "transaction",
    "FIRST_PAGE_AFTER_ID", "FIRST_PAGE_BEFORE_ID", "page_rows", "vary_on_authorization",
]

BODY_ERRORS = (400, 413, 415)
BODY_REQUIRED_MESSAGE = "The request body must be a JSON object."
DATABASE_UNAVAILABLE = "DATABASE_UNAVAILABLE"
ERROR_CONTENT = {"application/json": {"schema": "Error"}}


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

    def init_app(self, app, **kwargs):
        super().init_app(app, **kwargs)
        self.spec.components.response(DATABASE_UNAVAILABLE, {
            "description": "The database is unreachable or busy; try again later",
            "content": ERROR_CONTENT,
            "headers": {"Retry-After": RETRY_AFTER_HEADER},
        })

    def _register_error_handlers(self):
        super()._register_error_handlers()
        self._app.register_error_handler(MySQLdb.Error, handle_database_error)

    def handle_http_exception(self, error):
        payload, code, headers = super().handle_http_exception(error)
        if code == 500:
            if error.original_exception is not None:
                mark_connection_broken()
            payload["message"] = INTERNAL_MESSAGE
            payload["request_id"] = current_request_id()
        payload.setdefault("message", DEFAULT_MESSAGES.get(code, error.description))
        if code == 405 and getattr(error, "valid_methods", None):
            headers = {**headers, "Allow": ", ".join(error.valid_methods)}
        return payload, code, headers


class CheckedBodyParser(FlaskParser):
    """Reads the body `check_json_body` parsed (web/body.py), by overriding
    `load_json` as webargs' docs show for a parser that reads JSON itself.
    A request without a body reaches the schema as `missing`, as with
    FlaskParser."""

    def load_json(self, req, schema):
        body = req.get_json(silent=True)
        return missing if body is None else body


class Blueprint(flask_smorest.Blueprint):
    """flask-smorest's Blueprint with the parse-once parser, and decorators
    that keep each operation's OpenAPI entry true: `errors` (every status it
    can answer, with the error body; 503 always; a status or a (status,
    description) pair), `token_required` (the token check, its security
    entry and 401), and `arguments`, which lists the body errors (400, 413,
    415) of a JSON body. They document with `blp.doc`, one wrapper each."""

    ARGUMENTS_PARSER = CheckedBodyParser()

    def errors(self, *codes):
        return self.doc(responses=error_responses((*codes, 503)))

    def token_required(self, view):
        documented = self.doc(security=auth.BEARER, responses=error_responses((401,)))
        return documented(auth.token_required(view))

    def arguments(self, schema, *, location="json", required=True, **kwargs):
        """flask-smorest's `arguments`; a JSON body also documents its body
        errors, and a body documented as required (the default) is required
        when the request is read too: flask-smorest only documents
        `required`, and webargs reads a body left out as `{}` (for a PATCH,
        an empty change). Left out, it is the same 400 as a body that is not
        a JSON object."""
        parse = super().arguments(schema, location=location, required=required, **kwargs)
        if location != "json":
            return parse
        documented = self.doc(responses=error_responses(BODY_ERRORS))
        if not required:
            return lambda view: parse(documented(view))

        def decorate(view):
            parsed_view = parse(documented(view))

            @functools.wraps(parsed_view)
            def body_required(*args, **kwargs):
                if request.get_json(silent=True) is None:
                    abort(400, message=BODY_REQUIRED_MESSAGE)
                return parsed_view(*args, **kwargs)

            return body_required

        return decorate

    def update_operations(self, update, response_schema, *, put, patch, errors=()):
        """The PUT and the PATCH of one resource, each a (body schema,
        summary) pair: the caller's token, a JSON body, a 200 with the
        changed row; `update(changes, **path)` does the work for both."""
        return tuple(self._update_operation(update, response_schema, body_schema, summary, errors)
                     for body_schema, summary in (put, patch))

    def _update_operation(self, update, response_schema, body_schema, summary, errors):
        def operation(_view, changes, **path):
            return update(changes, **path)

        operation.__doc__ = summary
        decorators = (self.errors(*errors), self.response(200, response_schema),
                      self.arguments(body_schema), self.token_required)
        for decorator in decorators:
            operation = decorator(operation)
        return operation


def error_responses(codes):
    """OpenAPI responses for error statuses: a status alone refers to its
    component (flask-smorest registers one per HTTP status, with the error
    body; 503 is ours, with Retry-After), a (status, description) pair is
    the error body with that description."""
    responses = {}
    for code in codes:
        if isinstance(code, tuple):
            code, description = code
            responses[str(code)] = {"description": description, "content": ERROR_CONTENT}
        else:
            responses[str(code)] = DATABASE_UNAVAILABLE if code == 503 else HTTPStatus(code).name
    return responses


def vary_on_authorization(blp):
    """Every response of `blp` says `Vary: Authorization`: its boards carry
    `favorited` for a caller with a token and not without one, so a cache
    must keep the answers to different tokens (and to none) apart; the
    anonymous answer says so too."""

    @blp.after_request
    def vary(response):
        response.vary.add("Authorization")
        return response


def page_rows(query, connection, args, oldest_first=False, **params):
    """The rows of a keyset-paged list query for one page: limit + 1 of
    them (the extra one tells `page` that a next page exists), from the
    request's cursor or else the first page; newest first below `before_id`,
    or oldest first above `after_id`."""
    if oldest_first:
        params["after_id"] = args.get("cursor", FIRST_PAGE_AFTER_ID)
    else:
        params["before_id"] = args.get("cursor", FIRST_PAGE_BEFORE_ID)
    return list(query(connection, limit=args["limit"] + 1, **params))


def or_404(row):
    """The row, or a 404 when there is none (Flask-SQLAlchemy's get_or_404)."""
    if row is None:
        abort(404)
    return row


def abort_unless_owned(row, message, owned=False):
    """After a write that changed no row: 404 when the row does not exist,
    403 (with `message`) when it is not the caller's; returns when it is."""
    if not owned and or_404(row):
        abort(403, message=message)
