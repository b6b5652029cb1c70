-- `flask --app app rebuild`: derived values made again from the base tables,
-- in batches (rebuild.py). The feeds' own queries are in feeds.sql.

-- name: board_id_range()^
-- The boards to walk, and how many there are.
SELECT CAST(COALESCE(MAX(b.id), 0) AS UNSIGNED) AS last_id, COUNT(*) AS total
FROM boards AS b;

-- name: recount_comments(after, last)!
-- The stored comment counts of boards (:after, :last], counted again. The
-- subquery's reads lock the comments they count, so a comment added or
-- removed meanwhile waits for this batch and then changes the new count.
UPDATE boards AS b
SET b.comment_count = (SELECT COUNT(*) FROM comments AS c WHERE c.board_id = b.id)
WHERE b.id > :after
  AND b.id <= :last;

-- name: count_readers()$
-- The users whose feeds are rebuilt: those who follow someone or have one.
SELECT COUNT(*)
FROM users AS u
WHERE EXISTS (SELECT 1 FROM follows AS f WHERE f.follower_id = u.id)
   OR EXISTS (SELECT 1 FROM timelines AS t WHERE t.user_id = u.id);
