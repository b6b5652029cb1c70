"""Tags in use: runs sql/queries/tags.sql (a board's tags are written by board_writes.py)."""
from flask.views import MethodView

from api import Blueprint, page, page_rows
from schemas import PageArgsSchema, TagPageSchema


def create_tag_blueprint(mysql, tags):
    blp = Blueprint("tags", __name__, description="Tags of boards")

    @blp.route("/tags")
    class Tags(MethodView):
        @blp.arguments(PageArgsSchema(), location="query")
        @blp.response(200, TagPageSchema)
        @blp.errors()
        def get(self, args):
            """A page of the tags boards have, newest tag first, with how many boards have each."""
            return page(page_rows(tags.list_tags_page, mysql.connection, args), args["limit"])

    return blp
