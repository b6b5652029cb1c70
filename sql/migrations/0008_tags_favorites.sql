-- Tags and favorites (issue 17), and the stored counters that RealWorld's
-- totals and the native counts read instead of counting per request:
-- boards.favorite_count, users.board_count, users.favorite_count,
-- tags.board_count and the number of boards (counters). Existing counts are
-- computed here; `flask --app app rebuild` computes them all again.

ALTER TABLE users
    ADD COLUMN board_count INT UNSIGNED NOT NULL DEFAULT 0 AFTER token_generation,
    ADD COLUMN favorite_count INT UNSIGNED NOT NULL DEFAULT 0 AFTER board_count;

ALTER TABLE boards
    ADD COLUMN description VARCHAR(255) NOT NULL DEFAULT '' AFTER title,
    ADD COLUMN favorite_count INT UNSIGNED NOT NULL DEFAULT 0 AFTER comment_count;

UPDATE users AS u
SET u.board_count = (SELECT COUNT(*) FROM boards AS b WHERE b.user_id = u.id);

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
    CONSTRAINT uq_tags_name UNIQUE KEY (name),
    KEY ix_tags_board_count_id (board_count, id)
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

UPDATE counters AS c
SET c.value = (SELECT COUNT(*) FROM boards AS b)
WHERE c.name = 'boards'
  AND c.slot = 0;
