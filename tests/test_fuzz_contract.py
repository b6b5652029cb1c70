"""The HTTP contract, fuzzed: schemathesis generates requests for every
operation of the service's own /openapi.json and checks every answer.

Result to keep: no server error, no response that breaks its documented
schema or content type, no status that is not listed explicitly for its
operation (the generic `default` response does not count as documenting one).
Runs are repeatable: a fixed seed, a bounded number of examples, no example
database.
"""
import collections

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from tests.helpers import make_app

SEED = 20261124
EXAMPLES = {"positive": 25, "negative": 25, "existing": 10}
BODY_ERRORS = {"400", "413", "415", "422"}


def status_listed_explicitly(ctx, response, case):
    """The answered status is one the operation lists by number (or range),
    not only covered by `default`."""
    listed = set(case.operation.definition.raw.get("responses", {})) - {"default"}
    status = str(response.status_code)
    if status not in listed and f"{status[0]}XX" not in listed:
        raise AssertionError(
            f"{case.operation.label} answered {status}, which its OpenAPI entry does not list "
            f"(listed: {sorted(listed)})"
        )


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    status_listed_explicitly,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
]


def spec_operations(spec):
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if method != "parameters":
                yield f"{method.upper()} {path}", operation


def test_every_error_answer_is_documented_with_the_error_body(app):
    spec = app.test_client().get("/openapi.json").json
    error_ref = {"$ref": "#/components/schemas/Error"}
    components = spec["components"]["responses"]
    for label, operation in spec_operations(spec):
        responses = operation["responses"]
        assert "503" in responses, f"{label}: a database outage (503) is not documented"
        if "requestBody" in operation:
            assert BODY_ERRORS <= set(responses), f"{label}: body errors not all listed"
        if operation.get("security"):
            assert "401" in responses, f"{label}: needs a token but does not list 401"
        if "{" in label:
            assert "404" in responses, f"{label}: has a path id but does not list 404"
        for status, response in responses.items():
            if not (status.startswith(("4", "5")) or status == "default"):
                continue
            if "$ref" in response:
                response = components[response["$ref"].rsplit("/", 1)[1]]
            schema = response["content"]["application/json"]["schema"]
            if status == "503":
                assert "Retry-After" in response.get("headers", {}), f"{label}: 503 without Retry-After"
            if label == "GET /health" and status == "503":
                continue  # the health body says which part is down
            assert schema == error_ref, f"{label} {status}: not the error body"


def fresh_rows(client, signup):
    """A caller (their bearer headers) and rows for path ids to point at, so
    that owner-only, follow and read paths answer something other than 404.
    Made anew for each operation: the fuzzer may delete or change them."""
    _me, my_headers = signup()
    other, other_headers = signup()
    other_board = client.post("/boards", json={"title": "theirs"}, headers=other_headers).json
    my_board = client.post("/boards", json={"title": "mine"}, headers=my_headers).json
    my_comment = client.post(
        f"/boards/{other_board['id']}/comments", json={"content": "c"}, headers=my_headers
    ).json
    path_ids = {"user_id": other["id"], "board_id": my_board["id"], "comment_id": my_comment["id"]}
    return my_headers, path_ids


def fuzz_operation(operation, mode, examples, headers, tally, path_parameters=None):
    strategy = operation.as_strategy(
        generation_mode=GenerationMode.NEGATIVE if mode == "negative" else GenerationMode.POSITIVE,
        path_parameters=path_parameters,
    )

    @given(strategy)
    @settings(
        max_examples=examples,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @seed(SEED)
    def run(case):
        tally.requests[operation.label] += 1
        try:
            response = case.call_and_validate(headers=headers, checks=CHECKS)
        except Exception as failure:  # collected, so one run reports them all
            tally.failures.append(f"{operation.label} [{mode}]: {failure}"[:1500])
            return
        tally.statuses[operation.label][response.status_code] += 1

    try:
        run()
    except Unsatisfiable:
        # Nothing to make invalid (no parameters, no body): no negative case.
        assert mode == "negative", f"{operation.label}: no {mode} case could be generated"


class Tally:
    def __init__(self):
        self.requests = collections.Counter()
        self.statuses = collections.defaultdict(collections.Counter)
        self.failures = []


@pytest.fixture
def fuzzed_app(db_server, database_name, app):
    """An app of its own on the test database, so that its in-memory login
    limits count only the fuzzer's failed logins, not the other tests'."""
    return make_app(db_server, database_name)


@pytest.mark.slow
def test_fuzz_every_operation(fuzzed_app, client, signup, db):
    schema = schemathesis.openapi.from_wsgi("/openapi.json", fuzzed_app)
    tally = Tally()
    operations = [result.ok() for result in schema.get_all_operations()]
    for operation in operations:
        headers, path_ids = fresh_rows(client, signup)
        fuzz_operation(operation, "positive", EXAMPLES["positive"], headers, tally)
        fuzz_operation(operation, "negative", EXAMPLES["negative"], headers, tally)
        names = {parameter.name for parameter in operation.path_parameters}
        if names:
            headers, path_ids = fresh_rows(client, signup)
            bound = {name: value for name, value in path_ids.items() if name in names}
            fuzz_operation(operation, "existing", EXAMPLES["existing"], headers, tally, bound)

    print(f"\nschemathesis: {len(operations)} operations, {sum(tally.requests.values())} requests")
    for label, count in tally.requests.items():
        print(f"  {label}: {count} requests, statuses {dict(sorted(tally.statuses[label].items()))}")
    spec = fuzzed_app.test_client().get("/openapi.json").json
    assert len(operations) == len(list(spec_operations(spec)))
    assert set(tally.requests) == {operation.label for operation in operations}
    assert tally.failures == [], "\n\n".join(tally.failures)
