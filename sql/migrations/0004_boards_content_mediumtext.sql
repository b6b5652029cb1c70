-- Boards: 20,000 characters of content in 4-byte UTF-8 (emoji) is 80,000
-- bytes, more than TEXT holds (65,535 bytes); MEDIUMTEXT holds 16 MiB.

ALTER TABLE boards
    MODIFY content MEDIUMTEXT NOT NULL;
