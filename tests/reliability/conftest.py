"""Fixtures of the reliability suite: an in-process bot whose teardown does not assert (tests
check the emulator's errors themselves, so an xfail test stays an xfail and not an error)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from tests.conftest import ALICE, BORIS, VERA
from tests.reliability.support import RecordCollector, collect_logs
from tests.support.clock import FakeClock
from tests.support.emulator import BotApiEmulator
from tests.support.inprocess_harness import InProcessHarness

GROUP = -100_700  # Alice, Boris and Vera


@pytest.fixture
def errors_logged() -> Iterator[RecordCollector]:
    """Every record at ERROR or above from any logger during the test."""
    with collect_logs(logging.ERROR) as records:
        yield records


@pytest.fixture
async def ibot(tmp_path: Path, clock: FakeClock) -> AsyncIterator[InProcessHarness]:
    emulator = BotApiEmulator()
    emulator.add_user(ALICE, "Alice", language_code="en", username="alice")
    emulator.add_user(BORIS, "Борис", language_code="ru", username="boris")
    emulator.add_user(VERA, "Вера", language_code="bg")
    emulator.add_group(GROUP, "Auditors", members=[ALICE, BORIS, VERA], admins=[BORIS])
    harness = InProcessHarness(emulator, tmp_path / "bot.sqlite3", clock)
    await harness.start()
    try:
        yield harness
    finally:
        await harness.stop()
