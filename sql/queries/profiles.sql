-- RealWorld users and profiles (/api, realworld/): the same users table as
-- the native API, with bio and image, and `following` from follows. The
-- caller is read by users.get_caller, as in the native API.

-- name: get_account(id)^
-- What /api/user shows of user :id, and the token generation its new token takes.
SELECT u.id, u.name, u.email, u.bio, u.image, u.token_generation
FROM users AS u
WHERE u.id = :id;

-- name: get_profile(name, caller_id)^
-- The profile of user :name (uq_users_name), and whether :caller_id (NULL:
-- nobody) follows them (the primary key of follows).
SELECT u.id, u.name, u.bio, u.image,
       EXISTS (
           SELECT 1
           FROM follows AS f
           WHERE f.followee_id = u.id
             AND f.follower_id = :caller_id) AS following
FROM users AS u
WHERE u.name = :name;

-- name: update_account(id, name, email, password_hash, set_bio, bio, set_image, image, now)!
-- Change the given fields: NULL keeps name, email and password; bio and
-- image change when :set_bio / :set_image is 1 (to NULL too). A new
-- password starts the next token generation, as in users.update_user.
UPDATE users AS u
SET u.name = COALESCE(:name, u.name),
    u.email = COALESCE(:email, u.email),
    u.password_hash = COALESCE(:password_hash, u.password_hash),
    u.token_generation = u.token_generation + (:password_hash IS NOT NULL),
    u.bio = IF(:set_bio, :bio, u.bio),
    u.image = IF(:set_image, :image, u.image),
    u.updated_at = :now
WHERE u.id = :id;
