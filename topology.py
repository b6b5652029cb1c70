"""The servers behind the service, the primary and MYSQL_REPLICAS, and
which replicas may serve reads now, as one checker thread per process sees
them every MYSQL_REPLICA_CHECK_SECONDS on connections of its own.

A replica serves reads while both its replication threads run and it is
at most MYSQL_REPLICA_MAX_LAG seconds behind (Seconds_Behind_Master/Source).
While the primary cannot be reached, the replicas' I/O threads cannot be
connected and their lag is unknown, but they cannot fall further behind a
primary that writes nothing: each keeps the standing of its last check
while the primary answered, as long as its SQL thread runs (the service is
then read-only). A replica that fails a request stops serving at once and
is checked again by the next round.
"""
import logging
import os
import threading
import time

import MySQLdb

import db_events
from dialects import ReplicaStatus, dialect_of_server

CHECK_TIMEOUT_SECONDS = 2
log = logging.getLogger("boards.replicas")


class Replica:
    def __init__(self, address):
        self.address = address
        self.name = "%s:%s" % address
        self.serving = False
        self.lag = None
        self.kept_up = True  # its standing at the last check while the primary answered
        self.receiving_since = time.monotonic()  # last seen connected to the primary
        self.problem = None  # why it does not serve, as last logged


class Topology:
    def __init__(self, config, settings):
        """`settings(address)`: the connect() arguments of a server (None: the primary)."""
        self.replicas = [Replica(address) for address in config["MYSQL_REPLICAS"]]
        self.max_lag = config["MYSQL_REPLICA_MAX_LAG"]
        self.interval = config["MYSQL_REPLICA_CHECK_SECONDS"]
        self.wait_seconds = config["MYSQL_REPLICA_WAIT"]
        self.primary_reachable = True
        self._settings = settings
        self._dialect = None
        self._lock = threading.Lock()
        self._checker_pid = None
        self._conns = {}  # the checker's own, by address
        self._stop = threading.Event()

    def serving_replicas(self):
        """The replicas that may serve reads now (starts the checker in this process)."""
        if self._checker_pid != os.getpid():
            self._start_checker()
        return [replica for replica in self.replicas if replica.serving]

    def mark_unreachable(self, address):
        for replica in self.replicas:
            if replica.address == address:
                replica.serving = False

    def dialect(self, conn):
        """The servers' dialect, read once per process from `conn`'s server."""
        if self._dialect is None:
            self._dialect = dialect_of_server(conn)
        return self._dialect

    def caught_up(self, conn, gtid):
        """Has the replica of `conn` applied `gtid`, within MYSQL_REPLICA_WAIT seconds?"""
        dialect = self.dialect(conn)
        return bool(dialect.queries.wait_for_gtid(conn, gtid=gtid, timeout=self.wait_seconds))

    def stop(self):
        self._stop.set()

    def _start_checker(self):
        with self._lock:
            if self._checker_pid == os.getpid():
                return
            self._conns = {}  # after a fork, the parent's connections are not ours
            self._checker_pid = os.getpid()
            threading.Thread(target=self._check_forever, name="replica-checker", daemon=True).start()

    def _check_forever(self):
        while not self._stop.is_set():
            self.check_once()
            self._stop.wait(self.interval)
        for conn in self._conns.values():
            conn.close()

    def check_once(self):
        # The replicas first, then the primary: a primary that dies in
        # between is then seen dead, with the replicas' standing from before.
        statuses = [(replica, self._read_status(replica)) for replica in self.replicas]
        self.primary_reachable = self._primary_answers()
        now = time.monotonic()
        for replica, status in statuses:
            serving, problem = self._standing(replica, status, now)
            replica.serving = serving
            db_events.replica_checked(replica.name, replica.lag, serving)
            if problem != replica.problem:
                if problem:
                    log.warning("replica %s serves no reads: %s", replica.name, problem)
                else:
                    log.info("replica %s serves reads", replica.name)
                replica.problem = problem

    def _primary_answers(self):
        try:
            self._conn(None).ping()
            return True
        except MySQLdb.Error:
            self._drop(None)
            return False

    def _read_status(self, replica):
        """Its ReplicaStatus, None when it is not a replica, or the error's text."""
        try:
            conn = self._conn(replica.address)
            dialect = self.dialect(conn)
            return dialect.replica_status(dialect.queries.replica_status(conn))
        except MySQLdb.Error as error:
            self._drop(replica.address)
            return f"cannot read its replication status: {error}"

    def _standing(self, replica, status, now):
        """(serves reads, why not)"""
        replica.lag = status.lag if isinstance(status, ReplicaStatus) else None
        if isinstance(status, str):
            return False, status
        if status is None:
            return False, "it is not a replica"
        if not status.applying:
            return False, "its SQL thread is stopped (not replicating)"
        if not self.primary_reachable:
            return replica.kept_up, None if replica.kept_up else "it was behind when the primary went away"
        if status.receiving:
            replica.receiving_since = now
            replica.kept_up = status.lag is not None and status.lag <= self.max_lag
            if not replica.kept_up:
                return False, f"{status.lag:.0f} s behind (MYSQL_REPLICA_MAX_LAG is {self.max_lag:g})"
            return True, None
        # Disconnected from a primary that answers: as far behind as it has been away.
        if now - replica.receiving_since > self.max_lag:
            replica.kept_up = False
        return False, "its I/O thread is not connected to the primary (not replicating)"

    def _conn(self, address):
        conn = self._conns.get(address)
        if conn is None:
            settings = {
                **self._settings(address),
                "cursorclass": MySQLdb.cursors.DictCursor,
                "connect_timeout": CHECK_TIMEOUT_SECONDS,
                "read_timeout": CHECK_TIMEOUT_SECONDS,
                "write_timeout": CHECK_TIMEOUT_SECONDS,
            }
            conn = self._conns[address] = MySQLdb.connect(**settings)
        return conn

    def _drop(self, address):
        conn = self._conns.pop(address, None)
        if conn is not None:
            try:
                conn.close()
            except MySQLdb.Error:
                pass
