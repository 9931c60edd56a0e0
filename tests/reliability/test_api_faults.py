"""The Bot API misbehaves (429 with retry_after, 500, 502, dropped connections, slow answers):
the bot keeps working, every user message is handled once, and no reminder is lost."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ALICE
from tests.reliability.support import RecordCollector
from tests.support.clock import FakeClock
from tests.support.emulator import BotApiEmulator
from tests.support.harness import BotHarness

#: (label, inject_fault arguments) for faults that a retry can get past.
TRANSIENT: list[tuple[str, dict[str, Any]]] = [
    ("429", {"status": 429, "retry_after": 1}),
    ("500", {"status": 500}),
    ("502", {"status": 502}),
    ("dropped", {"drop_connection": True}),
    ("slow", {"status": 200, "delay": 0.8}),
]
#: Faults python-telegram-bot's rate limiter already retries, and slow answers.
RETRIED_BY_PTB = [f for f in TRANSIENT if f[0] in ("429", "slow")]
#: Faults nothing retries for a handler's reply.
NOT_RETRIED = [f for f in TRANSIENT if f[0] not in ("429", "slow")]
#: Names no two of which look alike (the bot would ask "did you mean …?").
COMPANIES = (
    "Acme",
    "Globex",
    "Initech",
    "Umbrella",
    "Hooli",
    "Vandelay",
    "Soylent",
    "Wonka",
    "Stark",
    "Cyberdyne",
)


@pytest.fixture
async def fbot(
    emulator: BotApiEmulator, clock: FakeClock, tmp_path: Path
) -> AsyncIterator[BotHarness]:
    """The bot over HTTP, with the production rate limiter (it waits out RetryAfter)."""
    harness = BotHarness(emulator, tmp_path / "bot.sqlite3", clock)
    await harness.start(rate_limiter=True)
    try:
        yield harness
    finally:
        await harness.stop()


async def attempts(bot: BotHarness, chat: int) -> list[str]:
    rows = await bot.storage._fetchall(
        "SELECT c.name FROM attempts a JOIN companies c ON c.id = a.company_id "
        "WHERE a.chat_id = ? ORDER BY a.id",
        [chat],
    )
    return [str(r[0]) for r in rows]


#: A slowed-down poll: longer than the harness's 1 s long poll can last on its own.
SLOW_POLL = {"status": 200, "delay": 1.6}


def faults_hit(emulator: BotApiEmulator, method: str) -> int:
    """Injected answers, and calls slowed down by a fault (those count as ordinary calls)."""
    slowest = 1.5 if method == "getUpdates" else 0.75
    slow = [c for c in emulator.calls(method) if c.finished - c.started >= slowest]
    return len([c for c in emulator.faults_triggered if c.method == method]) + len(slow)


def unhandled(records: RecordCollector) -> list[str]:
    """Errors that reached the bot's error handler (PTB itself logs failed polls at ERROR)."""
    return [r.getMessage() for r in records.records if r.name.startswith("bot")]


def cards(emulator: BotApiEmulator, chat: int, name: str) -> list[str]:
    return [m.body for m in emulator.bot_messages(chat) if name in m.body and "Saved" in m.body]


async def test_polling_recovers_from_every_getupdates_fault(
    fbot: BotHarness, errors_logged: RecordCollector
) -> None:
    """A fault on getUpdates is retried with the same offset: no message lost or repeated."""
    emulator = fbot.emulator
    names = []
    for (label, fault), name in zip(TRANSIENT, COMPANIES, strict=False):
        emulator.inject_fault("getUpdates", **(SLOW_POLL if label == "slow" else fault))
        names.append(name)
        # Sent while the bot waits out the failed poll; fetched by the next one.
        emulator.send_message(ALICE, f"{name} no answer")
        fbot.sent += 1
        await fbot.settle(timeout=20)
    # One more message: the poll after the last fault has certainly happened.
    names.append(COMPANIES[-1])
    await fbot.say(ALICE, f"{names[-1]} busy")
    assert faults_hit(emulator, "getUpdates") == len(TRANSIENT)
    assert await attempts(fbot, ALICE) == names
    for name in names:
        assert len(cards(emulator, ALICE, name)) == 1, name
    emulator.assert_no_errors()
    assert not unhandled(errors_logged), errors_logged.describe()


