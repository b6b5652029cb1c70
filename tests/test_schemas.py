"""RowSchema's dump (schemas.py) replaces marshmallow's for the output
schemas (docs/performance.md): every schema that uses it must dump exactly
what marshmallow's own Schema.dump makes of the same rows."""
from datetime import datetime

import pytest
from marshmallow import Schema

import schemas
from row_schema import RowSchema

WHEN = datetime(2026, 11, 24, 10, 0, 0)
LATER = datetime(2026, 11, 24, 10, 0, 0, 123456)
USER = {"id": 7, "name": "하늘 ☕", "created_at": WHEN, "updated_at": LATER}
BOARD = {
    "id": 9, "title": "t", "content": "", "author_id": 7, "author_name": "하늘 ☕",
    "comment_count": 3, "favorite_count": 1, "version": 2, "created_at": WHEN, "updated_at": LATER,
    "tag_names": '["b","A"]', "favorited": None,
}
TAG = {"id": 4, "name": "Go", "board_count": 2}
COMMENT = {
    "id": 11, "board_id": 9, "content": "c", "author_id": 7, "author_name": "a",
    "board_author_id": 8, "created_at": LATER,
}
ROWS = {
    "UserSchema": [USER, {**USER, "email": "k@example.com"}, {**USER, "subject_id": 1}],
    "BoardSchema": [BOARD, {**BOARD, "subject_id": 7, "extra": "not dumped"},
                    {**BOARD, "tag_names": None, "favorited": 1}, {**BOARD, "tag_names": ["x"], "favorited": 0}],
    "TagSchema": [TAG],
    "CommentSchema": [COMMENT],
}
PAGES = {"UserPage": "UserSchema", "BoardPage": "BoardSchema", "CommentPage": "CommentSchema",
         "TagPage": "TagSchema"}


def row_schemas():
    found, todo = [], [RowSchema]
    while todo:
        for subclass in todo.pop().__subclasses__():
            found.append(subclass)
            todo.append(subclass)
    return found


def samples(schema_class):
    name = schema_class.__name__
    if name in PAGES:
        rows = ROWS[PAGES[name]]
        return [{"items": rows, "next_cursor": "abc"}, {"items": [], "next_cursor": None}]
    return ROWS[name]


def test_every_row_schema_has_samples():
    names = {schema_class.__name__ for schema_class in row_schemas()}
    assert names == set(ROWS) | set(PAGES)
    assert {schemas.UserSchema, schemas.BoardSchema, schemas.BoardPageSchema} <= set(row_schemas())


@pytest.mark.parametrize("schema_class", row_schemas(), ids=lambda c: c.__name__)
def test_row_schema_dumps_what_marshmallow_dumps(schema_class, monkeypatch):
    ours = [schema_class().dump(sample) for sample in samples(schema_class)]
    ours_many = schema_class(many=True).dump(samples(schema_class))
    monkeypatch.setattr(RowSchema, "dump", Schema.dump)
    marshmallows = [schema_class().dump(sample) for sample in samples(schema_class)]
    assert ours == marshmallows
    assert ours_many == schema_class(many=True).dump(samples(schema_class))
    assert all(type(value) is dict for value in ours)
