-- Logging in.

-- name: get_login(email)^
-- The id and password hash behind an email, for login only.
SELECT u.id, u.password_hash
FROM users AS u
WHERE u.email = :email;
