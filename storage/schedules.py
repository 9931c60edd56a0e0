"""Weekly report schedules (SQL only; the times are computed by the caller)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

import aiosqlite

from storage.times import from_db, to_db


@dataclass(frozen=True, slots=True)
class WeeklySchedule:
    chat_id: int
    weekday: int  # Monday = 0
    at_time: str  # local HH:MM
    next_at: datetime
    last_sent: datetime | None


class _Queries(Protocol):
    _conn: aiosqlite.Connection

    async def _fetchall(self, sql: str, params: Any = ()) -> list[Any]: ...

    async def _write(self, sql: str, params: Any = ()) -> list[Any]: ...


def _schedule(row: Any) -> WeeklySchedule:
    return WeeklySchedule(
        chat_id=int(row[0]),
        weekday=int(row[1]),
        at_time=str(row[2]),
        next_at=from_db(row[3]),
        last_sent=None if row[4] is None else from_db(row[4]),
    )


_COLUMNS = "chat_id, weekday, at_time, next_at, last_sent"


class ScheduleQueries:
    """Mixin of :class:`storage.Storage`: weekly report schedules."""

    async def set_weekly(
        self: _Queries, chat_id: int, *, weekday: int, at_time: str, next_at: datetime, by: int
    ) -> WeeklySchedule:
        rows = await self._write(
            "INSERT INTO weekly_reports (chat_id, weekday, at_time, next_at, created_by)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (chat_id) DO UPDATE SET"
            " weekday = excluded.weekday, at_time = excluded.at_time,"
            " next_at = excluded.next_at, created_by = excluded.created_by"
            f" RETURNING {_COLUMNS}",
            (chat_id, weekday, at_time, to_db(next_at), by),
        )
        return _schedule(rows[0])

    async def weekly(self: _Queries, chat_id: int) -> WeeklySchedule | None:
        rows = await self._fetchall(
            f"SELECT {_COLUMNS} FROM weekly_reports WHERE chat_id = ?", (chat_id,)
        )
        return _schedule(rows[0]) if rows else None

    async def delete_weekly(self: _Queries, chat_id: int) -> bool:
        rows = await self._write(
            "DELETE FROM weekly_reports WHERE chat_id = ? RETURNING chat_id", (chat_id,)
        )
        return bool(rows)

    async def next_weekly_at(self: _Queries) -> datetime | None:
        rows = await self._fetchall("SELECT min(next_at) FROM weekly_reports")
        return None if not rows or rows[0][0] is None else from_db(rows[0][0])

    async def due_weekly(self: _Queries, now: datetime, limit: int = 100) -> list[WeeklySchedule]:
        rows = await self._fetchall(
            f"SELECT {_COLUMNS} FROM weekly_reports WHERE next_at <= ? ORDER BY next_at LIMIT ?",
            (to_db(now), limit),
        )
        return [_schedule(r) for r in rows]

    async def weekly_sent(
        self: _Queries, chat_id: int, *, slot: datetime, sent_at: datetime, next_at: datetime
    ) -> None:
        """Record a delivered report; guarded by the slot so a repeat changes nothing."""
        await self._write(
            "UPDATE weekly_reports SET last_sent = ?, next_at = ? WHERE chat_id = ? AND next_at = ?",
            (to_db(sent_at), to_db(next_at), chat_id, to_db(slot)),
        )

    async def defer_weekly(
        self: _Queries, chat_id: int, *, slot: datetime, until: datetime
    ) -> None:
        """Try a failed delivery again later (the report is still owed)."""
        await self._write(
            "UPDATE weekly_reports SET next_at = ? WHERE chat_id = ? AND next_at = ?",
            (to_db(until), chat_id, to_db(slot)),
        )
