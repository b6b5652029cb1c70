"""RealWorld's /api in the service's own /openapi.json: every operation of
the spec (v2.0.0), each documenting the statuses it answers with RealWorld's
error body, its token and its body errors; and what every /api answer
shares: CORS preflights for configured origins (as a frontend on another
origin sends them), Vary: Authorization, a database outage as 503."""
from scripts.processes import free_port
from tests.helpers import make_app

ERROR_REF = {"$ref": "#/components/schemas/GenericErrorModel"}
BODY_ERRORS = {"400", "413", "415", "422"}
SPEC_OPERATIONS = {
    "POST /api/users/login", "POST /api/users", "GET /api/user", "PUT /api/user",
    "GET /api/profiles/{username}", "POST /api/profiles/{username}/follow",
    "DELETE /api/profiles/{username}/follow",
    "GET /api/articles/{slug}/comments", "POST /api/articles/{slug}/comments",
    "DELETE /api/articles/{slug}/comments/{comment_id}",
    "GET /api/articles", "POST /api/articles", "GET /api/articles/feed",
    "GET /api/articles/{slug}", "PUT /api/articles/{slug}", "DELETE /api/articles/{slug}",
    "POST /api/articles/{slug}/favorite", "DELETE /api/articles/{slug}/favorite",
    "GET /api/tags",
}
PREFLIGHT = {
    "Access-Control-Request-Method": "PUT",
    "Access-Control-Request-Headers": "authorization, content-type",
}


def api_operations(spec):
    for path, operations in spec["paths"].items():
        if path.startswith("/api/"):
            for method, operation in operations.items():
                if method != "parameters":
                    yield f"{method.upper()} {path}", operation


def test_every_realworld_operation_is_documented(app):
    spec = app.test_client().get("/openapi.json").json
    assert {label for label, _ in api_operations(spec)} == SPEC_OPERATIONS


def test_every_api_error_is_documented_with_the_realworld_body(app):
    spec = app.test_client().get("/openapi.json").json
    assert spec["components"]["securitySchemes"]["Token"] == {
        "type": "apiKey", "in": "header", "name": "Authorization",
        "description": spec["components"]["securitySchemes"]["Token"]["description"],
    }
    for label, operation in api_operations(spec):
        responses = operation["responses"]
        assert "503" in responses and "Retry-After" in responses["503"]["headers"], label
        if "requestBody" in operation:
            assert BODY_ERRORS <= set(responses), f"{label}: body errors not all listed"
        if {"Token": []} in operation.get("security", []) and {} not in operation["security"]:
            assert "401" in responses, f"{label}: needs a token but does not list 401"
        if "{" in label:
            assert "404" in responses, f"{label}: has a path parameter but does not list 404"
        for status, response in responses.items():
            if status.startswith(("4", "5")) or status == "default":
                assert response["content"]["application/json"]["schema"] == ERROR_REF, (label, status)


def test_cors_preflight_for_a_configured_origin(db_server, database_name, db, monkeypatch):
    monkeypatch.setenv("CORS_ORIGINS", "https://conduit.example")
    client = make_app(db_server, database_name).test_client()
    preflight = client.options("/api/user", headers={"Origin": "https://conduit.example", **PREFLIGHT})
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == "https://conduit.example"
    assert "PUT" in preflight.headers["Access-Control-Allow-Methods"]
    assert {"authorization", "content-type"} <= {
        h.strip().lower() for h in preflight.headers["Access-Control-Allow-Headers"].split(",")}
    answer = client.get("/api/profiles/nobody", headers={"Origin": "https://conduit.example"})
    assert answer.status_code == 404
    assert answer.headers["Access-Control-Allow-Origin"] == "https://conduit.example"
    other = client.options("/api/user", headers={"Origin": "https://evil.example", **PREFLIGHT})
    assert "Access-Control-Allow-Origin" not in other.headers


def test_answers_vary_by_token(client, db):
    """following and favorited depend on the caller: caches keep the answers apart."""
    for url in ("/api/articles", "/api/tags", "/api/profiles/nobody"):
        assert "Authorization" in client.get(url).headers.get("Vary", ""), url


def test_a_database_outage_is_503_in_the_realworld_body(db_server, database_name, db):
    unreachable = make_app(db_server, database_name, MYSQL_HOST="127.0.0.1", MYSQL_PORT=free_port(),
                           MYSQL_UNIX_SOCKET=None)
    response = unreachable.test_client().get("/api/tags")
    assert response.status_code == 503
    assert response.json == {"errors": {"database": ["is unavailable; try again shortly"]}}
    assert int(response.headers["Retry-After"]) > 0
