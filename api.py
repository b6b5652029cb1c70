"""What route modules import instead of flask-smorest's own: the project's
`Api` (error bodies with a `message`), its `Blueprint` (whose parser reads
the body the request check parsed, and which requires a body documented as
required), the error schema and `documented_errors`."""
import functools
from http import HTTPStatus

import flask_smorest
import MySQLdb
from flask import g, request
from flask_smorest import Blueprint as SmorestBlueprint
from marshmallow import Schema, fields, missing
from webargs.flaskparser import FlaskParser

from db import mark_connection_broken
from errors import DEFAULT_MESSAGES, INTERNAL_MESSAGE, RETRY_AFTER_HEADER, handle_database_error

BODY_REQUIRED_MESSAGE = "The request body must be a JSON object."


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


class CheckedBodyParser(FlaskParser):
    """Reads the body `check_json_body` parsed. A request without a body
    reaches the schema as `missing`, as with FlaskParser. Works on the
    request object itself rather than its proxy: every attribute read
    through `flask.request` first fails a lookup on the proxy."""

    def get_default_request(self):
        return request._get_current_object()

    def load_json(self, req, schema):
        body = req.get_json(silent=True)
        return missing if body is None else body


class Blueprint(SmorestBlueprint):
    ARGUMENTS_PARSER = CheckedBodyParser()

    def arguments(self, schema, *, location="json", required=True, **kwargs):
        """flask-smorest's `arguments`, except that a JSON body documented as
        required (the default) is required when the request is read too:
        flask-smorest only documents `required`, and webargs reads a body
        left out as `{}` (for a PATCH, an empty change). Left out, it is the
        same 400 as a body that is not a JSON object."""
        parse = super().arguments(schema, location=location, required=required, **kwargs)
        if location != "json" or not required:
            return parse

        def decorator(view):
            parsed_view = parse(view)

            @functools.wraps(parsed_view)
            def body_required(*args, **kwargs):
                if request._get_current_object().get_json(silent=True) is None:
                    flask_smorest.abort(400, message=BODY_REQUIRED_MESSAGE)
                return parsed_view(*args, **kwargs)

            return body_required

        return decorator
