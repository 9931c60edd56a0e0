"""Buttons pressed with data the bot did not put there, or on entries that changed since the
message was drawn: the press is answered, nothing crashes, nothing saved changes."""

from __future__ import annotations

import pytest

from tests.conftest import ALICE, BORIS
from tests.reliability.conftest import GROUP
from tests.reliability.support import RecordCollector, snapshot
from tests.support.inprocess_harness import InProcessHarness

#: Ids a forged button can carry that do not fit SQLite's signed 64-bit integers.
OUT_OF_RANGE = (str(2**63), str(-(2**63) - 1), "1" + "0" * 30)


async def _entries(bot: InProcessHarness) -> tuple[int, int]:
    """Alice logs a call with a promise; returns (attempt id, promise id)."""
    await bot.say(ALICE, "Acme answered, Peter promised to call back tomorrow 3pm")
    return await _latest(bot)


async def _latest(bot: InProcessHarness) -> tuple[int, int]:
    """(attempt id, promise id) of Alice's latest promise."""
    rows = await bot.storage._fetchall(
        "SELECT attempt_id, id FROM promises WHERE chat_id = ? ORDER BY id", [ALICE]
    )
    attempt_id, promise_id = rows[-1]
    return int(attempt_id), int(promise_id)


def _assert_clean(bot: InProcessHarness, errors_logged: RecordCollector, query: str) -> None:
    problems = [c for c in bot.emulator.errors if "not modified" not in (c.description or "")]
    bot.emulator.errors.clear()
    assert not errors_logged.records, errors_logged.describe()
    assert not problems, problems
    assert query in bot.emulator.callback_answers, "the press was never answered"


async def test_forged_ids_of_another_chat_are_refused(
    ibot: InProcessHarness, errors_logged: RecordCollector
) -> None:
    await ibot.say(BORIS, "Acme answered, Peter promised to call back tomorrow 3pm")
    rows = await ibot.storage._fetchall(
        "SELECT attempt_id, id FROM promises WHERE chat_id = ?", [BORIS]
    )
    attempt_id, promise_id = (int(v) for v in rows[0])
    card = (await ibot.say(ALICE, "/help")).message_id
    database = ibot.settings.database_path
    before = snapshot(database, [BORIS])
    for data in (
        f"a:{attempt_id}:u!",
        f"a:{attempt_id}:o:busy",
        f"a:{attempt_id}:ec",
        f"p:{promise_id}:c",
        f"p:{promise_id}:n",
        f"p:{promise_id}:u!",
        f"p:{promise_id}:dl:3d",
        f"p:{promise_id}:mv:3d",
        f"l:{promise_id}:c",
        f"r:{promise_id}:n",
        f"p:{promise_id}:ot",
    ):
        query = await ibot.press_raw(ALICE, ALICE, card, data)
        _assert_clean(ibot, errors_logged, query)
    assert snapshot(database, [BORIS]) == before


@pytest.mark.parametrize("template", ["a:{}:u!", "p:{}:c", "l:{}:n", "r:{}:m", "d:1:co:{}"])
async def test_out_of_range_ids_are_stale_buttons(
    ibot: InProcessHarness, errors_logged: RecordCollector, template: str
) -> None:
    card = await ibot.say(ALICE, "/call")  # opens a draft, so "d:" data reaches its handler
    for ident in OUT_OF_RANGE:
        query = await ibot.press_raw(ALICE, ALICE, card.message_id, template.format(ident))
        _assert_clean(ibot, errors_logged, query)


@pytest.mark.parametrize("area", ["p", "l", "r"])
async def test_new_deadline_on_a_resolved_promise(
    ibot: InProcessHarness, errors_logged: RecordCollector, area: str
) -> None:
    _, promise_id = await _entries(ibot)
    listing = await ibot.say(ALICE, "/pending")
    await ibot.press_data(ALICE, listing, f"l:{promise_id}:n")  # still nothing: broken
    # The same list (or a reminder) still shows the promise's ⏰ button.
    query = await ibot.press_raw(ALICE, ALICE, listing.message_id, f"{area}:{promise_id}:m")
    answer = ibot.answer_to(query)
    _assert_clean(ibot, errors_logged, query)
    assert answer["show_alert"] and "already" in (answer["text"] or "").lower()


async def test_group_member_cannot_change_anothers_entries(
    ibot: InProcessHarness, errors_logged: RecordCollector
) -> None:
    card = await ibot.say(BORIS, "Acme answered, Peter promised to call back tomorrow 3pm", GROUP)
    database = ibot.settings.database_path
    before = snapshot(database, [GROUP])
    rows = await ibot.storage._fetchall(
        "SELECT attempt_id, id FROM promises WHERE chat_id = ?", [GROUP]
    )
    attempt_id, promise_id = (int(v) for v in rows[0])
    for data in (
        f"a:{attempt_id}:u!",
        f"a:{attempt_id}:o:busy",
        f"a:{attempt_id}:ec",
        f"p:{promise_id}:u!",
        f"p:{promise_id}:dl:3d",
        f"p:{promise_id}:ed",
    ):
        query = await ibot.press_raw(ALICE, GROUP, card.message_id, data)
        _assert_clean(ibot, errors_logged, query)
        assert ibot.answer_to(query)["show_alert"]
    after = snapshot(database, [GROUP])
    assert after["attempts"] == before["attempts"]
    assert after["promises"] == before["promises"]


@pytest.mark.parametrize("data", ["d:0:x", "a:1:k", "s:lang", "w:0"])
async def test_forged_press_on_a_message_without_text(
    ibot: InProcessHarness, errors_logged: RecordCollector, data: str
) -> None:
    """The Bot API warns that callback data may not match any button of the message.
    (Found by the fuzzer: edit() called editMessageText on a document; fixed in b6c68f4.)"""
    await _entries(ibot)
    await ibot.say(ALICE, "/export")
    document = ibot.emulator.bot_messages(ALICE)[-1]
    assert document.document is not None
    query = await ibot.press_raw(ALICE, ALICE, document.message_id, data)
    _assert_clean(ibot, errors_logged, query)


@pytest.mark.parametrize("how", ["still nothing", "moved"])
async def test_came_on_time_only_corrects_a_late_callback(
    ibot: InProcessHarness, errors_logged: RecordCollector, how: str
) -> None:
    card = await ibot.say(ALICE, "Acme answered, Peter promised to call back tomorrow 3pm")
    _, promise_id = await _latest(ibot)
    if how == "moved":
        await ibot.press_raw(ALICE, ALICE, card.message_id, f"p:{promise_id}:mv:3d")
    else:
        listing = await ibot.say(ALICE, "/pending")
        await ibot.press(ALICE, listing, "❌ 1")
    # The button is offered only after "they called" came late; here it is forged.
    query = await ibot.press_raw(ALICE, ALICE, card.message_id, f"p:{promise_id}:ot")
    _assert_clean(ibot, errors_logged, query)
    rows = await ibot.storage._fetchall("SELECT status FROM promises WHERE id = ?", [promise_id])
    assert rows[0][0] == "broken"
