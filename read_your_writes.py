"""Read-your-writes across workers and instances, by GTID.

After a request that wrote, the GTID of its last commit on the primary is
kept in Redis (REDIS_URL) for a while under the client's keys: the token's
user, and the client's address (a sign-up has no token yet). A later read
by that client, through any worker of any instance, takes the GTIDs of both
keys, and the replica it is routed to must have applied them
(routing.py), else the read goes to the primary. Reads of a client without
recent writes cost one Redis round trip and nothing on the database.

A request with an Authorization header that is not one of our live tokens
has no known user: its reads go to the primary, as do those of a request
with a token while Redis does not answer (a logout must be seen at once).
Without a token, a read while Redis does not answer goes to a replica
(it may then lag, within MYSQL_REPLICA_MAX_LAG).
"""
import logging
import time

import jwt
import redis
from flask import request

from auth import bearer_token, verified_claims

UNKNOWN = object()  # the client's writes cannot be known: read from the primary
KEPT_PER_KEY = 8  # concurrent writes of one client that all count
REDIS_TIMEOUT_SECONDS = 0.5
WARN_EVERY_SECONDS = 10  # while Redis is away, not a warning per request

log = logging.getLogger("boards.replicas")


class WriteRecords:
    def __init__(self, config, topology):
        self.topology = topology
        self.redis = redis.Redis.from_url(
            config["REDIS_URL"],
            socket_timeout=REDIS_TIMEOUT_SECONDS,
            socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
        )
        self.prefix = f"{config['REDIS_KEY_PREFIX']}:writes"
        # Long enough that a replica serving reads (at most MAX_LAG behind)
        # has applied a write once its record has expired.
        self.seconds_kept = max(60, int(3 * config["MYSQL_REPLICA_MAX_LAG"]) + 1)
        self._warned_at = -WARN_EVERY_SECONDS

    def client_keys(self):
        """The Redis keys of this request's client; None when it carries an
        Authorization header that is not a live bearer token of ours."""
        keys = [self._address_key()]
        if "Authorization" not in request.headers:
            return keys
        token = bearer_token()
        try:
            claims = verified_claims(token) if token else None
        except jwt.PyJWTError:
            claims = None
        if claims is None:
            return None
        return [*keys, f"{self.prefix}:user:{claims['sub']}"]

    def client_writes(self):
        """The GTIDs of this client's recent writes (a list, maybe empty), or UNKNOWN."""
        keys = self.client_keys()
        if keys is None:
            return UNKNOWN
        try:
            with self.redis.pipeline(transaction=False) as pipe:
                for key in keys:
                    pipe.lrange(key, 0, -1)
                found = pipe.execute()
        except redis.RedisError as error:
            self._warn("Redis did not answer (%s): reads with a token go to the primary", error)
            return UNKNOWN if len(keys) > 1 else []
        return [gtid.decode() for gtids in found for gtid in gtids]

    def record(self, conn):
        """After a request that used the primary: its last commit's GTID
        under the client's keys, unless that GTID is recorded already
        (raises the driver's error when the primary fails)."""
        gtid = self.topology.dialect(conn).queries.last_gtid(conn)
        if not gtid or gtid == getattr(conn, "recorded_gtid", None):
            return
        keys = self.client_keys() or [self._address_key()]
        try:
            with self.redis.pipeline(transaction=True) as pipe:
                for key in keys:
                    pipe.lpush(key, gtid)
                    pipe.ltrim(key, 0, KEPT_PER_KEY - 1)
                    pipe.expire(key, self.seconds_kept)
                pipe.execute()
        except redis.RedisError as error:
            self._warn("Redis did not answer (%s): a write's GTID is not kept; its client's "
                       "reads may miss it for up to MYSQL_REPLICA_MAX_LAG seconds", error)
            return
        conn.recorded_gtid = gtid

    def _address_key(self):
        return f"{self.prefix}:address:{request.remote_addr}"

    def _warn(self, message, error):
        now = time.monotonic()
        if now - self._warned_at >= WARN_EVERY_SECONDS:
            self._warned_at = now
            log.warning(message, error)
