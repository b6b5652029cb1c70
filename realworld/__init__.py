"""RealWorld ("Conduit") under /api, on the native API's tables: its own
blueprints, schemas and error body (docs: README, "RealWorld frontends")."""
from queries import load_queries
from realworld.article_writes import ArticleWrites
from realworld.articles import create_articles_blueprint
from realworld.auth import TOKEN_SCHEME
from realworld.comments import create_comments_blueprint
from realworld.converters import init_converters
from realworld.profiles import create_profiles_blueprint
from realworld.schemas import GenericErrorModel
from realworld.tags import create_tags_blueprint
from realworld.users import create_users_blueprint
from web.body import OWN_ERROR_BODIES


def init_app(app, api, mysql, feeds, board_writes):
    profiles, articles, users = load_queries("profiles"), load_queries("articles"), load_queries("users")
    init_converters(app, api)
    api.spec.components.schema("GenericErrorModel", schema=GenericErrorModel)
    api.spec.components.security_scheme("Token", TOKEN_SCHEME)
    boards, tags = board_writes.boards, board_writes.tags
    writes = ArticleWrites(board_writes)
    blueprints = (
        create_articles_blueprint(mysql, articles, boards, tags, users, writes),
        create_tags_blueprint(mysql, tags),
        create_users_blueprint(mysql, users, load_queries("auth"), profiles),
        create_profiles_blueprint(mysql, profiles, load_queries("follows"), feeds),
        create_comments_blueprint(
            mysql, articles, load_queries("comments"), load_queries("article_comments")
        ),
    )
    for blueprint in blueprints:
        api.register_blueprint(blueprint)
    app.extensions[OWN_ERROR_BODIES] = frozenset(blueprint.name for blueprint in blueprints)
