"""The real entry point as a subprocess: no token, a normal run against the emulator, SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from tests.conftest import ALICE
from tests.support.emulator import BotApiEmulator

ROOT = Path(__file__).resolve().parents[2]


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_"))}
    env["PYTHONPATH"] = str(ROOT)
    env.update(extra)
    return env


async def test_without_token_exits_2_with_instructions(tmp_path: Path) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        cwd=tmp_path,  # no .env here
        env=_env(),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 2
    text = err.decode()
    assert "@BotFather" in text and ".env" in text and "TELEGRAM_BOT_TOKEN" in text
    assert "Traceback" not in text + out.decode()


async def test_runs_against_the_emulator_and_stops_on_sigterm(
    emulator: BotApiEmulator, tmp_path: Path
) -> None:
    database = tmp_path / "data" / "bot.sqlite3"
    emulator.send_message(ALICE, "/help")  # waiting for the bot when it starts
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        cwd=tmp_path,
        env=_env(
            TELEGRAM_BOT_TOKEN=emulator.token,
            TELEGRAM_BASE_URL=emulator.base_url,
            TELEGRAM_BASE_FILE_URL=emulator.base_file_url,
            DATABASE_PATH=str(database),
            LOG_LEVEL="DEBUG",
        ),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        helped = await emulator.wait_for_bot_message(ALICE, timeout=60)
        emulator.send_message(ALICE, "Acme answered, Peter promised to call back tomorrow 3pm")
        reply = await emulator.wait_for_bot_message(ALICE, after=helped.message_id + 1, timeout=30)
        assert "Saved" in reply.body and "Peter" in reply.body
        assert database.exists()
    finally:
        process.send_signal(signal.SIGTERM)
        out, _ = await asyncio.wait_for(process.communicate(), timeout=30)
    log = out.decode()
    assert process.returncode == 0, log
    assert "callback-tracker is running" in log
    assert emulator.token not in log  # the token never reaches the logs, even at DEBUG
    assert emulator.token.split(":")[1] not in log
    emulator.assert_no_errors()
