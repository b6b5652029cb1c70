"""Responses are encoded by orjson (json_provider.py) and must read as the
JSON Flask's own encoder would have sent."""
import json
from datetime import datetime
from decimal import Decimal

import pytest

from flask import Flask

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
