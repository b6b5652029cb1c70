"""Where a request's statements go; the one place that decides (through
`Database.connection`, db.py). Routes never choose.

- A GET or HEAD reads from a replica that serves reads now (topology.py),
  picked at random, once that replica has applied the client's own recent
  writes (read_your_writes.py), waiting for them up to MYSQL_REPLICA_WAIT
  seconds; else from the primary.
- Everything else, and every transaction (`transaction()` asks for the
  primary itself), goes to the primary.
- A read whose server fails with a disconnect (on connecting, waiting or
  running a statement) moves to the next server: the dead one serves
  nothing until the checker sees it well again.
"""
import random

import MySQLdb
from flask import has_request_context, request

import db_events
from connection_settings import PRIMARY
from db_errors import is_disconnect
from read_your_writes import UNKNOWN

READ_METHODS = frozenset({"GET", "HEAD"})


def is_read_request():
    return has_request_context() and request.method in READ_METHODS


def read_candidates(topology, write_records):
    """(servers to try in order, the GTIDs of the client's own recent writes) for this read."""
    replicas = topology.serving_replicas()
    if not replicas:
        db_events.fallback("no-replica")
        return [PRIMARY], []
    written = write_records.client_writes()
    if written is UNKNOWN:
        db_events.fallback("unknown-writes")
        return [PRIMARY], []
    addresses = [replica.address for replica in replicas]
    random.shuffle(addresses)
    return [*addresses, PRIMARY], written


class ReadConnection:
    """What `mysql.connection` is for a read: a connection's stand-in that
    aiosql (or anyone) takes cursors from. It holds the first of the
    candidate servers that answers and has the client's writes, and moves
    once to the next one when a statement there fails with a disconnect."""

    def __init__(self, database, candidates):
        self.database = database
        servers, self._written = candidates
        self._servers = list(servers)
        self._moves_left = 1
        self._open_next()

    def cursor(self, *args, **kwargs):
        return ReadCursor(self, args, kwargs)

    def _open_next(self):
        failure = None
        while self._servers:
            address = self._servers.pop(0)
            try:
                conn = self.database.checkout(address)
                if address is not PRIMARY and not self._has_client_writes(conn):
                    # One wait per read: the other replicas are no further along, as a rule.
                    db_events.fallback("behind")
                    self._servers = [PRIMARY]
                    continue
            except MySQLdb.OperationalError as error:
                if not is_disconnect(error):
                    raise
                self.database.unreachable(address)
                if address is not PRIMARY:
                    db_events.fallback("unreachable")
                failure = error
                continue
            self.conn, self.address = conn, address
            return
        raise failure

    def _has_client_writes(self, conn):
        if not self._written:
            return True
        topology = self.database.topology
        return topology.caught_up(conn, topology.dialect(conn).combine(self._written))

    def move_on(self, error):
        """The server failed under a statement: the next one, once; else `error`."""
        if self._moves_left == 0 or not self._servers:
            raise error
        self._moves_left -= 1
        self.database.unreachable(self.address)
        db_events.fallback("unreachable")
        self._open_next()


class ReadCursor:
    """A cursor of the ReadConnection's current server that, when its
    statement fails with a disconnect, runs it again on the next server."""

    def __init__(self, owner, args, kwargs):
        self._owner = owner
        self._args = args, kwargs
        self._cursor = owner.conn.cursor(*args, **kwargs)

    def execute(self, query, args=None):
        try:
            return self._cursor.execute(query, args)
        except MySQLdb.OperationalError as error:
            if not is_disconnect(error):
                raise
            self._owner.move_on(error)
            self._cursor = self._owner.conn.cursor(*self._args[0], **self._args[1])
            return self._cursor.execute(query, args)

    def __iter__(self):
        return iter(self._cursor)

    def __getattr__(self, name):
        return getattr(self._cursor, name)
