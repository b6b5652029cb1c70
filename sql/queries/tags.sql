-- Tags. A board's tags are changed by name lists: :names is a JSON array of
-- tag names as tag_rules.py normalised them, sorted, so that concurrent
-- writers lock tags in one order. The tag rows' board_count is stored and
-- changed in the same transaction, after the board's row is locked
-- (boards.lock_board or the board's INSERT/UPDATE); a tag whose count
-- reaches 0 is deleted in that transaction, so every tag row is in use.

-- name: tag_names_of_board(board_id)
-- The board's tag names (at most 10 rows of board_tags, tags by primary key);
-- inside a write, after the board is locked.
SELECT t.name
FROM board_tags AS bt
STRAIGHT_JOIN tags AS t
    ON t.id = bt.tag_id
WHERE bt.board_id = :board_id;

-- name: count_tags(names)!
-- Tags a board now has: new names become tags with a count of 1, the
-- others' counts go up by one (and their rows stay locked).
INSERT INTO tags (name, board_count)
SELECT j.name, 1
FROM JSON_TABLE(:names, '$[*]' COLUMNS (
        name VARCHAR(30) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin PATH '$')) AS j
ORDER BY j.name
ON DUPLICATE KEY UPDATE board_count = tags.board_count + 1;

-- name: link_tags(board_id, names)!
-- The board gets those tags (after count_tags made them). INSERT ... SELECT
-- reads the tags with locks, so it sees a tag another transaction has just
-- made or deleted.
INSERT INTO board_tags (board_id, tag_id, author_id)
SELECT b.id, t.id, b.user_id
FROM JSON_TABLE(:names, '$[*]' COLUMNS (
        name VARCHAR(30) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin PATH '$')) AS j
JOIN tags AS t
    ON t.name = j.name
JOIN boards AS b
    ON b.id = :board_id;

-- name: uncount_tags(board_id, names)!
-- Tags the board loses: their counts go down by one.
UPDATE tags AS t
JOIN board_tags AS bt
    ON bt.tag_id = t.id
   AND bt.board_id = :board_id
SET t.board_count = t.board_count - 1
WHERE t.name IN (
        SELECT j.name
        FROM JSON_TABLE(:names, '$[*]' COLUMNS (
                name VARCHAR(30) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin PATH '$')) AS j);

-- name: unlink_tags(board_id, names)!
-- The board loses those tags.
DELETE bt
FROM board_tags AS bt
JOIN tags AS t
    ON t.id = bt.tag_id
WHERE bt.board_id = :board_id
  AND t.name IN (
        SELECT j.name
        FROM JSON_TABLE(:names, '$[*]' COLUMNS (
                name VARCHAR(30) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin PATH '$')) AS j);

-- name: uncount_board_tags(board_id)!
-- Before a board is deleted (its board_tags go by cascade): its tags'
-- counts go down by one.
UPDATE tags AS t
JOIN board_tags AS bt
    ON bt.tag_id = t.id
SET t.board_count = t.board_count - 1
WHERE bt.board_id = :board_id;

-- name: drop_unused_tags(names)!
-- Of the tags named, those no board has any more (after uncount_tags).
DELETE t
FROM tags AS t
WHERE t.board_count = 0
  AND t.name IN (
        SELECT j.name
        FROM JSON_TABLE(:names, '$[*]' COLUMNS (
                name VARCHAR(30) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin PATH '$')) AS j);

-- name: drop_unused_tags_of_board(board_id)!
-- Before a board is deleted, after uncount_board_tags: its tags that no
-- other board has (their board_tags rows, the board's own, go by cascade).
DELETE t
FROM tags AS t
JOIN board_tags AS bt
    ON bt.tag_id = t.id
WHERE bt.board_id = :board_id
  AND t.board_count = 0;

-- name: list_tags_page(before_id, limit)
-- A page of tags (all in use), newest first.
SELECT t.id, t.name, t.board_count
FROM tags AS t
WHERE t.id < :before_id
ORDER BY t.id DESC
LIMIT :limit;

-- name: list_popular_tags(limit)
-- The most used tags (ix_tags_board_count_id read backwards: :limit rows;
-- forced, since on a small table the optimizer would sort it all instead).
SELECT t.name
FROM tags AS t FORCE INDEX (ix_tags_board_count_id)
WHERE t.board_count > 0
ORDER BY t.board_count DESC, t.id DESC
LIMIT :limit;

-- name: get_tag_board_count(name)$
-- The number of boards with the tag named :name (no row: no such tag).
SELECT t.board_count
FROM tags AS t
WHERE t.name = :name;

-- name: tags_of_boards(board_ids)
-- The tag names of a page of boards, in one statement: :board_ids is a
-- JSON array of board ids; one row per (board, tag), at most 10 a board.
SELECT bt.board_id, t.name
FROM JSON_TABLE(:board_ids, '$[*]' COLUMNS (board_id BIGINT UNSIGNED PATH '$')) AS j
STRAIGHT_JOIN board_tags AS bt
    ON bt.board_id = j.board_id
STRAIGHT_JOIN tags AS t
    ON t.id = bt.tag_id;
