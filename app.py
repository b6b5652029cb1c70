"""The application factory: configuration from the environment, wiring."""
import logging
import os
import secrets
from datetime import timedelta

from werkzeug.routing import IntegerConverter

from auth import BEARER_SCHEME, init_auth
from board_routes import create_board_blueprint
from comment_routes import create_comment_blueprint
from db import Database, load_queries
from errors import Api
from flask import Flask
from flask.sessions import NullSession, SessionInterface
from health_routes import create_health_blueprint
from json_provider import OrjsonProvider
from page_routes import SWAGGER_ASSETS_URL, create_page_blueprint
from rate_limit import init_rate_limits
from request_body import init_request_body
from request_log import configure_logging, init_request_ids
from security import check_production_settings, init_security
from user_routes import create_user_blueprint

log = logging.getLogger("boards.app")


class IdConverter(IntegerConverter):
    """A path id: a positive integer that fits BIGINT; anything else is 404."""

    regex = r"[0-9]+"  # ASCII only: werkzeug's \d+ also matches "１" (fullwidth) as 1

    def __init__(self, url_map):
        super().__init__(url_map, min=1, max=2**63 - 1)


class NoCookieSessions(SessionInterface):
    """The API is stateless (bearer tokens): no cookie session to verify on
    every request (Flask's default costs a signing serializer per request).
    Every request shares one empty NullSession, which refuses any write."""

    empty_session = NullSession()

    def open_session(self, app, request):
        return self.empty_session

    def save_session(self, app, session, response):
        return None


def config_from_environment(env=os.environ):
    """Settings read one by one, with their types (see README: Configuration)."""
    return {
        "BOARDS_ENV": env.get("BOARDS_ENV", "development"),
        "SECRET_KEY": env.get("SECRET_KEY", ""),
        "MYSQL_HOST": env.get("MYSQL_HOST", "127.0.0.1"),
        "MYSQL_PORT": int(env.get("MYSQL_PORT", "3306")),
        "MYSQL_USER": env.get("MYSQL_USER", "root"),
        "MYSQL_PASSWORD": env.get("MYSQL_PASSWORD", ""),
        "MYSQL_DB": env.get("MYSQL_DB", "boards"),
        "MYSQL_UNIX_SOCKET": env.get("MYSQL_UNIX_SOCKET") or None,
        "MYSQL_CONNECT_TIMEOUT": int(env.get("MYSQL_CONNECT_TIMEOUT", "5")),
        "MYSQL_READ_TIMEOUT": int(env.get("MYSQL_READ_TIMEOUT", "30")),
        "MYSQL_WRITE_TIMEOUT": int(env.get("MYSQL_WRITE_TIMEOUT", "30")),
        "JWT_ACCESS_TOKEN_EXPIRES": timedelta(
            seconds=int(env.get("ACCESS_TOKEN_SECONDS", "3600"))
        ),
        "LOG_LEVEL": env.get("LOG_LEVEL", "INFO"),
        "CORS_ORIGINS": [o.strip() for o in env.get("CORS_ORIGINS", "").split(",") if o.strip()],
        "RATELIMIT_ENABLED": env.get("RATELIMIT_ENABLED", "true").lower() not in ("0", "false", "no"),
        "RATELIMIT_STORAGE_URI": env.get("RATELIMIT_STORAGE_URI") or "memory://",
        "RATELIMIT_KEY_PREFIX": env.get("RATELIMIT_KEY_PREFIX", "boards"),
        "LOGIN_FAILURES_PER_ACCOUNT": env.get("LOGIN_FAILURES_PER_ACCOUNT", "5/minute"),
        "LOGIN_FAILURES_PER_ADDRESS": env.get("LOGIN_FAILURES_PER_ADDRESS", "50/minute"),
    }


API_SETTINGS = {
    "API_TITLE": "Boards",
    "API_VERSION": "1.0",
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": "/",
    "OPENAPI_JSON_PATH": "openapi.json",
    "OPENAPI_SWAGGER_UI_PATH": "/swagger-ui",
    "OPENAPI_SWAGGER_UI_URL": SWAGGER_ASSETS_URL,
    "MAX_CONTENT_LENGTH": 1024 * 1024,
}


def _development_secret_key(app):
    """Outside production (check_production_settings refuses it there), a
    missing SECRET_KEY becomes a random one, with a warning."""
    if app.config["SECRET_KEY"]:
        return
    app.config["SECRET_KEY"] = secrets.token_urlsafe(32)
    log.warning("SECRET_KEY is not set: using a random one; tokens die with this process.")


def create_app(config=None):
    app = Flask(__name__)
    app.json = OrjsonProvider(app)
    app.json.ensure_ascii = False
    app.session_interface = NoCookieSessions()
    app.config.update(API_SETTINGS)
    app.config.update(config_from_environment())
    app.config.update(config or {})
    configure_logging(app.config["LOG_LEVEL"])
    check_production_settings(app)
    _development_secret_key(app)
    app.url_map.converters["id"] = IdConverter

    mysql = Database(app)
    init_request_ids(app)
    init_security(app)
    init_rate_limits(app)
    init_request_body(app)
    api = Api(app)
    api.register_converter(IdConverter, lambda _converter: {"type": "integer", "minimum": 1})
    api.spec.components.security_scheme("bearerAuth", BEARER_SCHEME)

    users = load_queries("users")
    init_auth(app, mysql, users)
    api.register_blueprint(create_user_blueprint(mysql, users, load_queries("follows")))
    api.register_blueprint(create_board_blueprint(mysql, load_queries("boards")))
    api.register_blueprint(create_comment_blueprint(mysql, load_queries("comments")))
    api.register_blueprint(create_health_blueprint(mysql, load_queries("health")))
    app.register_blueprint(create_page_blueprint())
    app.extensions["boards_db"] = mysql
    return app
