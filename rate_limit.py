"""Login brute-force limits: failed logins per account and per client
address, counted with `limits` (flask-limiter's storage library: in memory,
or Redis when RATELIMIT_STORAGE_URI is set).

Not the flask-limiter extension itself: it adds three hooks to every request
to enforce route limits, and the only limit here is on failed logins, which
the login view checks itself.

Only failures are counted, so signing in normally is never slowed. A caller
over either limit gets 429 with Retry-After, before its password is checked,
whether the password is right or not.
"""
import logging
import math
import time

from flask import current_app, request
from flask_smorest import abort
from limits import parse, storage, strategies

from auth import password_matches

log = logging.getLogger("boards.rate_limit")

class LoginLimits:
    def __init__(self, app):
        self.enabled = app.config["RATELIMIT_ENABLED"]
        self.strategy = strategies.MovingWindowRateLimiter(
            storage.storage_from_string(app.config["RATELIMIT_STORAGE_URI"])
        )
        self.prefix = app.config["RATELIMIT_KEY_PREFIX"]
        self.per_account = parse(app.config["LOGIN_FAILURES_PER_ACCOUNT"])
        self.per_address = parse(app.config["LOGIN_FAILURES_PER_ADDRESS"])

    def _buckets(self, login, email):
        """(limit, key) pairs: the account is its user id when it exists, so
        spelling variants of one email (the column's collation ignores case
        and accents) share one count; else the email as given, case-folded."""
        account = f"user:{login['id']}" if login else f"email:{email.strip().casefold()}"
        address = f"address:{request.remote_addr}"
        return (
            (self.per_account, (self.prefix, "login-failures", account)),
            (self.per_address, (self.prefix, "login-failures", address)),
        )

    def seconds_blocked(self, login, email):
        """0 when a login may be tried; else the seconds until it may."""
        if not self.enabled:
            return 0
        strategy = self.strategy
        waits = [0]
        try:
            for limit, key in self._buckets(login, email):
                if not strategy.test(limit, *key):
                    reset = strategy.get_window_stats(limit, *key).reset_time
                    waits.append(max(1, math.ceil(reset - time.time())))
        except Exception:  # noqa: BLE001 - any storage backend's error: fail open, say so
            log.exception("login rate-limit storage unreachable; not limiting")
            return 0
        return max(waits)

    def record_failure(self, login, email):
        if not self.enabled:
            return
        try:
            for limit, key in self._buckets(login, email):
                self.strategy.hit(limit, *key)
        except Exception:  # noqa: BLE001 - as above
            log.exception("login rate-limit storage unreachable; failure not counted")


def init_rate_limits(app):
    app.extensions["login_limits"] = LoginLimits(app)


def check_login_allowed(login, email):
    """Abort with 429 when this account or this address failed too often."""
    wait = current_app.extensions["login_limits"].seconds_blocked(login, email)
    if wait:
        abort(
            429,
            message=f"Too many failed logins; try again in {wait} seconds.",
            headers={"Retry-After": str(wait)},
        )


def record_failed_login(login, email):
    current_app.extensions["login_limits"].record_failure(login, email)


def checked_login(logins, conn, email, password):
    """The login row (auth.sql's get_login) of this email and password, or
    None, the failure counted; 429 while the account or address is blocked.
    What the native and RealWorld logins both do."""
    login = logins.get_login(conn, email=email)
    check_login_allowed(login, email)
    if not password_matches(login["password_hash"] if login else None, password):
        record_failed_login(login, email)
        return None
    return login
