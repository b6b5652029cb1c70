"""What goes in and what comes out, as marshmallow schemas."""
from datetime import timezone

from marshmallow import Schema, ValidationError, fields, missing, validate

from pagination import decode_cursor

MAX_ID = 2**63 - 1


class Text(fields.String):
    """A string that the database can store exactly: no NUL characters and
    no lone surrogates (which are not UTF-8)."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if "\x00" in text:
            raise ValidationError("Must not contain NUL characters.")
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as error:
            raise ValidationError("Not valid Unicode text.") from error
        return text


class UTCDateTime(fields.DateTime):
    """The database keeps naive UTC datetimes; clients get ISO 8601 with +00:00."""

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else value.replace(tzinfo=timezone.utc).isoformat()

    def row_reader(self, name):
        def read(row):
            value = row.get(name, missing)
            return value if value is None or value is missing else value.isoformat() + "+00:00"

        return read


class QueryInteger(fields.Integer):
    """An integer from the query string: ASCII digits only (Python's int()
    would also read fullwidth and other Unicode digits)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str) and not value.lstrip("+-").isascii():
            raise self.make_error("invalid", input=value)
        return super()._deserialize(value, attr, data, **kwargs)


class Cursor(fields.String):
    """An opaque page cursor; loads as the last id of the previous page."""

    def _deserialize(self, value, attr, data, **kwargs):
        return decode_cursor(super()._deserialize(value, attr, data, **kwargs))


# In


class PageArgsSchema(Schema):
    limit = QueryInteger(
        load_default=20, validate=validate.Range(1, 100), metadata={"description": "1..100"}
    )
    cursor = Cursor(metadata={"description": "next_cursor of the previous page"})


class BoardListArgsSchema(PageArgsSchema):
    author_id = QueryInteger(
        validate=validate.Range(1, MAX_ID), metadata={"description": "only this user's boards"}
    )


class UserCreateSchema(Schema):
    name = Text(required=True, validate=validate.Length(1, 50))
    email = fields.Email(required=True, validate=validate.Length(max=255))
    password = Text(required=True, load_only=True, validate=validate.Length(8, 128))


class UserReplaceSchema(UserCreateSchema):
    password = Text(load_only=True, validate=validate.Length(8, 128))


class UserPatchSchema(UserReplaceSchema):
    name = Text(validate=validate.Length(1, 50))
    email = fields.Email(validate=validate.Length(max=255))


class LoginSchema(Schema):
    email = Text(required=True, validate=validate.Length(1, 255))
    password = Text(required=True, load_only=True, validate=validate.Length(1, 128))


class LogoutSchema(Schema):
    # Only JSON true/false (and 1/0, equal to them in Python), not "yes" or "on".
    everywhere = fields.Boolean(load_default=False, truthy={True}, falsy={False},
                                metadata={"description": "end every token of yours, not only this one"})


class BoardCreateSchema(Schema):
    title = Text(required=True, validate=validate.Length(1, 200))
    content = Text(load_default="", validate=validate.Length(0, 20000))


class BoardReplaceSchema(BoardCreateSchema):
    content = Text(required=True, validate=validate.Length(0, 20000))


class BoardPatchSchema(Schema):
    title = Text(validate=validate.Length(1, 200))
    content = Text(validate=validate.Length(0, 20000))


class CommentCreateSchema(Schema):
    content = Text(required=True, validate=validate.Length(1, 2000))


# Out


class RowSchema(Schema):
    """An output schema for database rows (dicts), dumped by a plan made
    once per schema instead of marshmallow's per-field machinery.

    Saves: 31 % of the instructions of a page of 20 boards, 27 % of a page of
    comments, 24 % of the feed and 4-5 % of a single board or user
    (bench/instructions.py, docs/performance.md). A row needs no more than
    picking keys, formatting datetimes and nesting the author.
    How: plain Integer/String fields are copied as they are; a field with
    `row_reader(name)` formats its own value; any other field goes through
    its own `serialize`. Keys absent from the row are left out, as
    marshmallow does. The fields still describe the output for OpenAPI.
    Depends on: marshmallow 4's `dump_fields` and `Field.serialize` (pinned
    marshmallow==4.4.0).
    Gives up: pre_dump/post_dump hooks never run, `only`/`exclude` given to
    `dump` and a field's `attribute`/`dump_default` are not honoured. None of
    the output schemas uses them; tests/test_schemas.py dumps every schema
    here with marshmallow's own `Schema.dump` and with this one and requires
    the same output."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._row_plan = tuple(
            (field.data_key or name, name, _row_reader(field, name))
            for name, field in self.dump_fields.items()
        )

    def dump(self, obj, *, many=None):
        many = self.many if many is None else bool(many)
        return [self._dump_row(row) for row in obj] if many else self._dump_row(obj)

    def _dump_row(self, row):
        out = {}
        for key, name, read in self._row_plan:
            if read is None:
                if name in row:
                    out[key] = row[name]
            else:
                value = read(row)
                if value is not missing:
                    out[key] = value
        return out


def _row_reader(field, name):
    if type(field) in (fields.Integer, fields.String):
        return None
    if hasattr(field, "row_reader"):
        return field.row_reader(name)
    return lambda row: field.serialize(name, row)


class UserSchema(RowSchema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    email = fields.String(metadata={"description": "only when the caller is this user"})
    created_at = UTCDateTime(required=True)
    updated_at = UTCDateTime(required=True)


class TokenSchema(Schema):
    access_token = fields.String(required=True)
    token_type = fields.String(required=True, metadata={"example": "Bearer"})
    expires_in = fields.Integer(required=True, metadata={"description": "seconds"})


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


class BoardSchema(RowSchema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    content = fields.String(required=True)
    author = Author()
    comment_count = fields.Integer(required=True)
    created_at = UTCDateTime(required=True)
    updated_at = UTCDateTime(required=True)


class CommentSchema(RowSchema):
    id = fields.Integer(required=True)
    board_id = fields.Integer(required=True)
    content = fields.String(required=True)
    author = Author()
    created_at = UTCDateTime(required=True)


class Rows(fields.List):
    """A list of rows dumped by their RowSchema in one call."""

    def __init__(self, row_schema, **kwargs):
        super().__init__(fields.Nested(row_schema), **kwargs)

    def row_reader(self, name):
        schema = self.inner.schema
        return lambda page: schema.dump(page[name], many=True)


def _page_of(item_schema, name):
    return RowSchema.from_dict(
        {
            "items": Rows(item_schema, required=True),
            "next_cursor": fields.String(
                required=True, allow_none=True, metadata={"description": "null on the last page"}
            ),
        },
        name=name,
    )


UserPageSchema = _page_of(UserSchema, "UserPage")
BoardPageSchema = _page_of(BoardSchema, "BoardPage")
CommentPageSchema = _page_of(CommentSchema, "CommentPage")
