"""SIGKILL between a deadline and its reminder: exactly one reminder after restart."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from storage import Actor, NewPromise, Storage
from tests.conftest import ALICE
from tests.support.emulator import BotApiEmulator

ROOT = Path(__file__).resolve().parents[2]


async def start_bot(emulator: BotApiEmulator, database: Path) -> asyncio.subprocess.Process:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TELEGRAM_")}
    env.update(
        PYTHONPATH=str(ROOT),
        TELEGRAM_BOT_TOKEN=emulator.token,
        TELEGRAM_BASE_URL=emulator.base_url,
        TELEGRAM_BASE_FILE_URL=emulator.base_file_url,
        DATABASE_PATH=str(database),
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        cwd=database.parent,
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    return process  # callers wait for what the bot does, not for a long poll to finish


def reminders_in(emulator: BotApiEmulator) -> list[str]:
    return [m.body for m in emulator.bot_messages(ALICE) if "Zenith" in m.body]


async def test_sigkill_between_deadline_and_send(emulator: BotApiEmulator, tmp_path: Path) -> None:
    database = tmp_path / "bot.sqlite3"
    now = datetime.now(UTC)
    storage = await Storage.open(database)
    await storage.ensure_chat(ALICE, "private", None, now)
    # Real time may be night in UTC: no quiet hours for this chat.
    await storage.update_chat_settings(ALICE, quiet_start="00:00", quiet_end="00:00")
    await storage.record_promise(
        ALICE,
        company="Zenith",
        promise=NewPromise("Peter", now + timedelta(seconds=12)),
        made_at=now,
        actor=Actor(ALICE, "Alice"),
    )
    await storage.close()

    emulator.send_message(ALICE, "/help")  # the user has talked to the bot
    first = await start_bot(emulator, database)
    try:
        await emulator.wait_for_bot_message(ALICE, timeout=30)
        # The reminder's sendMessage will hang, then the connection drops unanswered:
        # the bot is killed while Telegram has not accepted the message.
        emulator.inject_fault("sendMessage", status=200, delay=4, drop_connection=True)
        await emulator.wait_until(lambda: emulator._inflight > 0, timeout=60)
        first.send_signal(signal.SIGKILL)
        await first.wait()
    finally:
        if first.returncode is None:
            first.kill()
            await first.wait()
    assert reminders_in(emulator) == []

    second = await start_bot(emulator, database)
    try:
        await emulator.wait_until(lambda: bool(reminders_in(emulator)), timeout=30)
        await asyncio.sleep(1.5)  # time for a duplicate to show up, if there were one
        sent = reminders_in(emulator)
        assert len(sent) == 1, sent
        assert "Zenith" in sent[0]
    finally:
        second.send_signal(signal.SIGTERM)
        await asyncio.wait_for(second.wait(), timeout=30)
    check = await Storage.open(database)
    try:
        assert await check.integrity_check() == "ok"
        rows = await check._fetchall("SELECT reminders_sent, status FROM promises")
        assert [tuple(r) for r in rows] == [(1, "pending")]
    finally:
        await check.close()
