"""What the scale bench asks of the service: the GETs it measures, the
users it acts as, and a check that the dataset is what the GETs assume."""
from app import create_app
from bench import scale_seed
from bench.run import Endpoint
from pagination import encode_cursor
from scripts.processes import http_call

PAGE = 20


def get_endpoints(dataset, deep_page, secret_key):
    """(endpoint, whose bearer headers or None) of every GET measured."""
    boards, hot, c = dataset.shape.boards, dataset.hot_board, scale_seed.CELEBRITY
    with create_app({"SECRET_KEY": secret_key, "LOG_LEVEL": "WARNING"}).app_context():
        deep_cursor = encode_cursor(boards - PAGE * (deep_page - 1) + 1)  # ids are 1..boards
    return [
        (Endpoint("GET /boards (page 1)", "page", "GET", "/boards"), None),
        (Endpoint(f"GET /boards (page {deep_page:,})", "page", "GET", f"/boards?cursor={deep_cursor}"), None),
        (Endpoint("GET /boards/{hot}", "single", "GET", f"/boards/{hot}"), None),
        (Endpoint("GET /boards/{hot}/comments", "page", "GET", f"/boards/{hot}/comments"), None),
        (Endpoint("GET /feed (3 quiet authors)", "page", "GET", "/feed"), "quiet"),
        (Endpoint("GET /feed (100 active authors)", "page", "GET", "/feed"), "active"),
        (Endpoint("GET /feed (ordinary reader)", "page", "GET", "/feed"), "ordinary reader"),
        (Endpoint("GET /users/{id}", "single", "GET", f"/users/{dataset.ordinary_author}"), None),
        (Endpoint("GET /users/{celebrity}", "single", "GET", f"/users/{c}"), None),
        (Endpoint("GET /users/{celebrity}/followers", "page", "GET", f"/users/{c}/followers"), None),
    ]


def logins(port, dataset):
    """Bearer headers of the users the bench acts as."""
    users = {"celebrity": scale_seed.CELEBRITY, "quiet": scale_seed.QUIET_READER,
             "active": scale_seed.ACTIVE_READER, "ordinary reader": dataset.ordinary_reader,
             "ordinary author": dataset.ordinary_author, "last follower": dataset.last_celebrity_follower}
    headers = {}
    for name, user_id in users.items():
        reply = http_call(port, "POST", "/auth/login",
                          body={"email": scale_seed.email_of(user_id), "password": scale_seed.PASSWORD})
        if reply.status != 200:
            raise RuntimeError(f"login of {name} failed: {reply.status} {reply.body[:200]!r}")
        headers[name] = {"Authorization": f"Bearer {reply.json()['access_token']}"}
    return headers


def check_front_page(port, dataset):
    """The hot board is on page 1 with its comments counted."""
    items = http_call(port, "GET", "/boards").json()["items"]
    hot = [item for item in items if item["id"] == dataset.hot_board]
    if not hot or hot[0]["comment_count"] < dataset.shape.hot_comments:
        raise RuntimeError(f"hot board {dataset.hot_board} not on page 1 with its comments: {hot}")
