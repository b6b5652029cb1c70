"""Security headers on every response, and CORS only for configured origins.

Every response gets nosniff, X-Frame-Options, Referrer-Policy and a CSP.
Cross-Origin-Opener-Policy only goes on HTML: it applies to documents a
browser opens in a window, which a JSON answer never is (and each header is
work on every response, bench/README.md).

Content-Security-Policy, by kind of response:
- JSON and everything else: `default-src 'none'` (an API response is never a
  document that should run or load anything).
- HTML pages (/manage-users, /manage-boards): scripts and styles only from
  this origin, no inline script.
- Swagger UI: flask-smorest's own template starts Swagger UI with an inline
  script; templates/swagger_ui.html replaces it with a copy that loads
  static/swagger-ui-init.js instead, so its scripts obey the same rule. It
  only adds inline *styles*, which Swagger UI's React components set.
"""
from flask import request
from flask_cors import CORS

SWAGGER_UI_ENDPOINT = "api-docs.openapi_swagger_ui"
HEADERS = (
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "no-referrer"),
)
API_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
API_HEADERS = HEADERS + (("Content-Security-Policy", API_POLICY),)
_PAGE_DIRECTIVES = (
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
)
PAGE_POLICY = "; ".join(_PAGE_DIRECTIVES)
SWAGGER_UI_POLICY = PAGE_POLICY.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
_DOCUMENT_ONLY = (("Cross-Origin-Opener-Policy", "same-origin"),)
PAGE_HEADERS = HEADERS + (("Content-Security-Policy", PAGE_POLICY),) + _DOCUMENT_ONLY
SWAGGER_UI_HEADERS = HEADERS + (("Content-Security-Policy", SWAGGER_UI_POLICY),) + _DOCUMENT_ONLY

CORS_ALLOW_HEADERS = ["Authorization", "Content-Type", "If-Match", "If-None-Match", "X-Request-ID"]
CORS_EXPOSE_HEADERS = ["Location", "Link", "ETag", "Retry-After", "X-Request-ID"]


def security_headers(response):
    if not (response.content_type or "").startswith("text/html"):
        return API_HEADERS
    return SWAGGER_UI_HEADERS if request.endpoint == SWAGGER_UI_ENDPOINT else PAGE_HEADERS


def init_security(app):
    @app.after_request
    def add_security_headers(response):
        """Appended in one call: no view sets these headers itself."""
        response.headers.extend(security_headers(response))
        return response

    origins = list(app.config.get("CORS_ORIGINS") or [])
    if origins:
        CORS(
            app,
            origins=origins,
            allow_headers=CORS_ALLOW_HEADERS,
            expose_headers=CORS_EXPOSE_HEADERS,
            supports_credentials=False,
            max_age=600,
        )
