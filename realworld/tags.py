"""/api/tags: runs tags.sql's list_tags_page."""
from flask.views import MethodView

from pagination import FIRST_PAGE_BEFORE_ID
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
            """Tags in use (every tag is: one no article has is deleted), the
            newest 100, sorted by name."""
            rows = tags.list_tags_page(mysql.connection, before_id=FIRST_PAGE_BEFORE_ID, limit=TAGS_SHOWN)
            return {"tags": sorted(row["name"] for row in rows)}

    return blp
