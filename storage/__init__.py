"""SQLite storage of callback-tracker: no Telegram imports, frozen dataclasses out."""

from storage.db import Storage, StorageError
from storage.models import (
    OUTCOMES,
    STATUSES,
    Actor,
    Attempt,
    ChatSettings,
    Company,
    CompanyMatch,
    Draft,
    Entry,
    NewPromise,
    Promise,
    RecordedCall,
    TimelineItem,
)
from storage.schedules import WeeklySchedule
from storage.times import from_db, to_db

__all__ = [
    "OUTCOMES",
    "STATUSES",
    "Actor",
    "Attempt",
    "ChatSettings",
    "Company",
    "CompanyMatch",
    "Draft",
    "Entry",
    "NewPromise",
    "Promise",
    "RecordedCall",
    "Storage",
    "StorageError",
    "TimelineItem",
    "WeeklySchedule",
    "from_db",
    "to_db",
]
