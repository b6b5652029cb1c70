"""What the connection layer reports, for whoever counts it (metrics).

Append a callable to one of these lists; it is called in the thread that did
the thing, so it must be quick and must not raise. All are empty by default,
and an empty list costs one truth test.

- STATEMENT_LISTENERS: `f(role)` before every statement the service runs on
  an app connection (requests, the worker); `role` is "primary" or "replica".
- FALLBACK_LISTENERS: `f(reason)` when a read meant for a replica goes to
  another server: "unreachable" (the replica failed; the read moved on),
  "behind" (the replica had not applied the client's own last write in
  time), "no-replica" (none serves reads now), "unknown-writes" (Redis did
  not answer, so a request with a token went to the primary).
- REPLICA_LISTENERS: `f(address, lag, serving)` after each check of a
  replica: "host:port", its lag in seconds (None when unknown: stopped,
  unreachable) and whether it serves reads.
"""
import MySQLdb

STATEMENT_LISTENERS = []
FALLBACK_LISTENERS = []
REPLICA_LISTENERS = []


def fallback(reason):
    for listener in FALLBACK_LISTENERS:
        listener(reason)


def replica_checked(address, lag, serving):
    for listener in REPLICA_LISTENERS:
        listener(address, lag, serving)


class ObservedCursor(MySQLdb.cursors.DictCursor):
    """The cursor of every app connection: a DictCursor that tells
    STATEMENT_LISTENERS which server role each statement goes to (the
    connection's `server_role`, set when Database opened it; "primary" for
    connections the CLI opens)."""

    def execute(self, query, args=None):
        if STATEMENT_LISTENERS:
            role = getattr(self.connection, "server_role", "primary")
            for listener in STATEMENT_LISTENERS:
                listener(role)
        return super().execute(query, args)
