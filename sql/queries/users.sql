-- Users. Lists are keyset-paged on id, newest first: pass the last id seen
-- as :before_id (the first page passes the largest possible id).

-- name: insert_user(name, email, password_hash, now)<!
-- Create a user at :now (UTC, from the service's clock); returns the new id.
INSERT INTO users (name, email, password_hash, created_at, updated_at)
VALUES (:name, :email, :password_hash, :now, :now);

-- name: get_user(id)^
-- One user, with email (the routes decide who may see it).
SELECT u.id, u.name, u.email, u.created_at, u.updated_at
FROM users AS u
WHERE u.id = :id;

-- name: get_user_by_name(name)^
-- The user with this name (names compare as uq_users_name does:
-- utf8mb4_unicode_520_ci, so case-insensitively).
SELECT u.id, u.name, u.email, u.created_at, u.updated_at
FROM users AS u
WHERE u.name = :name;

-- name: get_user_counts_by_name(name)^
-- The user with this name and their stored counts: the boards they wrote
-- and the boards they favorited (totals of lists by author or favoriter).
SELECT u.id, u.name, u.board_count, u.favorite_count
FROM users AS u
WHERE u.name = :name;

-- name: get_caller(id, token_generation, jti)^
-- The user a bearer token names, only while that token is live: of the
-- user's current token generation and not logged out. No row means 401.
-- (bio, image and token_generation are for RealWorld's /api/user.)
SELECT u.id, u.name, u.email, u.bio, u.image, u.token_generation, u.created_at, u.updated_at
FROM users AS u
WHERE u.id = :id
  AND u.token_generation = :token_generation
  AND NOT EXISTS (
        SELECT 1
        FROM revoked_tokens AS r
        WHERE r.jti = :jti);

-- name: list_users_page(before_id, limit)
-- A page of users, newest first.
SELECT u.id, u.name, u.created_at, u.updated_at
FROM users AS u
WHERE u.id < :before_id
ORDER BY u.id DESC
LIMIT :limit;

-- name: update_user(id, name, email, password_hash, now)!
-- Change the given fields (NULL keeps a field); returns rows matched. A new
-- password also starts the next token generation, ending every older token.
UPDATE users AS u
SET u.name = COALESCE(:name, u.name),
    u.email = COALESCE(:email, u.email),
    u.password_hash = COALESCE(:password_hash, u.password_hash),
    u.token_generation = u.token_generation + (:password_hash IS NOT NULL),
    u.updated_at = :now
WHERE u.id = :id;

-- name: uncount_comments_by(user_id)!
-- Before a user is deleted (their comments go by cascade): take their
-- comments off the counts of other people's boards. Reading comments in an
-- UPDATE's subquery locks them, so none can be added or removed meanwhile.
UPDATE boards AS b
SET b.comment_count = b.comment_count - (
        SELECT COUNT(*)
        FROM comments AS c
        WHERE c.board_id = b.id
          AND c.user_id = :user_id)
WHERE b.id IN (
        SELECT c.board_id
        FROM comments AS c
        WHERE c.user_id = :user_id)
  AND b.user_id <> :user_id;

-- name: uncount_favorites_by(user_id)!
-- Before a user is deleted (their favorites go by cascade): take them off
-- the favorite counts of the boards they favorited, other people's (their
-- own boards go with them).
UPDATE boards AS b
JOIN favorites AS f
    ON f.board_id = b.id
SET b.favorite_count = b.favorite_count - 1
WHERE f.user_id = :user_id
  AND b.user_id <> :user_id;

-- name: uncount_favorites_of_boards_by(user_id)!
-- Before a user is deleted (their boards go by cascade): take their boards
-- off the favorite counts of the other users who favorited them. The
-- derived table holds ids and counts only.
UPDATE users AS u
JOIN (
        SELECT f.user_id, COUNT(*) AS favorites
        FROM boards AS b
        JOIN favorites AS f
            ON f.board_id = b.id
        WHERE b.user_id = :user_id
          AND f.user_id <> :user_id
        GROUP BY f.user_id) AS x
    ON x.user_id = u.id
SET u.favorite_count = u.favorite_count - x.favorites;

-- name: uncount_tags_of_boards_by(user_id)!
-- Before a user is deleted (their boards' tags go by cascade): the counts
-- of the tags of their boards go down. The derived table holds ids and
-- counts only.
UPDATE tags AS t
JOIN (
        SELECT bt.tag_id, COUNT(*) AS boards
        FROM boards AS b
        JOIN board_tags AS bt
            ON bt.board_id = b.id
        WHERE b.user_id = :user_id
        GROUP BY bt.tag_id) AS x
    ON x.tag_id = t.id
SET t.board_count = t.board_count - x.boards;

-- name: drop_unused_tags_of_boards_by(user_id)!
-- After uncount_tags_of_boards_by: the tags that only the user's boards had.
DELETE t
FROM tags AS t
WHERE t.board_count = 0
  AND t.id IN (
        SELECT bt.tag_id
        FROM boards AS b
        JOIN board_tags AS bt
            ON bt.board_id = b.id
        WHERE b.user_id = :user_id);

-- name: uncount_boards_by(user_id)!
-- Before a user is deleted: their boards leave the total number of boards
-- (in the slot the user's id picks; the user's boards counted, an index range).
UPDATE counters AS c
SET c.value = c.value - (
        SELECT COUNT(*)
        FROM boards AS b
        WHERE b.user_id = :user_id)
WHERE c.name = 'boards'
  AND c.slot = MOD(:user_id, 16);

-- name: delete_user(id)!
-- Delete a user; their boards, comments, follows, favorites and their
-- boards' tags and favorites go by cascade, in this one statement (after
-- the uncount_* statements above).
DELETE FROM users
WHERE id = :id;
