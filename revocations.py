"""Revocations that outlived their tokens are purged in bounded batches:
one batch at every logout (auth_routes.py), and all of them by
`purge_expired_revocations(conn)`, for a periodic job. A row is kept
CLOCK_SKEW past its token's expiry: an instance whose clock is behind still
takes the token as unexpired for that long, and must still find it revoked."""
from datetime import timedelta

from queries import load_queries, utc_now

PURGE_BATCH = 100
CLOCK_SKEW = timedelta(minutes=1)


def purge_expired_revocations(conn, logins=None, *, now=None, max_batches=None):
    """Delete the revocations of expired tokens, PURGE_BATCH rows per
    statement (each its own short transaction); returns how many."""
    logins = logins or load_queries("auth")
    before = (now or utc_now()) - CLOCK_SKEW
    purged = batches = 0
    while max_batches is None or batches < max_batches:
        deleted = logins.purge_revocations(conn, before=before, limit=PURGE_BATCH)
        purged += deleted
        batches += 1
        if deleted < PURGE_BATCH:
            break
    return purged
