"""The HTML side: the management pages (render only, no SQL; they talk to
the JSON API from the browser) and Swagger UI's assets, served locally."""
from flask import Blueprint, render_template, send_from_directory
from swagger_ui_bundle import swagger_ui_path

SWAGGER_ASSETS_URL = "/swagger-ui-assets/"


def create_page_blueprint():
    blp = Blueprint("pages", __name__)

    @blp.get("/manage-users")
    def manage_users():
        return render_template("users.html", page="users")

    @blp.get("/manage-boards")
    def manage_boards():
        return render_template("boards.html", page="boards")

    @blp.get(SWAGGER_ASSETS_URL + "<path:filename>")
    def swagger_assets(filename):
        return send_from_directory(swagger_ui_path, filename, max_age=86400)

    return blp
