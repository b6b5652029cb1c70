"""GET /health: is the service up, does the database answer (the primary;
while it does not, a replica: read-only), and how far behind is the worker
(its outbox backlog)."""
import MySQLdb
from flask.views import MethodView
from marshmallow import Schema, fields

from db import mark_connection_broken
from db_errors import is_disconnect
from errors import DB_RETRY_AFTER_SECONDS, RETRY_AFTER_HEADER
from api import Blueprint
from worker import BACKLOG_CAP, backlog_of


class WorkerSchema(Schema):
    backlog = fields.Integer(
        required=True, metadata={"description": f"outbox events waiting (counted up to {BACKLOG_CAP})"}
    )
    oldest_seconds = fields.Float(
        required=True, allow_none=True, metadata={"description": "age of the oldest, null when none waits"}
    )


class HealthSchema(Schema):
    status = fields.String(required=True, metadata={"example": "ok"})
    database = fields.String(required=True, metadata={"example": "ok"})
    worker = fields.Nested(WorkerSchema, metadata={"description": "when the database answers"})
    replicas = fields.Integer(metadata={"description": "with MYSQL_REPLICAS: how many serve reads now"})


def create_health_blueprint(mysql, feeds):
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
            """200 when the database answers ("read-only" when only replicas
            do: writes then answer 503), else 503 with Retry-After."""
            try:
                return report(backlog_of(feeds, mysql.primary), "ok", "ok")
            except MySQLdb.Error as error:
                if mysql.topology is None or not is_disconnect(error):
                    return unreachable()
                mysql.unreachable()
            try:
                return report(backlog_of(feeds, mysql.connection), "read-only", "primary unreachable")
            except MySQLdb.Error:
                return unreachable()

    def report(backlog, status, database):
        worker = {"backlog": backlog["events"], "oldest_seconds": backlog["oldest_seconds"]}
        body = {"status": status, "database": database, "worker": worker}
        if mysql.topology is not None:
            body["replicas"] = len(mysql.topology.serving_replicas())
        return body

    def unreachable():
        mark_connection_broken()
        return {"status": "degraded", "database": "unreachable"}, 503, {
            "Retry-After": str(DB_RETRY_AFTER_SECONDS)
        }

    return blp
