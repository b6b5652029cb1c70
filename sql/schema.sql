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
    -- Stored counts (docs/queries.md): the user's boards, and the boards they favorited.
    board_count    INT UNSIGNED NOT NULL DEFAULT 0,
    favorite_count INT UNSIGNED NOT NULL DEFAULT 0,
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
    -- RealWorld's article description; the native API does not show it.
    description VARCHAR(255) NOT NULL DEFAULT '',
    content    MEDIUMTEXT   NOT NULL,
    version    INT UNSIGNED NOT NULL DEFAULT 1,
    -- Stored, not recounted: changed in the transaction that adds or removes
    -- a comment (`flask --app app rebuild` recomputes it from comments).
    comment_count INT UNSIGNED NOT NULL DEFAULT 0,
    favorite_count INT UNSIGNED NOT NULL DEFAULT 0,
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

-- Tag names are kept as given after NFC normalisation and trimming
-- (tag_rules.py) and compared code point by code point (utf8mb4_bin): "Go"
-- and "go" are two tags, and a name comes back exactly as it was written.
-- A tag lives while a board has it: the transaction that takes its
-- board_count to 0 deletes it, so every tag listed is in use.
CREATE TABLE IF NOT EXISTS tags (
    id          BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    name        VARCHAR(30) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    board_count INT UNSIGNED NOT NULL DEFAULT 0,
    CONSTRAINT pk_tags PRIMARY KEY (id),
    CONSTRAINT uq_tags_name UNIQUE KEY (name)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- (tag_id, board_id) read backwards is a tag's page of boards, newest
-- first; (tag_id, author_id, board_id) the page of one author's boards with
-- the tag (author_id is the board's user_id, copied: a board keeps its author).
CREATE TABLE IF NOT EXISTS board_tags (
    board_id  BIGINT UNSIGNED NOT NULL,
    tag_id    BIGINT UNSIGNED NOT NULL,
    author_id BIGINT UNSIGNED NOT NULL,
    CONSTRAINT pk_board_tags PRIMARY KEY (board_id, tag_id),
    KEY ix_board_tags_tag_id_board_id (tag_id, board_id),
    KEY ix_board_tags_tag_id_author_id_board_id (tag_id, author_id, board_id),
    CONSTRAINT fk_board_tags_board FOREIGN KEY (board_id)
        REFERENCES boards (id) ON DELETE CASCADE,
    CONSTRAINT fk_board_tags_tag FOREIGN KEY (tag_id)
        REFERENCES tags (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- `id` orders a user's favorites, newest first ((user_id, id) read
-- backwards); (user_id, board_id) is the favorite itself, and
-- (board_id, user_id) finds a board's favoriters when it is deleted.
CREATE TABLE IF NOT EXISTS favorites (
    id         BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    user_id    BIGINT UNSIGNED NOT NULL,
    board_id   BIGINT UNSIGNED NOT NULL,
    created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    CONSTRAINT pk_favorites PRIMARY KEY (id),
    CONSTRAINT uq_favorites_user_id_board_id UNIQUE KEY (user_id, board_id),
    KEY ix_favorites_user_id_id (user_id, id),
    KEY ix_favorites_board_id_user_id (board_id, user_id),
    CONSTRAINT fk_favorites_user FOREIGN KEY (user_id)
        REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT fk_favorites_board FOREIGN KEY (board_id)
        REFERENCES boards (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- Totals of whole tables, each spread over 16 slots (the sum is the total)
-- so that concurrent writers do not all queue on one row: a write changes
-- the slot its row's id picks (id MOD 16). A slot may go below 0.
CREATE TABLE IF NOT EXISTS counters (
    name  VARCHAR(30) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    slot  TINYINT UNSIGNED NOT NULL,
    value BIGINT NOT NULL DEFAULT 0,
    CONSTRAINT pk_counters PRIMARY KEY (name, slot)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

INSERT IGNORE INTO counters (name, slot, value) VALUES
    ('boards', 0, 0), ('boards', 1, 0), ('boards', 2, 0), ('boards', 3, 0),
    ('boards', 4, 0), ('boards', 5, 0), ('boards', 6, 0), ('boards', 7, 0),
    ('boards', 8, 0), ('boards', 9, 0), ('boards', 10, 0), ('boards', 11, 0),
    ('boards', 12, 0), ('boards', 13, 0), ('boards', 14, 0), ('boards', 15, 0);

-- This file already contains every migration up to the one named last.
INSERT IGNORE INTO schema_migrations (version) VALUES
    ('0001_users_boards'),
    ('0002_password_hash'),
    ('0003_comments_follows'),
    ('0004_boards_content_mediumtext'),
    ('0005_users_unicode_520'),
    ('0006_token_revocation'),
    ('0007_counters_timelines'),
    ('0008_tags_favorites'),
    ('0009_users_bio_image');
