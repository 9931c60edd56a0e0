"""How moments are stored: UTC text 'YYYY-MM-DD HH:MM:SS' (sortable, SQLite's own format)."""

from __future__ import annotations

from datetime import UTC, datetime

_TS = "%Y-%m-%d %H:%M:%S"


def to_db(moment: datetime) -> str:
    """Format an aware datetime as stored: UTC, second precision."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime")
    return moment.astimezone(UTC).strftime(_TS)


def from_db(text: str) -> datetime:
    return datetime.strptime(text, _TS).replace(tzinfo=UTC)


def _second(moment: datetime) -> datetime:
    """The moment as it reads back from the database: UTC, whole seconds."""
    return moment.astimezone(UTC).replace(microsecond=0)


def _opt(text: str | None) -> datetime | None:
    return None if text is None else from_db(text)
