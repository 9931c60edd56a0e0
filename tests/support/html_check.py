"""The HTML checker moved to :mod:`bot.sandbox.html_check`; this shim keeps test imports working."""

from bot.sandbox.html_check import *  # noqa: F403
from bot.sandbox.html_check import (
    ALLOWED_TAGS,
    EntityParseError,
    ParsedText,
    parse_html,
    plain_text,
    utf16_len,
)

__all__ = [
    "ALLOWED_TAGS",
    "EntityParseError",
    "ParsedText",
    "parse_html",
    "plain_text",
    "utf16_len",
]
