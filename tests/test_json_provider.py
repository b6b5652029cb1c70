"""Responses are encoded by orjson (json_provider.py) and must read as the
JSON Flask's own encoder would have sent."""
import json
from datetime import datetime
from decimal import Decimal

import pytest

from flask import Flask
from flask.json.provider import DefaultJSONProvider

from web.json_provider import OrjsonProvider
from schemas import UserSchema


def make_provider(debug=False):
    app = Flask(__name__)
    app.debug = debug
    app.json = OrjsonProvider(app)
    return app


def test_a_response_is_compact_utf8_with_a_final_newline(client, signup):
    user, _ = signup("하늘 ☕")
    response = client.get(f"/users/{user['id']}")
    raw = response.get_data()
    assert raw.endswith(b"}\n") and b"\\u" not in raw and b": " not in raw
    assert "하늘 ☕".encode() in raw
    assert response.mimetype == "application/json"


def test_keys_keep_the_schemas_order(client, signup):
    user, _ = signup("ordered")
    keys = list(json.loads(client.get(f"/users/{user['id']}").get_data(as_text=True)))
    assert keys == [name for name in UserSchema().dump_fields if name in keys]
    assert keys != sorted(keys)


def test_what_orjson_does_not_encode_goes_through_flasks_default():
    app = make_provider()
    value = {1: Decimal("1.50"), "when": datetime(2026, 1, 2, 3, 4, 5)}
    with app.app_context():
        assert json.loads(app.json.dumps(value)) == {
            "1": "1.50",
            "when": "Fri, 02 Jan 2026 03:04:05 GMT",
        }


def test_debug_and_named_options_fall_back_to_the_stdlib_encoder():
    app = make_provider(debug=True)
    with app.app_context():
        assert app.json.response({"a": 1}).get_data() == b'{\n  "a": 1\n}\n'
        assert app.json.dumps({"b": 2}, indent=1) == '{\n "b": 2\n}'


def test_request_bodies_are_parsed_as_utf8_only(app):
    """RFC 8259: JSON between systems is UTF-8. The stdlib alone would also
    accept UTF-16 and UTF-32 bytes (it guesses the encoding)."""
    assert app.json.loads('{"title": "글"}'.encode("utf-8")) == {"title": "글"}
    with pytest.raises(ValueError):
        app.json.loads('{"title": "글"}'.encode("utf-16"))


RESPONSE_VALUES = [
    {"items": [{"id": 1, "title": "글 ☕", "when": datetime(2026, 1, 2, 3, 4, 5)}], "next": None},
    [1, "two", 3.5, True, None],
    {2: Decimal("2.50"), "nested": {"b": [], "a": {}}},
    "text",
    None,
]


@pytest.mark.parametrize("value", RESPONSE_VALUES)
def test_response_is_what_flasks_default_response_builds_from_dumps(value):
    """OrjsonProvider.response skips a str round trip of Flask's
    DefaultJSONProvider.response (docs/performance.md); the bytes, status
    and headers must be what Flask's own method makes with this provider."""
    app = make_provider()
    with app.app_context():
        ours = app.json.response(value)
        flasks = DefaultJSONProvider.response(app.json, value)
        assert ours.get_data() == flasks.get_data()
        assert ours.status == flasks.status
        assert ours.headers == flasks.headers


def test_response_takes_jsonifys_arguments_as_flask_does():
    app = make_provider()
    with app.app_context():
        for args, kwargs in (((1, 2), {}), ((), {"a": 1}), ((), {})):
            ours = app.json.response(*args, **kwargs).get_data()
            assert ours == DefaultJSONProvider.response(app.json, *args, **kwargs).get_data()
        with pytest.raises(TypeError):
            app.json.response(1, a=2)
