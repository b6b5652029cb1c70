"""RealWorld /api/articles: write, read, list (filters, limit/offset, stored
totals), the feed, update, delete, favorites, tags."""
import re

import pytest

import feeds
from tests.helpers import derived_mismatches, run_writers
from tests.helpers.realworld import assert_errors, register

DRAGON = {"title": "How to train your dragon", "description": "Ever wonder how?",
          "body": "You have to believe", "tagList": ["reactjs", "angularjs", "dragons"]}
ISO_WITH_FRACTION = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}(\+00:00|Z)$")
ARTICLE_KEYS = {"slug", "title", "description", "body", "tagList", "createdAt", "updatedAt",
                "favorited", "favoritesCount", "author"}


def write(client, headers, **fields):
    response = client.post("/api/articles", headers=headers, json={"article": {**DRAGON, **fields}})
    assert response.status_code == 201, response.json
    return response.json["article"]


def listed(client, url, headers=None):
    response = client.get(url, headers=headers)
    assert response.status_code == 200, response.json
    return response.json


def test_create_answers_201_with_the_article(client, db):
    _, headers = register(client, "jake")
    article = write(client, headers, extra="ignored")
    assert set(article) == ARTICLE_KEYS
    assert re.fullmatch(r"how-to-train-your-dragon-\d+", article["slug"])
    assert (article["title"], article["description"], article["body"]) == (
        DRAGON["title"], DRAGON["description"], DRAGON["body"])
    assert article["tagList"] == ["angularjs", "dragons", "reactjs"]
    assert (article["favorited"], article["favoritesCount"]) == (False, 0)
    assert article["author"] == {"username": "jake", "bio": None, "image": None, "following": False}
    assert ISO_WITH_FRACTION.match(article["createdAt"]) and article["createdAt"] == article["updatedAt"]
    got = client.get(f"/api/articles/{article['slug']}")
    assert got.status_code == 200 and got.json == {"article": article}


def test_the_same_title_twice_gives_two_slugs(client, db):
    _, headers = register(client)
    first, second = write(client, headers), write(client, headers)
    assert first["slug"] != second["slug"]
    assert client.get(f"/api/articles/{second['slug']}").json["article"]["slug"] == second["slug"]


@pytest.mark.parametrize("field", ["title", "description", "body"])
def test_a_missing_field_is_blank(client, db, field):
    _, headers = register(client)
    body = {key: value for key, value in DRAGON.items() if key != field}
    assert_errors(client.post("/api/articles", headers=headers, json={"article": body}), 422, {field: ["can't be blank"]})
    assert_errors(client.post("/api/articles", headers=headers, json={"article": {**body, field: ""}}),
                  422, {field: ["can't be blank"]})
    assert db.value("SELECT COUNT(*) FROM boards") == 0


def test_tag_list_rules(client, db):
    _, headers = register(client)
    assert_errors(client.post("/api/articles", headers=headers, json={"article": {**DRAGON, "tagList": None}}),
                  422, {"tagList": ["can't be blank"]})
    assert_errors(client.post("/api/articles", headers=headers, json={"article": {**DRAGON, "tagList": "x"}}),
                  422, {"tagList": ["must be a list"]})
    assert_errors(client.post("/api/articles", headers=headers,
                              json={"article": {**DRAGON, "tagList": [f"t{n}" for n in range(11)]}}),
                  422, {"tagList": ["has more than 10 tags"]})
    assert write(client, headers, tagList=["b", "a", "b"])["tagList"] == ["a", "b"]
    assert write(client, headers, tagList=[])["tagList"] == []
    left_out = {key: value for key, value in DRAGON.items() if key != "tagList"}
    assert client.post("/api/articles", headers=headers, json={"article": left_out}).json["article"]["tagList"] == []


def test_writes_need_a_token_before_the_article_is_looked_up(client, db):
    for method, url in (("post", "/api/articles"), ("put", "/api/articles/nothing-1"),
                        ("delete", "/api/articles/nothing-1"), ("post", "/api/articles/nothing-1/favorite"),
                        ("delete", "/api/articles/nothing-1/favorite"), ("get", "/api/articles/feed")):
        response = getattr(client, method)(url, json={"article": {}} if method != "get" else None)
        assert_errors(response, 401, {"token": ["is missing"]})


