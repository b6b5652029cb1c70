"""The application factory: configuration, extensions, blueprints."""
import migrations
import realworld
import rebuild
import web
import worker
from api import Api
from auth import BEARER_SCHEME, init_auth
from auth_routes import create_auth_blueprint
from board_routes import create_board_blueprint
from board_writes import BoardWrites
from comment_routes import create_comment_blueprint
from config import (
    API_SETTINGS, check_production_settings, check_replica_settings, config_from_environment, development_secret_key,
)
from db import Database
from favorite_routes import create_favorite_blueprint
from feeds import Feeds
from flask import Flask
from follow_routes import create_follow_blueprint
from health_routes import create_health_blueprint
from metrics_routes import create_metrics_blueprint
from page_routes import create_page_blueprint
from queries import load_queries
from rate_limit import init_rate_limits
from tag_routes import create_tag_blueprint
from user_routes import create_user_blueprint
from web.converters import IdConverter
from werkzeug.middleware.proxy_fix import ProxyFix


def create_app(config=None):
    app = Flask(__name__)
    app.config.update(API_SETTINGS)
    app.config.update(config_from_environment())
    app.config.update(config or {})
    check_production_settings(app)
    check_replica_settings(app)

    mysql = Database(app)
    migrations.init_app(app)
    rebuild.init_app(app)
    worker.init_app(app)
    web.init_app(app)
    development_secret_key(app)
    init_rate_limits(app)
    api = Api(app)
    api.register_converter(IdConverter, lambda _converter: {"type": "integer", "minimum": 1})
    api.spec.components.security_scheme("bearerAuth", BEARER_SCHEME)

    users, feeds = load_queries("users"), Feeds(load_queries("feeds"))
    boards, tags, favorites = load_queries("boards"), load_queries("tags"), load_queries("favorites")
    writes = BoardWrites(boards, tags, favorites, feeds)
    init_auth(app, mysql, users)
    api.register_blueprint(create_auth_blueprint(mysql, load_queries("auth")))
    api.register_blueprint(create_user_blueprint(mysql, users, feeds))
    api.register_blueprint(create_follow_blueprint(mysql, load_queries("follows"), feeds))
    api.register_blueprint(create_board_blueprint(mysql, boards, writes))
    api.register_blueprint(create_favorite_blueprint(mysql, favorites, writes))
    api.register_blueprint(create_tag_blueprint(mysql, tags))
    api.register_blueprint(create_comment_blueprint(mysql, load_queries("comments")))
    api.register_blueprint(create_health_blueprint(mysql, feeds))
    realworld.init_app(app, api, mysql, feeds, writes)
    app.register_blueprint(create_page_blueprint())
    if app.config["METRICS_TOKEN"]:
        app.register_blueprint(create_metrics_blueprint(mysql, feeds, app.config["METRICS_TOKEN"]))
    if app.config["TRUSTED_PROXIES"]:
        # Behind a load balancer: the client's address is in X-Forwarded-For.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["TRUSTED_PROXIES"])
    app.extensions["boards_db"] = mysql
    app.extensions["boards_feeds"] = feeds
    app.extensions["boards_writes"] = writes
    return app
