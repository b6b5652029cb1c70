"""Real concurrency against the database: each thread has its own test
client, and the app keeps one connection per thread, so the requests run at
the same time on separate connections."""
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

COMMENTERS = 20
RACES = 10


def run_in_threads(app, jobs):
    """Runs each job(client) in its own thread, all released at once by a
    barrier; returns their results in order. Every thread closes the
    connection the app opened for it before it ends."""
    barrier = threading.Barrier(len(jobs))
    database = app.extensions["boards_db"]

    def run(job):
        client = app.test_client()
        try:
            barrier.wait(timeout=30)
            return job(client)
        finally:
            database.close_thread_connection()
            assert database.thread_connection() is None

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        return list(pool.map(run, jobs))


@pytest.fixture
def board(client, signup):
    _, headers = signup()
    response = client.post("/boards", json={"title": "v0", "content": "c0"}, headers=headers)
    assert response.status_code == 201
    return response.json, headers


def test_twenty_threads_comment_on_one_board_at_once(app, client, signup, db, board):
    board, _ = board
    people = [signup() for _ in range(COMMENTERS)]

    def comment(n):
        def job(thread_client):
            response = thread_client.post(
                f"/boards/{board['id']}/comments",
                json={"content": f"comment {n}"},
                headers=people[n][1],
            )
            return response.status_code, response.json

        return job

    results = run_in_threads(app, [comment(n) for n in range(COMMENTERS)])
    assert [status for status, _ in results] == [201] * COMMENTERS
    assert len({body["id"] for _, body in results}) == COMMENTERS
    rows = db.all(
        "SELECT user_id, content FROM comments WHERE board_id = %s ORDER BY id", (board["id"],)
    )
    assert sorted((row["user_id"], row["content"]) for row in rows) == sorted(
        (people[n][0]["id"], f"comment {n}") for n in range(COMMENTERS)
    )
    assert client.get(f"/boards/{board['id']}").json["comment_count"] == COMMENTERS
    listed = client.get(f"/boards/{board['id']}/comments?limit=100").json["items"]
    assert len(listed) == COMMENTERS


@pytest.mark.parametrize("method", ["put", "patch"])
def test_racing_updates_with_the_same_if_match_exactly_one_wins(app, client, db, board, method):
    board, headers = board
    url = f"/boards/{board['id']}"
    for race in range(RACES):
        etag = client.get(url).headers["ETag"]
        version = db.value("SELECT version FROM boards WHERE id = %s", (board["id"],))

        def update(writer):
            def job(thread_client):
                response = getattr(thread_client, method)(
                    url,
                    json={"title": f"race {race} writer {writer}", "content": f"by {writer}"},
                    headers={**headers, "If-Match": etag},
                )
                return response.status_code, response.json

            return job

        results = run_in_threads(app, [update(0), update(1)])
        statuses = sorted(status for status, _ in results)
        assert statuses == [200, 412], results
        winner = next(body for status, body in results if status == 200)
        stored = db.one("SELECT title, content, version FROM boards WHERE id = %s", (board["id"],))
        assert stored["title"] == winner["title"]
        assert stored["content"] == winner["content"]
        assert stored["version"] == version + 1
