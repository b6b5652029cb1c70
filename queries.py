"""The named queries of `sql/queries/*.sql`, as callables, and the clock
their timestamps come from."""
from datetime import datetime, timezone
from pathlib import Path

import aiosql
from aiosql.adapters.mysql import BrokenMySQLAdapter

SQL_DIR = Path(__file__).resolve().parent / "sql"


class _LastRowIdAdapter(BrokenMySQLAdapter):
    """aiosql's mysqldb adapter, with `<!` returning the new AUTO_INCREMENT id
    (MySQL has no RETURNING)."""

    def insert_returning(self, conn, query_name, sql, parameters):
        cur = self._cursor(conn)
        try:
            cur.execute(sql, parameters or None)
            return cur.lastrowid
        finally:
            cur.close()


def load_queries(name):
    """The named queries of sql/queries/<name>.sql, called as
    `queries.get_board(conn, id=1)`."""
    return aiosql.from_path(SQL_DIR / "queries" / f"{name}.sql", _LastRowIdAdapter)


def utc_now():
    """Now, as the tables store it: naive UTC, to the microsecond. Rows take
    their timestamps from the service's clock, so a new row can be answered
    without reading it back."""
    return datetime.now(timezone.utc).replace(tzinfo=None)