@pytest.mark.parametrize("method", ["get", "put", "delete"])
def test_an_unknown_slug_is_404(client, db, method):
    _, headers = register(client)
    article = write(client, headers)
    for slug in ("no-such-article-1", article["slug"].replace("dragon", "cat"), "dragon"):
        response = getattr(client, method)(f"/api/articles/{slug}", headers=headers, json={"article": {"title": "x"}})
        assert_errors(response, 404, {"article": ["not found"]})


def test_update_is_partial_and_changes_updated_at(client, db):
    _, headers = register(client)
    article = write(client, headers)
    response = client.put(f"/api/articles/{article['slug']}", headers=headers, json={"article": {"body": "new body"}})
    assert response.status_code == 200
    changed = response.json["article"]
    assert changed["body"] == "new body"
    assert (changed["title"], changed["description"], changed["tagList"]) == (
        article["title"], article["description"], article["tagList"])
    assert changed["updatedAt"] > article["updatedAt"] and changed["createdAt"] == article["createdAt"]
    assert ISO_WITH_FRACTION.match(changed["updatedAt"])


def test_update_tag_list_replaces_clears_or_refuses_null(client, db):
    _, headers = register(client)
    slug = write(client, headers)["slug"]
    url = f"/api/articles/{slug}"
    assert client.put(url, headers=headers, json={"article": {"tagList": ["dragons", "new"]}}).json["article"]["tagList"] == ["dragons", "new"]
    assert sorted(client.get("/api/tags").json["tags"]) == ["dragons", "new"]
    assert_errors(client.put(url, headers=headers, json={"article": {"tagList": None}}), 422, {"tagList": ["can't be blank"]})
    assert client.put(url, headers=headers, json={"article": {"tagList": []}}).json["article"]["tagList"] == []
    assert client.get("/api/tags").json == {"tags": []}
    assert db.value("SELECT COUNT(*) FROM tags") == 0


def test_a_new_title_gives_a_new_slug(client, db):
    _, headers = register(client)
    article = write(client, headers)
    renamed = client.put(f"/api/articles/{article['slug']}", headers=headers,
                         json={"article": {"title": "Did you train your dragon?"}}).json["article"]
    assert renamed["slug"] == article["slug"].replace("how-to-train-your-dragon", "did-you-train-your-dragon")
    assert client.get(f"/api/articles/{renamed['slug']}").status_code == 200
    assert client.get(f"/api/articles/{article['slug']}").status_code == 404


def test_only_the_author_changes_or_deletes(client, db):
    _, author_headers = register(client)
    _, other_headers = register(client)
    slug = write(client, author_headers)["slug"]
    assert_errors(client.put(f"/api/articles/{slug}", headers=other_headers, json={"article": {"title": "x"}}),
                  403, {"article": ["forbidden"]})
    assert_errors(client.delete(f"/api/articles/{slug}", headers=other_headers), 403, {"article": ["forbidden"]})
    assert client.get(f"/api/articles/{slug}").json["article"]["title"] == DRAGON["title"]


def test_delete_answers_204_and_takes_its_counts(client, db):
    _, headers = register(client, "deleter")
    _, fan_headers = register(client)
    slug = write(client, headers)["slug"]
    client.post(f"/api/articles/{slug}/favorite", headers=fan_headers)
    client.post(f"/api/articles/{slug}/comments", headers=fan_headers, json={"comment": {"body": "c"}})
    response = client.delete(f"/api/articles/{slug}", headers=headers)
    assert response.status_code == 204 and response.data == b""
    assert client.get(f"/api/articles/{slug}").status_code == 404
    assert listed(client, "/api/articles") == {"articles": [], "articlesCount": 0}
    assert listed(client, "/api/articles?author=deleter")["articlesCount"] == 0
    assert db.value("SELECT SUM(favorite_count) FROM users") == 0
    assert db.value("SELECT COUNT(*) FROM tags") == 0
    assert db.value("SELECT COUNT(*) FROM outbox WHERE kind = 'board_deleted'") == 1


