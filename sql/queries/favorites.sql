-- Favorites. Favoriting and unfavoriting lock the board's row first
-- (boards.lock_board), then change the stored counts: boards.favorite_count
-- and the favoriter's users.favorite_count, in the same transaction.

-- name: is_favorite(user_id, board_id)$
-- 1 when :user_id has favorited :board_id, else no row; locks the pair.
SELECT 1
FROM favorites AS f
WHERE f.user_id = :user_id
  AND f.board_id = :board_id
FOR UPDATE;

-- name: insert_favorite(user_id, board_id, now)!
-- A new favorite (after is_favorite found none, the board locked).
INSERT INTO favorites (user_id, board_id, created_at)
VALUES (:user_id, :board_id, :now);

-- name: delete_favorite(user_id, board_id)!
-- Idempotent unfavorite: 1 when there was a favorite.
DELETE FROM favorites
WHERE user_id = :user_id
  AND board_id = :board_id;

-- name: count_board_favorite(board_id, change)!
-- Add :change (1 or -1) to the board's stored favorite count.
UPDATE boards AS b
SET b.favorite_count = b.favorite_count + :change
WHERE b.id = :board_id;

-- name: count_user_favorite(user_id, change)!
-- Add :change (1 or -1) to the number of boards :user_id has favorited.
UPDATE users AS u
SET u.favorite_count = u.favorite_count + :change
WHERE u.id = :user_id;

-- name: list_user_favorites_page(user_id, before_id, limit, viewer_id, viewer_generation, viewer_jti)
-- A page of the boards :user_id favorited, newest favorite first: keyset
-- on the favorite's id (`favorite_id`, the page's cursor), cut in the
-- derived table p ((user_id, id) read backwards) and the boards joined to
-- it afterwards, as in boards.list_user_boards_page: no row when there is
-- no such user, one row of NULLs when they favorited nothing; sorted by
-- pagination.subject_rows on favorite_id. FORCE INDEX: for a user with few
-- favorites MariaDB picks uq_favorites_user_id_board_id and sorts them all
-- (fine for a few, a sort of every favorite for a user with many).
SELECT s.id AS subject_id, p.favorite_id, b.id, b.title, b.description, b.content,
       b.user_id AS author_id, u.name AS author_name, b.comment_count, b.favorite_count,
       b.created_at, b.updated_at,
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
                  FROM favorites AS v
                  WHERE v.user_id = :viewer_id
                    AND v.board_id = b.id),
          NULL) AS favorited
FROM users AS s
LEFT JOIN (
        SELECT f.id AS favorite_id, f.board_id
        FROM favorites AS f FORCE INDEX (ix_favorites_user_id_id)
        WHERE f.user_id = :user_id
          AND f.id < :before_id
        ORDER BY f.id DESC
        LIMIT :limit) AS p
    ON 1 = 1
LEFT JOIN boards AS b
    ON b.id = p.board_id
LEFT JOIN users AS u
    ON u.id = b.user_id
WHERE s.id = :user_id;

-- name: favorited_among(user_id, board_ids)
-- Which of a page of boards (:board_ids, a JSON array of ids) :user_id has
-- favorited: one row per such board, a look-up of
-- uq_favorites_user_id_board_id per id.
SELECT f.board_id
FROM JSON_TABLE(:board_ids, '$[*]' COLUMNS (board_id BIGINT UNSIGNED PATH '$')) AS j
STRAIGHT_JOIN favorites AS f
    ON f.user_id = :user_id
   AND f.board_id = j.board_id;
