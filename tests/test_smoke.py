"""The service answers on a real database: one pass through the main flow."""


def test_signup_login_post_and_list(client, signup, db):
    user, headers = signup("김민지 🌸")
    created = client.post("/boards", json={"title": "안녕하세요 😀", "content": "본문"}, headers=headers)
    assert created.status_code == 201
    assert created.headers["Location"] == f"/boards/{created.json['id']}"
    listed = client.get("/boards").json["items"]
    assert [b["title"] for b in listed] == ["안녕하세요 😀"]
    assert listed[0]["author"] == {"id": user["id"], "name": "김민지 🌸"}
    stored = db.value("SELECT title FROM boards WHERE id = %s", (created.json["id"],))
    assert stored == "안녕하세요 😀"
