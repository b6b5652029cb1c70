"""The Blueprint every /api resource uses: flask-smorest's, with the
parse-once body parser, RealWorld's error handlers, and decorators that
document each operation truthfully (its statuses with RealWorld's error
body, its token)."""
import flask_smorest

from api import CheckedBodyParser, vary_on_authorization
from errors import RETRY_AFTER_HEADER
from realworld import auth
from realworld.errors import register_error_handlers

ERROR_RESPONSE = {
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/GenericErrorModel"}}},
}
DESCRIPTIONS = {
    400: "The body is not a JSON object",
    401: "No token (`token: is missing`), or one that is not live (`token: is invalid`)",
    403: "Not yours (`article: forbidden`, `comment: forbidden`)",
    404: "No such article, comment or profile (`<resource>: not found`)",
    409: "The username or email is taken (`<field>: has already been taken`)",
    413: "The body is larger than 1 MiB",
    415: "The body is not JSON",
    422: "Invalid input (`<field>: <message>`, e.g. `can't be blank`)",
    429: "Too many failed logins (Retry-After)",
    503: "The database is unreachable or busy; try again later (Retry-After)",
}
BODY_ERRORS = (400, 413, 415, 422)
RETRY_AFTER = {"Retry-After": RETRY_AFTER_HEADER}


def error_responses(codes):
    responses = {"default": {**ERROR_RESPONSE, "description": "Unexpected error"}}
    for code in codes:
        responses[str(code)] = {**ERROR_RESPONSE, "description": DESCRIPTIONS[code]}
        if code in (429, 503):
            responses[str(code)]["headers"] = RETRY_AFTER
    return responses


class Blueprint(flask_smorest.Blueprint):
    ARGUMENTS_PARSER = CheckedBodyParser()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, url_prefix="/api", **kwargs)
        register_error_handlers(self)
        vary_on_authorization(self)  # following and favorited depend on the caller

    def errors(self, *codes):
        """Every error status the operation answers (503 always)."""
        return self.doc(responses=error_responses((*codes, 503)))

    def body(self, schema):
        """A JSON body; one left out or incomplete is 422 (RealWorld's
        `can't be blank`), not the native API's 400."""
        parse = self.arguments(schema)
        documented = self.errors(*BODY_ERRORS)
        return lambda view: parse(documented(view))

    def token_required(self, view):
        documented = self.doc(security=auth.TOKEN_SECURITY, responses=error_responses((401, 503)))
        return documented(auth.token_required(view))

    def token_optional(self, view):
        return self.doc(security=[{}, *auth.TOKEN_SECURITY])(auth.token_optional(view))
