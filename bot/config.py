"""Settings, loaded once from the environment (and a ``.env`` file) into a frozen object."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dotenv import dotenv_values

from bot.i18n import LANGUAGES

DEFAULT_BASE_URL = "https://api.telegram.org/bot"
DEFAULT_BASE_FILE_URL = "https://api.telegram.org/file/bot"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class ConfigError(Exception):
    """A setting is missing or invalid; the message says which and how to fix it."""


@dataclass(frozen=True)
class Settings:
    token: str = field(repr=False)
    base_url: str = DEFAULT_BASE_URL
    base_file_url: str = DEFAULT_BASE_FILE_URL
    database_path: str = "data/callback-tracker.sqlite3"
    default_timezone: str = "UTC"
    default_language: str = "en"
    log_level: str = "INFO"
    reminder_repeat_hours: int = 24
    auto_break_days: int = 7
    chart_processes: int = 2
    retention_days: int = 30

    @classmethod
    def from_env(
        cls, env: Mapping[str, str] | None = None, env_file: str | Path | None = ".env"
    ) -> Settings:
        """Build settings from ``env`` (default: the process environment) over ``env_file``.

        Real environment variables win over the file, as with most twelve-factor tools.
        """
        values: dict[str, str] = {}
        if env_file is not None and Path(env_file).is_file():
            values.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
        values.update(os.environ if env is None else env)

        def get(name: str, default: str) -> str:
            value = values.get(name, "").strip()
            return value or default

        token = get("TELEGRAM_BOT_TOKEN", "")
        if not token:
            raise ConfigError("TELEGRAM_BOT_TOKEN is not set")
        timezone = get("DEFAULT_TIMEZONE", "UTC")
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ConfigError(f"DEFAULT_TIMEZONE={timezone!r} is not an IANA time zone") from exc
        language = get("DEFAULT_LANGUAGE", "en").lower()
        if language not in LANGUAGES:
            raise ConfigError(f"DEFAULT_LANGUAGE must be one of {', '.join(LANGUAGES)}")
        log_level = get("LOG_LEVEL", "INFO").upper()
        if log_level not in LOG_LEVELS:
            raise ConfigError(f"LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}")
        numbers = {}
        for name, default, low in (
            ("REMINDER_REPEAT_HOURS", 24, 0),
            ("AUTO_BREAK_DAYS", 7, 1),
            ("CHART_PROCESSES", 2, 0),
            ("RETENTION_DAYS", 30, 0),
        ):
            raw = get(name, str(default))
            if not raw.isdigit() or int(raw) < low:
                raise ConfigError(f"{name} must be a whole number >= {low}, not {raw!r}")
            numbers[name] = int(raw)
        return cls(
            token=token,
            reminder_repeat_hours=numbers["REMINDER_REPEAT_HOURS"],
            auto_break_days=numbers["AUTO_BREAK_DAYS"],
            chart_processes=numbers["CHART_PROCESSES"],
            retention_days=numbers["RETENTION_DAYS"],
            base_url=get("TELEGRAM_BASE_URL", DEFAULT_BASE_URL),
            base_file_url=get("TELEGRAM_BASE_FILE_URL", DEFAULT_BASE_FILE_URL),
            database_path=get("DATABASE_PATH", "data/callback-tracker.sqlite3"),
            default_timezone=timezone,
            default_language=language,
            log_level=log_level,
        )