def test_favorite_and_unfavorite_answer_the_article(client, db):
    _, author_headers = register(client)
    _, fan_headers = register(client, "fan")
    slug = write(client, author_headers)["slug"]
    favorited = client.post(f"/api/articles/{slug}/favorite", headers=fan_headers, content_type="application/json")
    assert favorited.status_code == 200
    assert (favorited.json["article"]["favorited"], favorited.json["article"]["favoritesCount"]) == (True, 1)
    assert client.post(f"/api/articles/{slug}/favorite", headers=fan_headers).json["article"]["favoritesCount"] == 1
    assert client.get(f"/api/articles/{slug}", headers=fan_headers).json["article"]["favorited"] is True
    assert client.get(f"/api/articles/{slug}").json["article"]["favorited"] is False
    assert listed(client, "/api/articles?favorited=fan")["articlesCount"] == 1
    unfavorited = client.delete(f"/api/articles/{slug}/favorite", headers=fan_headers)
    assert unfavorited.status_code == 200
    assert (unfavorited.json["article"]["favorited"], unfavorited.json["article"]["favoritesCount"]) == (False, 0)
    assert client.delete(f"/api/articles/{slug}/favorite", headers=fan_headers).status_code == 200
    assert listed(client, "/api/articles?favorited=fan") == {"articles": [], "articlesCount": 0}
    assert_errors(client.post("/api/articles/nothing-1/favorite", headers=fan_headers), 404, {"article": ["not found"]})


def test_lists_omit_the_body_newest_first_with_stored_totals(client, db):
    _, jake = register(client, "jake")
    _, anna = register(client, "anna")
    first = write(client, jake, title="First", tagList=["dragons"])
    second = write(client, anna, title="Second", tagList=["dragons", "cats"])
    third = write(client, jake, title="Third", tagList=[])
    client.post(f"/api/articles/{first['slug']}/favorite", headers=anna)
    client.post(f"/api/articles/{third['slug']}/favorite", headers=anna)
    everything = listed(client, "/api/articles", anna)
    assert everything["articlesCount"] == 3
    assert [a["slug"] for a in everything["articles"]] == [third["slug"], second["slug"], first["slug"]]
    assert all("body" not in a and set(a) == ARTICLE_KEYS - {"body"} for a in everything["articles"])
    assert [a["favorited"] for a in everything["articles"]] == [True, False, True]
    cases = {
        "?tag=dragons": ([second, first], 2), "?tag=cats": ([second], 1),
        "?author=jake": ([third, first], 2), "?author=JAKE": ([third, first], 2),
        "?favorited=anna": ([third, first], 2), "?favorited=jake": ([], 0),
        "?author=nobody": ([], 0), "?tag=nothing": ([], 0), "?favorited=nobody": ([], 0), "?tag=": ([], 0),
        "?limit=1": ([third], 3), "?limit=1&offset=1": ([second], 3), "?offset=3": ([], 3),
        "?author=jake&limit=1&offset=1": ([first], 2),
    }
    for query, (articles, count) in cases.items():
        page = listed(client, f"/api/articles{query}")
        assert [a["slug"] for a in page["articles"]] == [a["slug"] for a in articles], query
        assert page["articlesCount"] == count, query


def test_the_default_limit_is_20(client, db):
    _, headers = register(client)
    for n in range(21):
        write(client, headers, title=f"a{n}", tagList=[])
    page = listed(client, "/api/articles")
    assert (len(page["articles"]), page["articlesCount"]) == (20, 21)


@pytest.mark.parametrize("query, field", [
    ("?limit=0", "limit"), ("?limit=101", "limit"), ("?limit=x", "limit"),
    ("?offset=-1", "offset"), ("?offset=501", "offset"),
])
def test_list_arguments_out_of_range_are_422(client, db, query, field):
    response = client.get(f"/api/articles{query}")
    assert response.status_code == 422
    assert list(response.json["errors"]) == [field]
    _, headers = register(client)
    assert list(client.get(f"/api/articles/feed{query}", headers=headers).json["errors"]) == [field]


