"""Fields that answer in RealWorld's words: `can't be blank` for a field
left out, null or empty, `is too short (minimum is 8 characters)`."""
from marshmallow import ValidationError, validate

from realworld.errors import BLANK
from schema_fields import Password, Text

BLANK_MESSAGES = {"required": BLANK, "null": BLANK}


def length(minimum, maximum):
    """Rails' length messages; an empty string is blank."""

    def check(value):
        if minimum and not value:
            raise ValidationError(BLANK)
        if len(value) < minimum:
            raise ValidationError(f"is too short (minimum is {minimum} characters)")
        if len(value) > maximum:
            raise ValidationError(f"is too long (maximum is {maximum} characters)")

    return check


def text(minimum, maximum, **kwargs):
    return Text(validate=length(minimum, maximum), error_messages=BLANK_MESSAGES, **kwargs)


def password(**kwargs):
    return Password(validate=length(8, 128), load_only=True, error_messages=BLANK_MESSAGES, **kwargs)


def email(**kwargs):
    valid_address = validate.Email(error="is invalid")

    def check(value):
        length(1, 255)(value)
        valid_address(value)

    return Text(validate=check, error_messages=BLANK_MESSAGES, metadata={"format": "email"}, **kwargs)


def optional_text(maximum):
    """bio, image: a string, or "" / null for none (stored as NULL)."""
    return Text(allow_none=True, validate=validate.Length(max=maximum, error=f"is too long (maximum is {maximum} characters)"))
