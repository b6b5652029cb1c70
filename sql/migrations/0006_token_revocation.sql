-- Sessions that end (issue 16): a token generation per user, which logging
-- out everywhere and a password change increment (a token of an older
-- generation is refused), and the single tokens that were logged out, each
-- kept until it would have expired anyway. Existing users start at 0.

ALTER TABLE users
    ADD COLUMN token_generation INT UNSIGNED NOT NULL DEFAULT 0 AFTER password_hash;

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
