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

-- name: list_followers_page(user_id, before_id, limit)
-- Users who follow :user_id; the page is cut in the derived table p.
SELECT t.id AS subject_id, u.id, u.name, u.created_at, u.updated_at
FROM users AS t
LEFT JOIN (
        SELECT f.followee_id AS subject_id, f.follower_id AS user_id
        FROM follows AS f
        WHERE f.followee_id = :user_id
          AND f.follower_id < :before_id
        ORDER BY f.follower_id DESC
        LIMIT :limit) AS p
    ON p.subject_id = t.id
LEFT JOIN users AS u
    ON u.id = p.user_id
WHERE t.id = :user_id
ORDER BY p.user_id DESC;

-- name: list_following_page(user_id, before_id, limit)
-- Users whom :user_id follows; the page is cut in the derived table p.
SELECT t.id AS subject_id, u.id, u.name, u.created_at, u.updated_at
FROM users AS t
LEFT JOIN (
        SELECT f.follower_id AS subject_id, f.followee_id AS user_id
        FROM follows AS f
        WHERE f.follower_id = :user_id
          AND f.followee_id < :before_id
        ORDER BY f.followee_id DESC
        LIMIT :limit) AS p
    ON p.subject_id = t.id
LEFT JOIN users AS u
    ON u.id = p.user_id
WHERE t.id = :user_id
ORDER BY p.user_id DESC;
