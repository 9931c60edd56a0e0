"""Who can reach a shared workspace: a member removed from the group loses it."""

from __future__ import annotations

from tests.conftest import ALICE, BORIS, VERA
from tests.reliability.conftest import GROUP
from tests.reliability.support import RecordCollector
from tests.support.inprocess_harness import InProcessHarness


async def test_removed_member_loses_the_group_workspace(
    ibot: InProcessHarness, errors_logged: RecordCollector
) -> None:
    emulator = ibot.emulator
    await ibot.say(BORIS, "Globex answered, Mary promised to call back tomorrow 3pm", GROUP)
    await ibot.say(ALICE, "/help", GROUP)  # Alice is seen in the group
    menu = await ibot.say(ALICE, "/workspace")
    await ibot.press(ALICE, menu, "Auditors")
    # Boris removes Alice: Telegram tells the group (and the bot) with a service message.
    alice = emulator.add_user(ALICE, "Alice", language_code="en", username="alice")
    emulator.add_group(GROUP, "Auditors", members=[BORIS, VERA], admins=[BORIS])
    emulator.send_custom_message(BORIS, {"left_chat_member": alice}, chat_id=GROUP)
    ibot.sent += 1
    await ibot.settle()

    pending = await ibot.say(ALICE, "/pending")
    await ibot.say(ALICE, "Initech no answer")
    rows = await ibot.storage._fetchall(
        "SELECT count(*) FROM attempts WHERE chat_id = ? AND logged_by = ?", [GROUP, ALICE]
    )
    problems = list(emulator.errors)
    emulator.errors.clear()
    assert not problems, problems
    assert not errors_logged.records, errors_logged.describe()
    assert "Globex" not in pending.body, "an ex-member still reads the group's promises"
    assert rows[0][0] == 0, "an ex-member still logs calls into the group"


async def test_another_members_question_survives_a_stray_tap(
    ibot: InProcessHarness, errors_logged: RecordCollector
) -> None:
    question = await ibot.say(BORIS, "Globex", GROUP)  # no outcome: the bot asks how it ended
    assert question.inline_keyboard, question.body
    shown, _ = await ibot.press(VERA, question, question.buttons()[0][0][0])
    problems = list(ibot.emulator.errors)
    ibot.emulator.errors.clear()
    assert not problems, problems
    assert shown.body == question.body and shown.inline_keyboard == question.inline_keyboard
    # Boris can still answer his own question.
    answered, _ = await ibot.press(BORIS, shown, question.buttons()[0][0][0])
    assert "Globex" in answered.body and answered.body != question.body
