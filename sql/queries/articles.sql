-- RealWorld articles (/api, realworld/articles.py): the native boards, with
-- their tags, favorites and stored counts. A list is two statements: the
-- page's board ids (list_*_ids: an index range, LIMIT/OFFSET, ids only),
-- then articles_of_ids, the same wide rows for every list, joined to those
-- ids by primary key. Lists never read `content` (RealWorld lists omit the
-- body), so no MEDIUMTEXT reaches a temporary table. OFFSET reads every
-- row it skips: realworld/articles.py caps it (MAX_OFFSET).
-- :caller_id is the reader (NULL: anonymous, which reads nothing more).

-- name: list_article_ids(limit, offset)
-- The newest boards (the primary key read backwards; `b.id > 0`, every id,
-- makes it a range the LIMIT ends, as the native first page's before_id).
SELECT b.id
FROM boards AS b
WHERE b.id > 0
ORDER BY b.id DESC
LIMIT :limit OFFSET :offset;

-- name: list_author_article_ids(author, limit, offset)
-- The newest boards of the user named :author (uq_users_name, then
-- ix_boards_user_id_id read backwards); none when there is no such user.
SELECT b.id
FROM users AS a
JOIN boards AS b
    ON b.user_id = a.id
WHERE a.name = :author
ORDER BY b.id DESC
LIMIT :limit OFFSET :offset;

-- name: list_tag_article_ids(tag, limit, offset)
-- The newest boards with the tag named :tag (uq_tags_name, then
-- ix_board_tags_tag_id_board_id read backwards). FORCE INDEX: for a tag on
-- a tenth of 1,000,000 boards MariaDB read board_tags' primary key
-- backwards instead, checking every newer board's tags (bench/SCALE.md).
SELECT gb.board_id AS id
FROM tags AS g
JOIN board_tags AS gb FORCE INDEX (ix_board_tags_tag_id_board_id)
    ON gb.tag_id = g.id
WHERE g.name = :tag
ORDER BY gb.board_id DESC
LIMIT :limit OFFSET :offset;

-- name: list_favorited_article_ids(favorited, limit, offset)
-- The newest boards the user named :favorited favorited
-- (uq_favorites_user_id_board_id read backwards).
SELECT f.board_id AS id
FROM users AS a
JOIN favorites AS f
    ON f.user_id = a.id
WHERE a.name = :favorited
ORDER BY f.board_id DESC
LIMIT :limit OFFSET :offset;

-- name: list_feed_article_ids(caller_id, limit, offset)
-- The caller's feed (feeds.py: their timeline, the primary key of
-- timeline_entries read backwards). Not joined to boards: the rows skipped
-- cost one read each, not two; an entry of a board deleted a moment ago
-- (the worker removes them) is left out by articles_of_ids, so that page is
-- one article short.
SELECT e.board_id AS id
FROM timeline_entries AS e
WHERE e.user_id = :caller_id
ORDER BY e.board_id DESC
LIMIT :limit OFFSET :offset;

-- name: articles_of_ids(ids, caller_id)
-- The list rows of the boards in :ids (a JSON array of at most a page of
-- ids), in no particular order: each board by primary key, its author, its
-- tags (at most 10), whether the caller favorited it and follows its author.
SELECT b.id, b.title, b.description, b.created_at, b.updated_at, b.favorite_count,
       (SELECT JSON_ARRAYAGG(t.name)
        FROM board_tags AS bt
        JOIN tags AS t
            ON t.id = bt.tag_id
        WHERE bt.board_id = b.id) AS tag_names,
       EXISTS (
           SELECT 1
           FROM favorites AS f
           WHERE f.user_id = :caller_id
             AND f.board_id = b.id) AS favorited,
       u.name, u.bio, u.image,
       EXISTS (
           SELECT 1
           FROM follows AS fo
           WHERE fo.followee_id = u.id
             AND fo.follower_id = :caller_id) AS following
FROM JSON_TABLE(:ids, '$[*]' COLUMNS (id BIGINT UNSIGNED PATH '$')) AS j
JOIN boards AS b
    ON b.id = j.id
JOIN users AS u
    ON u.id = b.user_id;

-- name: get_article_body(id)$
-- The body of an article (`content`), which lists leave out; one article is
-- articles_of_ids of its id and this.
SELECT b.content
FROM boards AS b
WHERE b.id = :id;

-- name: get_feed_length(caller_id)$
-- How many entries the caller's feed holds (timelines.entries, kept by
-- feeds.py: an upper bound between the worker's trims).
SELECT t.entries
FROM timelines AS t
WHERE t.user_id = :caller_id;

-- name: get_article_title(id)$
-- What a slug is checked against: the board's title.
SELECT b.title
FROM boards AS b
WHERE b.id = :id;
