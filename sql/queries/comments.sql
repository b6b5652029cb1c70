-- Comments. A board's comments are listed oldest first, keyset-paged on id
-- (:after_id; the first page passes 0).

-- name: count_comment(board_id, change)!
-- Add :change (1 or -1) to the board's stored comment count, in the
-- transaction that adds or removes the comment. The board row is locked
-- first, so comments on one board queue here instead of deadlocking on its
-- foreign key; 0 rows means there is no such board.
UPDATE boards AS b
SET b.comment_count = b.comment_count + :change
WHERE b.id = :board_id;

-- name: insert_comment(board_id, user_id, content, now)<!
-- Create a comment (after count_comment has found and locked the board).
-- Returns the new id.
INSERT INTO comments (board_id, user_id, content, created_at)
VALUES (:board_id, :user_id, :content, :now);

-- name: get_comment(id)^
-- One comment with its author, and the board's author (who may delete it).
SELECT c.id, c.board_id, c.content, c.user_id AS author_id, u.name AS author_name,
       b.user_id AS board_author_id, c.created_at
FROM comments AS c
JOIN users AS u
    ON u.id = c.user_id
JOIN boards AS b
    ON b.id = c.board_id
WHERE c.id = :id;

-- name: list_board_comments_page(board_id, after_id, limit)
-- A page of a board's comments; one row of NULL comment columns when the
-- board exists but has none, no row when there is no such board. The page
-- is cut in the derived table p (index order, LIMIT); the rows come in no
-- particular order: pagination.subject_rows sorts the page.
SELECT t.id AS subject_id, p.id, p.board_id, p.content, p.author_id,
       u.name AS author_name, p.created_at
FROM boards AS t
LEFT JOIN (
        SELECT c.id, c.board_id, c.content, c.user_id AS author_id, c.created_at
        FROM comments AS c
        WHERE c.board_id = :board_id
          AND c.id > :after_id
        ORDER BY c.id ASC
        LIMIT :limit) AS p
    ON p.board_id = t.id
LEFT JOIN users AS u
    ON u.id = p.author_id
WHERE t.id = :board_id;

-- name: delete_comment(id, user_id)!
-- Delete a comment if the caller wrote it or wrote its board.
DELETE c
FROM comments AS c
JOIN boards AS b
    ON b.id = c.board_id
WHERE c.id = :id
  AND (c.user_id = :user_id OR b.user_id = :user_id);
