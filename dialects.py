"""What differs between MariaDB and MySQL 8.4 in replication, in one place:
the query file (sql/queries/replication_<name>.sql: a write's GTID, waiting
for it on a replica, the replica's status), the status columns' names, and
how two recorded GTIDs combine. Chosen once, from the server's VERSION()."""
import functools
from dataclasses import dataclass
from typing import NamedTuple

from queries import load_queries


class ReplicaStatus(NamedTuple):
    receiving: bool  # the I/O thread is connected to the primary
    applying: bool  # the SQL thread runs
    lag: float | None  # seconds behind the primary; None when unknown


@dataclass(frozen=True)
class Dialect:
    name: str
    io_running: str
    sql_running: str
    seconds_behind: str

    @property
    def queries(self):
        return replication_queries(f"replication_{self.name}")

    def replica_status(self, row):
        """The status row of SHOW SLAVE/REPLICA STATUS, read; None when the
        server is not a replica."""
        if row is None:
            return None
        lag = row[self.seconds_behind]
        return ReplicaStatus(
            receiving=row[self.io_running] == "Yes",
            applying=row[self.sql_running] == "Yes",
            lag=None if lag is None else float(lag),
        )

    def combine(self, gtids):
        """One GTID position covering every one of `gtids` (None for none)."""
        gtids = [gtid for gtid in gtids if gtid]
        if not gtids:
            return None
        if self.name == "mysql":
            # The union of GTID sets is their text joined with commas.
            return ",".join(dict.fromkeys(gtids))
        newest = {}  # MariaDB: per replication domain, the highest sequence number
        for gtid in (part.strip() for position in gtids for part in position.split(",")):
            domain, _server, sequence = gtid.split("-")
            if domain not in newest or int(sequence) > int(newest[domain].rsplit("-", 1)[1]):
                newest[domain] = gtid
        return ",".join(newest[domain] for domain in sorted(newest, key=int))


MARIADB = Dialect("mariadb", "Slave_IO_Running", "Slave_SQL_Running", "Seconds_Behind_Master")
MYSQL = Dialect("mysql", "Replica_IO_Running", "Replica_SQL_Running", "Seconds_Behind_Source")


@functools.cache
def replication_queries(name):
    return load_queries(name)


def dialect_of(version):
    """The dialect of a server from its VERSION() string."""
    return MARIADB if "mariadb" in version.lower() else MYSQL


def dialect_of_server(conn):
    return dialect_of(replication_queries("replication").server_version(conn))
