"""Configuration: defaults, validation, .env.example documents every setting."""

from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path

import pytest

from bot.config import ConfigError, Settings

ROOT = Path(__file__).resolve().parents[2]
ENV_NAMES = {
    "token": "TELEGRAM_BOT_TOKEN",
    "base_url": "TELEGRAM_BASE_URL",
    "base_file_url": "TELEGRAM_BASE_FILE_URL",
    "database_path": "DATABASE_PATH",
    "default_timezone": "DEFAULT_TIMEZONE",
    "default_language": "DEFAULT_LANGUAGE",
    "log_level": "LOG_LEVEL",
    "reminder_repeat_hours": "REMINDER_REPEAT_HOURS",
    "auto_break_days": "AUTO_BREAK_DAYS",
    "chart_processes": "CHART_PROCESSES",
    "retention_days": "RETENTION_DAYS",
}


def test_defaults() -> None:
    settings = Settings.from_env({"TELEGRAM_BOT_TOKEN": "1:abc"}, env_file=None)
    assert settings.base_url == "https://api.telegram.org/bot"
    assert settings.database_path == "data/callback-tracker.sqlite3"
    assert settings.default_timezone == "UTC"
    assert settings.default_language == "en"


def test_token_is_required_and_never_in_repr() -> None:
    with pytest.raises(ConfigError, match="TELEGRAM_BOT_TOKEN"):
        Settings.from_env({}, env_file=None)
    settings = Settings.from_env({"TELEGRAM_BOT_TOKEN": "1:secret"}, env_file=None)
    assert "secret" not in repr(settings)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DEFAULT_TIMEZONE", "Mars/Olympus"),
        ("DEFAULT_LANGUAGE", "de"),
        ("LOG_LEVEL", "loud"),
        ("REMINDER_REPEAT_HOURS", "-1"),
        ("AUTO_BREAK_DAYS", "soon"),
    ],
)
def test_invalid_values_are_explained(name: str, value: str) -> None:
    with pytest.raises(ConfigError, match=name):
        Settings.from_env({"TELEGRAM_BOT_TOKEN": "1:a", name: value}, env_file=None)


def test_env_file_is_read_and_environment_wins(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("TELEGRAM_BOT_TOKEN=1:file\nDEFAULT_TIMEZONE=Europe/Sofia\n")
    settings = Settings.from_env({"DEFAULT_TIMEZONE": "Europe/Riga"}, env_file=env_file)
    assert settings.token == "1:file"
    assert settings.default_timezone == "Europe/Riga"


def test_env_example_documents_every_setting() -> None:
    text = (ROOT / ".env.example").read_text("utf-8")
    documented = set(re.findall(r"^([A-Z_]+)=", text, flags=re.M))
    assert {f.name for f in fields(Settings)} == set(ENV_NAMES)
    assert set(ENV_NAMES.values()) <= documented
    for name in ENV_NAMES.values():  # each setting has a comment right above it
        assert re.search(rf"#[^\n]*\n{name}=", text), name
