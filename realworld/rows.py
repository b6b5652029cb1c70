"""Rows of sql/queries/articles.sql and article_comments.sql as RealWorld
shows them: the author's profile, the slug, tagList sorted."""
import json

from realworld.slugs import article_slug


def profile(row):
    """The author columns (name, bio, image, following) as a profile."""
    return {"name": row["name"], "bio": row["bio"], "image": row["image"], "following": bool(row["following"])}


def article(row):
    tags = row["tag_names"]
    tags = json.loads(tags) if isinstance(tags, (str, bytes)) else (tags or [])
    return {
        **row,
        "slug": article_slug(row["id"], row["title"]),
        "tagList": sorted(tags),
        "favorited": bool(row["favorited"]),
        "author": profile(row),
    }


def in_page_order(rows, page):
    """The rows of articles_of_ids in the order of the page's ids (`page`:
    rows with id and sort_key, newest first); a board deleted in between is
    left out."""
    by_id = {row["id"]: row for row in rows}
    ordered = sorted(page, key=lambda entry: entry["sort_key"], reverse=True)
    return [article(by_id[entry["id"]]) for entry in ordered if entry["id"] in by_id]
