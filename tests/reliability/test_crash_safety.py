"""SIGKILL at random moments while a client logs calls: every entry whose confirmation the
client saw survives, and the database stays intact."""

from __future__ import annotations

import asyncio
import random
import signal
import sqlite3
import string
from collections import Counter
from pathlib import Path

from tests.conftest import ALICE, BORIS
from tests.reliability.support import query, start_bot_process
from tests.support.emulator import BotApiEmulator

SEED = 20_261_125
KILLS = 6
USERS = (ALICE, BORIS)


def company_name(rng: random.Random) -> str:
    """Random letters: no two names are near misses, so the bot never asks "did you mean"."""
    return "".join(rng.choice(string.ascii_lowercase) for _ in range(10)).capitalize()


def confirmed(emulator: BotApiEmulator, names: dict[str, int]) -> set[str]:
    """Names whose "Saved" card reached the client."""
    seen: set[str] = set()
    for user in USERS:
        for message in emulator.bot_messages(user):
            body = message.body
            if "Saved" not in body and "Сохранено" not in body and "Записано" not in body:
                continue
            seen.update(name for name in names if name in body)
    return seen


def integrity(database: Path) -> str:
    conn = sqlite3.connect(database)
    try:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        conn.close()


def attempts(database: Path) -> int:
    """Attempts saved so far (0 while the bot is still creating the database)."""
    try:
        return int(query(database, "SELECT count(*) FROM attempts")[0][0])
    except sqlite3.OperationalError:
        return 0


async def started(emulator: BotApiEmulator, database: Path) -> asyncio.subprocess.Process:
    """Start ``python -m bot``; return once it begins polling (deleteWebhook comes just before
    the first getUpdates, which is only recorded when it returns)."""
    ready = len(emulator.calls("deleteWebhook"))
    process = await start_bot_process(
        emulator.base_url, emulator.base_file_url, emulator.token, database
    )
    try:
        await emulator.wait_until(lambda: len(emulator.calls("deleteWebhook")) > ready, timeout=60)
    except BaseException:
        process.kill()
        await process.wait()
        raise
    return process


async def test_sigkill_while_logging_loses_no_confirmed_entry(
    emulator: BotApiEmulator, tmp_path: Path
) -> None:
    rng = random.Random(SEED)
    database = tmp_path / "bot.sqlite3"
    names: dict[str, int] = {}  # name -> user who logged it
    stop = asyncio.Event()

    async def client() -> None:
        """Two auditors log calls one after another, whether the bot is up or not."""
        while not stop.is_set():
            name = company_name(rng)
            user = rng.choice(USERS)
            names[name] = user
            emulator.send_message(user, f"{name} no answer")
            await asyncio.sleep(rng.uniform(0.0, 0.04))

    emulator.send_message(BORIS, "/help")
    writer: asyncio.Task[None] | None = None
    process = await started(emulator, database)
    try:
        writer = asyncio.create_task(client())
        for _kill in range(KILLS):
            await asyncio.sleep(rng.uniform(0.1, 1.2))
            process.send_signal(signal.SIGKILL)
            await process.wait()
            seen = confirmed(emulator, names)
            assert integrity(database) == "ok"
            saved = {row[0] for row in query(database, "SELECT name FROM companies")}
            assert seen <= saved, f"confirmed but not saved: {sorted(seen - saved)}"
            process = await started(emulator, database)
        stop.set()
        await writer
        # Let the last bot catch up, then stop it politely.
        await emulator.wait_idle(timeout=30, quiet=0.5)
    finally:
        stop.set()
        if writer is not None and not writer.done():
            writer.cancel()
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
            await asyncio.wait_for(process.wait(), timeout=30)
    assert integrity(database) == "ok"
    seen = confirmed(emulator, names)
    rows = query(
        database,
        "SELECT c.name, a.logged_by FROM attempts a JOIN companies c ON c.id = a.company_id",
    )
    saved = {name for name, _ in rows}
    assert seen <= saved, f"confirmed but not saved: {sorted(seen - saved)}"
    twice = [name for name, count in Counter(name for name, _ in rows).items() if count > 1]
    assert not twice, f"saved twice (an update handled again after a restart): {twice}"
    assert all(names[name] == user for name, user in rows)  # each entry under its own user
    assert len(seen) > 20, f"too few entries logged to mean anything: {len(seen)}"
    emulator.assert_no_errors()


async def test_sigkill_after_fetch_loses_no_update(
    emulator: BotApiEmulator, tmp_path: Path
) -> None:
    """At-least-once: an update the bot fetched but did not handle comes again after restart."""
    database = tmp_path / "bot.sqlite3"
    rng = random.Random(SEED + 1)
    process = await started(emulator, database)
    names = [company_name(rng) for _ in range(100)]
    try:
        # Slow every reply down: the batch is fetched at once but handled one by one.
        emulator.inject_fault("sendMessage", status=200, delay=0.05, times=1_000)
        for name in names:
            emulator.send_message(ALICE, f"{name} no answer")
        # The bot has fetched the batch and is still working through it when it is killed
        # (python-telegram-bot alone would already have confirmed the whole batch).
        await emulator.wait_until(lambda: attempts(database) >= 5, timeout=30)
        process.send_signal(signal.SIGKILL)
        await process.wait()
        assert attempts(database) < len(names), "the bot handled the whole batch before the kill"
        emulator._faults.clear()  # no public way to withdraw injected faults
        process = await started(emulator, database)
        # The restarted bot works: a new message gets its card.
        after = emulator.last_message_id(ALICE)
        emulator.send_message(ALICE, "Controlcheck no answer")
        await emulator.wait_for_bot_message(
            ALICE, after=after, timeout=30, predicate=lambda m: "Controlcheck" in m.body
        )
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
            await asyncio.wait_for(process.wait(), timeout=30)
    saved = {row[0] for row in query(database, "SELECT name FROM companies")}
    lost = set(names) - saved
    assert not lost, f"{len(lost)} of {len(names)} fetched updates were never handled"
