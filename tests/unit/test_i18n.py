"""The translation catalogue: complete in every language, consistent placeholders, valid HTML."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from bot.i18n import LANGUAGES, Translator, catalogue, normalize_language, translate
from tests.support.html_check import parse_html

ROOT = Path(__file__).resolve().parents[2]


def _placeholders(value: object) -> set[str]:
    texts = value.values() if isinstance(value, dict) else [value]
    return {
        name
        for text in texts
        for _, name, _, _ in string.Formatter().parse(str(text))
        if name is not None
    }


@pytest.mark.parametrize("lang", [lang for lang in LANGUAGES if lang != "en"])
def test_every_key_translated_with_same_placeholders(lang: str) -> None:
    english, other = catalogue("en"), catalogue(lang)
    assert sorted(set(english) - set(other)) == [], "missing translations"
    assert sorted(set(other) - set(english)) == [], "keys unknown in English"
    for key, value in english.items():
        assert _placeholders(other[key]) == _placeholders(value), key


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_message_is_valid_telegram_html(lang: str) -> None:
    for key, value in catalogue(lang).items():
        if key.startswith("command."):
            continue  # plain text for the command menu; /help escapes it
        for text in value.values() if isinstance(value, dict) else [value]:
            filled = re.sub(r"\{[a-z_]+\}", "x", str(text))
            parse_html(filled)  # raises on tags Telegram rejects or a bare "<"
            assert filled.strip(), key


def test_plurals_follow_each_languages_rules() -> None:
    assert translate("ru", "pending.title", count=1) == "<b>1 открытое обещание</b>"
    assert translate("ru", "pending.title", count=3) == "<b>3 открытых обещания</b>"
    assert translate("ru", "pending.title", count=11) == "<b>11 открытых обещаний</b>"
    assert translate("ru", "pending.title", count=21) == "<b>21 открытое обещание</b>"
    assert translate("bg", "pending.title", count=1) == "<b>1 отворено обещание</b>"
    assert translate("en", "pending.title", count=2) == "<b>2 open promises</b>"


def test_language_codes_from_telegram() -> None:
    assert normalize_language("ru") == "ru"
    assert normalize_language("bg-BG") == "bg"
    assert normalize_language("en-GB") == "en"
    assert normalize_language("de", "ru") == "ru"
    assert normalize_language(None) == "en"
    assert Translator("uk").lang == "en"


def test_unknown_key_falls_back_visibly() -> None:
    assert translate("ru", "no.such.key") == "no.such.key"


def test_every_command_has_help_in_every_language() -> None:
    from bot.handlers.start import COMMANDS, help_text

    for lang in LANGUAGES:
        text = help_text(Translator(lang))
        for name in COMMANDS:
            assert f"/{name} — " in text
        assert "command." not in text


def test_no_user_facing_literals_in_handlers() -> None:
    """Handlers speak through the catalogue: no reply with a hard-coded sentence."""
    pattern = re.compile(r"(reply_text|reply|answer|edit)\(\s*[^,)]*?\"[A-Za-zА-Яа-я]{3,}[^\"]*\s")
    for path in (ROOT / "bot" / "handlers").glob("*.py"):
        assert not pattern.search(path.read_text("utf-8")), path.name
