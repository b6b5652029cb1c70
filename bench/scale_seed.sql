-- The scale bench's dataset (bench/scale_seed.py has its shape), made with
-- INSERT ... SELECT from a generated sequence: a recursive CTE makes 0..999
-- (on MariaDB 10.11 and MySQL 8.4 alike; MySQL stops a recursion at 1,000
-- levels), and crossed with itself it numbers every row. No `%` in this
-- file: the driver's placeholders are pyformat, so MOD() is the modulo.
-- Then the derived state, set-based, as `flask --app app rebuild` would
-- leave it: the stored counts of boards, users and tags and the total of
-- boards counted from their base tables, each reader's feed the newest
-- :length boards of the people they follow.

-- name: fast_bulk_load()!
-- This session only: the rows are new and consistent by construction.
SET SESSION foreign_key_checks = 0;

-- name: create_digits()#
CREATE TABLE scale_digits (
    d INT UNSIGNED NOT NULL,
    CONSTRAINT pk_scale_digits PRIMARY KEY (d)
) ENGINE = InnoDB;

-- name: fill_digits()!
INSERT INTO scale_digits (d)
WITH RECURSIVE s (d) AS (
    SELECT 0
    UNION ALL
    SELECT d + 1 FROM s WHERE d < 999)
SELECT d FROM s;

-- name: create_numbers()#
CREATE TABLE scale_numbers (
    n INT UNSIGNED NOT NULL,
    CONSTRAINT pk_scale_numbers PRIMARY KEY (n)
) ENGINE = InnoDB;

-- name: fill_numbers(count)!
-- 1..:count (up to 10^9); the bounds on b and c keep the cross join small.
INSERT INTO scale_numbers (n)
SELECT 1 + a.d + 1000 * b.d + 1000000 * c.d
FROM scale_digits AS c
JOIN scale_digits AS b
    ON b.d <= LEAST(999, (:count - 1) DIV 1000)
JOIN scale_digits AS a
    ON a.d <= 999
WHERE c.d <= (:count - 1) DIV 1000000
  AND a.d + 1000 * b.d + 1000000 * c.d < :count;

-- name: insert_users(users, password_hash, epoch)!
-- Users 1..:users, all with the same password hash (a login checks one).
INSERT INTO users (id, name, email, password_hash, created_at, updated_at)
SELECT s.n, CONCAT('user', s.n), CONCAT('user', s.n, '@example.com'), :password_hash,
       DATE_ADD(:epoch, INTERVAL s.n SECOND), DATE_ADD(:epoch, INTERVAL s.n SECOND)
FROM scale_numbers AS s
WHERE s.n <= :users;

-- name: insert_boards(boards, hot_board, hot_author, celebrity, celebrity_every, quiet_first, quiet_boards, active_first, active_authors, active_every, ordinary_first, ordinary, epoch)!
-- Boards 1..:boards in creation order. The oldest belong to the quiet
-- authors (:quiet_boards each), every :celebrity_every-th to the celebrity,
-- every :active_every-th to one of the active authors in turn, the rest to
-- ordinary users spread by a multiplicative step.
INSERT INTO boards (id, user_id, title, content, comment_count, created_at, updated_at)
SELECT s.n,
       CASE
           WHEN s.n <= 3 * :quiet_boards THEN :quiet_first + (s.n - 1) DIV :quiet_boards
           WHEN s.n = :hot_board THEN :hot_author
           WHEN MOD(s.n, :celebrity_every) = 0 THEN :celebrity
           WHEN MOD(s.n, :active_every) = 0 THEN :active_first + MOD(s.n DIV :active_every, :active_authors)
           ELSE :ordinary_first + MOD(s.n * 7919, :ordinary)
       END,
       CONCAT('Board ', s.n),
       CONCAT('Seeded board number ', s.n, ': a few words of content, enough to be a row.'),
       0,
       DATE_ADD(:epoch, INTERVAL s.n SECOND), DATE_ADD(:epoch, INTERVAL s.n SECOND)
FROM scale_numbers AS s
WHERE s.n <= :boards;

