"""Translation catalogue: every user-facing string, in English, Russian and Bulgarian.

Catalogues are TOML files under ``bot/locales/<lang>/*.toml``; all files of one language are
merged (each feature owns its own file, keys are namespaced like ``card.title``).  A value is
either a string with ``{named}`` placeholders or, for plurals, a table of CLDR plural
categories (``one``/``few``/``many``/``other``) chosen by Babel's plural rules from ``count``.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from babel import Locale

LANGUAGES: tuple[str, ...] = ("en", "ru", "bg")
FALLBACK = "en"
_LOCALES_DIR = Path(__file__).parent / "locales"


def normalize_language(code: str | None, default: str = FALLBACK) -> str:
    """Map a Telegram ``language_code`` (``ru``, ``bg``, ``en-GB`` …) to a supported language."""
    if code:
        base = code.split("-")[0].split("_")[0].lower()
        if base in LANGUAGES:
            return base
    return default if default in LANGUAGES else FALLBACK


def _flatten(prefix: str, table: Mapping[str, Any], out: dict[str, Any]) -> None:
    for key, value in table.items():
        full = f"{prefix}.{key}" if prefix else key
        if isinstance(value, Mapping) and not _is_plural(value):
            _flatten(full, value, out)
        else:
            out[full] = value


def _is_plural(value: Mapping[str, Any]) -> bool:
    return bool(value) and set(value) <= {"zero", "one", "two", "few", "many", "other"}


@cache
def catalogue(lang: str) -> dict[str, Any]:
    """Return the merged, flattened catalogue of one language."""
    merged: dict[str, Any] = {}
    for path in sorted((_LOCALES_DIR / lang).glob("*.toml")):
        with path.open("rb") as fh:
            _flatten("", tomllib.load(fh), merged)
    return merged


@cache
def _plural_rule(lang: str) -> Any:
    return Locale.parse(lang).plural_form


def translate(lang: str, key: str, /, **kwargs: Any) -> str:
    """Translate ``key`` into ``lang``; falls back to English, then to the key itself."""
    lang = normalize_language(lang)
    value = catalogue(lang).get(key)
    if value is None:
        value = catalogue(FALLBACK).get(key, key)
        lang = FALLBACK
    if isinstance(value, Mapping):
        count = kwargs.get("count", 0)
        category = _plural_rule(lang)(abs(count))
        value = value.get(category) or value["other"]
    return str(value).format(**kwargs) if kwargs else str(value)


class Translator:
    """A translator bound to one language: ``_ = Translator('ru'); _('card.title')``."""

    __slots__ = ("lang",)

    def __init__(self, lang: str) -> None:
        self.lang = normalize_language(lang)

    def __call__(self, key: str, /, **kwargs: Any) -> str:
        return translate(self.lang, key, **kwargs)
