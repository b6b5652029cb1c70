"""JSON responses encoded by orjson, through Flask's JSONProvider hook.

Encoding a page of 20 boards with json.dumps was about a tenth of the
request's CPU (docs/performance.md); orjson does it several times faster.
The output is the JSON Flask would send: compact, UTF-8 without \\u escapes
(Flask's `ensure_ascii` off), a final newline. Keys keep the order the
schemas give them instead of being sorted. What orjson does not encode
itself, datetimes included, goes through Flask's `default` (HTTP dates,
Decimal as a string, ...). Indented output (debug, or `indent=` asked for by
name) stays with the stdlib. Parsing stays with Flask's (the stdlib's), but
takes UTF-8 only, as RFC 8259 asks of JSON between systems: the stdlib would
also guess UTF-16 and UTF-32 from the bytes.
"""
import orjson
from flask.json.provider import DefaultJSONProvider

OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME
COMPACT = {"separators": (",", ":")}


class OrjsonProvider(DefaultJSONProvider):
    def dumps(self, obj, **kwargs):
        if kwargs and kwargs != COMPACT:
            return super().dumps(obj, **kwargs)
        return orjson.dumps(obj, default=self.default, option=OPTIONS).decode()

    def loads(self, s, **kwargs):
        if isinstance(s, (bytes, bytearray)):
            s = s.decode("utf-8")
        return super().loads(s, **kwargs)

    def response(self, *args, **kwargs):
        """The response DefaultJSONProvider.response builds from `dumps`
        (tests/test_json_provider.py checks it byte for byte), with orjson's
        bytes put in the response as they are: Flask's own turns them into a
        str, appends the newline and encodes them again, 3.5 % of a page of
        boards (docs/performance.md). Depends on Flask's private
        `_prepare_response_obj` (Flask 3.1.3, pinned), which turns
        `jsonify`'s arguments into one value."""
        if self.compact is False or (self.compact is None and self._app.debug):
            return super().response(*args, **kwargs)
        body = orjson.dumps(
            self._prepare_response_obj(args, kwargs),
            default=self.default,
            option=OPTIONS | orjson.OPT_APPEND_NEWLINE,
        )
        return self._app.response_class(body, mimetype=self.mimetype)
