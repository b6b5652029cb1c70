"""What the scale bench measures of one request, over HTTP on 127.0.0.1:
the rows the database server read for it, its latency, and how long a new
board takes to reach a follower's feed."""
import http.client
import statistics
import time

from scripts.processes import http_call

HANDLER_READS = "SHOW GLOBAL STATUS LIKE 'Handler_read%'"
POLL_SECONDS = 0.01
FAN_OUT_TIMEOUT = 120


class RowsRead:
    """The server's `Handler_read_%` counters, summed, around one request.
    Global counters: on the bench's own server nothing else runs (the
    worker is stopped while rows are counted); reading them adds reads of
    its own, measured once and taken off."""

    def __init__(self, conn):
        self.conn = conn
        readings = [self.total() for _ in range(5)]
        self.overhead = min(after - before for before, after in zip(readings, readings[1:]))

    def total(self):
        with self.conn.cursor() as cursor:
            cursor.execute(HANDLER_READS)
            return sum(int(value) for _name, value in cursor.fetchall())

    def per_request(self, port, method, path, headers, samples):
        """The median of `samples` single requests' rows read (after 3
        unmeasured ones, so the server thread holds its connection), and the
        statuses seen."""
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        counts, statuses = [], set()
        try:
            for _ in range(3):
                http_call(port, method, path, headers=headers, conn=conn)
            for _ in range(samples):
                before = self.total()
                statuses.add(http_call(port, method, path, headers=headers, conn=conn).status)
                counts.append(self.total() - before - self.overhead)
        finally:
            conn.close()
        return statistics.median(counts), sorted(statuses)


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def latency(seconds):
    """p50/p99 in ms and req/s of sequential requests that took `seconds` each."""
    return {"p50_ms": percentile(seconds, 0.5) * 1000, "p99_ms": percentile(seconds, 0.99) * 1000,
            "rps": len(seconds) / sum(seconds), "requests": len(seconds)}


def sequential(port, method, path, headers, requests, body=None, expect=200):
    """Each request's seconds, one after another on one keep-alive connection."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    times = []
    try:
        for _ in range(requests):
            started = time.perf_counter()
            reply = http_call(port, method, path, body=body, headers=headers, conn=conn)
            times.append(time.perf_counter() - started)
            if reply.status != expect:
                raise RuntimeError(f"{method} {path}: {reply.status} {reply.body[:300]!r}")
    finally:
        conn.close()
    return times


def alternating_posts(port, authors, requests, body):
    """POST /boards `requests` times by each of `authors` ({name: headers}),
    taking turns, so machine load moves them alike: {name: [seconds]}."""
    times = {name: [] for name in authors}
    for _ in range(requests):
        for name, headers in authors.items():
            times[name] += sequential(port, "POST", "/boards", headers, 1, body=body, expect=201)
    return times


def time_to_feeds(port, author_headers, readers, body):
    """Seconds from a new board's 201 until it heads each of `readers`'
    feeds ({name: headers}), polled every POLL_SECONDS: {name: seconds}."""
    reply = http_call(port, "POST", "/boards", body=body, headers=author_headers)
    posted = time.monotonic()
    if reply.status != 201:
        raise RuntimeError(f"POST /boards: {reply.status} {reply.body[:300]!r}")
    board_id = reply.json()["id"]
    waiting, reached = dict(readers), {}
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        while waiting:
            if time.monotonic() - posted > FAN_OUT_TIMEOUT:
                raise RuntimeError(f"board {board_id} not in {sorted(waiting)}'s feeds "
                                   f"after {FAN_OUT_TIMEOUT} s")
            for name, headers in list(waiting.items()):
                page = http_call(port, "GET", "/feed?limit=1", headers=headers, conn=conn).json()
                if page and page["items"] and page["items"][0]["id"] == board_id:
                    reached[name] = round(time.monotonic() - posted, 3)
                    del waiting[name]
            time.sleep(POLL_SECONDS)
    finally:
        conn.close()
    return reached


def wait_for_empty_outbox(port, timeout=FAN_OUT_TIMEOUT):
    """Seconds until GET /health shows no outbox backlog."""
    started = time.monotonic()
    while http_call(port, "GET", "/health").json()["worker"]["backlog"]:
        if time.monotonic() - started > timeout:
            raise RuntimeError(f"the outbox still had a backlog after {timeout} s")
        time.sleep(0.05)
    return time.monotonic() - started
