-- Boards: the full current schema, for a fresh database.
-- Safe to apply twice. Existing databases are upgraded with
-- `flask --app app migrate` (sql/migrations/), never with this file.
-- Runs on MySQL 8 and MariaDB 10.11+. All timestamps are UTC.

CREATE TABLE IF NOT EXISTS schema_migrations (
    version    VARCHAR(64) NOT NULL,
    applied_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    CONSTRAINT pk_schema_migrations PRIMARY KEY (version)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS users (
    id            BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    -- unicode_520: case-insensitive, but tells emoji apart (unicode_ci does not).
    name          VARCHAR(50)  CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_520_ci NOT NULL,
    email         VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_520_ci NOT NULL,
    -- RealWorld profiles (/api); NULL when unset.
    bio           VARCHAR(2000) NULL,
    image         VARCHAR(2000) NULL,
    password_hash VARCHAR(255) NOT NULL,
    -- Tokens carry the generation they were issued in ("gen"); logging out
    -- everywhere and changing the password add 1, which ends all older tokens.
    token_generation INT UNSIGNED NOT NULL DEFAULT 0,
    created_at    DATETIME(6)  NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    updated_at    DATETIME(6)  NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    CONSTRAINT pk_users PRIMARY KEY (id),
    CONSTRAINT uq_users_name UNIQUE KEY (name),
    CONSTRAINT uq_users_email UNIQUE KEY (email)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS boards (
    id         BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    user_id    BIGINT UNSIGNED NOT NULL,
    title      VARCHAR(200) NOT NULL,
    content    MEDIUMTEXT   NOT NULL,
    version    INT UNSIGNED NOT NULL DEFAULT 1,
    -- Stored, not recounted: changed in the transaction that adds or removes
    -- a comment (`flask --app app rebuild` recomputes it from comments).
    comment_count INT UNSIGNED NOT NULL DEFAULT 0,
    created_at DATETIME(6)  NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    updated_at DATETIME(6)  NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    CONSTRAINT pk_boards PRIMARY KEY (id),
    KEY ix_boards_user_id_id (user_id, id),
    CONSTRAINT fk_boards_user FOREIGN KEY (user_id)
        REFERENCES users (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS comments (
    id         BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    board_id   BIGINT UNSIGNED NOT NULL,
    user_id    BIGINT UNSIGNED NOT NULL,
    content    VARCHAR(2000) NOT NULL,
    created_at DATETIME(6)   NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    CONSTRAINT pk_comments PRIMARY KEY (id),
    KEY ix_comments_board_id_id (board_id, id),
    KEY ix_comments_user_id (user_id),
    CONSTRAINT fk_comments_board FOREIGN KEY (board_id)
        REFERENCES boards (id) ON DELETE CASCADE,
    CONSTRAINT fk_comments_user FOREIGN KEY (user_id)
        REFERENCES users (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- A user never follows themself; the service refuses it (422). It is not a
-- CHECK constraint because MySQL 8 forbids CHECK on cascading foreign-key columns.
CREATE TABLE IF NOT EXISTS follows (
    follower_id BIGINT UNSIGNED NOT NULL,
    followee_id BIGINT UNSIGNED NOT NULL,
    created_at  DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    CONSTRAINT pk_follows PRIMARY KEY (followee_id, follower_id),
    KEY ix_follows_follower_id_followee_id (follower_id, followee_id),
    CONSTRAINT fk_follows_follower FOREIGN KEY (follower_id)
        REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT fk_follows_followee FOREIGN KEY (followee_id)
        REFERENCES users (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- One row per logged-out token (its `jti`), kept until the token would have
-- expired anyway (`expires_at`, the token's `exp`); then it is purged.
CREATE TABLE IF NOT EXISTS revoked_tokens (
    jti        VARCHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    user_id    BIGINT UNSIGNED NOT NULL,
    expires_at DATETIME(6) NOT NULL,
    CONSTRAINT pk_revoked_tokens PRIMARY KEY (jti),
    KEY ix_revoked_tokens_expires_at (expires_at),
    KEY ix_revoked_tokens_user_id (user_id),
    CONSTRAINT fk_revoked_tokens_user FOREIGN KEY (user_id)
        REFERENCES users (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- Each reader's feed, kept by fan-out on write (docs/queries.md, "The feed"):
-- one entry per board by someone the reader follows. timelines.floor_board_id
-- says how far back it goes: the entries are every board by a followee with
-- an id at or above the floor. `entries` counts them (an upper bound between
-- trims), so the worker knows when to trim a feed back to its length.
CREATE TABLE IF NOT EXISTS timelines (
    user_id        BIGINT UNSIGNED NOT NULL,
    floor_board_id BIGINT UNSIGNED NOT NULL DEFAULT 0,
    entries        INT UNSIGNED NOT NULL DEFAULT 0,
    CONSTRAINT pk_timelines PRIMARY KEY (user_id),
    CONSTRAINT fk_timelines_user FOREIGN KEY (user_id)
        REFERENCES users (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- No foreign key to boards or to the author: a deleted board or user leaves
-- every feed at once because the feed joins boards, and the worker then
-- removes the entries (by author, through ix_timeline_entries_author_id_board_id).
CREATE TABLE IF NOT EXISTS timeline_entries (
    user_id   BIGINT UNSIGNED NOT NULL,
    board_id  BIGINT UNSIGNED NOT NULL,
    author_id BIGINT UNSIGNED NOT NULL,
    CONSTRAINT pk_timeline_entries PRIMARY KEY (user_id, board_id),
    KEY ix_timeline_entries_author_id_board_id (author_id, board_id),
    CONSTRAINT fk_timeline_entries_user FOREIGN KEY (user_id)
        REFERENCES users (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- The worker's queue (a transactional outbox): a row is written in the
-- transaction of the change it describes, and removed once the worker has
-- applied it. `progress` is the last follower a fan-out has reached.
CREATE TABLE IF NOT EXISTS outbox (
    id         BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    kind       VARCHAR(20) CHARACTER SET ascii NOT NULL,
    author_id  BIGINT UNSIGNED NOT NULL,
    board_id   BIGINT UNSIGNED NULL,
    progress   BIGINT UNSIGNED NOT NULL DEFAULT 0,
    created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    CONSTRAINT pk_outbox PRIMARY KEY (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- This file already contains every migration up to the one named last.
INSERT IGNORE INTO schema_migrations (version) VALUES
    ('0001_users_boards'),
    ('0002_password_hash'),
    ('0003_comments_follows'),
    ('0004_boards_content_mediumtext'),
    ('0005_users_unicode_520'),
    ('0006_token_revocation'),
    ('0007_counters_timelines'),
    ('0009_users_bio_image');
