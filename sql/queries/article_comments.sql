-- RealWorld comments (/api, realworld/comments.py): the native comments
-- table; writing a comment reuses comments.sql (count_comment, insert_comment).

-- name: list_article_comments(board_id, caller_id, limit)
-- A board's newest :limit comments, each with its author's profile and
-- whether :caller_id (NULL: nobody) follows the author. The page's ids are
-- cut in the derived table p (ix_comments_board_id_id read backwards), the
-- comments and authors joined to them.
SELECT c.id, c.content, c.created_at, c.created_at AS updated_at,
       u.name, u.bio, u.image,
       EXISTS (
           SELECT 1
           FROM follows AS f
           WHERE f.followee_id = u.id
             AND f.follower_id = :caller_id) AS following
FROM (
        SELECT c.id
        FROM comments AS c
        WHERE c.board_id = :board_id
        ORDER BY c.id DESC
        LIMIT :limit) AS p
JOIN comments AS c
    ON c.id = p.id
JOIN users AS u
    ON u.id = c.user_id;

-- name: delete_own_comment(id, board_id, user_id)!
-- Delete comment :id of board :board_id if :user_id wrote it (RealWorld:
-- only the comment's author may); returns rows deleted.
DELETE FROM comments
WHERE id = :id
  AND board_id = :board_id
  AND user_id = :user_id;
