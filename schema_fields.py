"""The project's own marshmallow fields: text the database can store, UTC
datetimes, query-string integers, page cursors, the nested author, tags and
the caller's `favorited`."""
import json
from datetime import timezone

from marshmallow import Schema, ValidationError, fields, missing, validate

from pagination import decode_cursor
from tag_rules import MAX_TAG_LENGTH, MAX_TAGS, TAG_PATTERN, TAG_RULE, TagError, normalise_tag, normalise_tags

NO_NUL = validate.Regexp(r"^[^\u0000]*$", error="Must not contain NUL characters.")


class UnicodeText(fields.String):
    """A string that is Unicode text: a JSON escape can carry a lone
    surrogate, which is not text and cannot be encoded as UTF-8 (no pattern
    that JSON Schema tools share can say so; the type `string` means text)."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as error:
            raise ValidationError("Not valid Unicode text.") from error
        return text


class Text(UnicodeText):
    """Text the database can store exactly: no NUL characters either (the
    documented `pattern`)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators.insert(0, NO_NUL)


class Password(UnicodeText):
    """Any text, NUL characters included: a password is only hashed, never stored."""


class UTCDateTime(fields.DateTime):
    """The database keeps naive UTC datetimes; clients get ISO 8601 with
    +00:00, always with the microseconds (Python's isoformat leaves them out
    when they are 0, and clients parsing one fixed format then fail)."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc).isoformat(timespec="microseconds")

    def row_reader(self, name):
        def read(row):
            value = row.get(name, missing)
            if value is None or value is missing:
                return value
            return value.isoformat(timespec="microseconds") + "+00:00"

        return read


class QueryInteger(fields.Integer):
    """An integer from the query string: ASCII digits only (Python's int()
    would also read fullwidth and other Unicode digits)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str) and not value.lstrip("+-").isascii():
            raise self.make_error("invalid", input=value)
        return super()._deserialize(value, attr, data, **kwargs)


class Cursor(fields.String):
    """An opaque page cursor; loads as the last id of the previous page. An
    empty one is no cursor (the first page), as when it is left out."""

    def deserialize(self, value, attr=None, data=None, **kwargs):
        return super().deserialize(missing if value == "" else value, attr, data, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        return decode_cursor(super()._deserialize(value, attr, data, **kwargs))


class AuthorSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)


class Author(fields.Nested):
    """Rows carry author_id and author_name; clients get author: {id, name}.
    Built directly rather than through a nested schema: it is on every row of
    every page."""

    def __init__(self, **kwargs):
        super().__init__(AuthorSchema, required=True, **kwargs)

    def serialize(self, attr, obj, accessor=None, **kwargs):
        return {"id": obj["author_id"], "name": obj["author_name"]}

    def row_reader(self, name):
        return lambda row: {"id": row["author_id"], "name": row["author_name"]}


class StrictBoolean(fields.Boolean):
    """JSON true or false only: marshmallow's Boolean also takes "yes", "on",
    1 and 0."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


class TagName(UnicodeText):
    """One tag name, as tag_rules says; loads normalised (NFC)."""

    def __init__(self, **kwargs):
        super().__init__(validate=[validate.Length(1, MAX_TAG_LENGTH),
                                   validate.Regexp(TAG_PATTERN, error=TAG_RULE)], **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            return normalise_tag(super()._deserialize(value, attr, data, **kwargs))
        except TagError as error:
            raise ValidationError(str(error)) from error


class TagList(fields.List):
    """A board's tags: up to 10 names, unique; loaded normalised and sorted."""

    def __init__(self, **kwargs):
        super().__init__(TagName(), validate=validate.Length(max=MAX_TAGS),
                         metadata={"uniqueItems": True, "description": "stored in NFC, returned sorted"},
                         **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        names = super()._deserialize(value, attr, data, **kwargs)
        try:
            return normalise_tags(names)
        except TagError as error:
            raise ValidationError(str(error)) from error


class ReadFromColumn:
    """A mixin for a field whose value is `_read(its column's value)`, the
    same when marshmallow serializes it and as RowSchema's row reader."""

    def serialize(self, attr, obj, accessor=None, **kwargs):
        return self._read(obj.get(attr))

    def row_reader(self, name):
        return lambda row: self._read(row.get(name))


class TagNames(ReadFromColumn, fields.List):
    """Rows carry `tag_names`, a JSON array of names (NULL: no tags) from
    the query, or a list; clients get them sorted."""

    def __init__(self, **kwargs):
        super().__init__(fields.String(), required=True, **kwargs)

    @staticmethod
    def _read(names):
        if names is None:
            return []
        return sorted(json.loads(names) if isinstance(names, (str, bytes)) else names)


class Favorited(ReadFromColumn, fields.Boolean):
    """Whether the caller favorited the board: left out when the query had
    no caller (the row says NULL), as for an anonymous request."""

    def __init__(self, **kwargs):
        super().__init__(metadata={"description": "only when the request carries a token"}, **kwargs)

    @staticmethod
    def _read(value):
        return missing if value is None else bool(value)