-- name: insert_hot_comments(hot_board, hot_comments, ordinary_first, ordinary, epoch)!
-- Comments 1..:hot_comments, all on the hot board, by ordinary users.
INSERT INTO comments (id, board_id, user_id, content, created_at)
SELECT s.n, :hot_board, :ordinary_first + MOD(s.n, :ordinary), CONCAT('Comment ', s.n, ' on the hot board'),
       DATE_ADD(:epoch, INTERVAL s.n SECOND)
FROM scale_numbers AS s
WHERE s.n <= :hot_comments;

-- name: insert_other_comments(first_id, count, boards, ordinary_first, ordinary, epoch)!
-- :count comments after id :first_id, spread over all boards.
INSERT INTO comments (id, board_id, user_id, content, created_at)
SELECT :first_id + s.n, 1 + MOD(s.n * 104729, :boards), :ordinary_first + MOD(s.n * 31, :ordinary),
       CONCAT('Comment ', s.n), DATE_ADD(:epoch, INTERVAL :first_id + s.n SECOND)
FROM scale_numbers AS s
WHERE s.n <= :count;

-- name: insert_follows_of_range(follower, followee_first, count)!
-- :follower follows :count users from :followee_first on.
INSERT INTO follows (follower_id, followee_id)
SELECT :follower, :followee_first + s.n - 1
FROM scale_numbers AS s
WHERE s.n <= :count;

-- name: insert_followers_of(followee, follower_first, count)!
-- :count users from :follower_first on follow :followee.
INSERT INTO follows (follower_id, followee_id)
SELECT :follower_first + s.n - 1, :followee
FROM scale_numbers AS s
WHERE s.n <= :count;

-- name: insert_ordinary_follows(ordinary_first, ordinary, per_user, step)!
-- Every ordinary user follows :per_user other ordinary users, :step apart
-- (so each of them also has :per_user followers).
INSERT INTO follows (follower_id, followee_id)
SELECT :ordinary_first + s.n - 1, :ordinary_first + MOD(s.n - 1 + k.n * :step, :ordinary)
FROM scale_numbers AS s
JOIN scale_numbers AS k
    ON k.n <= :per_user
WHERE s.n <= :ordinary;

-- name: insert_tags(tags)!
-- Tags 1..:tags, named tag1, tag2, ...; tag 1 is the big one.
INSERT INTO tags (id, name, board_count)
SELECT s.n, CONCAT('tag', s.n), 0
FROM scale_numbers AS s
WHERE s.n <= :tags;

-- name: insert_big_tag(big_tag_every)!
-- Tag 1 on every :big_tag_every-th board.
INSERT INTO board_tags (board_id, tag_id, author_id)
SELECT b.id, 1, b.user_id
FROM boards AS b
WHERE MOD(b.id, :big_tag_every) = 0;

