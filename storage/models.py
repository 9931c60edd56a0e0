"""Plain, frozen result objects returned by :class:`storage.Storage`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

OUTCOMES: tuple[str, ...] = (
    "no_answer",
    "busy",
    "hung_up",
    "ivr",
    "transferred",
    "voicemail",
    "answered",
)
STATUSES: tuple[str, ...] = ("pending", "kept", "late", "broken", "cancelled")

EntryKind = Literal["attempt", "promise"]


@dataclass(frozen=True, slots=True)
class ChatSettings:
    chat_id: int
    kind: str
    title: str | None
    timezone: str | None
    language: str | None
    phone_region: str | None
    quiet_start: str = "22:00"
    quiet_end: str = "08:00"
    reminder_repeat_hours: int | None = None


@dataclass(frozen=True, slots=True)
class Company:
    id: int
    chat_id: int
    name: str
    norm: str


@dataclass(frozen=True, slots=True)
class CompanyMatch:
    """Result of looking a typed name up in a chat's companies."""

    exact: Company | None
    similar: tuple[Company, ...]


@dataclass(frozen=True, slots=True)
class Actor:
    """The Telegram user who did something (stored for ``logged_by``)."""

    user_id: int
    name: str
    username: str | None = None
    language_code: str | None = None


@dataclass(frozen=True, slots=True)
class Attempt:
    id: int
    chat_id: int
    company_id: int
    company: str
    phone: str | None
    outcome: str
    note: str | None
    called_at: datetime
    logged_by: int | None


@dataclass(frozen=True, slots=True)
class Promise:
    id: int
    chat_id: int
    company_id: int
    company: str
    attempt_id: int | None
    previous_id: int | None
    promised_by: str | None
    made_at: datetime
    due_at: datetime
    status: str
    resolved_at: datetime | None
    logged_by: int | None


@dataclass(frozen=True, slots=True)
class NewPromise:
    promised_by: str | None
    due_at: datetime


@dataclass(frozen=True, slots=True)
class RecordedCall:
    attempt: Attempt
    promise: Promise | None


@dataclass(frozen=True, slots=True)
class Entry:
    """A user's entry, for /undo: an attempt (with its promises) or a standalone promise."""

    kind: EntryKind
    id: int
    company: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class TimelineItem:
    kind: EntryKind
    id: int
    at: datetime
    outcome: str | None
    note: str | None
    phone: str | None
    promised_by: str | None
    due_at: datetime | None
    status: str | None
    resolved_at: datetime | None


@dataclass(frozen=True, slots=True)
class Draft:
    id: int
    chat_id: int
    user_id: int
    payload: str
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class ExportAttempt:
    id: int
    called_at: datetime
    company: str
    phone: str | None
    outcome: str
    note: str | None
    logged_by: str | None
    logged_by_id: int | None = None


@dataclass(frozen=True, slots=True)
class ExportPromise:
    id: int
    attempt_id: int | None
    company: str
    promised_by: str | None
    made_at: datetime
    due_at: datetime
    status: str
    resolved_at: datetime | None
    logged_by: str | None
    logged_by_id: int | None = None


@dataclass(frozen=True, slots=True)
class DueReminder:
    """A pending promise whose reminder is due, with what it takes to write the reminder."""

    promise: Promise
    remind_at: datetime
    reminders_sent: int
    chat: ChatSettings
    logger_name: str | None
    logger_username: str | None
    logger_language: str | None
