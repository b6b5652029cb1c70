"""GET /health: is the service up, and does the database answer."""
import MySQLdb
from flask.views import MethodView
from marshmallow import Schema, fields

from db import mark_connection_broken
from errors import DB_RETRY_AFTER_SECONDS, RETRY_AFTER_HEADER
from api import Blueprint


class HealthSchema(Schema):
    status = fields.String(required=True, metadata={"example": "ok"})
    database = fields.String(required=True, metadata={"example": "ok"})


def create_health_blueprint(mysql, health):
    blp = Blueprint("health", __name__, description="Liveness and database reachability")

    @blp.route("/health")
    class Health(MethodView):
        @blp.response(200, HealthSchema)
        @blp.alt_response(
            503,
            schema=HealthSchema,
            description="The database is unreachable",
            headers={"Retry-After": RETRY_AFTER_HEADER},
        )
        def get(self):
            """200 when the database answers, else 503 with Retry-After."""
            try:
                health.ping(mysql.connection)
            except MySQLdb.Error:
                mark_connection_broken()
                return {"status": "degraded", "database": "unreachable"}, 503, {
                    "Retry-After": str(DB_RETRY_AFTER_SECONDS)
                }
            return {"status": "ok", "database": "ok"}

    return blp
