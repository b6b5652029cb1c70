-- `flask --app app rebuild`: derived values made again from the base tables,
-- in batches (rebuild.py). The feeds' own queries are in feeds.sql.

-- name: board_id_range()^
-- The boards to walk, and how many there are.
SELECT CAST(COALESCE(MAX(b.id), 0) AS UNSIGNED) AS last_id, COUNT(*) AS total
FROM boards AS b;

-- name: recount_comments(after, last)!
-- The stored comment and favorite counts of boards (:after, :last], counted
-- again. The subqueries' reads lock the rows they count, so a comment or
-- favorite added or removed meanwhile waits for this batch and then changes
-- the new count.
UPDATE boards AS b
SET b.comment_count = (SELECT COUNT(*) FROM comments AS c WHERE c.board_id = b.id),
    b.favorite_count = (SELECT COUNT(*) FROM favorites AS f WHERE f.board_id = b.id)
WHERE b.id > :after
  AND b.id <= :last;

-- name: user_id_range()^
-- The users to walk, and how many there are.
SELECT CAST(COALESCE(MAX(u.id), 0) AS UNSIGNED) AS last_id, COUNT(*) AS total
FROM users AS u;

-- name: recount_users(after, last)!
-- The board and favorite counts of users (:after, :last], counted again
-- ((user_id, id) of boards and (user_id, id) of favorites).
UPDATE users AS u
SET u.board_count = (SELECT COUNT(*) FROM boards AS b WHERE b.user_id = u.id),
    u.favorite_count = (SELECT COUNT(*) FROM favorites AS f WHERE f.user_id = u.id)
WHERE u.id > :after
  AND u.id <= :last;

-- name: tag_id_range()^
-- The tags to walk, and how many there are.
SELECT CAST(COALESCE(MAX(t.id), 0) AS UNSIGNED) AS last_id, COUNT(*) AS total
FROM tags AS t;

-- name: recount_tags(after, last)!
-- The board counts of tags (:after, :last], counted again ((tag_id, board_id)).
UPDATE tags AS t
SET t.board_count = (SELECT COUNT(*) FROM board_tags AS bt WHERE bt.tag_id = t.id)
WHERE t.id > :after
  AND t.id <= :last;

-- name: drop_unused_tags(after, last)!
-- Of those tags, the ones no board has (rows loaded without boards).
DELETE FROM tags
WHERE id > :after
  AND id <= :last
  AND board_count = 0;

-- name: recount_boards_total()!
-- The total number of boards, counted again into slot 0 (the other slots
-- to 0). The count's reads lock the boards, so a board created or deleted
-- meanwhile waits for it and then changes its own slot.
UPDATE counters AS c
SET c.value = IF(c.slot = 0, (SELECT COUNT(*) FROM boards AS b), 0)
WHERE c.name = 'boards';

-- name: count_readers()$
-- The users whose feeds are rebuilt: those who follow someone or have one.
SELECT COUNT(*)
FROM users AS u
WHERE EXISTS (SELECT 1 FROM follows AS f WHERE f.follower_id = u.id)
   OR EXISTS (SELECT 1 FROM timelines AS t WHERE t.user_id = u.id);
