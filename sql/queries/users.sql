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

-- name: get_caller(id, token_generation, jti)^
-- The user a bearer token names, only while that token is live: of the
-- user's current token generation and not logged out. No row means 401.
SELECT u.id, u.name, u.email, u.created_at, u.updated_at
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

-- name: delete_user(id)!
-- Delete a user; their boards, comments and follows go by cascade, in this one statement.
DELETE FROM users
WHERE id = :id;
