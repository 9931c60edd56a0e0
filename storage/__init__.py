"""SQLite storage of callback-tracker: no Telegram imports, frozen dataclasses out."""

from storage.db import Storage, StorageError, from_db, to_db
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
    "from_db",
    "to_db",
]
