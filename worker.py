"""`flask --app app worker`: applies the outbox to the feeds, off the request.

Each batch (one outbox event's next FAN_OUT_BATCH followers, or its next
removals) is one transaction that also records how far the event got, so a
worker killed mid-batch loses nothing and applies nothing twice: the
uncommitted batch is rolled back by the server and done again by the next
worker. Several workers may run: each claims events the others do not hold
(SKIP LOCKED). Idle, it looks for work every POLL_SECONDS; it logs the
backlog every LOG_EVERY_SECONDS and purges expired token revocations every
PURGE_EVERY_SECONDS. SIGTERM (or Ctrl-C) stops it after the batch it is in.
"""
import logging
import signal
import threading
import time

import click
import MySQLdb
from flask import current_app
from flask.cli import with_appcontext

import revocations
from db import in_transaction
from db_errors import is_disconnect
from queries import utc_now

POLL_SECONDS = 0.2
RETRY_SECONDS = 2
LOG_EVERY_SECONDS = 30
PURGE_EVERY_SECONDS = 60
BACKLOG_CAP = 1000

log = logging.getLogger("boards.worker")


def init_app(app):
    app.cli.add_command(worker_command)


@click.command("worker")
@with_appcontext
def worker_command():
    """Apply the outbox to the feeds until stopped (SIGTERM or Ctrl-C)."""
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    run(current_app, stop)


def run(app, stop, poll=POLL_SECONDS):
    """Work until `stop` is set; one app context per batch."""
    mysql, feeds = app.extensions["boards_db"], app.extensions["boards_feeds"]
    log.info("worker started")
    next_log = next_purge = 0.0
    while not stop.is_set():
        now = time.monotonic()
        try:
            with app.app_context():
                worked = in_transaction(mysql, feeds.apply_next_event)
                if now >= next_log:
                    log_backlog(feeds, mysql.connection)
                    next_log = now + LOG_EVERY_SECONDS
                if now >= next_purge:
                    revocations.purge_expired_revocations(mysql.connection)
                    next_purge = now + PURGE_EVERY_SECONDS
        except MySQLdb.OperationalError as error:
            if not is_disconnect(error):
                raise
            log.warning("database unreachable, trying again in %s s: %s", RETRY_SECONDS, error)
            stop.wait(RETRY_SECONDS)
            continue
        if not worked:
            stop.wait(poll)
    log.info("worker stopped")


def drain(app):
    """Apply every waiting event now, in this thread (tests; `rebuild`)."""
    mysql, feeds = app.extensions["boards_db"], app.extensions["boards_feeds"]
    with app.app_context():
        while in_transaction(mysql, feeds.apply_next_event):
            pass


def log_backlog(feeds, conn):
    backlog = backlog_of(feeds, conn)
    log.info("outbox backlog: %s events, oldest %s s", backlog["events"], backlog["oldest_seconds"])


def backlog_of(feeds, conn):
    """{"events": waiting events (counted up to BACKLOG_CAP), "oldest_seconds":
    the age of the oldest, or None}: what /health and the log show."""
    row = feeds.backlog(conn, BACKLOG_CAP)
    oldest = row["oldest"]
    age = None if oldest is None else round((utc_now() - oldest).total_seconds(), 1)
    return {"events": row["events"], "oldest_seconds": age}
