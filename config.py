"""Configuration: defaults, the environment (read one by one, with types),
and the settings a production start refuses (a development SECRET_KEY, debug)."""
import logging
import os
import secrets
from datetime import timedelta

from page_routes import SWAGGER_ASSETS_URL

log = logging.getLogger("boards.app")

MIN_PRODUCTION_SECRET_LENGTH = 32
SSL_MODES = ("DISABLED", "PREFERRED", "REQUIRED", "VERIFY_CA", "VERIFY_IDENTITY")
DEVELOPMENT_SECRETS = frozenset(
    {
        "dev", "development", "secret", "secret-key", "secret_key", "changeme",
        "change-me", "change_me", "please-change-me", "test", "testing", "boards",
    }
)


def config_from_environment(env=os.environ):
    """Settings read one by one, with their types (see README: Configuration)."""
    return {
        "BOARDS_ENV": env.get("BOARDS_ENV", "development"),
        "SECRET_KEY": env.get("SECRET_KEY", ""),
        "MYSQL_HOST": env.get("MYSQL_HOST", "127.0.0.1"),
        "MYSQL_PORT": int(env.get("MYSQL_PORT", "3306")),
        "MYSQL_USER": env.get("MYSQL_USER", "root"),
        "MYSQL_PASSWORD": env.get("MYSQL_PASSWORD", ""),
        "MYSQL_DB": env.get("MYSQL_DB", "boards"),
        "MYSQL_UNIX_SOCKET": env.get("MYSQL_UNIX_SOCKET") or None,
        "MYSQL_CONNECT_TIMEOUT": int(env.get("MYSQL_CONNECT_TIMEOUT", "5")),
        "MYSQL_READ_TIMEOUT": int(env.get("MYSQL_READ_TIMEOUT", "30")),
        "MYSQL_WRITE_TIMEOUT": int(env.get("MYSQL_WRITE_TIMEOUT", "30")),
        "MYSQL_SSL_MODE": ssl_mode(env.get("MYSQL_SSL_MODE", "")),
        "JWT_ACCESS_TOKEN_EXPIRES": timedelta(
            seconds=int(env.get("ACCESS_TOKEN_SECONDS", "3600"))
        ),
        "LOG_LEVEL": env.get("LOG_LEVEL", "INFO"),
        "CORS_ORIGINS": [o.strip() for o in env.get("CORS_ORIGINS", "").split(",") if o.strip()],
        "RATELIMIT_ENABLED": env.get("RATELIMIT_ENABLED", "true").lower() not in ("0", "false", "no"),
        "RATELIMIT_STORAGE_URI": env.get("RATELIMIT_STORAGE_URI") or "memory://",
        "RATELIMIT_KEY_PREFIX": env.get("RATELIMIT_KEY_PREFIX", "boards"),
        "LOGIN_FAILURES_PER_ACCOUNT": env.get("LOGIN_FAILURES_PER_ACCOUNT", "5/minute"),
        "LOGIN_FAILURES_PER_ADDRESS": env.get("LOGIN_FAILURES_PER_ADDRESS", "50/minute"),
        "METRICS_TOKEN": env.get("METRICS_TOKEN", ""),
        **replica_config(env),
    }


def replica_config(env):
    """Read replicas and the shared state they need (README: Scaling out)."""
    return {
        "MYSQL_REPLICAS": replica_addresses(env.get("MYSQL_REPLICAS", "")),
        "MYSQL_REPLICA_MAX_LAG": float(env.get("MYSQL_REPLICA_MAX_LAG", "5")),
        "MYSQL_REPLICA_CHECK_SECONDS": float(env.get("MYSQL_REPLICA_CHECK_SECONDS", "1")),
        "MYSQL_REPLICA_WAIT": positive_seconds("MYSQL_REPLICA_WAIT", env.get("MYSQL_REPLICA_WAIT", "0.05")),
        "REDIS_URL": env.get("REDIS_URL") or None,
        "REDIS_KEY_PREFIX": env.get("REDIS_KEY_PREFIX", "boards"),
        "TRUSTED_PROXIES": int(env.get("TRUSTED_PROXIES", "0")),
    }


def replica_addresses(value):
    """MYSQL_REPLICAS "host:port[,host:port...]" as (host, port) pairs; the
    port defaults to 3306."""
    addresses = []
    for item in (part.strip() for part in value.split(",")):
        if not item:
            continue
        host, colon, port = item.rpartition(":")
        if not colon:
            host, port = item, "3306"
        if not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError(f"MYSQL_REPLICAS: {item!r} is not host:port.")
        addresses.append((host.strip("[]"), int(port)))
    return addresses


def positive_seconds(name, value):
    seconds = float(value)
    if not seconds > 0:
        raise ValueError(f"{name} must be more than 0 seconds (got {value!r}).")
    return seconds


def ssl_mode(value):
    """MYSQL_SSL_MODE: one of mysqlclient's ssl_mode names, or None (unset)
    for the driver's default."""
    mode = value.strip().upper()
    if not mode:
        return None
    if mode not in SSL_MODES:
        raise ValueError(f"MYSQL_SSL_MODE must be one of {', '.join(SSL_MODES)} (got {value!r}).")
    return mode


API_SETTINGS = {
    "API_TITLE": "Boards",
    "API_VERSION": "1.0",
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": "/",
    "OPENAPI_JSON_PATH": "openapi.json",
    "OPENAPI_SWAGGER_UI_PATH": "/swagger-ui",
    "OPENAPI_SWAGGER_UI_URL": SWAGGER_ASSETS_URL,
    "MAX_CONTENT_LENGTH": 1024 * 1024,
}


def development_secret_key(app):
    """Outside production (check_production_settings refuses it there), a
    missing SECRET_KEY becomes a random one, with a warning."""
    if app.config["SECRET_KEY"]:
        return
    app.config["SECRET_KEY"] = secrets.token_urlsafe(32)
    log.warning("SECRET_KEY is not set: using a random one; tokens die with this process.")


def check_replica_settings(app):
    """Replicas need Redis: it is where every instance finds the writes a
    client's reads must show (read_your_writes.py)."""
    if app.config["MYSQL_REPLICAS"] and not app.config["REDIS_URL"]:
        raise RuntimeError("MYSQL_REPLICAS needs REDIS_URL (read-your-writes across instances).")


def check_production_settings(app):
    """Refuse to start in production with a development secret or debug on."""
    if app.config.get("BOARDS_ENV") != "production":
        return
    secret = app.config.get("SECRET_KEY") or ""
    if not secret:
        raise RuntimeError("SECRET_KEY must be set when BOARDS_ENV=production.")
    if secret.lower() in DEVELOPMENT_SECRETS or len(secret) < MIN_PRODUCTION_SECRET_LENGTH:
        raise RuntimeError(
            "SECRET_KEY is a development value or shorter than "
            f"{MIN_PRODUCTION_SECRET_LENGTH} characters; set a random one for production."
        )
    metrics_token = app.config.get("METRICS_TOKEN") or ""
    if metrics_token and len(metrics_token) < MIN_PRODUCTION_SECRET_LENGTH:
        raise RuntimeError(
            f"METRICS_TOKEN is shorter than {MIN_PRODUCTION_SECRET_LENGTH} characters; "
            "set a random one for production (or unset it: no /metrics)."
        )
    if app.debug:
        raise RuntimeError("Debug mode must be off when BOARDS_ENV=production.")
