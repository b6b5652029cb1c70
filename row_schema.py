"""RowSchema: output schemas for database rows, dumped by a plan."""
from marshmallow import Schema, fields, missing


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


class Rows(fields.List):
    """A list of rows dumped by their RowSchema in one call."""

    def __init__(self, row_schema, **kwargs):
        super().__init__(fields.Nested(row_schema), **kwargs)

    def row_reader(self, name):
        schema = self.inner.schema
        return lambda page: schema.dump(page[name], many=True)
