-- Constant cost at any size (issue 14): the comment count stored on the
-- board instead of counted per request, and the feed kept per reader by
-- fan-out on write. Existing counts are computed here; existing follows get
-- their feeds from `flask --app app rebuild` (in batches, on a live database).

ALTER TABLE boards
    ADD COLUMN comment_count INT UNSIGNED NOT NULL DEFAULT 0 AFTER version;

UPDATE boards AS b
SET b.comment_count = (SELECT COUNT(*) FROM comments AS c WHERE c.board_id = b.id);
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
