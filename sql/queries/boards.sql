-- Boards (posts). Every list returns the author's name, the stored comment
-- and favorite counts, the board's tags and whether :viewer_id favorited it
-- in the one statement, newest first, keyset-paged on id (:before_id).
-- STRAIGHT_JOIN makes MariaDB drive the join from boards in id order;
-- without it, it starts from users and filesorts every board.
-- Per board, `tag_names` is a JSON array of its tag names (NULL: none; at
-- most 10 index entries of board_tags and as many tags read by primary key;
-- STRAIGHT_JOIN: with stale statistics MariaDB drove it from every tag
-- instead, 200 tags read per board)
-- and `favorited` is 1 or 0 (one look-up of uq_favorites_user_id_board_id)
-- when the viewer's token is live (:viewer_id of :viewer_generation, and
-- :viewer_jti not revoked: users.get_caller's conditions, one uncorrelated
-- subquery evaluated once per statement), else NULL (an anonymous request,
-- or an ended token; then it reads nothing more). So the token check costs
-- no statement of its own.

-- name: count_author_board(user_id, change)!
-- Add :change (1 or -1) to the author's stored board count. A new board
-- does this before its INSERT: the INSERT takes a shared lock on the author
-- (the foreign key), and two boards by one author that both upgraded it
-- would deadlock. 0 rows: no such user.
UPDATE users AS u
SET u.board_count = u.board_count + :change
WHERE u.id = :user_id;

-- name: count_all_boards(slot, change)!
-- Add :change to the total number of boards, in the slot the board's (or
-- for a deleted user, the user's) id picks: MOD(id, 16).
UPDATE counters AS c
SET c.value = c.value + :change
WHERE c.name = 'boards'
  AND c.slot = :slot;

-- name: total_boards()$
-- The number of boards (16 rows of counters).
SELECT CAST(COALESCE(SUM(c.value), 0) AS UNSIGNED)
FROM counters AS c
WHERE c.name = 'boards';

