"""Rows of sql/queries/articles.sql and article_comments.sql as RealWorld
shows them: the author's profile, the slug, tagList sorted."""
from realworld.slugs import article_slug
from schema_fields import TagNames

tag_list = TagNames().row_reader("tag_names")


def profile(row):
    """The author columns (name, bio, image, following) as a profile."""
    return {"name": row["name"], "bio": row["bio"], "image": row["image"], "following": bool(row["following"])}


def article(row):
    return {
        **row,
        "slug": article_slug(row["id"], row["title"]),
        "tagList": tag_list(row),
        "favorited": bool(row["favorited"]),
        "author": profile(row),
    }


def newest_first(rows):
    """The rows of articles_of_ids (which come in no particular order) as
    articles, newest first, as every list is ordered."""
    return [article(row) for row in sorted(rows, key=lambda row: row["id"], reverse=True)]
