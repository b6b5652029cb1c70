-- RealWorld profiles (issue 17, /api): a user's bio and image, both
-- optional (NULL when unset; /api stores "" as NULL). VARCHAR, not TEXT:
-- they are joined to every article and comment of a page (as the author's
-- profile), and MariaDB puts any TEXT column of a temporary table on disk.

ALTER TABLE users
    ADD COLUMN bio VARCHAR(2000) NULL AFTER email,
    ADD COLUMN image VARCHAR(2000) NULL AFTER bio;
