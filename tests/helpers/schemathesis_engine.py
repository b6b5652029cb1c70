"""schemathesis's engine, run in the test process the way `schemathesis run`
runs it (every phase of the config), and what it found: the failed checks,
the engine's own errors, and the statuses each operation answered. Also the
check both fuzzed APIs add (`status_listed_explicitly`, registered once, here)
and `bound`, a parameter bound to a dictionary of values."""
import collections
import json

import schemathesis
from schemathesis.engine import events, from_schema


class FailedCheck:
    """One failed check, with what the request and its answer said."""

    def __init__(self, phase, recorder, case_id, check):
        case = recorder.cases[case_id].value
        interaction = recorder.interactions.get(case_id)
        response = interaction.response if interaction else None
        self.operation = case.operation.label
        self.check = check.name
        self.path_parameters = dict(case.path_parameters or {})
        self.status = response.status_code if response is not None else None
        self.message = answer_message(response)
        self.errors = answer_errors(response)
        failure = check.failure_info.failure
        self.text = (
            f"[{phase}] {self.operation} {self.check}: {failure.title}\n{failure.message}\n"
            f"{check.failure_info.code_sample}"
        )[:1500]


def answer_errors(response):
    """RealWorld's error body's `errors` (/api), or None."""
    try:
        return json.loads(response.content)["errors"]
    except (AttributeError, TypeError, ValueError, KeyError):
        return None


def answer_message(response):
    try:
        return json.loads(response.content)["message"]
    except (AttributeError, TypeError, ValueError, KeyError):
        return None


class Run:
    def __init__(self):
        self.failed_checks = []
        self.errors = []
        self.cases = collections.Counter()
        self.statuses = collections.defaultdict(collections.Counter)

    def record(self, event):
        if isinstance(event, (events.NonFatalError, events.FatalError)):
            self.errors.append(f"{getattr(event, 'label', '')}: {event.value!r}"[:1500])
        if not isinstance(event, events.ScenarioFinished):
            return
        recorder = event.recorder
        self.cases[event.phase.value] += len(recorder.cases)
        for case_id, interaction in recorder.interactions.items():
            operation = recorder.cases[case_id].value.operation
            # Probes with another method (unsupported_method, OPTIONS) are not the operation's answers.
            if interaction.response is not None and interaction.request.method == operation.method.upper():
                self.statuses[operation.label][interaction.response.status_code] += 1
        for case_id, checks in recorder.checks.items():
            for check in checks:
                if check.failure_info is not None:
                    self.failed_checks.append(FailedCheck(event.phase.value, recorder, case_id, check))

    def summary(self):
        lines = [f"cases per phase {dict(self.cases)}"]
        for label, statuses in sorted(self.statuses.items()):
            lines.append(f"  {label}: {dict(sorted(statuses.items()))}")
        return "\n".join(lines)


@schemathesis.check
def status_listed_explicitly(ctx, response, case):
    """The answered status is one the operation lists by number (or range),
    not only covered by `default`. A probe with a method the operation does
    not have (405) is not an answer of this operation: `unsupported_method`
    checks those."""
    if response.request.method != case.operation.method.upper():
        return None
    listed = set(case.operation.definition.raw.get("responses", {})) - {"default"}
    status = str(response.status_code)
    if status not in listed and f"{status[0]}XX" not in listed:
        raise AssertionError(
            f"{case.operation.label} answered {status}, which its OpenAPI entry does not list "
            f"(listed: {sorted(listed)})"
        )
    return None


def bound(dictionary):
    return {"dictionary": dictionary}


def run_schemathesis(schema_url, config, exclude_path_regex=None):
    """Loads the OpenAPI document at schema_url and runs every phase of config
    on it (on the operations whose path does not match exclude_path_regex)."""
    schema = schemathesis.openapi.from_url(schema_url, config=config)
    if exclude_path_regex:
        schema = schema.exclude(path_regex=exclude_path_regex)
    run = Run()
    for event in from_schema(schema).execute():
        run.record(event)
    return run
