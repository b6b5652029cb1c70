"""What a tag is: the normalisation every tag name goes through before it
is stored or looked up, and the limits of a board's tags.

A name is NFC-normalised, its runs of whitespace become one space and its
ends are trimmed; case is kept ("Go" and "go" are two tags, compared code
point by code point: tags.name is utf8mb4_bin). After that it is 1..30
characters with no control characters; a board has at most 10, unique, and
they are kept and returned sorted by code point (what utf8mb4_bin sorts by)."""
import unicodedata

MAX_TAGS = 10
MAX_TAG_LENGTH = 30


class TagError(ValueError):
    """A tag or tag list that breaks the rules; the message says which."""


def normalise_tag(name):
    name = " ".join(unicodedata.normalize("NFC", name).split())
    if not 1 <= len(name) <= MAX_TAG_LENGTH:
        raise TagError(f"A tag is 1 to {MAX_TAG_LENGTH} characters (after trimming spaces).")
    if any(unicodedata.category(char) == "Cc" for char in name):
        raise TagError("A tag must not contain control characters.")
    return name


def normalise_tags(names):
    """The board's tags as stored: normalised, sorted; TagError when there
    are too many or two are the same after normalisation."""
    if len(names) > MAX_TAGS:
        raise TagError(f"A board has at most {MAX_TAGS} tags.")
    tags = sorted(normalise_tag(name) for name in names)
    if len(set(tags)) != len(tags):
        raise TagError("Tags must be unique (after trimming spaces and Unicode normalisation).")
    return tags
