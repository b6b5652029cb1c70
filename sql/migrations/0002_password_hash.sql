-- Accounts: a salted password hash per user. Users created before this
-- migration get an empty hash, which never matches: they reset it by PUT.

ALTER TABLE users
    ADD COLUMN password_hash VARCHAR(255) NOT NULL AFTER email;