@pytest.mark.parametrize(("label", "fault"), RETRIED_BY_PTB, ids=[f[0] for f in RETRIED_BY_PTB])
async def test_reply_and_edit_get_through_429_and_slow_answers(
    fbot: BotHarness, errors_logged: RecordCollector, label: str, fault: dict[str, Any]
) -> None:
    emulator = fbot.emulator
    repeated = 2 if label == "429" else 1  # two 429 in a row: the rate limiter tries thrice
    emulator.inject_fault("sendMessage", **fault, times=repeated)
    card = await fbot.say(ALICE, "Acme answered, Peter promised to call back tomorrow 3pm")
    assert "Saved" in card.body and "Peter" in card.body
    emulator.inject_fault("editMessageText", **fault)
    shown, _ = await fbot.press(ALICE, card, "Undo")
    assert shown.inline_keyboard and shown.body != card.body  # the confirmation question
    assert faults_hit(emulator, "sendMessage") == repeated
    assert faults_hit(emulator, "editMessageText") == 1
    assert await attempts(fbot, ALICE) == ["Acme"]
    emulator.assert_no_errors()
    assert not errors_logged.records, errors_logged.describe()


@pytest.mark.parametrize(("label", "fault"), NOT_RETRIED, ids=[f[0] for f in NOT_RETRIED])
async def test_confirmation_card_survives_a_transient_fault(
    fbot: BotHarness, errors_logged: RecordCollector, label: str, fault: dict[str, Any]
) -> None:
    emulator = fbot.emulator
    emulator.inject_fault("sendMessage", **fault)
    emulator.send_message(ALICE, "Acme answered, Peter promised to call back tomorrow 3pm")
    fbot.sent += 1
    await fbot.settle(timeout=20)
    assert await attempts(fbot, ALICE) == ["Acme"]  # saved once, whatever the reply did
    bodies = [m.body for m in emulator.bot_messages(ALICE)]
    assert not any("try again" in b for b in bodies), bodies
    assert len(cards(emulator, ALICE, "Acme")) == 1, bodies
    assert not errors_logged.records, errors_logged.describe()


@pytest.mark.parametrize(("label", "fault"), TRANSIENT, ids=[f[0] for f in TRANSIENT])
async def test_reminder_whose_send_failed_comes_later(
    fbot: BotHarness, errors_logged: RecordCollector, label: str, fault: dict[str, Any]
) -> None:
    """The reminder stays due after a failed send and is sent once, 30 s later at most."""
    emulator, clock = fbot.emulator, fbot.clock
    await fbot.say(ALICE, "Acme answered, Peter promised to call back in 1 hour")
    before = emulator.last_message_id(ALICE)
    emulator.inject_fault("sendMessage", **fault)
    clock.advance(hours=1, minutes=1)
    await fbot.settle(timeout=20)
    assert faults_hit(emulator, "sendMessage") == 1, "the fault was never hit"
    clock.advance(seconds=30)
    await fbot.settle(timeout=20)
    reminders = [
        m for m in emulator.bot_messages(ALICE) if m.message_id > before and "Acme" in m.body
    ]
    assert len(reminders) == 1, [m.body for m in reminders]
    assert "has not called back" in reminders[0].body
    rows = await fbot.storage._fetchall("SELECT reminders_sent, status FROM promises")
    assert [tuple(r) for r in rows] == [(1, "pending")]
    emulator.assert_no_errors()
    assert not errors_logged.records, errors_logged.describe()
