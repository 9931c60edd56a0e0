"""Shared fixtures: a fresh emulator, fake clock and running bot per test."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.support.clock import FakeClock
from tests.support.emulator import BotApiEmulator
from tests.support.harness import BotHarness

# python-telegram-bot 22: opt in to timedelta retry_after (as bot.main does) -> no warnings.
os.environ.setdefault("PTB_TIMEDELTA", "1")

ALICE, BORIS, VERA = 1001, 1002, 1003


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def emulator() -> AsyncIterator[BotApiEmulator]:
    emu = BotApiEmulator()
    emu.add_user(ALICE, "Alice", language_code="en", username="alice")
    emu.add_user(BORIS, "Борис", language_code="ru", username="boris")
    emu.add_user(VERA, "Вера", language_code="bg")
    await emu.start()
    yield emu
    await emu.stop()


@pytest.fixture
async def bot(
    emulator: BotApiEmulator, clock: FakeClock, tmp_path: Path
) -> AsyncIterator[BotHarness]:
    harness = BotHarness(emulator, tmp_path / "bot.sqlite3", clock)
    await harness.start()
    yield harness
    await harness.stop()
    emulator.assert_no_errors()  # every request the bot made was valid for Telegram
