-- Names and emails stay case-insensitive, but emoji must differ:
-- utf8mb4_unicode_ci weighs every emoji the same ('🌸' = '😀'), so
-- "kim 🌸" and "kim 😀" collided on the unique key. unicode_520 tells
-- them apart, on MySQL 8 and MariaDB alike.

ALTER TABLE users
    MODIFY name VARCHAR(50) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_520_ci NOT NULL,
    MODIFY email VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_520_ci NOT NULL;
