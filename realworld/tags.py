"""/api/tags: runs tags.sql's list_popular_tags."""
from flask.views import MethodView

from realworld.blueprint import Blueprint
from realworld.schemas import TagsResponse

TAGS_SHOWN = 100


def create_tags_blueprint(mysql, tags):
    blp = Blueprint("realworld_tags", __name__, description="RealWorld: tags")

    @blp.route("/tags")
    class Tags(MethodView):
        @blp.response(200, TagsResponse)
        @blp.errors()
        def get(self):
            """Tags in use (one no article has is deleted): the 100 most used,
            sorted by name (every tag, while there are no more than 100)."""
            rows = tags.list_popular_tags(mysql.connection, limit=TAGS_SHOWN)
            return {"tags": sorted(row["name"] for row in rows)}

    return blp
