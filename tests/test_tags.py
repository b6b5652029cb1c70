"""Tags on boards: POST/PUT/PATCH /boards with tags, GET /boards?tag=, GET /tags."""
import pytest

from tests.helpers import assert_empty_page, assert_pages


def post_tagged(client, headers, tags, title="t"):
    response = client.post("/boards", json={"title": title, "tags": tags}, headers=headers)
    assert response.status_code == 201, response.json
    return response.json


def tag_rows(db):
    return {row["name"]: row["board_count"] for row in db.all("SELECT name, board_count FROM tags")}


def test_post_board_with_tags_returns_them_normalised_and_sorted(client, signup, db):
    _, headers = signup()
    board = post_tagged(client, headers, ["zebra", "Go", "go", "e\u0301t\u00e9", "new  york", "😀", "태그"])
    expected = sorted(["zebra", "Go", "go", "\u00e9t\u00e9", "new  york", "😀", "태그"])
    assert board["tags"] == expected
    assert client.get(f"/boards/{board['id']}").json["tags"] == expected
    assert tag_rows(db) == {name: 1 for name in expected}


def test_a_board_without_tags_has_an_empty_list(client, signup):
    _, headers = signup()
    board = post_tagged(client, headers, [])
    assert board["tags"] == []
    assert client.get("/boards").json["items"][0]["tags"] == []


BAD_TAGS = [
    pytest.param([f"t{n}" for n in range(11)], "Longer than maximum length 10", id="eleven-tags"),
    pytest.param(["x" * 31], "1 to 30", id="31-characters"),
    pytest.param(["   "], "spaces at either end", id="only-spaces"),
    pytest.param([" go"], "spaces at either end", id="leading-space"),
    pytest.param(["go\u3000"], "spaces at either end", id="trailing-ideographic-space"),
    pytest.param([""], "between 1 and 30", id="empty"),
    pytest.param(["go", "go"], "unique", id="duplicate"),
    pytest.param(["\u00e9", "e\u0301"], "unique", id="duplicate-after-nfc"),
    pytest.param(["a\x01b"], "control", id="control-character"),
    pytest.param(["a\tb"], "control", id="tab"),
    pytest.param(["a\x00b"], "control", id="nul"),
    pytest.param(["a\x85b"], "control", id="c1-control"),
    pytest.param([5], "Not a valid string", id="not-a-string"),
    pytest.param("go", "Not a valid list", id="not-a-list"),
    pytest.param(None, "null", id="null"),
]


@pytest.mark.parametrize("tags, message", BAD_TAGS)
@pytest.mark.parametrize("method", ["post", "put", "patch"])
def test_bad_tags_are_422_naming_the_field(client, signup, db, method, tags, message):
    _, headers = signup()
    board = post_tagged(client, headers, ["kept"])
    body = {"title": "t", "content": "c", "tags": tags}
    url = "/boards" if method == "post" else f"/boards/{board['id']}"
    response = getattr(client, method)(url, json=body, headers=headers)
    assert response.status_code == 422, response.json
    assert message in str(response.json["errors"]["json"]["tags"])
    assert db.value("SELECT COUNT(*) FROM boards") == 1
    assert tag_rows(db) == {"kept": 1}


def test_thirty_characters_and_ten_tags_are_accepted(client, signup):
    _, headers = signup()
    tags = ["x" * 30] + [f"t{n}" for n in range(9)]
    assert post_tagged(client, headers, tags)["tags"] == sorted(tags)


def test_patch_changes_tags_and_counts(client, signup, db):
    _, headers = signup()
    first = post_tagged(client, headers, ["a", "b"])
    post_tagged(client, headers, ["b", "c"])
    response = client.patch(f"/boards/{first['id']}", json={"tags": ["c", "d"]}, headers=headers)
    assert response.status_code == 200
    assert response.json["tags"] == ["c", "d"]
    assert response.json["title"] == first["title"]
    assert tag_rows(db) == {"b": 1, "c": 2, "d": 1}  # "a" is used by no board: gone


