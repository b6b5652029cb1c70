"""Fields that answer in RealWorld's words: `can't be blank` for a field
left out, null or empty, `is too short (minimum is 8 characters)`. The
lengths are marshmallow `Length` validators, so the OpenAPI document states
them (minLength, maxLength)."""
from marshmallow import ValidationError, validate

from realworld.errors import BLANK
from schema_fields import Password, Text

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


class EmailAddress(validate.Email):
    """An address, checked after its length (a blank one is only blank)."""

    def __call__(self, value):
        return super().__call__(value) if value else value


def text(minimum, maximum, **kwargs):
    return Text(validate=Length(minimum, maximum), error_messages=BLANK_MESSAGES, **kwargs)


def password(**kwargs):
    return Password(validate=Length(8, 128), load_only=True, error_messages=BLANK_MESSAGES, **kwargs)


def email(**kwargs):
    return Text(
        validate=[Length(1, 255), EmailAddress(error="is invalid")], error_messages=BLANK_MESSAGES,
        metadata={"format": "email"}, **kwargs,
    )


def optional_text(maximum):
    """bio, image: a string, or "" / null for none (stored as NULL)."""
    return Text(allow_none=True, validate=Length(max=maximum))
