"""What a tag is, and the limits of a board's tags.

A tag is 1..30 characters, with no control characters and no whitespace at
either end (TAG_PATTERN, which the OpenAPI document states as the field's
`pattern`: the service refuses what a client could silently lose, rather
than trimming it). It is stored in Unicode NFC, so "é" written either way
is one tag; case is kept ("Go" and "go" are two tags, compared code point
by code point: tags.name is utf8mb4_bin). A board has at most 10 tags, no
two alike after NFC, kept and returned sorted by code point (the order
utf8mb4_bin sorts by)."""
import unicodedata

MAX_TAGS = 10
MAX_TAG_LENGTH = 30
# No control character (C0, DEL, C1: Unicode's Cc); the first and the last
# character not whitespace either. Linear to match: after the last class
# comes the end, so a failed match backtracks one character at a time.
_NOT_CONTROL = r"\u0000-\u001f\u007f-\u009f"
TAG_PATTERN = rf"^[^\s{_NOT_CONTROL}]([^{_NOT_CONTROL}]*[^\s{_NOT_CONTROL}])?$"
TAG_RULE = "A tag has no control characters and no spaces at either end."


class TagError(ValueError):
    """A tag or tag list that breaks the rules; the message says which."""


def normalise_tag(name):
    """A tag that matched TAG_PATTERN and is 1..30 characters, as stored (NFC)."""
    name = unicodedata.normalize("NFC", name)
    if len(name) > MAX_TAG_LENGTH:  # a few characters decompose under NFC
        raise TagError(f"A tag is 1 to {MAX_TAG_LENGTH} characters.")
    return name


def normalise_tags(names):
    """The board's tags as stored: normalised, sorted; TagError when two are
    the same after normalisation (the list's length and items are checked
    by the schema)."""
    tags = sorted(normalise_tag(name) for name in names)
    if len(set(tags)) != len(tags):
        raise TagError("Tags must be unique (also after Unicode normalisation).")
    return tags
