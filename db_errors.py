"""Which driver errors mean what: the server cannot be reached, or it rolled
a transaction back for a lock conflict."""
import MySQLdb

DISCONNECT_CODES = frozenset({2002, 2003, 2006, 2013, 2055})
# A lock wait timeout or a deadlock rolls the transaction back: busy, not a bug.
# 1467 (ER_AUTOINC_READ_FAILED) is how InnoDB reports a deadlock met while
# taking a table's auto-increment lock (seen here on MariaDB 10.11, in
# tags.count_tags' INSERT ... ON DUPLICATE KEY UPDATE racing a board delete).
LOCK_CONFLICT_CODES = frozenset({1205, 1213, 1467})


def is_lock_conflict(error):
    """True when a driver error is a deadlock or a lock wait timeout
    (the transaction was rolled back and may run again)."""
    return _has_code(error, LOCK_CONFLICT_CODES)


def is_disconnect(error):
    """True when a driver error means the server cannot be reached."""
    return _has_code(error, DISCONNECT_CODES)


def _has_code(error, codes):
    return isinstance(error, MySQLdb.OperationalError) and bool(error.args) and error.args[0] in codes