def test_one_filter_at_a_time(client, db):
    assert_errors(client.get("/api/articles?tag=a&author=b"), 422, {"filter": ["use one of tag, author and favorited at a time"]})


def test_the_offset_cap_is_accepted(client, db):
    assert listed(client, "/api/articles?offset=500") == {"articles": [], "articlesCount": 0}


def test_the_feed(client, db, drain):
    _, reader = register(client, "reader")
    _, followed = register(client, "followed")
    _, stranger = register(client, "stranger")
    old = write(client, followed, title="Old")
    drain()  # (a fan-out still queued at the follow counts its board twice: the count is an upper bound)
    client.post("/api/profiles/followed/follow", headers=reader)
    new = write(client, followed, title="New")
    write(client, stranger, title="Not followed")
    drain()
    feed = listed(client, "/api/articles/feed", reader)
    assert [a["slug"] for a in feed["articles"]] == [new["slug"], old["slug"]]
    assert feed["articlesCount"] == 2
    assert all(a["author"]["following"] is True and "body" not in a for a in feed["articles"])
    assert [a["slug"] for a in listed(client, "/api/articles/feed?limit=1&offset=1", reader)["articles"]] == [old["slug"]]
    assert listed(client, "/api/articles/feed", stranger) == {"articles": [], "articlesCount": 0}
    client.delete("/api/profiles/followed/follow", headers=reader)
    assert listed(client, "/api/articles/feed", reader) == {"articles": [], "articlesCount": 0}


def test_tags_in_use(client, db):
    assert listed(client, "/api/tags") == {"tags": []}
    _, headers = register(client)
    write(client, headers, tagList=["zeta", "alpha"])
    slug = write(client, headers, tagList=["alpha", "beta"])["slug"]
    assert listed(client, "/api/tags") == {"tags": ["alpha", "beta", "zeta"]}
    client.delete(f"/api/articles/{slug}", headers=headers)
    assert listed(client, "/api/tags") == {"tags": ["alpha", "zeta"]}


def test_a_native_board_is_an_article(client, db, signup):
    _, native_headers = signup()
    board = client.post("/boards", json={"title": "Native", "content": "text"}, headers=native_headers).json
    _, headers = register(client)
    article = client.get(f"/api/articles/native-{board['id']}", headers=headers).json["article"]
    assert (article["title"], article["body"], article["description"], article["tagList"]) == ("Native", "text", "", [])


def test_the_stored_counts_match_the_rows_after_any_writes(client, db):
    """What articlesCount and favoritesCount read, against the base tables,
    after writes of every kind through /api."""
    _, jake = register(client, "jake")
    _, anna = register(client, "anna")
    slugs = [write(client, headers, title=f"a{n}", tagList=tags)["slug"]
             for n, (headers, tags) in enumerate([(jake, ["x", "y"]), (anna, ["y"]), (jake, []), (anna, ["z"])])]
    for slug in slugs[:3]:
        client.post(f"/api/articles/{slug}/favorite", headers=anna)
        client.post(f"/api/articles/{slug}/favorite", headers=jake)
    client.delete(f"/api/articles/{slugs[1]}/favorite", headers=jake)
    client.put(f"/api/articles/{slugs[0]}", headers=jake, json={"article": {"tagList": ["y", "w"]}})
    client.delete(f"/api/articles/{slugs[2]}", headers=jake)
    assert db.all(
        "SELECT u.name, u.board_count, u.favorite_count, "
        "(SELECT COUNT(*) FROM boards AS b WHERE b.user_id = u.id) AS boards, "
        "(SELECT COUNT(*) FROM favorites AS f WHERE f.user_id = u.id) AS favorites "
        "FROM users AS u ORDER BY u.name"
    ) == [{"name": "anna", "board_count": 2, "favorite_count": 2, "boards": 2, "favorites": 2},
          {"name": "jake", "board_count": 1, "favorite_count": 1, "boards": 1, "favorites": 1}]
    assert db.value("SELECT COUNT(*) FROM boards AS b WHERE b.favorite_count <> "
                    "(SELECT COUNT(*) FROM favorites AS f WHERE f.board_id = b.id)") == 0
    assert {row["name"]: row["board_count"] for row in db.all("SELECT name, board_count FROM tags")} == {
        "w": 1, "y": 2, "z": 1}
    assert db.value("SELECT SUM(value) FROM counters WHERE name = 'boards'") == 3 == db.value("SELECT COUNT(*) FROM boards")
    assert listed(client, "/api/articles?tag=y")["articlesCount"] == 2


