"""What goes in and what comes out, as marshmallow schemas."""
from marshmallow import Schema, fields, validate

from row_schema import RowSchema, Rows
from schema_fields import (
    Author, Cursor, Favorited, Password, QueryInteger, StrictBoolean, TagList, TagName, TagNames, Text, UTCDateTime,
)

MAX_ID = 2**63 - 1


# In


class PageArgsSchema(Schema):
    limit = QueryInteger(
        load_default=20, validate=validate.Range(1, 100), metadata={"description": "1..100"}
    )
    cursor = Cursor(
        metadata={
            "description": "next_cursor of the previous page, as given (any other value is 422); "
            "empty or left out: the first page"
        }
    )


class BoardListArgsSchema(PageArgsSchema):
    author_id = QueryInteger(
        validate=validate.Range(1, MAX_ID), metadata={"description": "only this user's boards"}
    )
    tag = TagName(metadata={"description": "only the boards with this tag (with author_id: that "
                                           "user's boards with this tag)"})


class UserCreateSchema(Schema):
    name = Text(required=True, validate=validate.Length(1, 50))
    email = fields.Email(required=True, validate=validate.Length(max=255))
    password = Password(required=True, load_only=True, validate=validate.Length(8, 128))


class UserReplaceSchema(UserCreateSchema):
    password = Password(load_only=True, validate=validate.Length(8, 128))


class UserPatchSchema(UserReplaceSchema):
    name = Text(validate=validate.Length(1, 50))
    email = fields.Email(validate=validate.Length(max=255))


class LoginSchema(Schema):
    email = Text(required=True, validate=validate.Length(1, 255))
    password = Password(required=True, load_only=True, validate=validate.Length(1, 128))


class LogoutSchema(Schema):
    everywhere = StrictBoolean(
        load_default=False, metadata={"description": "end every token of yours, not only this one"}
    )


class BoardCreateSchema(Schema):
    title = Text(required=True, validate=validate.Length(1, 200))
    content = Text(load_default="", validate=validate.Length(0, 20000))
    tags = TagList(load_default=list)


class BoardReplaceSchema(BoardCreateSchema):
    content = Text(required=True, validate=validate.Length(0, 20000))
    tags = TagList()  # left out: the board keeps its tags


class BoardPatchSchema(Schema):
    title = Text(validate=validate.Length(1, 200))
    content = Text(validate=validate.Length(0, 20000))
    tags = TagList()


class CommentCreateSchema(Schema):
    content = Text(required=True, validate=validate.Length(1, 2000))


# Out


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


class BoardSchema(RowSchema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    content = fields.String(required=True)
    tag_names = TagNames(data_key="tags")
    author = Author()
    comment_count = fields.Integer(required=True)
    favorite_count = fields.Integer(required=True)
    favorited = Favorited()
    created_at = UTCDateTime(required=True)
    updated_at = UTCDateTime(required=True)


class TagSchema(RowSchema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    board_count = fields.Integer(required=True, metadata={"description": "boards with this tag"})


class CommentSchema(RowSchema):
    id = fields.Integer(required=True)
    board_id = fields.Integer(required=True)
    content = fields.String(required=True)
    author = Author()
    created_at = UTCDateTime(required=True)


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
TagPageSchema = _page_of(TagSchema, "TagPage")
