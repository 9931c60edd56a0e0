"""Shared pieces of the reliability suite: an event loop that outlives hypothesis examples,
log capture, database snapshots and a subprocess bot."""

from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
import sys
from collections.abc import Coroutine, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")
ROOT = Path(__file__).resolve().parents[2]

#: Tables whose rows belong to one chat (a ``chat_id`` column); snapshots compare them whole.
CHAT_TABLES = ("chats", "companies", "attempts", "promises", "drafts", "weekly_reports")


class LoopRunner:
    """One event loop kept across hypothesis examples, so one running bot serves them all
    (starting the bot costs far more than an example)."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = 60.0) -> T:
        return self.loop.run_until_complete(asyncio.wait_for(coro, timeout))

    def close(self) -> None:
        pending = [t for t in asyncio.all_tasks(self.loop) if not t.done()]
        for task in pending:
            task.cancel()
        if pending:
            self.loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        self.loop.run_until_complete(self.loop.shutdown_asyncgens())
        self.loop.close()


class RecordCollector(logging.Handler):
    """Keeps every record at or above ``level`` from every logger (attached to the root)."""

    def __init__(self, level: int = logging.ERROR) -> None:
        super().__init__(level)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def describe(self) -> str:
        lines = []
        formatter = logging.Formatter("%(levelname)s %(name)s: %(message)s")
        for record in self.records:
            lines.append(formatter.format(record))
        return "\n".join(lines)

    def clear(self) -> None:
        self.records.clear()


@contextmanager
def collect_logs(level: int = logging.ERROR) -> Iterator[RecordCollector]:
    """Capture records from every logger while the block runs (root level lowered if needed)."""
    root = logging.getLogger()
    collector = RecordCollector(level)
    old_level = root.level
    root.addHandler(collector)
    if root.level > level or root.level == logging.NOTSET:
        root.setLevel(level)
    try:
        yield collector
    finally:
        root.removeHandler(collector)
        root.setLevel(old_level)


def table_columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]


def snapshot(
    database: Path | str, chats: Iterable[int], users: Iterable[int] = ()
) -> dict[str, Any]:
    """Every row of the given chats (and user rows), read with a separate connection."""
    chat_ids = sorted(set(chats))
    marks = ",".join("?" * len(chat_ids))
    conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        found: dict[str, Any] = {}
        for table in CHAT_TABLES:
            columns = table_columns(conn, table)
            if "chat_id" not in columns:
                continue
            rows = conn.execute(
                f"SELECT * FROM {table} WHERE chat_id IN ({marks}) ORDER BY 1, 2", chat_ids
            ).fetchall()
            found[table] = [dict(zip(columns, row, strict=True)) for row in rows]
        user_ids = sorted(set(users))
        if user_ids:
            columns = table_columns(conn, "users")
            rows = conn.execute(
                f"SELECT * FROM users WHERE user_id IN ({','.join('?' * len(user_ids))}) "
                "ORDER BY user_id",
                user_ids,
            ).fetchall()
            found["users"] = [dict(zip(columns, row, strict=True)) for row in rows]
        return found
    finally:
        conn.close()


def query(database: Path | str, sql: str, params: Iterable[Any] = ()) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        return [tuple(r) for r in conn.execute(sql, tuple(params)).fetchall()]
    finally:
        conn.close()


def bot_env(**extra: str) -> dict[str, str]:
    """The environment for ``python -m bot``: ours minus any Telegram/database settings."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TELEGRAM_", "DATABASE_", "LOG_LEVEL"))
    }
    env["PYTHONPATH"] = str(ROOT)
    env["PTB_TIMEDELTA"] = "1"
    env.update(extra)
    return env


async def start_bot_process(
    base_url: str,
    base_file_url: str,
    token: str,
    database: Path,
    *,
    stderr: int | None = asyncio.subprocess.DEVNULL,
    **extra: str,
) -> asyncio.subprocess.Process:
    """``python -m bot`` pointed at an emulator (cwd: the database's folder, so no .env)."""
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        cwd=database.parent,
        env=bot_env(
            TELEGRAM_BOT_TOKEN=token,
            TELEGRAM_BASE_URL=base_url,
            TELEGRAM_BASE_FILE_URL=base_file_url,
            DATABASE_PATH=str(database),
            CHART_PROCESSES="0",
            **extra,
        ),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=stderr,
    )
