"""What the scale bench asks of the service: the GETs it measures, the
users it acts as, and a check that the dataset is what the GETs assume."""
from app import create_app
from bench import scale_seed
from bench.run import Endpoint
from pagination import encode_cursor
from realworld.slugs import article_slug
from scripts.processes import http_call

PAGE = 20


def get_endpoints(dataset, deep_page, secret_key):
    """(endpoint, whose bearer headers or None) of every GET measured."""
    boards, hot, c = dataset.shape.boards, dataset.hot_board, scale_seed.CELEBRITY
    tag, tag_page, every = scale_seed.BIG_TAG, tag_deep_page(deep_page), scale_seed.BIG_TAG_EVERY
    with create_app({"SECRET_KEY": secret_key, "LOG_LEVEL": "WARNING"}).app_context():
        deep_cursor = encode_cursor(boards - PAGE * (deep_page - 1) + 1)  # ids are 1..boards
        tag_cursor = encode_cursor(boards - every * PAGE * (tag_page - 1) + 1)  # boards is a multiple of every
    tag_author, favoriter = scale_seed.ACTIVE_FIRST + 1, scale_seed.HEAVY_FAVORITER
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
        (Endpoint("GET /boards?tag={big} (page 1)", "page", "GET", f"/boards?tag={tag}"), None),
        (Endpoint(f"GET /boards?tag={{big}} (page {tag_page:,})", "page", "GET",
                  f"/boards?tag={tag}&cursor={tag_cursor}"), None),
        (Endpoint("GET /boards?tag={big}&author_id={active}", "page", "GET",
                  f"/boards?tag={tag}&author_id={tag_author}"), None),
        (Endpoint("GET /tags", "page", "GET", "/tags"), None),
        (Endpoint("GET /users/{favoriter}/favorites", "page", "GET", f"/users/{favoriter}/favorites"), None),
        (Endpoint("GET /users/by-name/{celebrity}", "single", "GET", f"/users/by-name/user{c}"), None),
        (Endpoint("GET /boards (page 1, as the favoriter)", "page", "GET", "/boards"), "favoriter"),
        *realworld_endpoints(hot, tag_author, favoriter),
    ]


def realworld_endpoints(hot, tag_author, favoriter):
    """The /api lists (RealWorld: offsets, 20 a page, comments and tags 100)."""
    return [
        (Endpoint("GET /api/articles", "page", "GET", "/api/articles"), None),
        (Endpoint("GET /api/articles?offset=500", "page", "GET", "/api/articles?offset=500"), None),
        (Endpoint("GET /api/articles?tag={big}", "page", "GET", f"/api/articles?tag={scale_seed.BIG_TAG}"), None),
        (Endpoint("GET /api/articles?author={active}", "page", "GET", f"/api/articles?author=user{tag_author}"),
         None),
        (Endpoint("GET /api/articles?favorited={favoriter}", "page", "GET",
                  f"/api/articles?favorited=user{favoriter}"), None),
        (Endpoint("GET /api/articles/feed (ordinary reader)", "page", "GET", "/api/articles/feed"),
         "ordinary reader"),
        (Endpoint("GET /api/tags", "page", "GET", "/api/tags"), None),
        (Endpoint("GET /api/articles/{hot}/comments", "page", "GET",
                  f"/api/articles/{article_slug(hot, f'Board {hot}')}/comments"), None),
        (Endpoint("GET /api/profiles/{celebrity}", "single", "GET", f"/api/profiles/user{scale_seed.CELEBRITY}"),
         None),
    ]


def tag_deep_page(deep_page):
    """The big tag's page as deep in its boards as `deep_page` is in all."""
    return max(2, deep_page // scale_seed.BIG_TAG_EVERY)


def logins(port, dataset):
    """Bearer headers of the users the bench acts as."""
    users = {"celebrity": scale_seed.CELEBRITY, "quiet": scale_seed.QUIET_READER,
             "active": scale_seed.ACTIVE_READER, "ordinary reader": dataset.ordinary_reader,
             "ordinary author": dataset.ordinary_author, "last follower": dataset.last_celebrity_follower,
             "favoriter": scale_seed.HEAVY_FAVORITER}
    headers = {}
    for name, user_id in users.items():
        reply = http_call(port, "POST", "/auth/login",
                          body={"email": scale_seed.email_of(user_id), "password": scale_seed.PASSWORD})
        if reply.status != 200:
            raise RuntimeError(f"login of {name} failed: {reply.status} {reply.body[:200]!r}")
        headers[name] = {"Authorization": f"Bearer {reply.json()['access_token']}"}
    return headers


def check_front_page(port, dataset):
    """The hot board is on page 1 with its comments and favorites counted,
    and the big tag's page is full."""
    items = http_call(port, "GET", "/boards").json()["items"]
    hot = [item for item in items if item["id"] == dataset.hot_board]
    if (not hot or hot[0]["comment_count"] < dataset.shape.hot_comments
            or hot[0]["favorite_count"] < dataset.shape.hot_favorites):
        raise RuntimeError(f"hot board {dataset.hot_board} not on page 1 with its counts: {hot}")
    tagged = http_call(port, "GET", f"/boards?tag={scale_seed.BIG_TAG}").json()["items"]
    if len(tagged) != PAGE or any(scale_seed.BIG_TAG not in item["tags"] for item in tagged):
        raise RuntimeError(f"the big tag's page 1 is not {PAGE} boards with it: {tagged[:2]}")