def test_put_without_tags_keeps_them_and_with_empty_list_clears(client, signup, db):
    _, headers = signup()
    board = post_tagged(client, headers, ["a"])
    url = f"/boards/{board['id']}"
    assert client.put(url, json={"title": "t2", "content": "c"}, headers=headers).json["tags"] == ["a"]
    assert client.put(url, json={"title": "t3", "content": "c", "tags": []}, headers=headers).json["tags"] == []
    assert tag_rows(db) == {}


def test_a_tag_change_changes_the_etag(client, signup):
    _, headers = signup()
    board = post_tagged(client, headers, ["a"])
    url = f"/boards/{board['id']}"
    before = client.get(url).headers["ETag"]
    assert client.patch(url, json={"tags": ["b"]}, headers=headers).status_code == 200
    after = client.get(url)
    assert after.headers["ETag"] != before
    assert client.get(url, headers={"If-None-Match": before}).status_code == 200
    assert after.json["tags"] == ["b"]


def test_patch_of_someone_elses_board_leaves_tags(client, signup, db):
    _, headers = signup()
    _, other = signup()
    board = post_tagged(client, headers, ["a"])
    response = client.patch(f"/boards/{board['id']}", json={"tags": ["b"]}, headers=other)
    assert response.status_code == 403
    assert tag_rows(db) == {"a": 1}


def test_boards_by_tag_newest_first_in_pages(client, signup):
    _, headers = signup()
    tagged = [post_tagged(client, headers, ["go", f"n{n}"])["id"] for n in range(5)]
    post_tagged(client, headers, ["rust"])
    items = assert_pages(client, "/boards?tag=go", 2, tagged[::-1])
    assert all("go" in item["tags"] for item in items)
    assert_pages(client, "/boards?tag=g%CC%81o", 1, [])  # another tag: "ǵo" in NFC
    assert_empty_page(client, "/boards?tag=Go")  # case counts
    assert_empty_page(client, "/boards?tag=nobody-uses-this")


@pytest.mark.parametrize("query, field", [
    ("tag=" + "x" * 31, "tag"),
    ("tag=", "tag"),
    ("tag=%20go", "tag"),
    ("tag=a%01b", "tag"),
])
def test_bad_tag_filter_is_422(client, query, field):
    response = client.get(f"/boards?{query}")
    assert response.status_code == 422
    assert field in response.json["errors"]["query"]


def test_boards_by_tag_and_author(client, signup):
    mine, headers = signup()
    _, other = signup()
    own = [post_tagged(client, headers, ["go"])["id"] for _ in range(3)]
    post_tagged(client, other, ["go"])
    post_tagged(client, headers, ["rust"])
    assert_pages(client, f"/boards?tag=go&author_id={mine['id']}", 2, own[::-1])
    assert_empty_page(client, "/boards?tag=go&author_id=999999999")


def test_a_tag_is_found_in_nfc(client, signup):
    _, headers = signup()
    board = post_tagged(client, headers, ["e\u0301"])
    assert board["tags"] == ["\u00e9"]
    assert_pages(client, "/boards?tag=e%CC%81", 1, [board["id"]])
    assert_pages(client, "/boards?tag=%C3%A9", 1, [board["id"]])


def test_get_tags_pages_tags_in_use_with_board_counts(client, signup):
    _, headers = signup()
    post_tagged(client, headers, ["a", "b"])
    post_tagged(client, headers, ["b", "c"])
    items = assert_pages(client, "/tags", 2, [row["id"] for row in client.get("/tags").json["items"]])
    assert {item["name"]: item["board_count"] for item in items} == {"a": 1, "b": 2, "c": 1}
    assert [item["id"] for item in items] == sorted((item["id"] for item in items), reverse=True)
    assert set(items[0]) == {"id", "name", "board_count"}


def test_get_tags_empty_and_bad_limit(client):
    assert_empty_page(client, "/tags")
    assert client.get("/tags?limit=0").status_code == 422


def test_deleting_a_board_takes_its_tags_off(client, signup, db):
    _, headers = signup()
    first = post_tagged(client, headers, ["a", "b"])
    post_tagged(client, headers, ["b"])
    assert client.delete(f"/boards/{first['id']}", headers=headers).status_code == 204
    assert tag_rows(db) == {"b": 1}
    assert db.value("SELECT COUNT(*) FROM board_tags") == 1
