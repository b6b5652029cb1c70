-- Boards (posts). Every list returns the author's name and the stored
-- comment count in the one statement, newest first, keyset-paged on id
-- (:before_id). STRAIGHT_JOIN makes MariaDB drive the join from boards in id
-- order; without it, it starts from users and filesorts every board.

-- name: insert_board(user_id, title, content, now)<!
-- Create a board at :now (UTC, from the service's clock); returns the new id.
INSERT INTO boards (user_id, title, content, created_at, updated_at)
VALUES (:user_id, :title, :content, :now, :now);

-- name: get_board(id)^
-- One board with its author.
SELECT b.id, b.title, b.content, b.user_id AS author_id, u.name AS author_name,
       b.comment_count, b.version, b.created_at, b.updated_at
FROM boards AS b
JOIN users AS u
    ON u.id = b.user_id
WHERE b.id = :id;

-- name: list_boards_page(before_id, limit)
-- A page of all boards.
SELECT STRAIGHT_JOIN b.id, b.title, b.content, b.user_id AS author_id, u.name AS author_name,
       b.comment_count, b.created_at, b.updated_at
FROM boards AS b
JOIN users AS u
    ON u.id = b.user_id
WHERE b.id < :before_id
ORDER BY b.id DESC
LIMIT :limit;

-- name: list_user_boards_page(user_id, before_id, limit)
-- A page of one user's boards; one row of NULL board columns when the user
-- exists but has none, no row when there is no such user. The page's ids
-- are cut in the derived table p ((user_id, id) read backwards, LIMIT), and
-- the boards joined to them afterwards: a derived table holding the
-- MEDIUMTEXT content would be an on-disk temporary table. The rows come in
-- no particular order: pagination.subject_rows sorts the page.
SELECT t.id AS subject_id, b.id, b.title, b.content, t.id AS author_id, t.name AS author_name,
       b.comment_count, b.created_at, b.updated_at
FROM users AS t
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
WHERE t.id = :user_id;

-- name: list_feed_page(follower_id, token_generation, jti, before_id, limit)
-- A page of :follower_id's feed: their timeline entries (a primary-key
-- range) whose boards still exist, so a deleted board or author is gone at
-- once; the boards and authors are joined to the page's ids afterwards (as
-- in list_user_boards_page). Like the other subject lists: no row when
-- :follower_id does not exist (a deleted user's token) or the token has
-- ended (users.get_caller's conditions), one row of NULLs when the feed is
-- empty; so the token check costs no statement of its own.
SELECT t.id AS subject_id, b.id, b.title, b.content, b.user_id AS author_id,
       u.name AS author_name, b.comment_count, b.created_at, b.updated_at
FROM users AS t
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
WHERE t.id = :follower_id
  AND t.token_generation = :token_generation
  AND NOT EXISTS (
        SELECT 1
        FROM revoked_tokens AS r
        WHERE r.jti = :jti);

-- name: update_board(id, user_id, title, content, version, comment_count, now)!
-- Change title and/or content (NULL keeps a field) of a board the caller
-- wrote. When :version is given, it applies only if the board still has that
-- version and comment count (the If-Match check, in the same statement).
-- Returns rows matched: 0 means missing, not the author's, or stale.
UPDATE boards AS b
SET b.title = COALESCE(:title, b.title),
    b.content = COALESCE(:content, b.content),
    b.version = b.version + 1,
    b.updated_at = :now
WHERE b.id = :id
  AND b.user_id = :user_id
  AND (:version IS NULL
       OR (b.version = :version
           AND b.comment_count = :comment_count));

-- name: delete_board(id, user_id)!
-- Delete a board the caller wrote; its comments go by cascade.
DELETE FROM boards
WHERE id = :id
  AND user_id = :user_id;
