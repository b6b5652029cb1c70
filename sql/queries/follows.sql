-- Follows. Lists are pages of users, keyset-paged on the other user's id,
-- newest first. Each list joins from the subject user so that one statement
-- tells "no such user" (no row) from "no follows" (one row of NULLs).

-- name: is_following(follower_id, followee_id)$
-- 1 when the follow exists, else no row; locks the pair (or the gap where
-- it would go), so two racing follows of one pair cannot both insert.
SELECT 1
FROM follows AS f
WHERE f.follower_id = :follower_id
  AND f.followee_id = :followee_id
FOR UPDATE;

-- name: count_following(follower_id, cap)$
-- How many users :follower_id follows, counted up to :cap.
SELECT COUNT(*)
FROM (
        SELECT 1
        FROM follows AS f
        WHERE f.follower_id = :follower_id
        LIMIT :cap) AS p;

-- name: follow_user(follower_id, followee_id)!
-- A new follow; a missing followee fails on the foreign key.
INSERT INTO follows (follower_id, followee_id, created_at)
VALUES (:follower_id, :followee_id, UTC_TIMESTAMP(6));

-- name: unfollow_user(follower_id, followee_id)!
-- Idempotent unfollow.
DELETE FROM follows
WHERE follower_id = :follower_id
  AND followee_id = :followee_id;

-- name: user_exists(id)$
-- 1 when user :id exists, else no row (NULL): tells an unfollow of nobody (404).
SELECT 1
FROM users AS u
WHERE u.id = :id;

-- name: list_follows_page(user_id, side, before_id, limit)
-- A page of the users on one :side of :user_id's follows: 'followers' (who
-- follow :user_id, by the primary key) or 'following' (whom :user_id
-- follows, by ix_follows_follower_id_followee_id). The other side's branch
-- is an impossible WHERE and reads nothing; the page is cut in its branch.
-- The rows come in no particular order: pagination.subject_rows sorts them.
SELECT t.id AS subject_id, u.id, u.name, u.created_at, u.updated_at
FROM users AS t
LEFT JOIN (
        (SELECT f.follower_id AS user_id
         FROM follows AS f
         WHERE :side = 'followers' AND f.followee_id = :user_id AND f.follower_id < :before_id
         ORDER BY f.follower_id DESC
         LIMIT :limit)
        UNION ALL
        (SELECT f.followee_id AS user_id
         FROM follows AS f
         WHERE :side = 'following' AND f.follower_id = :user_id AND f.followee_id < :before_id
         ORDER BY f.followee_id DESC
         LIMIT :limit)) AS p
    ON 1 = 1
LEFT JOIN users AS u
    ON u.id = p.user_id
WHERE t.id = :user_id;
