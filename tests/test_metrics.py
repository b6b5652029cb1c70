"""GET /metrics in one process (the test client): who may read it, what it
counts, and the functions the connection layer calls. The same across
worker processes: tests/test_metrics_processes.py."""
import math

import pytest
from prometheus_client.parser import text_string_to_metric_families

import metrics
from app import create_app
from config import check_production_settings
from tests.helpers import make_app

TOKEN = "metrics-token-for-the-tests-0123456789"


@pytest.fixture(scope="module")
def metrics_app(db_server, database_name, app):
    return make_app(db_server, database_name, METRICS_TOKEN=TOKEN)


@pytest.fixture
def metrics_client(metrics_app, db):
    return metrics_app.test_client()


def scrape(client):
    response = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200, response.data
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(response.get_data(as_text=True))
            for sample in family.samples}


def requests_of(samples, method, endpoint, status):
    key = ("boards_http_requests_total",
           (("endpoint", endpoint), ("method", method), ("status", str(status))))
    return samples.get(key, 0.0)


def test_no_metrics_route_without_a_token(client):
    assert client.get("/metrics").status_code == 404


def test_metrics_need_the_token(metrics_client):
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN},
                    {"Authorization": f"Bearer {TOKEN}x"}):
        response = metrics_client.get("/metrics", headers=headers)
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"] == 'Bearer realm="metrics"'
        assert b"boards_" not in response.data


def test_requests_are_counted_by_route_and_status_with_their_latency(metrics_client):
    before = scrape(metrics_client)
    for _ in range(3):
        assert metrics_client.get("/boards/987654").status_code == 404
    assert metrics_client.get("/boards").status_code == 200
    assert metrics_client.get("/no/such/path/42").status_code == 404
    after = scrape(metrics_client)
    board = "/boards/<id:board_id>"
    assert requests_of(after, "GET", board, 404) - requests_of(before, "GET", board, 404) == 3
    assert requests_of(after, "GET", "/boards", 200) - requests_of(before, "GET", "/boards", 200) == 1
    assert requests_of(after, "GET", "unmatched", 404) - requests_of(before, "GET", "unmatched", 404) == 1
    assert not any("/no/such" in str(labels) for _, labels in after)  # raw paths never become labels
    count = ("boards_http_request_duration_seconds_count", (("endpoint", board), ("method", "GET")))
    infinite = ("boards_http_request_duration_seconds_bucket",
                (("endpoint", board), ("le", "+Inf"), ("method", "GET")))
    assert after[count] - before.get(count, 0) == 3
    assert after[infinite] == after[count]
    total = ("boards_http_request_duration_seconds_sum", (("endpoint", board), ("method", "GET")))
    assert after[total] > before.get(total, 0)  # the latency is measured, not 0


def test_the_worker_backlog_is_read_when_scraped(metrics_client, world):
    samples = scrape(metrics_client)
    assert samples[("boards_worker_backlog_events", ())] >= 1  # world's board waits for the worker
    assert samples[("boards_worker_backlog_oldest_seconds", ())] >= 0


def test_the_connection_layer_functions_count(metrics_client):
    before = scrape(metrics_client)
    metrics.count_statement("primary")
    metrics.count_statement("replica")
    metrics.count_statement("replica")
    metrics.set_replica_lag("127.0.0.1:3307", 1.5)
    metrics.set_replica_lag("127.0.0.1:3308", None)
    metrics.count_fallback("replica_unreachable")
    after = scrape(metrics_client)

    def delta(name, labels):
        return after[(name, labels)] - before.get((name, labels), 0)

    # The scrape itself sends one statement to the primary (the worker's backlog).
    assert delta("boards_db_statements_total", (("role", "primary"),)) == 1 + 1
    assert delta("boards_db_statements_total", (("role", "replica"),)) == 2
    assert delta("boards_db_fallbacks_total", (("reason", "replica_unreachable"),)) == 1
    assert after[("boards_db_replica_lag_seconds", (("server", "127.0.0.1:3307"),))] == 1.5
    assert math.isnan(after[("boards_db_replica_lag_seconds", (("server", "127.0.0.1:3308"),))])
    with pytest.raises(ValueError):
        metrics.count_statement("secondary")


def test_nothing_is_counted_while_metrics_are_off(metrics_client, monkeypatch):
    before = scrape(metrics_client)
    monkeypatch.setattr(metrics, "_enabled", False)
    metrics.count_statement("primary")
    metrics.count_fallback("replica_lagging")
    monkeypatch.undo()
    after = scrape(metrics_client)
    primary = ("boards_db_statements_total", (("role", "primary"),))
    assert after.get(primary, 0) == before.get(primary, 0) + 1  # the scrape's own statement
    assert ("boards_db_fallbacks_total", (("reason", "replica_lagging"),)) not in after


def test_the_service_statements_are_counted_by_the_server_role(metrics_client, world):
    """The connection layer's listeners (db_events.py) are the metrics' own:
    without replicas every statement goes to the primary."""
    before = scrape(metrics_client)
    assert metrics_client.get(f"/boards/{world.board['id']}").status_code == 200
    after = scrape(metrics_client)
    primary = ("boards_db_statements_total", (("role", "primary"),))
    assert after[primary] - before.get(primary, 0) == 1 + 1  # the GET's one statement, and the scrape's


def test_production_refuses_a_short_metrics_token():
    app = create_app({"SECRET_KEY": "s" * 40, "BOARDS_ENV": "development", "METRICS_TOKEN": "short"})
    app.config["BOARDS_ENV"] = "production"
    with pytest.raises(RuntimeError, match="METRICS_TOKEN"):
        check_production_settings(app)
    app.config["METRICS_TOKEN"] = "m" * 32
    check_production_settings(app)
