"""Long entries shown together (history, lists): every message the bot sends stays within
Telegram's 4096 characters, which Telegram counts in UTF-16 code units (an emoji is two)."""

from __future__ import annotations

import random
import string

from tests.conftest import ALICE
from tests.reliability.support import RecordCollector
from tests.support.inprocess_harness import InProcessHarness

#: A note as people write them after a bad call, with a few emoji.
NOTE = "waited 20 min on hold 😡😡😡 then the line dropped again 📞 " * 5


async def test_long_history_with_emoji_fits_one_message(
    ibot: InProcessHarness, errors_logged: RecordCollector
) -> None:
    for _ in range(20):
        ibot.queue_text(ALICE, f"Acme no answer, {NOTE}")
    await ibot.drain()
    history = await ibot.say(ALICE, "/history Acme")
    problems = list(ibot.emulator.errors)
    ibot.emulator.errors.clear()
    assert not problems, problems
    assert not errors_logged.records, errors_logged.describe()
    assert "Acme" in history.body and "history" in history.body


async def test_many_reminders_due_at_once_are_all_delivered(
    ibot: InProcessHarness, errors_logged: RecordCollector
) -> None:
    """An auditor logs 40 promises "by tomorrow" (18:00): they all fall due at the same moment."""
    rng = random.Random(40)
    names: set[str] = set()
    while len(names) < 40:
        names.add("".join(rng.choice(string.ascii_lowercase) for _ in range(12)).capitalize())
    for name in sorted(names):
        ibot.queue_text(ALICE, f"/promise {name} tomorrow Peter Petrovich from the sales team")
    await ibot.drain()
    rows = await ibot.storage._fetchall("SELECT count(*) FROM promises WHERE status = 'pending'")
    assert rows[0][0] == 40
    before = ibot.emulator.last_message_id(ALICE)
    ibot.clock.advance(days=1, hours=9)  # Thursday 19:00: every deadline has passed
    await ibot.settle()
    problems = list(ibot.emulator.errors)
    ibot.emulator.errors.clear()
    assert not problems, problems
    reminded = " ".join(m.body for m in ibot.emulator.bot_messages(ALICE) if m.message_id > before)
    assert all(name in reminded for name in names), "some reminders never reached the chat"
