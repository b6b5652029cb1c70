-- Logging in and out. A token carries its user's token generation (`gen`)
-- and a unique id (`jti`); a token is live while its generation is the
-- user's current one and its jti is not in revoked_tokens.

-- name: get_login(email)^
-- The id, password hash and current token generation behind an email, for login only.
SELECT u.id, u.password_hash, u.token_generation
FROM users AS u
WHERE u.email = :email;

-- name: revoke_token(jti, user_id, expires_at)!
-- Log out one token until :expires_at, its own expiry (idempotent).
INSERT INTO revoked_tokens (jti, user_id, expires_at)
VALUES (:jti, :user_id, :expires_at)
ON DUPLICATE KEY UPDATE jti = jti;

-- name: end_every_token(id)!
-- Log out every token of user :id: the next generation starts.
UPDATE users AS u
SET u.token_generation = u.token_generation + 1
WHERE u.id = :id;

-- name: purge_revocations(before, limit)!
-- Forget up to :limit revocations of tokens that expired before :before
-- (through ix_revoked_tokens_expires_at); returns how many.
DELETE FROM revoked_tokens
WHERE expires_at < :before
ORDER BY expires_at
LIMIT :limit;
