"""Calls of RealWorld's /api the tests share: register a user, the token
headers, the error body."""
import itertools

from tests.helpers import PASSWORD

_numbers = itertools.count(1)


def register(client, username=None, password=PASSWORD):
    """A new user through POST /api/users: (their `user` answer, Token headers)."""
    n = next(_numbers)
    username = username or f"writer{n}"
    response = client.post("/api/users", json={"user": {
        "username": username, "email": f"{username}@example.com", "password": password,
    }})
    assert response.status_code == 201, response.json
    user = response.json["user"]
    return user, token_headers(user["token"])


def token_headers(token, scheme="Token"):
    return {"Authorization": f"{scheme} {token}"}


def as_bearer(headers):
    """The same token as the native API takes it."""
    return {"Authorization": headers["Authorization"].replace("Token ", "Bearer ", 1)}


def assert_errors(response, status, errors):
    """The response is `status` with exactly RealWorld's error body `errors`."""
    assert response.status_code == status, (response.status_code, response.json)
    assert response.json == {"errors": errors}
