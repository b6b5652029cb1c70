"""docker-compose.yml as data, for the tests that read it: its services, which
of them each profile enables, their environment with Compose's ${...}
interpolation, and the Compose Specification's JSON schema."""
import json
import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_TEXT = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
COMPOSE = yaml.safe_load(COMPOSE_TEXT)
SERVICES = COMPOSE["services"]
SCHEMA_PATH = Path("shared", "compose-spec", "compose-spec.json")


def compose_schema():
    """The Compose Specification's JSON schema from ../shared/ (the nearest
    shared/ beside the repository or beside one of its parent folders, so a
    git worktree finds it too)."""
    for folder in ROOT.parents:
        if (folder / SCHEMA_PATH).is_file():
            return json.loads((folder / SCHEMA_PATH).read_text(encoding="utf-8"))
    raise FileNotFoundError(f"no {SCHEMA_PATH} beside {ROOT} or its parents")


PROFILES = sorted({profile for spec in SERVICES.values() for profile in spec.get("profiles", [])})
SELECTIONS = [None, *PROFILES]  # None: `docker compose up` without --profile
SELECTION_IDS = ["default", *PROFILES]

VARIABLE = re.compile(r"\$\{(\w+)(?:(:?[-?])([^}]*))?\}|\$\$")


def service(name):
    return SERVICES[name]


def enabled_services(profile):
    """The services `docker compose [--profile PROFILE] up` starts."""
    return {
        name for name, spec in SERVICES.items()
        if not spec.get("profiles") or (profile is not None and profile in spec["profiles"])
    }


def project_for(profile):
    """The model Compose works on with this profile: only its services."""
    return {**COMPOSE, "services": {name: SERVICES[name] for name in sorted(enabled_services(profile))}}


def interpolate(value, env):
    """Compose's ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error} and $$."""

    def replace(match):
        if match.group(0) == "$$":
            return "$"
        name, operator, argument = match.groups()
        value = env.get(name)
        missing = value is None or (operator and operator.startswith(":") and value == "")
        if operator and operator.endswith("?") and missing:
            raise KeyError(f"{name}: {argument}")
        if operator and operator.endswith("-") and missing:
            return argument
        return value or ""

    return VARIABLE.sub(replace, str(value))


def environment(name, env=None):
    """A service's environment as written or, given env, as Compose passes it."""
    variables = service(name).get("environment", {})
    if isinstance(variables, list):
        variables = dict(item.split("=", 1) for item in variables)
    if env is None:
        return {key: str(value) for key, value in variables.items()}
    return {key: interpolate(value, env) for key, value in variables.items()}


def command(name):
    value = service(name).get("command", [])
    return value if isinstance(value, list) else value.split()


def mounts(name):
    """(source, target) of each short-syntax volume."""
    return [tuple(volume.split(":")[:2]) for volume in service(name).get("volumes", [])]


def healthcheck_command(name):
    test = service(name)["healthcheck"]["test"]
    return test if isinstance(test, list) else ["CMD-SHELL", test]


def published_ports(name):
    """(host port, container port) of each published port."""
    ports = []
    for port in service(name).get("ports", []):
        if isinstance(port, dict):
            ports.append((str(port.get("published", "")), str(port["target"])))
        else:
            *host, container = str(port).split(":")
            ports.append((host[-1] if host else "", container))
    return ports


def replicas(name):
    return int(service(name).get("deploy", {}).get("replicas", 1))


def dependencies(name):
    """{service: condition} of depends_on."""
    depends_on = service(name).get("depends_on", {})
    if isinstance(depends_on, list):
        return {target: "service_started" for target in depends_on}
    return {target: spec.get("condition", "service_started") for target, spec in depends_on.items()}


def one_shot_services():
    """Services others wait to see finish: they exit, the rest run on."""
    return {
        target for name in SERVICES for target, condition in dependencies(name).items()
        if condition == "service_completed_successfully"
    }


def app_image_services():
    """The services built from this repository's Dockerfile."""
    return {name for name, spec in SERVICES.items() if "build" in spec}
