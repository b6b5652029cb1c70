-- The migration ledger used by `flask --app app migrate`.

-- name: create_schema_migrations#
-- The ledger table itself (also in schema.sql).
CREATE TABLE IF NOT EXISTS schema_migrations (
    version    VARCHAR(64) NOT NULL,
    applied_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    CONSTRAINT pk_schema_migrations PRIMARY KEY (version)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- name: list_applied_migrations()
-- Versions already applied.
SELECT m.version
FROM schema_migrations AS m
ORDER BY m.version;

-- name: record_migration(version)!
-- Mark a migration applied.
INSERT INTO schema_migrations (version, applied_at)
VALUES (:version, UTC_TIMESTAMP(6));
