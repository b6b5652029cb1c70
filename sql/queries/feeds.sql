-- Feeds: each reader's timeline (timeline_entries, with its floor and
-- length in timelines) and the outbox the worker empties. feeds.py holds
-- the rules; docs/queries.md ("The feed") the design and its figures.

-- name: enqueue(kind, author_id, board_id, now)!
-- A change the worker applies to the feeds: 'board_created',
-- 'board_deleted' or 'user_deleted', written in the change's transaction.
INSERT INTO outbox (kind, author_id, board_id, created_at)
VALUES (:kind, :author_id, :board_id, :now);

-- name: claim_event()^
-- The oldest event no other worker holds, locked until this transaction ends.
SELECT o.id, o.kind, o.author_id, o.board_id, o.progress
FROM outbox AS o
ORDER BY o.id
LIMIT 1
FOR UPDATE SKIP LOCKED;

-- name: advance_event(id, progress)!
-- A fan-out batch is done up to follower :progress.
UPDATE outbox
SET progress = :progress
WHERE id = :id;

-- name: finish_event(id)!
DELETE FROM outbox
WHERE id = :id;

-- name: backlog(cap)^
-- How many events wait (counted up to :cap, so the count stays cheap) and
-- when the oldest was written.
SELECT (SELECT COUNT(*) FROM (SELECT 1 FROM outbox LIMIT :cap) AS w) AS events,
       (SELECT MIN(o.created_at) FROM outbox AS o) AS oldest;

-- name: follower_batch_end(author_id, after, size)$
-- The last follower id of the next batch of :author_id's followers after
-- :after (NULL when there is none); a primary-key range of follows.
SELECT MAX(p.follower_id)
FROM (
        SELECT f.follower_id
        FROM follows AS f
        WHERE f.followee_id = :author_id
          AND f.follower_id > :after
        ORDER BY f.follower_id
        LIMIT :size) AS p;

-- name: fan_out(board_id, author_id, after, last)!
-- Put a board into the feeds of the author's followers in (:after, :last].
-- IGNORE: an entry a follow's backfill already made stays as it is. Joined
-- to the board, so a board deleted meanwhile goes nowhere.
INSERT IGNORE INTO timeline_entries (user_id, board_id, author_id)
SELECT f.follower_id, b.id, b.user_id
FROM follows AS f
JOIN boards AS b
    ON b.id = :board_id
WHERE f.followee_id = :author_id
  AND f.follower_id > :after
  AND f.follower_id <= :last;

-- name: count_fanned_out(author_id, after, last)!
-- Those feeds are one entry longer (an upper bound: an entry that was
-- already there is counted again, which only brings the next trim forward);
-- a follower without a timeline row (a database from before feeds, until
-- `flask rebuild`) gets one.
INSERT INTO timelines (user_id, entries)
SELECT f.follower_id, 1
FROM follows AS f
WHERE f.followee_id = :author_id
  AND f.follower_id > :after
  AND f.follower_id <= :last
ON DUPLICATE KEY UPDATE entries = entries + 1;

-- name: overlong_timelines(author_id, after, last, length)
-- Of those feeds, the ones longer than :length.
SELECT t.user_id
FROM follows AS f
JOIN timelines AS t
    ON t.user_id = f.follower_id
WHERE f.followee_id = :author_id
  AND f.follower_id > :after
  AND f.follower_id <= :last
  AND t.entries > :length;

-- name: remove_board(author_id, board_id, limit)!
-- Up to :limit entries of a deleted board, found through the author index.
DELETE FROM timeline_entries
WHERE author_id = :author_id
  AND board_id = :board_id
LIMIT :limit;

-- name: remove_author(author_id, limit)!
-- Up to :limit entries of a deleted user's boards.
DELETE FROM timeline_entries
WHERE author_id = :author_id
LIMIT :limit;

-- name: lock_timeline(user_id)^
-- A reader's timeline row, made if missing and locked: follow, unfollow,
-- trim and rebuild of one feed take this lock first, so they queue.
SELECT t.floor_board_id, t.entries
FROM timelines AS t
WHERE t.user_id = :user_id
FOR UPDATE;

-- name: create_timeline(user_id)!
INSERT INTO timelines (user_id)
VALUES (:user_id)
ON DUPLICATE KEY UPDATE user_id = user_id;

-- name: backfill(user_id, followee_id, floor, length)!
-- A new followee's newest boards at or above the reader's floor, at most
-- :length of them (an index range of boards).
INSERT IGNORE INTO timeline_entries (user_id, board_id, author_id)
SELECT :user_id, b.id, b.user_id
FROM boards AS b
WHERE b.user_id = :followee_id
  AND b.id >= :floor
ORDER BY b.id DESC
LIMIT :length;

-- name: remove_followee(user_id, followee_id)!
-- An unfollow: the followee's entries leave the reader's feed. Reads the
-- reader's entries only (at most a feed's length and its slack).
DELETE FROM timeline_entries
WHERE user_id = :user_id
  AND author_id = :followee_id;

-- name: count_entries(user_id, change)!
UPDATE timelines
SET entries = GREATEST(CAST(entries AS SIGNED) + :change, 0)
WHERE user_id = :user_id;

-- name: nth_entry(user_id, offset)$
-- The board id of the reader's entry at :offset, newest first (NULL when
-- the feed is shorter): reads :offset + 1 entries of the primary key.
SELECT e.board_id
FROM timeline_entries AS e
WHERE e.user_id = :user_id
ORDER BY e.board_id DESC
LIMIT 1 OFFSET :offset;

-- name: count_timeline(user_id)$
SELECT COUNT(*)
FROM timeline_entries AS e
WHERE e.user_id = :user_id;

-- name: cut_below(user_id, floor)!
-- Trim: the entries older than the new floor go.
DELETE FROM timeline_entries
WHERE user_id = :user_id
  AND board_id < :floor;

-- name: set_timeline(user_id, floor, entries)!
UPDATE timelines
SET floor_board_id = :floor,
    entries = :entries
WHERE user_id = :user_id;

-- name: clear_timeline(user_id)!
-- Rebuild: a reader's entries go, to be made again from follows.
DELETE FROM timeline_entries
WHERE user_id = :user_id;

-- name: refill_timeline(user_id, length)!
-- Rebuild: the newest :length boards of everyone the reader follows.
INSERT INTO timeline_entries (user_id, board_id, author_id)
SELECT :user_id, b.id, b.user_id
FROM follows AS f
JOIN boards AS b
    ON b.user_id = f.followee_id
WHERE f.follower_id = :user_id
ORDER BY b.id DESC
LIMIT :length;

-- name: readers_after(after, limit)
-- Rebuild: the next users by id who follow someone or have a feed.
SELECT u.id
FROM users AS u
WHERE u.id > :after
  AND (EXISTS (SELECT 1 FROM follows AS f WHERE f.follower_id = u.id)
       OR EXISTS (SELECT 1 FROM timelines AS t WHERE t.user_id = u.id))
ORDER BY u.id
LIMIT :limit;

-- name: follows_anyone(user_id)$
SELECT EXISTS (SELECT 1 FROM follows AS f WHERE f.follower_id = :user_id);

-- name: drop_timeline(user_id)!
-- Rebuild: a user who follows nobody has no feed.
DELETE FROM timelines
WHERE user_id = :user_id;
