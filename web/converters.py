"""The `id` converter of URL paths."""
from werkzeug.routing import IntegerConverter


class IdConverter(IntegerConverter):
    """A path id: a positive integer that fits BIGINT; anything else is 404."""

    regex = r"[0-9]+"  # ASCII only: werkzeug's \d+ also matches "１" (fullwidth) as 1

    def __init__(self, url_map):
        super().__init__(url_map, min=1, max=2**63 - 1)
