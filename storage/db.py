"""The one object that owns the SQLite database (aiosqlite, WAL, foreign keys on)."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from contextvars import ContextVar
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any

import aiosqlite

from storage.companies import clean_company_name, near_misses, normalize_company
from storage.models import (
    OUTCOMES,
    STATUSES,
    Actor,
    Attempt,
    ChatSettings,
    Company,
    CompanyMatch,
    Draft,
    DueReminder,
    Entry,
    ExportAttempt,
    ExportPromise,
    NewPromise,
    Promise,
    RecordedCall,
    TimelineItem,
)
from storage.reports import ReportQueries
from storage.schedules import ScheduleQueries
from storage.times import _opt, _second, from_db, to_db
from storage.workspaces import WorkspaceQueries

logger = logging.getLogger(__name__)


#: The id of the request (an incoming Telegram update) being handled in this task, if any.
#: Every write transaction made while handling it records the id in the same transaction,
#: so a request delivered again after a crash can be recognised as already done.
current_request: ContextVar[int | None] = ContextVar("current_request", default=None)


class StorageError(Exception):
    """Raised for requests that cannot be satisfied (unknown ids, invalid values)."""


def _migrations() -> list[tuple[int, str]]:
    files = resources.files("storage") / "migrations"
    found: list[tuple[int, str]] = []
    for item in files.iterdir():
        if item.name.endswith(".sql"):
            found.append((int(item.name.split("_", 1)[0]), item.read_text("utf-8")))
    return sorted(found)


_CHAT_COLUMNS = (
    "chat_id, kind, title, timezone, language, phone_region, quiet_start, quiet_end, "
    "reminder_repeat_hours"
)

_ATTEMPT_SELECT = """
SELECT a.id, a.chat_id, a.company_id, c.name, a.phone, a.outcome, a.note, a.called_at,
       a.logged_by
FROM attempts a JOIN companies c ON c.id = a.company_id
"""

_PROMISE_SELECT = """
SELECT p.id, p.chat_id, p.company_id, c.name, p.attempt_id, p.previous_id, p.promised_by,
       p.made_at, p.due_at, p.status, p.resolved_at, p.logged_by