def test_timestamps_keep_their_fraction_when_it_is_zero(client, db):
    _, headers = register(client)
    slug = write(client, headers)["slug"]
    client.post(f"/api/articles/{slug}/comments", headers=headers, json={"comment": {"body": "c"}})
    db.all("UPDATE boards SET created_at = '2026-01-02 03:04:05', updated_at = '2026-01-02 03:04:05'")
    db.all("UPDATE comments SET created_at = '2026-01-02 03:04:05'")
    db.conn.commit()
    article = client.get(f"/api/articles/{slug}").json["article"]
    listed_article = listed(client, "/api/articles")["articles"][0]
    comment = client.get(f"/api/articles/{slug}/comments").json["comments"][0]
    for value in (article["createdAt"], article["updatedAt"], listed_article["createdAt"], comment["createdAt"]):
        assert ISO_WITH_FRACTION.match(value) and value.startswith("2026-01-02T03:04:05.000000"), value


@pytest.mark.parametrize("tag", [" dragons", "dragons ", "a\u0007b", ""])
def test_a_tag_the_rules_refuse_is_422(client, db, tag):
    _, headers = register(client)
    response = client.post("/api/articles", headers=headers, json={"article": {**DRAGON, "tagList": [tag]}})
    assert response.status_code == 422
    assert list(response.json["errors"]) == ["tagList"]
    assert db.value("SELECT COUNT(*) FROM boards") == 0


def test_concurrent_api_writes_keep_every_count_exact(app, client, db, drain):
    """Threads favorite, unfavorite, retag, comment on and delete shared
    articles through /api at once: board_writes' locks queue, deadlocks are
    retried, nothing fails, every stored count matches its rows."""
    writers = [register(client)[1] for _ in range(4)]
    slugs = [write(client, writers[n % 4], title=f"shared {n}", tagList=["shared", f"own{n}"])["slug"]
             for n in range(8)]
    statuses = []

    def work(own_client, headers, rng):
        for _ in range(15):
            slug, action = rng.choice(slugs), rng.random()
            if action < 0.35:
                statuses.append(own_client.post(f"/api/articles/{slug}/favorite", headers=headers).status_code)
            elif action < 0.55:
                statuses.append(own_client.delete(f"/api/articles/{slug}/favorite", headers=headers).status_code)
            elif action < 0.8:
                tags = rng.sample(["shared", "other", "third"], rng.randint(0, 3))
                statuses.append(own_client.put(f"/api/articles/{slug}", headers=headers,
                                               json={"article": {"tagList": tags}}).status_code)
            elif action < 0.95:
                statuses.append(own_client.post(f"/api/articles/{slug}/comments", headers=headers,
                                                json={"comment": {"body": "c"}}).status_code)
            else:
                statuses.append(own_client.delete(f"/api/articles/{slug}", headers=headers).status_code)

    run_writers(app, work, writers)
    assert statuses and set(statuses) <= {200, 201, 204, 403, 404}, statuses
    drain()
    assert derived_mismatches(db, feeds.FEED_LENGTH, feeds.SLACK) == []
    assert listed(client, "/api/articles")["articlesCount"] == db.value("SELECT COUNT(*) FROM boards")


def test_a_tag_filter_finds_the_tag_however_it_is_composed(client, db):
    _, headers = register(client)
    write(client, headers, tagList=["caf\u00e9"])
    decomposed = listed(client, "/api/articles?tag=cafe\u0301")
    assert decomposed["articlesCount"] == 1 and decomposed["articles"][0]["tagList"] == ["caf\u00e9"]
