"""A 201 answers with the row as it is stored: the service builds it from
what it wrote instead of reading it back, so check that nothing differs."""


def test_new_user_is_what_get_returns(client, signup):
    user, headers = signup("방금 가입 🌱")
    assert client.get(f"/users/{user['id']}", headers=headers).json == user


def test_new_board_is_what_get_returns(client, signup):
    _, headers = signup()
    created = client.post("/boards", json={"title": "새 글 ✨", "content": "내용"}, headers=headers)
    fetched = client.get(created.headers["Location"], headers=headers)  # with its `favorited`
    assert created.json == fetched.json
    assert created.headers["ETag"] == fetched.headers["ETag"]


def test_new_comment_is_what_get_returns(client, signup):
    _, headers = signup()
    board = client.post("/boards", json={"title": "t"}, headers=headers).json
    created = client.post(f"/boards/{board['id']}/comments", json={"content": "댓글 💬"}, headers=headers)
    assert created.json == client.get(created.headers["Location"]).json


def test_timestamps_are_utc_with_offset_and_updated_at_moves(client, signup, db):
    _, headers = signup()
    board = client.post("/boards", json={"title": "t"}, headers=headers).json
    assert board["created_at"].endswith("+00:00")
    stored = db.value("SELECT created_at FROM boards WHERE id = %s", (board["id"],))
    assert stored.isoformat() + "+00:00" == board["created_at"]
    patched = client.patch(f"/boards/{board['id']}", json={"title": "t2"}, headers=headers).json
    assert patched["created_at"] == board["created_at"]
    assert patched["updated_at"] > board["updated_at"]


def test_urls_keep_the_prefix_the_service_is_mounted_under(client, signup):
    """Behind a proxy that mounts the service under /api (SCRIPT_NAME), the
    Location of a new row and the Link to the next page carry the prefix."""
    mounted = {"base_url": "http://localhost/api"}
    _, headers = signup()
    board = client.post("/boards", json={"title": "t"}, headers=headers, **mounted)
    assert board.headers["Location"] == f"/api/boards/{board.json['id']}"
    comment = client.post(
        f"/boards/{board.json['id']}/comments", json={"content": "c"}, headers=headers, **mounted
    )
    assert comment.headers["Location"] == f"/api/comments/{comment.json['id']}"
    client.post("/boards", json={"title": "t2"}, headers=headers)
    assert client.get("/boards?limit=1", **mounted).headers["Link"].startswith("</api/boards?")
    user = client.post(
        "/users", json={"name": "mounted", "email": "m@example.com", "password": "password 1"}, **mounted
    )
    assert user.headers["Location"] == f"/api/users/{user.json['id']}"