FROM promises p JOIN companies c ON c.id = p.company_id
"""


def _attempt(row: sqlite3.Row | tuple[Any, ...]) -> Attempt:
    return Attempt(
        id=row[0],
        chat_id=row[1],
        company_id=row[2],
        company=row[3],
        phone=row[4],
        outcome=row[5],
        note=row[6],
        called_at=from_db(row[7]),
        logged_by=row[8],
    )


def _promise(row: sqlite3.Row | tuple[Any, ...]) -> Promise:
    return Promise(
        id=row[0],
        chat_id=row[1],
        company_id=row[2],
        company=row[3],
        attempt_id=row[4],
        previous_id=row[5],
        promised_by=row[6],
        made_at=from_db(row[7]),
        due_at=from_db(row[8]),
        status=row[9],
        resolved_at=_opt(row[10]),
        logged_by=row[11],
    )


class Storage(ReportQueries, ScheduleQueries, WorkspaceQueries):
    """All reads and writes of callback-tracker's data. Knows nothing about Telegram.

    Multi-statement writes are one method and one transaction.  One connection is shared by
    all handlers, so writes are serialized by an asyncio lock (SQLite has one writer anyway).
    """

    def __init__(self, conn: aiosqlite.Connection, path: str) -> None:
        self._conn = conn
        self.path = path
        self._write_lock = asyncio.Lock()
        self._users_seen: dict[int, Actor] = {}
        # (chat, user) pairs that have a draft: most messages have none, and this saves
        # a query per message. The bot is the database's only writer.
        self._draft_owners: set[tuple[int, int]] = set()
        #: Called after every committed write, e.g. to wake the reminder scheduler.
        self.on_change: Callable[[], None] | None = None

    # ------------------------------------------------------------------ lifecycle
    @classmethod
    async def open(cls, path: str | Path) -> Storage:
        """Open (creating if needed) the database and bring its schema up to date."""
        path = str(path)
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        conn = await aiosqlite.connect(path, isolation_level=None)
        try:
            await conn.executescript(
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
                "PRAGMA busy_timeout=5000;"
            )
            storage = cls(conn, path)
            await storage._migrate()
            owners = await conn.execute_fetchall("SELECT DISTINCT chat_id, user_id FROM drafts")
            storage._draft_owners = {(int(r[0]), int(r[1])) for r in owners}
        except BaseException:
            await conn.close()
            raise
        return storage

    async def close(self) -> None:
        await self._conn.close()

    async def _migrate(self) -> None:
        rows = await self._conn.execute_fetchall("PRAGMA user_version")
        current = int(next(iter(rows))[0])
        for version, sql in _migrations():
            if version <= current:
                continue
            logger.info("Applying database migration %d", version)
            # executescript commits; the version bump is part of the script so both land.
            await self._conn.executescript(
                f"BEGIN IMMEDIATE;\n{sql}\nPRAGMA user_version = {version};\nCOMMIT;"
            )

    async def last_handled_request(self) -> int | None:
        """The highest request id that wrote something; older records are pruned here."""
        rows = await self._fetchall("SELECT max(request_id) FROM handled_requests")
        last = rows[0][0] if rows else None
        if last is not None:
            await self._write(
                "DELETE FROM handled_requests WHERE request_id < ?", (int(last) - 100_000,)
            )
        return None if last is None else int(last)

    async def request_handled(self, request_id: int) -> bool:
        row = await self._fetchone(
            "SELECT 1 FROM handled_requests WHERE request_id = ?", (request_id,)
        )
        return row is not None

    async def schema_version(self) -> int:
        rows = await self._conn.execute_fetchall("PRAGMA user_version")
        return int(next(iter(rows))[0])

    async def integrity_check(self) -> str:
        rows = await self._conn.execute_fetchall("PRAGMA integrity_check")
        return str(next(iter(rows))[0])

    @asynccontextmanager
    async def _transaction(self, *, notify: bool = True) -> AsyncIterator[aiosqlite.Connection]:
        async with self._write_lock:
            await self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                await self._conn.execute("ROLLBACK")
                raise
            else:
                request = current_request.get()
                if request is not None:
                    await self._conn.execute(
                        "INSERT OR IGNORE INTO handled_requests (request_id) VALUES (?)",
                        (request,),
                    )
                await self._conn.execute("COMMIT")
                if notify and self.on_change is not None:
                    self.on_change()

    async def _fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        return list(await self._conn.execute_fetchall(sql, params))

    async def _write(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        """One statement in its own transaction (serialized with every other write)."""
        async with self._transaction() as conn:
            return list(await conn.execute_fetchall(sql, params))

    async def _write_many(self, statements: list[tuple[str, Any]]) -> None:
        """Several statements in one transaction."""
        async with self._transaction() as conn:
            for sql, params in statements:
                await conn.execute(sql, params)

    async def _fetchone(self, sql: str, params: Sequence[Any] = ()) -> Any | None:
        rows = await self._conn.execute_fetchall(sql, params)
        return next(iter(rows), None)

    # ------------------------------------------------------------------ chats and users
    async def ensure_chat(
        self, chat_id: int, kind: str, title: str | None, now: datetime
    ) -> ChatSettings:
        """Return the chat's settings, creating its row on first contact."""
        row = await self._fetchone(
            "INSERT INTO chats (chat_id, kind, title, created_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (chat_id) DO UPDATE SET kind = excluded.kind, "
            "title = coalesce(excluded.title, chats.title) "
            "RETURNING " + _CHAT_COLUMNS,
            (chat_id, kind, title, to_db(now)),
        )
        assert row is not None
        return ChatSettings(*row)

    async def chat_settings(self, chat_id: int) -> ChatSettings | None:
        row = await self._fetchone(
            "SELECT " + _CHAT_COLUMNS + " FROM chats WHERE chat_id = ?",
            (chat_id,),
        )
        return None if row is None else ChatSettings(*row)

    async def update_chat_settings(self, chat_id: int, **fields: str | int | None) -> ChatSettings:
        """Change ``timezone``, ``language``, ``phone_region``, quiet hours or reminder repeat."""
        allowed = {
            "timezone",
            "language",
            "phone_region",
            "quiet_start",
            "quiet_end",
            "reminder_repeat_hours",
        }
        if not fields or not set(fields) <= allowed:
            raise StorageError(f"unknown settings: {sorted(set(fields) - allowed)}")
        assignments = ", ".join(f"{name} = ?" for name in fields)
        row = await self._fetchone(
            f"UPDATE chats SET {assignments} WHERE chat_id = ? RETURNING " + _CHAT_COLUMNS,
            (*fields.values(), chat_id),
        )
        if row is None:
            raise StorageError("unknown chat")
        return ChatSettings(*row)

    async def _touch_user(self, conn: aiosqlite.Connection, actor: Actor, now: datetime) -> None:
        # Names change rarely: skip the write when this process already stored this one.
        if self._users_seen.get(actor.user_id) == actor:
            return
        await conn.execute(
            "INSERT INTO users (user_id, name, username, language_code, updated_at) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET name = excluded.name, "
            "username = excluded.username, updated_at = excluded.updated_at, "
            "language_code = coalesce(excluded.language_code, users.language_code)",
            (actor.user_id, actor.name, actor.username, actor.language_code, to_db(now)),
        )
        self._users_seen[actor.user_id] = actor

    # ------------------------------------------------------------------ companies
    async def match_company(self, chat_id: int, name: str) -> CompanyMatch:
        """Find a company by name in a chat: the exact (normalized) match and near misses."""
        norm = normalize_company(name)
        rows = await self._fetchall(
            "SELECT id, chat_id, name, norm FROM companies WHERE chat_id = ?", (chat_id,)
        )
        companies = {row[3]: Company(*row) for row in rows}
        exact = companies.get(norm)
        similar = () if exact else tuple(companies[n] for n in near_misses(norm, companies))
        return CompanyMatch(exact=exact, similar=similar)

    async def company(self, chat_id: int, company_id: int) -> Company | None:
        row = await self._fetchone(
            "SELECT id, chat_id, name, norm FROM companies WHERE id = ? AND chat_id = ?",
            (company_id, chat_id),
        )
        return None if row is None else Company(*row)

    async def recent_companies(self, chat_id: int, limit: int = 6) -> list[Company]:
        """Companies of this chat, most recently called first."""
        rows = await self._fetchall(
            "SELECT c.id, c.chat_id, c.name, c.norm FROM companies c "
            "LEFT JOIN attempts a ON a.company_id = c.id "
            "WHERE c.chat_id = ? GROUP BY c.id "
            "ORDER BY max(coalesce(a.called_at, c.created_at)) DESC, c.id DESC LIMIT ?",
            (chat_id, limit),
        )
        return [Company(*row) for row in rows]

    @staticmethod
    async def _company(
        conn: aiosqlite.Connection, chat_id: int, company: int | str, now: datetime
    ) -> tuple[int, str]:
        """Resolve an existing company id of this chat, or find-or-create one by name."""
        if isinstance(company, int):
            rows = list(
                await conn.execute_fetchall(
                    "SELECT id, name FROM companies WHERE id = ? AND chat_id = ?",
                    (company, chat_id),
                )
            )
            if not rows:
                raise StorageError("unknown company")
            return int(rows[0][0]), str(rows[0][1])
        name = clean_company_name(company)
        if not name:
            raise StorageError("empty company name")
        rows = list(
            await conn.execute_fetchall(
                "INSERT INTO companies (chat_id, name, norm, created_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (chat_id, norm) DO UPDATE SET norm = excluded.norm "
                "RETURNING id, name",
                (chat_id, name, normalize_company(name), to_db(now)),
            )
        )
        return int(rows[0][0]), str(rows[0][1])

    async def _company_id(
        self, conn: aiosqlite.Connection, chat_id: int, company: int | str, now: datetime
    ) -> int:
        return (await self._company(conn, chat_id, company, now))[0]

    # ------------------------------------------------------------------ writing entries
    async def record_call(
        self,
        chat_id: int,
        *,
        company: int | str,
        outcome: str,
        called_at: datetime,
        actor: Actor,
        phone: str | None = None,
        note: str | None = None,
        promise: NewPromise | None = None,
    ) -> RecordedCall:
        """Save a call attempt (and the callback promised in it) in one transaction.

        ``company`` is an existing company id of this chat or a new name.
        """
        if outcome not in OUTCOMES:
            raise StorageError(f"unknown outcome {outcome!r}")
        async with self._transaction() as conn:
            await self._touch_user(conn, actor, called_at)
            company_id, company_name = await self._company(conn, chat_id, company, called_at)
            rows = await conn.execute_fetchall(
                "INSERT INTO attempts (chat_id, company_id, phone, outcome, note, called_at, "
                "logged_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                (
                    chat_id,
                    company_id,
                    phone,
                    outcome,
                    note,
                    to_db(called_at),
                    actor.user_id,
                    to_db(called_at),
                ),
            )
            attempt_id = int(next(iter(rows))[0])
            promise_id = None
            if promise is not None:
                promise_id = await self._insert_promise(
                    conn, chat_id, company_id, promise, called_at, actor, attempt_id, None
                )
        # Built from what was written: no read-back round trip on the hot path.
        attempt = Attempt(
            attempt_id, chat_id, company_id, company_name, phone, outcome, note,
            _second(called_at), actor.user_id,
        )  # fmt: skip
        saved = None
        if promise is not None and promise_id is not None:
            saved = Promise(
                promise_id, chat_id, company_id, company_name, attempt_id, None,
                promise.promised_by, _second(called_at), _second(promise.due_at), "pending",
                None, actor.user_id,
            )  # fmt: skip
        return RecordedCall(attempt=attempt, promise=saved)

    @staticmethod
    async def _insert_promise(
        conn: aiosqlite.Connection,
        chat_id: int,
        company_id: int,
        promise: NewPromise,
        made_at: datetime,
        actor: Actor,
        attempt_id: int | None,
        previous_id: int | None,
    ) -> int:
        rows = await conn.execute_fetchall(
            "INSERT INTO promises (chat_id, company_id, attempt_id, previous_id, promised_by, "
            "made_at, due_at, logged_by, created_at, remind_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            (
                chat_id,
                company_id,
                attempt_id,
                previous_id,
                promise.promised_by,
                to_db(made_at),
                to_db(promise.due_at),
                actor.user_id,
                to_db(made_at),
                to_db(promise.due_at),
            ),
        )
        return int(next(iter(rows))[0])

    async def record_promise(
        self,
        chat_id: int,
        *,
        company: int | str,
        promise: NewPromise,
        made_at: datetime,
        actor: Actor,
        attempt_id: int | None = None,
    ) -> Promise:
        """Save a promised callback on its own (``/promise``), or attached to an attempt."""
        async with self._transaction() as conn:
            await self._touch_user(conn, actor, made_at)
            company_id = await self._company_id(conn, chat_id, company, made_at)
            if attempt_id is not None:
                found = await conn.execute_fetchall(
                    "SELECT 1 FROM attempts WHERE id = ? AND chat_id = ? AND company_id = ?",
                    (attempt_id, chat_id, company_id),
                )
                if not found:
                    raise StorageError("unknown attempt")
            promise_id = await self._insert_promise(
                conn, chat_id, company_id, promise, made_at, actor, attempt_id, None
            )
        result = await self.promise(chat_id, promise_id)
        assert result is not None
        return result

    async def move_deadline(
        self, chat_id: int, promise_id: int, *, due_at: datetime, now: datetime, actor: Actor
    ) -> Promise:
        """The company promised again: break the old promise, link a new one to it."""
        async with self._transaction() as conn:
            await self._touch_user(conn, actor, now)
            rows = list(
                await conn.execute_fetchall(
                    "UPDATE promises SET status = 'broken', resolved_at = ? "
                    "WHERE id = ? AND chat_id = ? AND status = 'pending' "
                    "RETURNING company_id, attempt_id, promised_by",
                    (to_db(now), promise_id, chat_id),
                )
            )
            if not rows:
                raise StorageError("promise is not pending")
            company_id, attempt_id, promised_by = rows[0]
            new_id = await self._insert_promise(
                conn,
                chat_id,
                company_id,
                NewPromise(promised_by=promised_by, due_at=due_at),
                now,
                actor,
                attempt_id,
                promise_id,
            )
        result = await self.promise(chat_id, new_id)
        assert result is not None
        return result

    async def update_attempt(
        self,
        chat_id: int,
        attempt_id: int,
        *,
        outcome: str | None = None,
        company: int | str | None = None,
        phone: str | None = None,
        now: datetime,
    ) -> Attempt:
        """Correct a field of an attempt; changing its company moves its promises too."""
        if outcome is not None and outcome not in OUTCOMES:
            raise StorageError(f"unknown outcome {outcome!r}")
        async with self._transaction() as conn:
            found = await conn.execute_fetchall(
                "SELECT 1 FROM attempts WHERE id = ? AND chat_id = ?", (attempt_id, chat_id)
            )
            if not found:
                raise StorageError("unknown attempt")
            if outcome is not None:
                await conn.execute(
                    "UPDATE attempts SET outcome = ? WHERE id = ?", (outcome, attempt_id)
                )
            if phone is not None:
                await conn.execute(
                    "UPDATE attempts SET phone = ? WHERE id = ?", (phone or None, attempt_id)
                )
            if company is not None:
                company_id = await self._company_id(conn, chat_id, company, now)
                await conn.execute(
                    "UPDATE attempts SET company_id = ? WHERE id = ?", (company_id, attempt_id)
                )
                await conn.execute(
                    "UPDATE promises SET company_id = ? WHERE attempt_id = ?",
                    (company_id, attempt_id),
                )
        result = await self.attempt(chat_id, attempt_id)
        assert result is not None
        return result

    async def set_promise_due(self, chat_id: int, promise_id: int, due_at: datetime) -> Promise:
        """Correct a pending promise's deadline (a typo fix, not a moved deadline)."""
        async with self._transaction() as conn:
            rows = await conn.execute_fetchall(
                "UPDATE promises SET due_at = ?1, remind_at = ?1, reminders_sent = 0 "
                "WHERE id = ?2 AND chat_id = ?3 AND status = 'pending' RETURNING id",
                (to_db(due_at), promise_id, chat_id),
            )
            if not rows:
                raise StorageError("promise is not pending")
        result = await self.promise(chat_id, promise_id)
        assert result is not None
        return result

    async def resolve_promise(
        self, chat_id: int, promise_id: int, *, status: str, now: datetime
    ) -> Promise:
        """Close a pending promise as kept, late, broken or cancelled."""
        if status not in STATUSES or status == "pending":
            raise StorageError(f"cannot resolve as {status!r}")
        async with self._transaction() as conn:
            rows = await conn.execute_fetchall(
                "UPDATE promises SET status = ?, resolved_at = ? "
                "WHERE id = ? AND chat_id = ? AND status = 'pending' RETURNING id",
                (status, to_db(now), promise_id, chat_id),
            )
            if not rows:
                raise StorageError("promise is not pending")
        result = await self.promise(chat_id, promise_id)
        assert result is not None
        return result

    async def mark_late_on_time(self, chat_id: int, promise_id: int) -> Promise:
        """A callback recorded as late came on time after all: 'late' -> 'kept'."""
        async with self._transaction() as conn:
            rows = await conn.execute_fetchall(
                "UPDATE promises SET status = 'kept' WHERE id = ? AND chat_id = ?"
                " AND status = 'late' RETURNING id",
                (promise_id, chat_id),
            )
            if not rows:
                raise StorageError("promise is not a late callback")
        result = await self.promise(chat_id, promise_id)
        assert result is not None
        return result

    async def close_oldest_promise(
        self, chat_id: int, company_id: int, *, now: datetime
    ) -> Promise | None:
        """The company called back: close its oldest open promise as kept, or late if overdue."""
        async with self._transaction() as conn:
            rows = list(
                await conn.execute_fetchall(
                    "SELECT id, due_at FROM promises WHERE chat_id = ? AND company_id = ? "
                    "AND status = 'pending' ORDER BY due_at, id LIMIT 1",
                    (chat_id, company_id),
                )
            )
            if not rows:
                return None
            promise_id, due_at = rows[0]
            status = "kept" if now <= from_db(due_at) else "late"
            await conn.execute(
                "UPDATE promises SET status = ?, resolved_at = ? WHERE id = ?",
                (status, to_db(now), promise_id),
            )
        return await self.promise(chat_id, promise_id)

    # ------------------------------------------------------------------ reading entries
    async def attempt(self, chat_id: int, attempt_id: int) -> Attempt | None:
        row = await self._fetchone(
            _ATTEMPT_SELECT + "WHERE a.id = ? AND a.chat_id = ?", (attempt_id, chat_id)
        )
        return None if row is None else _attempt(row)

    async def promise(self, chat_id: int, promise_id: int) -> Promise | None:
        row = await self._fetchone(
            _PROMISE_SELECT + "WHERE p.id = ? AND p.chat_id = ?", (promise_id, chat_id)
        )
        return None if row is None else _promise(row)

    async def promises_of_attempt(self, chat_id: int, attempt_id: int) -> list[Promise]:
        rows = await self._fetchall(
            _PROMISE_SELECT + "WHERE p.attempt_id = ? AND p.chat_id = ? ORDER BY p.id",
            (attempt_id, chat_id),
        )
        return [_promise(row) for row in rows]

    async def pending_promises(self, chat_id: int, limit: int = 50) -> list[Promise]:
        """Open promises of a chat, soonest deadline first."""
        rows = await self._fetchall(
            _PROMISE_SELECT + "WHERE p.chat_id = ? AND p.status = 'pending' "
            "ORDER BY p.due_at, p.id LIMIT ?",
            (chat_id, limit),
        )
        return [_promise(row) for row in rows]

    async def count_pending(self, chat_id: int) -> int:
        row = await self._fetchone(
            "SELECT count(*) FROM promises WHERE chat_id = ? AND status = 'pending'", (chat_id,)
        )
        return 0 if row is None else int(row[0])

    async def deadline_moves(self, chat_id: int, promise_id: int) -> int:
        """How many times the deadline of this promise chain has been moved before it."""
        row = await self._fetchone(
            "WITH RECURSIVE chain(id, previous_id, n) AS ("
            " SELECT id, previous_id, 0 FROM promises WHERE id = ? AND chat_id = ?"
            " UNION ALL SELECT p.id, p.previous_id, chain.n + 1 FROM promises p"
            " JOIN chain ON p.id = chain.previous_id) SELECT max(n) FROM chain",
            (promise_id, chat_id),
        )
        return 0 if row is None or row[0] is None else int(row[0])

    async def company_timeline(
        self, chat_id: int, company_id: int, limit: int = 60
    ) -> list[TimelineItem]:
        """Attempts and promises of one company, oldest first (the latest ``limit``)."""
        rows = await self._fetchall(
            "SELECT * FROM ("
            " SELECT 'attempt', id, called_at AS at, outcome, note, phone, NULL, NULL, NULL, NULL"
            " FROM attempts WHERE chat_id = ? AND company_id = ?"
            " UNION ALL"
            " SELECT 'promise', id, made_at AS at, NULL, NULL, NULL, promised_by, due_at,"
            " status, resolved_at FROM promises WHERE chat_id = ? AND company_id = ?"
            " ORDER BY at DESC, 1 DESC, 2 DESC LIMIT ?) ORDER BY at, 1, 2",
            (chat_id, company_id, chat_id, company_id, limit),
        )
        return [
            TimelineItem(
                kind=row[0],
                id=row[1],
                at=from_db(row[2]),
                outcome=row[3],
                note=row[4],
                phone=row[5],
                promised_by=row[6],
                due_at=_opt(row[7]),
                status=row[8],
                resolved_at=_opt(row[9]),
            )
            for row in rows
        ]

    # ------------------------------------------------------------------ undo
    async def last_entry(self, chat_id: int, user_id: int) -> Entry | None:
        """This user's most recent entry in the chat: an attempt, or a promise of its own."""
        row = await self._fetchone(
            "SELECT kind, id, name, created_at FROM ("
            " SELECT 'attempt' AS kind, a.id, c.name, a.created_at FROM attempts a"
            " JOIN companies c ON c.id = a.company_id WHERE a.chat_id = ? AND a.logged_by = ?"
            " UNION ALL"
            " SELECT 'promise', p.id, c.name, p.created_at FROM promises p"
            " JOIN companies c ON c.id = p.company_id WHERE p.chat_id = ? AND p.logged_by = ?"
            " AND p.attempt_id IS NULL AND p.previous_id IS NULL"
            ") ORDER BY created_at DESC, id DESC LIMIT 1",
            (chat_id, user_id, chat_id, user_id),
        )
        if row is None:
            return None
        return Entry(kind=row[0], id=row[1], company=row[2], created_at=from_db(row[3]))

    async def delete_entry(self, chat_id: int, user_id: int, kind: str, entry_id: int) -> bool:
        """Delete one of this user's entries (an attempt takes its promises with it)."""
        async with self._transaction() as conn:
            if kind == "attempt":
                await conn.execute(
                    "DELETE FROM promises WHERE attempt_id IN (SELECT id FROM attempts"
                    " WHERE id = ? AND chat_id = ? AND logged_by = ?)",
                    (entry_id, chat_id, user_id),
                )
                cursor = await conn.execute(
                    "DELETE FROM attempts WHERE id = ? AND chat_id = ? AND logged_by = ?",
                    (entry_id, chat_id, user_id),
                )
            elif kind == "promise":
                await conn.execute(
                    "UPDATE promises SET previous_id = NULL WHERE previous_id = ? AND chat_id = ?",
                    (entry_id, chat_id),
                )
                cursor = await conn.execute(
                    "DELETE FROM promises WHERE id = ? AND chat_id = ? AND logged_by = ?",
                    (entry_id, chat_id, user_id),
                )
            else:
                raise StorageError(f"unknown entry kind {kind!r}")
            deleted = cursor.rowcount > 0
            await self._drop_orphan_companies(conn, chat_id)
        return deleted

    @staticmethod
    async def _drop_orphan_companies(conn: aiosqlite.Connection, chat_id: int) -> None:
        await conn.execute(
            "DELETE FROM companies WHERE chat_id = ? AND NOT EXISTS"
            " (SELECT 1 FROM attempts WHERE company_id = companies.id)"
            " AND NOT EXISTS (SELECT 1 FROM promises WHERE company_id = companies.id)",
            (chat_id,),
        )

    # ------------------------------------------------------------------ export
    async def export_attempts(self, chat_id: int) -> list[ExportAttempt]:
        rows = await self._fetchall(
            "SELECT a.id, a.called_at, c.name, a.phone, a.outcome, a.note, u.name, a.logged_by"
            " FROM attempts a JOIN companies c ON c.id = a.company_id"
            " LEFT JOIN users u ON u.user_id = a.logged_by"
            " WHERE a.chat_id = ? ORDER BY a.called_at, a.id",
            (chat_id,),
        )
        return [
            ExportAttempt(r[0], from_db(r[1]), r[2], r[3], r[4], r[5], r[6], r[7]) for r in rows
        ]

    async def export_promises(self, chat_id: int) -> list[ExportPromise]:
        rows = await self._fetchall(
            "SELECT p.id, p.attempt_id, c.name, p.promised_by, p.made_at, p.due_at, p.status,"
            " p.resolved_at, u.name, p.logged_by FROM promises p"
            " JOIN companies c ON c.id = p.company_id"
            " LEFT JOIN users u ON u.user_id = p.logged_by"
            " WHERE p.chat_id = ? ORDER BY p.made_at, p.id",
            (chat_id,),
        )
        return [
            ExportPromise(
                r[0], r[1], r[2], r[3], from_db(r[4]), from_db(r[5]), r[6], _opt(r[7]), r[8], r[9]
            )
            for r in rows
        ]

    # ------------------------------------------------------------------ drafts
    async def save_draft(
        self, chat_id: int, user_id: int, payload: str, now: datetime, draft_id: int | None = None
    ) -> int:
        """Create or replace a user's half-finished entry; a user has one draft per chat."""
        async with self._transaction() as conn:
            if draft_id is not None:
                rows = await conn.execute_fetchall(
                    "UPDATE drafts SET payload = ?, updated_at = ? "
                    "WHERE id = ? AND chat_id = ? AND user_id = ? RETURNING id",
                    (payload, to_db(now), draft_id, chat_id, user_id),
                )
                if rows:
                    return draft_id
            await conn.execute(
                "DELETE FROM drafts WHERE chat_id = ? AND user_id = ?", (chat_id, user_id)
            )
            rows = await conn.execute_fetchall(
                "INSERT INTO drafts (chat_id, user_id, payload, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?) RETURNING id",
                (chat_id, user_id, payload, to_db(now), to_db(now)),
            )
            self._draft_owners.add((chat_id, user_id))
            return int(next(iter(rows))[0])

    async def draft(self, chat_id: int, user_id: int) -> Draft | None:
        """The user's current draft in this chat, if any."""
        if (chat_id, user_id) not in self._draft_owners:
            return None
        row = await self._fetchone(
            "SELECT id, chat_id, user_id, payload, updated_at FROM drafts "
            "WHERE chat_id = ? AND user_id = ? ORDER BY id DESC LIMIT 1",
            (chat_id, user_id),
        )
        if row is None:
            return None
        return Draft(row[0], row[1], row[2], row[3], from_db(row[4]))

    async def draft_exists(self, chat_id: int, draft_id: int) -> bool:
        """Whether an open draft (anyone's) with this id exists in the chat."""
        row = await self._fetchone(
            "SELECT 1 FROM drafts WHERE id = ? AND chat_id = ?", (draft_id, chat_id)
        )
        return row is not None

    async def delete_draft(self, chat_id: int, user_id: int) -> None:
        if (chat_id, user_id) not in self._draft_owners:
            return
        self._draft_owners.discard((chat_id, user_id))
        async with self._write_lock:
            await self._conn.execute(
                "DELETE FROM drafts WHERE chat_id = ? AND user_id = ?", (chat_id, user_id)
            )

    # ------------------------------------------------------------------ reminders
    async def next_reminder_at(self) -> datetime | None:
        """When the next reminder over all chats is due (one index seek)."""
        row = await self._fetchone(
            "SELECT min(remind_at) FROM promises WHERE status = 'pending' AND remind_at IS NOT NULL"
        )
        return None if row is None or row[0] is None else from_db(row[0])

    async def next_pending_due(self) -> datetime | None:
        """The earliest deadline of any pending promise (for automatic breaking)."""
        row = await self._fetchone("SELECT min(due_at) FROM promises WHERE status = 'pending'")
        return None if row is None or row[0] is None else from_db(row[0])

    async def due_reminders(self, now: datetime, limit: int = 500) -> list[DueReminder]:
        """Pending promises whose reminder is due at ``now``, oldest first."""
        rows = await self._fetchall(
            "SELECT p.id, p.chat_id, p.company_id, c.name, p.attempt_id, p.previous_id,"
            " p.promised_by, p.made_at, p.due_at, p.status, p.resolved_at, p.logged_by,"
            " p.remind_at, p.reminders_sent, u.name, u.username, u.language_code, "
            + ", ".join(f"ch.{col.strip()}" for col in _CHAT_COLUMNS.split(","))
            + " FROM promises p JOIN companies c ON c.id = p.company_id"
            " JOIN chats ch ON ch.chat_id = p.chat_id"
            " LEFT JOIN users u ON u.user_id = p.logged_by"
            " WHERE p.status = 'pending' AND p.remind_at IS NOT NULL AND p.remind_at <= ?"
            " ORDER BY p.remind_at, p.id LIMIT ?",
            (to_db(now), limit),
        )
        return [
            DueReminder(
                promise=_promise(row[:12]),
                remind_at=from_db(row[12]),
                reminders_sent=row[13],
                logger_name=row[14],
                logger_username=row[15],
                logger_language=row[16],
                chat=ChatSettings(*row[17:]),
            )
            for row in rows
        ]

    async def defer_reminders(self, promise_ids: Sequence[int], until: datetime) -> None:
        """Move due reminders to later (quiet hours); deadlines themselves never move."""
        async with self._transaction(notify=False) as conn:
            await conn.executemany(
                "UPDATE promises SET remind_at = ? WHERE id = ? AND status = 'pending'",
                [(to_db(until), pid) for pid in promise_ids],
            )

    async def record_reminders_sent(
        self, sent: Sequence[tuple[int, int, datetime | None]], *, message_id: int | None
    ) -> None:
        """Record delivered reminders: (promise id, reminders_sent before, next reminder).

        The guard on ``reminders_sent`` makes a repeated call harmless.
        """
        async with self._transaction(notify=False) as conn:
            await conn.executemany(
                "UPDATE promises SET reminders_sent = reminders_sent + 1, remind_at = ?,"
                " reminder_chat_message = ? WHERE id = ? AND reminders_sent = ?",
                [
                    (None if next_at is None else to_db(next_at), message_id, pid, before)
                    for pid, before, next_at in sent
                ],
            )

    async def auto_break_overdue(self, cutoff: datetime, now: datetime) -> list[Promise]:
        """Break pending promises whose deadline is older than ``cutoff``; return them.

        The scheduler's own writes do not wake it (``notify=False``): it looks again anyway.
        """
        oldest = await self.next_pending_due()
        if oldest is None or oldest > cutoff:
            return []
        async with self._transaction(notify=False) as conn:
            rows = list(
                await conn.execute_fetchall(
                    "UPDATE promises SET status = 'broken', resolved_at = ?, auto_broken = 1,"
                    " remind_at = NULL WHERE status = 'pending' AND due_at <= ? RETURNING id",
                    (to_db(now), to_db(cutoff)),
                )
            )
        if not rows:
            return []
        ids = [int(r[0]) for r in rows]
        marks = ", ".join("?" * len(ids))
        found = await self._fetchall(_PROMISE_SELECT + f"WHERE p.id IN ({marks})", ids)
        return [_promise(row) for row in found]

    # ------------------------------------------------------------------ bulk (tests, demo)
    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        async with self._transaction() as conn:
            await conn.executemany(sql, rows)
