"""Locale-aware rendering of times, outcomes and phone numbers (Babel does the grammar)."""

from __future__ import annotations

import html
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_datetime, format_timedelta

from bot.i18n import Translator


def esc(text: object) -> str:
    """Escape anything user-supplied before it goes into an HTML message."""
    return html.escape(str(text), quote=False)


def local_time(moment: datetime, tz: str, lang: str) -> str:
    """``Thu 26 Nov, 15:00`` in the chat's zone and language."""
    return format_datetime(moment.astimezone(ZoneInfo(tz)), "EEE d MMM, HH:mm", locale=lang)


def relative(moment: datetime, now: datetime, lang: str) -> str:
    """``in 29 hours`` / ``3 hours ago``, localized; minutes below an hour."""
    delta: timedelta = moment - now
    if abs(delta) < timedelta(minutes=1):
        delta = timedelta(minutes=1) if delta > timedelta(0) else -timedelta(minutes=1)
    return format_timedelta(
        delta, add_direction=True, locale=lang, threshold=1.5, granularity="minute"
    )


def when(moment: datetime, now: datetime, tz: str, lang: str) -> str:
    """``Thu 26 Nov, 15:00 (in 29 hours)``."""
    return f"{local_time(moment, tz, lang)} ({relative(moment, now, lang)})"


def outcome_label(_: Translator, outcome: str) -> str:
    return _(f"outcome.{outcome}")


def status_label(_: Translator, status: str) -> str:
    return _(f"status.{status}")
