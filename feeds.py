"""Each reader's feed, kept by fan-out on write (docs/queries.md, "The feed").

A reader's timeline is every board by the people they follow whose id is at
or above the timeline's floor, newest first, about FEED_LENGTH entries long:
- a new board is written to the outbox in its own transaction; the worker
  (worker.py) adds it to the followers' feeds, FAN_OUT_BATCH followers per
  transaction, and trims a feed that has grown SLACK past FEED_LENGTH, which
  raises its floor;
- a follow adds the followee's newest boards down to the floor, an unfollow
  removes the followee's entries, both in the request's transaction and
  bounded by the feed's length;
- a deleted board or user is gone from every feed at once (the feed's query
  joins boards); the worker then removes their entries in batches.
Every step on one reader's feed first locks its `timelines` row.
"""
from queries import utc_now

FEED_LENGTH = 1000
SLACK = 100
FAN_OUT_BATCH = 1000
REMOVE_BATCH = 5000
BOARD_CREATED, BOARD_DELETED, USER_DELETED = "board_created", "board_deleted", "user_deleted"


class Feeds:
    """The feed rules over the named queries of sql/queries/feeds.sql; each
    method runs in the caller's transaction, on its connection."""

    def __init__(self, queries):
        self.queries = queries

    def enqueue(self, conn, kind, author_id, board_id=None):
        self.queries.enqueue(conn, kind=kind, author_id=author_id, board_id=board_id, now=utc_now())

    def follow(self, conn, user_id, followee_id):
        """The followee's newest boards at or above the floor join the feed."""
        floor, entries = self._lock(conn, user_id)
        added = self.queries.backfill(
            conn, user_id=user_id, followee_id=followee_id, floor=floor, length=FEED_LENGTH
        )
        self.queries.count_entries(conn, user_id=user_id, change=added)
        # A full backfill may have left out older boards of the followee above
        # the floor; a trim raises the floor past them.
        if added == FEED_LENGTH or entries + added > FEED_LENGTH + SLACK:
            self._trim(conn, user_id)

    def unfollow(self, conn, user_id, followee_id):
        self._lock(conn, user_id)
        removed = self.queries.remove_followee(conn, user_id=user_id, followee_id=followee_id)
        self.queries.count_entries(conn, user_id=user_id, change=-removed)

    def apply_next_event(self, conn):
        """One batch of the oldest unclaimed outbox event; False when none waits."""
        event = self.queries.claim_event(conn)
        if event is None:
            return False
        if event["kind"] == BOARD_CREATED:
            done = self._fan_out_batch(conn, event)
        elif event["kind"] == BOARD_DELETED:
            removed = self.queries.remove_board(
                conn, author_id=event["author_id"], board_id=event["board_id"], limit=REMOVE_BATCH
            )
            done = removed < REMOVE_BATCH
        else:
            removed = self.queries.remove_author(conn, author_id=event["author_id"], limit=REMOVE_BATCH)
            done = removed < REMOVE_BATCH
        if done:
            self.queries.finish_event(conn, id=event["id"])
        return True

    def backlog(self, conn, cap):
        return self.queries.backlog(conn, cap=cap)

    def rebuild(self, conn, user_id):
        """A reader's feed made again from follows and boards."""
        self._lock(conn, user_id)
        self.queries.clear_timeline(conn, user_id=user_id)
        entries = self.queries.refill_timeline(conn, user_id=user_id, length=FEED_LENGTH)
        floor = self._nth(conn, user_id, FEED_LENGTH - 1) if entries == FEED_LENGTH else 0
        if entries == 0 and not self.queries.follows_anyone(conn, user_id=user_id):
            self.queries.drop_timeline(conn, user_id=user_id)
        else:
            self.queries.set_timeline(conn, user_id=user_id, floor=floor, entries=entries)

    def readers_after(self, conn, after, limit):
        return [row["id"] for row in self.queries.readers_after(conn, after=after, limit=limit)]

    def _fan_out_batch(self, conn, event):
        batch = {"author_id": event["author_id"], "after": event["progress"]}
        last = self.queries.follower_batch_end(conn, size=FAN_OUT_BATCH, **batch)
        if last is None:
            return True
        self.queries.fan_out(conn, board_id=event["board_id"], last=last, **batch)
        self.queries.count_fanned_out(conn, last=last, **batch)
        for row in list(self.queries.overlong_timelines(conn, last=last, length=FEED_LENGTH + SLACK, **batch)):
            self._trim(conn, row["user_id"])
        self.queries.advance_event(conn, id=event["id"], progress=last)
        return False

    def _lock(self, conn, user_id):
        """(floor, entries) of the reader's timeline row, locked; made if missing."""
        row = self.queries.lock_timeline(conn, user_id=user_id)
        if row is None:
            self.queries.create_timeline(conn, user_id=user_id)
            row = self.queries.lock_timeline(conn, user_id=user_id)
        return row["floor_board_id"], row["entries"]

    def _trim(self, conn, user_id):
        """Back to FEED_LENGTH entries: the floor rises to the oldest one kept."""
        floor = self._nth(conn, user_id, FEED_LENGTH - 1)
        if floor is None:  # shorter than it was counted: count it
            entries = self.queries.count_timeline(conn, user_id=user_id)
            floor = self.queries.lock_timeline(conn, user_id=user_id)["floor_board_id"]
        else:
            self.queries.cut_below(conn, user_id=user_id, floor=floor)
            entries = FEED_LENGTH
        self.queries.set_timeline(conn, user_id=user_id, floor=floor, entries=entries)

    def _nth(self, conn, user_id, offset):
        return self.queries.nth_entry(conn, user_id=user_id, offset=offset)
