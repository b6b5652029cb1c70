"""Fields that answer in RealWorld's words: `can't be blank` for a field
left out, null or empty, `is too short (minimum is 8 characters)`. The
lengths are marshmallow `Length` validators, so the OpenAPI document states
them (minLength, maxLength)."""
from marshmallow import ValidationError, validate

from realworld.errors import BLANK
from schema_fields import Password, Text, UnicodeText
from tag_rules import MAX_TAG_LENGTH, TAG_PATTERN

BLANK_MESSAGES = {"required": BLANK, "null": BLANK}


class Length(validate.Length):
    """Rails' length messages; an empty string, when a minimum is set, is blank."""

    def __call__(self, value):
        if self.min and not value:
            raise ValidationError(BLANK)
        if self.min is not None and len(value) < self.min:
            raise ValidationError(f"is too short (minimum is {self.min} characters)")
        if self.max is not None and len(value) > self.max:
            raise ValidationError(f"is too long (maximum is {self.max} characters)")
        return value


class Pattern(validate.Regexp):
    """A documented pattern (`is invalid` when not matched); a blank value
    is only blank."""

    def __init__(self, regex):
        super().__init__(regex, error="is invalid")

    def __call__(self, value):
        return super().__call__(value) if value else value


EMAIL = Pattern(r"^[^@\s\x00]+@[^@\s\x00]+$")
TAG = Pattern(TAG_PATTERN)  # tag_rules.py: no control characters, no spaces at either end


def text(minimum, maximum, **kwargs):
    return Text(validate=Length(minimum, maximum), error_messages=BLANK_MESSAGES, **kwargs)


def password(**kwargs):
    return Password(validate=Length(8, 128), load_only=True, error_messages=BLANK_MESSAGES, **kwargs)


def email(**kwargs):
    """Something@somewhere: RealWorld names no format."""
    return UnicodeText(validate=[Length(1, 255), EMAIL], error_messages=BLANK_MESSAGES, **kwargs)


def tag():
    return UnicodeText(validate=[Length(1, MAX_TAG_LENGTH), TAG], error_messages=BLANK_MESSAGES)


def optional_text(maximum):
    """bio, image: a string, or "" / null for none (stored as NULL)."""
    return Text(allow_none=True, validate=Length(max=maximum))
