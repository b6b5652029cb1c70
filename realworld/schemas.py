"""What /api takes and answers, as RealWorld's spec has it: bodies wrapped
in `user`, `article`, `comment`; unknown fields ignored at every level
(frontends send whole objects)."""
from marshmallow import EXCLUDE, Schema, fields, validate

from realworld import fields as rw
from realworld.errors import BLANK
from schema_fields import QueryInteger, UTCDateTime
from tag_rules import MAX_TAGS

MAX_LIMIT = 100
MAX_OFFSET = 500


class In(Schema):
    class Meta:
        unknown = EXCLUDE


def wrapped(name, inner):
    """{"<name>": inner}, with the wrapper itself required."""
    return type(f"{inner.__name__}Body", (In,), {
        name: fields.Nested(inner, required=True, error_messages={"required": BLANK, "null": BLANK}),
    })


class NewUser(In):
    username = rw.text(1, 50, required=True)
    email = rw.email(required=True)
    password = rw.password(required=True)


class LoginUser(In):
    email = rw.text(1, 255, required=True)
    password = rw.password(required=True)


class UpdateUser(In):
    username = rw.text(1, 50)
    email = rw.email()
    password = rw.password()
    bio = rw.optional_text(2000)
    image = rw.optional_text(2000)


NewUserBody = wrapped("user", NewUser)
LoginUserBody = wrapped("user", LoginUser)
UpdateUserBody = wrapped("user", UpdateUser)


class NewComment(In):
    body = rw.text(1, 2000, required=True)


NewCommentBody = wrapped("comment", NewComment)


# Out


class ConduitUser(Schema):
    email = fields.String(required=True)
    token = fields.String(required=True)
    username = fields.String(required=True, attribute="name")
    bio = fields.String(required=True, allow_none=True)
    image = fields.String(required=True, allow_none=True)


class ConduitProfile(Schema):
    username = fields.String(required=True, attribute="name")
    bio = fields.String(required=True, allow_none=True)
    image = fields.String(required=True, allow_none=True)
    following = fields.Boolean(required=True)


class ConduitComment(Schema):
    id = fields.Integer(required=True)
    createdAt = UTCDateTime(required=True, attribute="created_at")
    updatedAt = UTCDateTime(required=True, attribute="updated_at")
    body = fields.String(required=True, attribute="content")
    author = fields.Nested(ConduitProfile, required=True)


class UserResponse(Schema):
    user = fields.Nested(ConduitUser, required=True)


class ProfileResponse(Schema):
    profile = fields.Nested(ConduitProfile, required=True)


class SingleCommentResponse(Schema):
    comment = fields.Nested(ConduitComment, required=True)


class MultipleCommentsResponse(Schema):
    comments = fields.List(fields.Nested(ConduitComment), required=True)


class GenericErrorModel(Schema):
    errors = fields.Dict(
        keys=fields.String(), values=fields.List(fields.String()), required=True,
        metadata={"description": "Messages per field (or per resource: article, comment, profile, token)"},
    )


class PageArgs(Schema):
    limit = QueryInteger(load_default=20, validate=validate.Range(1, MAX_LIMIT))


def offset_field():
    return QueryInteger(
        load_default=0, validate=validate.Range(0, MAX_OFFSET),
        metadata={"description": f"0..{MAX_OFFSET:,} (an OFFSET reads every article it skips)"},
    )


class ArticleListArgs(PageArgs):
    tag = fields.String(metadata={"description": "only articles with this tag"})
    author = fields.String(metadata={"description": "only articles by this username"})
    favorited = fields.String(metadata={"description": "only articles this username favorited"})
    offset = offset_field()


class FeedArgs(PageArgs):
    offset = offset_field()


class TagList(fields.List):
    """tagList: 0..10 tags of 1..30 characters (null is 422)."""

    def __init__(self, **kwargs):
        super().__init__(
            rw.tag(), validate=validate.Length(max=MAX_TAGS, error=f"has more than {MAX_TAGS} tags"),
            error_messages=rw.BLANK_MESSAGES, **kwargs,
        )


class NewArticle(In):
    title = rw.text(1, 200, required=True)
    description = rw.text(1, 255, required=True)
    body = rw.text(1, 20000, required=True)
    tagList = TagList()


class UpdateArticle(In):
    title = rw.text(1, 200)
    description = rw.text(1, 255)
    body = rw.text(1, 20000)
    tagList = TagList()


NewArticleBody = wrapped("article", NewArticle)
UpdateArticleBody = wrapped("article", UpdateArticle)


class ListedArticle(Schema):
    slug = fields.String(required=True)
    title = fields.String(required=True)
    description = fields.String(required=True)
    tagList = fields.List(fields.String(), required=True, metadata={"description": "sorted"})
    createdAt = UTCDateTime(required=True, attribute="created_at")
    updatedAt = UTCDateTime(required=True, attribute="updated_at")
    favorited = fields.Boolean(required=True)
    favoritesCount = fields.Integer(required=True, attribute="favorite_count")
    author = fields.Nested(ConduitProfile, required=True)


class ConduitArticle(ListedArticle):
    body = fields.String(required=True, attribute="content")


class SingleArticleResponse(Schema):
    article = fields.Nested(ConduitArticle, required=True)


class MultipleArticlesResponse(Schema):
    articles = fields.List(fields.Nested(ListedArticle), required=True)
    articlesCount = fields.Integer(required=True, metadata={"description": "all the list's articles (stored counts)"})


class TagsResponse(Schema):
    tags = fields.List(fields.String(), required=True)