-- name: insert_other_tags(tags, ten_tags_every, boards)!
-- Tags 2..:tags, consecutive ones from a point the board's id picks: 0 to 2
-- on most boards, 9 on every :ten_tags_every-th (a multiple of the big
-- tag's step, so those have 10 with it). How many goes by the distance
-- from the newest board (:boards), so the newest pages have the same tags
-- at every size. STRAIGHT_JOIN: once, at 1,000,000 boards, MariaDB drove
-- the join from the sequence, scanning every board for each number (over
-- 5 minutes instead of 10 s).
INSERT INTO board_tags (board_id, tag_id, author_id)
SELECT b.id, 2 + MOD(b.id * 31 + k.n, :tags - 1), b.user_id
FROM boards AS b
STRAIGHT_JOIN scale_numbers AS k
    ON k.n <= IF(MOD(b.id, :ten_tags_every) = 0, 9, MOD(:boards - b.id, 3));

-- name: insert_favorites_of_user(user_id, first_id, count, boards, epoch)!
-- Favorites :first_id + 1.. of :user_id: :count boards spread over all
-- (7919 is prime, so the boards differ while :count <= :boards).
INSERT INTO favorites (id, user_id, board_id, created_at)
SELECT :first_id + s.n, :user_id, 1 + MOD((s.n - 1) * 7919, :boards),
       DATE_ADD(:epoch, INTERVAL :first_id + s.n SECOND)
FROM scale_numbers AS s
WHERE s.n <= :count;

-- name: insert_favoriters_of_board(board_id, first_id, user_first, count, epoch)!
-- Favorites :first_id + 1.. of :board_id, by :count users from :user_first on.
INSERT INTO favorites (id, user_id, board_id, created_at)
SELECT :first_id + s.n, :user_first + s.n - 1, :board_id,
       DATE_ADD(:epoch, INTERVAL :first_id + s.n SECOND)
FROM scale_numbers AS s
WHERE s.n <= :count;

-- name: drop_sequences()#
DROP TABLE scale_numbers, scale_digits;

-- name: count_boards()!
-- boards.comment_count and favorite_count, as rebuild.recount_comments
-- leaves them.
UPDATE boards AS b
LEFT JOIN (
        SELECT c.board_id, COUNT(*) AS counted
        FROM comments AS c
        GROUP BY c.board_id) AS kc
    ON kc.board_id = b.id
LEFT JOIN (
        SELECT f.board_id, COUNT(*) AS counted
        FROM favorites AS f
        GROUP BY f.board_id) AS kf
    ON kf.board_id = b.id
SET b.comment_count = COALESCE(kc.counted, 0),
    b.favorite_count = COALESCE(kf.counted, 0);

-- name: count_users()!
-- users.board_count and favorite_count, as rebuild.recount_users leaves them.
UPDATE users AS u
LEFT JOIN (
        SELECT b.user_id, COUNT(*) AS counted
        FROM boards AS b
        GROUP BY b.user_id) AS kb
    ON kb.user_id = u.id
LEFT JOIN (
        SELECT f.user_id, COUNT(*) AS counted
        FROM favorites AS f
        GROUP BY f.user_id) AS kf
    ON kf.user_id = u.id
SET u.board_count = COALESCE(kb.counted, 0),
    u.favorite_count = COALESCE(kf.counted, 0);

-- name: count_boards_of_tags()!
-- tags.board_count, as rebuild.recount_tags leaves it.
UPDATE tags AS t
JOIN (
        SELECT bt.tag_id, COUNT(*) AS counted
        FROM board_tags AS bt
        GROUP BY bt.tag_id) AS k
    ON k.tag_id = t.id
SET t.board_count = k.counted;

-- name: count_boards_total()!
-- The total of boards in slot 0, the other slots 0, as
-- rebuild.recount_boards_total leaves it.
UPDATE counters AS c
SET c.value = IF(c.slot = 0, (SELECT COUNT(*) FROM boards AS b), 0)
WHERE c.name = 'boards';

-- name: fill_timelines(after, last, length)!
-- The feeds of readers (:after, :last]: the newest :length boards of the
-- people each follows (feeds.refill_timeline, for many readers at once).
-- The derived table holds ids only.
INSERT INTO timeline_entries (user_id, board_id, author_id)
SELECT r.follower_id, r.board_id, r.author_id
FROM (
        SELECT f.follower_id, b.id AS board_id, b.user_id AS author_id,
               ROW_NUMBER() OVER (PARTITION BY f.follower_id ORDER BY b.id DESC) AS place
        FROM follows AS f
        JOIN boards AS b
            ON b.user_id = f.followee_id
        WHERE f.follower_id > :after
          AND f.follower_id <= :last) AS r
WHERE r.place <= :length;

-- name: fill_timeline_rows(length)!
-- Every reader's timeline row: a full feed's floor is its oldest entry,
-- a shorter one goes back to the first board (feeds.rebuild's rule).
INSERT INTO timelines (user_id, floor_board_id, entries)
SELECT r.follower_id,
       CASE WHEN COUNT(e.board_id) = :length THEN MIN(e.board_id) ELSE 0 END,
       COUNT(e.board_id)
FROM (
        SELECT DISTINCT f.follower_id
        FROM follows AS f) AS r
LEFT JOIN timeline_entries AS e
    ON e.user_id = r.follower_id
GROUP BY r.follower_id;

-- name: analyze_tables()!
ANALYZE TABLE users, boards, comments, follows, timelines, timeline_entries, tags, board_tags,
    favorites;

-- name: delete_outbox()!
-- The bench's own POSTs, after their timing: their events, unapplied.
DELETE FROM outbox;

-- name: delete_boards_after(boards)!
DELETE FROM boards
WHERE id > :boards;