-- name: insert_board(user_id, title, description, content, now)<!
-- Create a board at :now (UTC, from the service's clock); returns the new id.
INSERT INTO boards (user_id, title, description, content, created_at, updated_at)
VALUES (:user_id, :title, :description, :content, :now, :now);

-- name: get_board(id, viewer_id, viewer_generation, viewer_jti)^
-- One board with its author, tags and whether :viewer_id favorited it.
SELECT b.id, b.title, b.description, b.content, b.user_id AS author_id, u.name AS author_name,
       b.comment_count, b.favorite_count, b.version, b.created_at, b.updated_at,
       (SELECT JSON_ARRAYAGG(t.name)
        FROM board_tags AS bt
        STRAIGHT_JOIN tags AS t
            ON t.id = bt.tag_id
        WHERE bt.board_id = b.id) AS tag_names,
       IF(EXISTS (SELECT 1
                  FROM users AS viewer
                  WHERE viewer.id = :viewer_id
                    AND viewer.token_generation = :viewer_generation
                    AND NOT EXISTS (
                          SELECT 1
                          FROM revoked_tokens AS r
                          WHERE r.jti = :viewer_jti)),
          EXISTS (SELECT 1
                  FROM favorites AS f
                  WHERE f.user_id = :viewer_id
                    AND f.board_id = b.id),
          NULL) AS favorited
FROM boards AS b
JOIN users AS u
    ON u.id = b.user_id
WHERE b.id = :id;

-- name: lock_board(id)^
-- The board's author, its row locked until the transaction ends: every
-- change of a board's favorites, tags or existence takes this lock first,
-- so they queue on the board (docs/queries.md, "Lock order"). No row: no board.
SELECT b.user_id AS author_id
FROM boards AS b
WHERE b.id = :id
FOR UPDATE;

-- name: list_boards_page(before_id, limit, viewer_id, viewer_generation, viewer_jti)
-- A page of all boards.
SELECT STRAIGHT_JOIN b.id, b.title, b.description, b.content, b.user_id AS author_id,
       u.name AS author_name, b.comment_count, b.favorite_count, b.created_at, b.updated_at,
       (SELECT JSON_ARRAYAGG(t.name)
        FROM board_tags AS bt
        STRAIGHT_JOIN tags AS t
            ON t.id = bt.tag_id
        WHERE bt.board_id = b.id) AS tag_names,
       IF(EXISTS (SELECT 1
                  FROM users AS viewer
                  WHERE viewer.id = :viewer_id
                    AND viewer.token_generation = :viewer_generation
                    AND NOT EXISTS (
                          SELECT 1
                          FROM revoked_tokens AS r
                          WHERE r.jti = :viewer_jti)),
          EXISTS (SELECT 1
                  FROM favorites AS f
                  WHERE f.user_id = :viewer_id
                    AND f.board_id = b.id),
          NULL) AS favorited
FROM boards AS b
JOIN users AS u
    ON u.id = b.user_id
WHERE b.id < :before_id
ORDER BY b.id DESC
LIMIT :limit;

-- name: list_tag_boards_page(tag, author_id, before_id, limit, viewer_id, viewer_generation, viewer_jti)
-- A page of the boards with the tag named :tag, all of them (a NULL
-- :author_id) or :author_id's. The page's ids are cut in the derived table
-- p, in the branch that :author_id picks (the other is an impossible WHERE
-- and reads nothing, as in follows.list_follows_page): a range of
-- (tag_id, board_id), or of (tag_id, author_id, board_id), read backwards,
-- for the tag found by its unique name; so it reads the page only. The
-- rows come in no particular order (no sort of rows holding the MEDIUMTEXT
-- content): the service sorts the page. FORCE INDEX: the tag's id is a
-- subquery's, so MariaDB plans for an average tag, and at 1,000,000 boards
-- (bench/SCALE.md) it read the primary key (board_id, tag_id) backwards
-- instead, checking every board's tags until the page was full: rows read
-- grow with the boards between two of the tag's (all of them, for a rare tag).
SELECT b.id, b.title, b.description, b.content, b.user_id AS author_id,
       u.name AS author_name, b.comment_count, b.favorite_count, b.created_at, b.updated_at,
       (SELECT JSON_ARRAYAGG(t.name)
        FROM board_tags AS bt
        STRAIGHT_JOIN tags AS t
            ON t.id = bt.tag_id
        WHERE bt.board_id = b.id) AS tag_names,
       IF(EXISTS (SELECT 1
                  FROM users AS viewer
                  WHERE viewer.id = :viewer_id
                    AND viewer.token_generation = :viewer_generation
                    AND NOT EXISTS (
                          SELECT 1
                          FROM revoked_tokens AS r
                          WHERE r.jti = :viewer_jti)),
          EXISTS (SELECT 1
                  FROM favorites AS f
                  WHERE f.user_id = :viewer_id
                    AND f.board_id = b.id),
          NULL) AS favorited
FROM (
        (SELECT gb.board_id
         FROM board_tags AS gb FORCE INDEX (ix_board_tags_tag_id_board_id)
         WHERE :author_id IS NULL
           AND gb.tag_id = (SELECT g.id FROM tags AS g WHERE g.name = :tag)
           AND gb.board_id < :before_id
         ORDER BY gb.board_id DESC
         LIMIT :limit)
        UNION ALL
        (SELECT gb.board_id
         FROM board_tags AS gb FORCE INDEX (ix_board_tags_tag_id_author_id_board_id)
         WHERE :author_id IS NOT NULL
           AND gb.tag_id = (SELECT g.id FROM tags AS g WHERE g.name = :tag)
           AND gb.author_id = :author_id
           AND gb.board_id < :before_id
         ORDER BY gb.board_id DESC
         LIMIT :limit)) AS p
JOIN boards AS b
    ON b.id = p.board_id
JOIN users AS u
    ON u.id = b.user_id;

-- name: list_user_boards_page(user_id, before_id, limit, viewer_id, viewer_generation, viewer_jti)
-- A page of one user's boards; one row of NULL board columns when the user
-- exists but has none, no row when there is no such user. The page's ids
-- are cut in the derived table p ((user_id, id) read backwards, LIMIT), and
-- the boards joined to them afterwards: a derived table holding the
-- MEDIUMTEXT content would be an on-disk temporary table. The rows come in
-- no particular order: pagination.subject_rows sorts the page.
SELECT s.id AS subject_id, b.id, b.title, b.description, b.content, s.id AS author_id,
       s.name AS author_name, b.comment_count, b.favorite_count, b.created_at, b.updated_at,
       (SELECT JSON_ARRAYAGG(t.name)
        FROM board_tags AS bt
        STRAIGHT_JOIN tags AS t
            ON t.id = bt.tag_id
        WHERE bt.board_id = b.id) AS tag_names,
       IF(EXISTS (SELECT 1
                  FROM users AS viewer
                  WHERE viewer.id = :viewer_id
                    AND viewer.token_generation = :viewer_generation
                    AND NOT EXISTS (
                          SELECT 1
                          FROM revoked_tokens AS r
                          WHERE r.jti = :viewer_jti)),
          EXISTS (SELECT 1
                  FROM favorites AS f
                  WHERE f.user_id = :viewer_id
                    AND f.board_id = b.id),
          NULL) AS favorited
FROM users AS s
LEFT JOIN (
        SELECT b.id
        FROM boards AS b
        WHERE b.user_id = :user_id
          AND b.id < :before_id
        ORDER BY b.id DESC
        LIMIT :limit) AS p
    ON 1 = 1
LEFT JOIN boards AS b
    ON b.id = p.id
WHERE s.id = :user_id;

-- name: list_feed_page(follower_id, token_generation, jti, before_id, limit)
-- A page of :follower_id's feed: their timeline entries (a primary-key
-- range) whose boards still exist, so a deleted board or author is gone at
-- once; the boards and authors are joined to the page's ids afterwards (as
-- in list_user_boards_page). Like the other subject lists: no row when
-- :follower_id does not exist (a deleted user's token) or the token has
-- ended (users.get_caller's conditions), one row of NULLs when the feed is
-- empty; so the token check costs no statement of its own. The reader is
-- the viewer of `favorited`.
SELECT s.id AS subject_id, b.id, b.title, b.description, b.content, b.user_id AS author_id,
       u.name AS author_name, b.comment_count, b.favorite_count, b.created_at, b.updated_at,
       (SELECT JSON_ARRAYAGG(t.name)
        FROM board_tags AS bt
        STRAIGHT_JOIN tags AS t
            ON t.id = bt.tag_id
        WHERE bt.board_id = b.id) AS tag_names,
       EXISTS (SELECT 1
               FROM favorites AS f
               WHERE f.user_id = :follower_id
                 AND f.board_id = b.id) AS favorited
FROM users AS s
LEFT JOIN (
        SELECT STRAIGHT_JOIN e.board_id
        FROM timeline_entries AS e
        JOIN boards AS live
            ON live.id = e.board_id
        WHERE e.user_id = :follower_id
          AND e.board_id < :before_id
        ORDER BY e.board_id DESC
        LIMIT :limit) AS p
    ON 1 = 1
LEFT JOIN boards AS b
    ON b.id = p.board_id
LEFT JOIN users AS u
    ON u.id = b.user_id
WHERE s.id = :follower_id
  AND s.token_generation = :token_generation
  AND NOT EXISTS (
        SELECT 1
        FROM revoked_tokens AS r
        WHERE r.jti = :jti);

-- name: update_board(id, user_id, title, description, content, version, comment_count, favorite_count, now)!
-- Change title, description and/or content (NULL keeps a field) of a board
-- the caller wrote; a change of its tags alone also comes here (all NULL),
-- so that the version, and with it the ETag, moves. When :version is given,
-- it applies only if the board still has that version and those counts
-- (the If-Match check, in the same statement). Returns rows matched: 0
-- means missing, not the author's, or stale.
UPDATE boards AS b
SET b.title = COALESCE(:title, b.title),
    b.description = COALESCE(:description, b.description),
    b.content = COALESCE(:content, b.content),
    b.version = b.version + 1,
    b.updated_at = :now
WHERE b.id = :id
  AND b.user_id = :user_id
  AND (:version IS NULL
       OR (b.version = :version
           AND b.comment_count = :comment_count
           AND b.favorite_count = :favorite_count));

-- name: uncount_board_favorites(board_id)!
-- Before a board is deleted (its favorites go by cascade): take it off the
-- favorite counts of the users who favorited it (ix_favorites_board_id_user_id).
UPDATE users AS u
JOIN favorites AS f
    ON f.user_id = u.id
SET u.favorite_count = u.favorite_count - 1
WHERE f.board_id = :board_id;

-- name: delete_board(id, user_id)!
-- Delete a board the caller wrote; its comments, tags and favorites go by
-- cascade (after tags.uncount_board_tags and uncount_board_favorites).
DELETE FROM boards
WHERE id = :id
  AND user_id = :user_id;
