"""Reminders end to end: expiry, the three answers, follow-up, auto-break, quiet hours,
catch-up after downtime, 429s — with a clock the test moves."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.conftest import ALICE, BORIS, VERA
from tests.e2e.test_logging import promises, rows
from tests.support.emulator import ChatMessage
from tests.support.harness import BotHarness


async def log_promise(bot: BotHarness, user: int, text: str) -> None:
    card = await bot.say(user, text)
    assert "⏰" in card.body, card.body


async def next_reminder(bot: BotHarness, chat: int, **advance: float) -> ChatMessage:
    after = bot.emulator.last_message_id(chat)
    bot.clock.advance(timedelta(**advance))
    return await bot.emulator.wait_for_bot_message(chat, after=after, timeout=5)


async def no_message_after(bot: BotHarness, chat: int, after: int) -> None:
    await bot.settle()
    new = [m for m in bot.emulator.bot_messages(chat) if m.message_id > after]
    assert new == [], [m.body for m in new]


async def test_expired_promise_is_reminded_once_with_three_answers(bot: BotHarness) -> None:
    await log_promise(bot, ALICE, "Acme answered, Peter promised to call back in 2 hours")
    mark = bot.emulator.last_message_id(ALICE)
    bot.clock.advance(hours=1, minutes=59)
    await no_message_after(bot, ALICE, mark)  # not before the deadline
    reminder = await next_reminder(bot, ALICE, minutes=1, seconds=1)
    body = reminder.body
    assert "Acme has not called back" in body
    assert "Peter promised it on Wed 25 Nov, 10:00" in body
    assert "Was due Wed 25 Nov, 12:00, 1 minute ago" in body
    assert [t for row in reminder.buttons() for t, _ in row] == [
        "They called ✅",
        "Still nothing ❌",
        "New deadline ⏰",
    ]
    # Nothing more while time passes, short of the follow-up.
    bot.clock.advance(hours=2)
    await no_message_after(bot, ALICE, reminder.message_id)
    answered, _ = await bot.press(ALICE, reminder, "They called")
    assert "called back, but late" in answered.body
    assert [t for row in answered.buttons() for t, _ in row] == ["It came on time"]
    fixed, _ = await bot.press(ALICE, answered, "on time")
    assert "on time" in fixed.body
    assert fixed.buttons() == []
    assert (await promises(bot, ALICE))[0][3] == "kept"


async def test_still_nothing_breaks_the_promise(bot: BotHarness) -> None:
    await log_promise(bot, BORIS, "Ромашка — обещали перезвонить через 2 часа")
    reminder = await next_reminder(bot, BORIS, hours=2)
    assert "Ромашка так и не перезвонили" in reminder.body
    answered, _ = await bot.press(BORIS, reminder, "Так и нет")
    assert "не сдержали обещание" in answered.body
    assert answered.buttons() == []
    assert (await promises(bot, BORIS))[0][3] == "broken"


async def test_new_deadline_links_a_new_promise_and_reminds_again(bot: BotHarness) -> None:
    await log_promise(bot, VERA, "Виваком обещаха да се обадят след 2 часа")
    reminder = await next_reminder(bot, VERA, hours=2)
    options, _ = await bot.press(VERA, reminder, "Нов срок")
    assert [t for row in options.buttons() for t, _ in row][:2] == ["След 1 час", "Днес"]
    moved, _ = await bot.press(VERA, options, "След 1 час")
    assert "Нов срок" in moved.body
    assert moved.buttons() == []
    chain = await rows(
        bot, "SELECT id, previous_id, status FROM promises WHERE chat_id = ? ORDER BY id", VERA
    )
    assert [(r[2]) for r in chain] == ["broken", "pending"]
    assert chain[1][1] == chain[0][0]
    again = await next_reminder(bot, VERA, hours=1)
    assert "Виваком все още не са се обадили" in again.body


async def test_one_follow_up_then_automatic_break(bot: BotHarness) -> None:
    await log_promise(bot, ALICE, "/promise Acme in 1 hour")
    first = await next_reminder(bot, ALICE, hours=1)
    assert "has not called back" in first.body
    follow_up = await next_reminder(bot, ALICE, hours=24)
    assert "Still no call from Acme?" in follow_up.body
    bot.clock.advance(days=3)
    await no_message_after(bot, ALICE, follow_up.message_id)
    assert (await promises(bot, ALICE))[0][3] == "pending"
    bot.clock.advance(days=4)  # 7 days after the deadline
    await bot.emulator.wait_until(lambda: True)
    await bot.settle()
    status = await rows(bot, "SELECT status, auto_broken FROM promises WHERE chat_id = ?", ALICE)
    assert status == [("broken", 1)]
    await no_message_after(bot, ALICE, follow_up.message_id)


async def test_quiet_hours_defer_the_reminder_not_the_deadline(bot: BotHarness) -> None:
    # 10:00 UTC; the chat is in UTC with the default quiet hours 22:00-08:00.
    await log_promise(bot, ALICE, "/promise Acme today 23:00")
    mark = bot.emulator.last_message_id(ALICE)
    bot.clock.advance(hours=13, minutes=30)  # 23:30: inside quiet hours
    await no_message_after(bot, ALICE, mark)
    bot.clock.advance(hours=8)  # 07:30
    await no_message_after(bot, ALICE, mark)
    reminder = await next_reminder(bot, ALICE, minutes=30)  # 08:00
    assert "Was due Wed 25 Nov, 23:00" in reminder.body
    due = await rows(bot, "SELECT due_at FROM promises WHERE chat_id = ?", ALICE)
    assert due == [("2026-11-25 23:00:00",)]


async def test_quiet_hours_can_be_changed_and_turned_off(bot: BotHarness) -> None:
    menu = await bot.say(ALICE, "/settings")
    assert "Quiet hours: 22:00–08:00" in menu.body
    choices, _ = await bot.press(ALICE, menu, "Quiet hours")
    done, _ = await bot.press(ALICE, choices, "Off")
    assert "Quiet hours: off" in done.body
    await log_promise(bot, ALICE, "/promise Acme today 23:00")
    reminder = await next_reminder(bot, ALICE, hours=13)
    assert "Acme" in reminder.body


async def test_reminder_repeat_is_a_setting(bot: BotHarness) -> None:
    menu = await bot.say(ALICE, "/settings")
    choices, _ = await bot.press(ALICE, menu, "Follow-up")
    done, _ = await bot.press(ALICE, choices, "Never")
    assert "Follow-up: never" in done.body
    await log_promise(bot, ALICE, "/promise Acme in 1 hour")
    first = await next_reminder(bot, ALICE, hours=1)
    bot.clock.advance(hours=30)
    await no_message_after(bot, ALICE, first.message_id)


async def test_downtime_produces_one_summary_per_chat(bot: BotHarness) -> None:
    await log_promise(bot, ALICE, "/promise Acme in 1 hour")
    await log_promise(bot, ALICE, "/promise Globex in 2 hours Ann")
    await log_promise(bot, ALICE, "/promise Initech in 3 hours")
    await log_promise(bot, BORIS, "/promise Ромашка через 2 часа")
    await bot.stop()
    bot.clock.advance(hours=5)
    marks = {chat: bot.emulator.last_message_id(chat) for chat in (ALICE, BORIS)}
    await bot.start()
    summary = await bot.emulator.wait_for_bot_message(ALICE, after=marks[ALICE])
    await bot.settle()
    assert len([m for m in bot.emulator.bot_messages(ALICE) if m.message_id > marks[ALICE]]) == 1
    assert "While I was offline, 3 promises expired" in summary.body
    assert (
        summary.body.index("Acme") < summary.body.index("Globex") < summary.body.index("Initech")
    )
    assert len(summary.buttons()) == 3
    ru = [m for m in bot.emulator.bot_messages(BORIS) if m.message_id > marks[BORIS]]
    assert len(ru) == 1 and "Пока я был недоступен, истекло 1 обещание" in ru[0].body
    # Answering one row redraws the summary and keeps the others answerable.
    after, new = await bot.press(ALICE, summary, "✅ 2")
    assert "late" in new[-1].body
    assert len(after.buttons()) == 2
    assert "Globex</b>" not in (after.html or "") or "late" in after.body
    # A second restart sends nothing again.
    await bot.stop()
    mark = bot.emulator.last_message_id(ALICE)
    await bot.start()
    await no_message_after(bot, ALICE, mark)


async def test_reminders_survive_restarts_without_duplicates(bot: BotHarness) -> None:
    await log_promise(bot, ALICE, "/promise Acme in 1 hour")
    reminder = await next_reminder(bot, ALICE, hours=1)
    for _ in range(3):
        await bot.restart()
    await no_message_after(bot, ALICE, reminder.message_id)
    sent = await rows(bot, "SELECT reminders_sent FROM promises WHERE chat_id = ?", ALICE)
    assert sent == [(1,)]


async def test_group_reminder_mentions_who_logged_it(bot: BotHarness) -> None:
    group = -100500
    bot.emulator.add_group(group, "Audit team", members=[ALICE, BORIS], admins=[ALICE])
    await bot.say(BORIS, "/promise Ромашка через 2 часа", chat_id=group)
    reminder = await next_reminder(bot, group, hours=2)
    assert f'<a href="tg://user?id={BORIS}">Борис</a>' in (reminder.html or "")


async def test_rate_limited_reminder_is_delivered_after_retry(
    bot: BotHarness,
) -> None:
    await bot.stop()
    await bot.start(rate_limiter=True)
    await log_promise(bot, ALICE, "/promise Acme in 1 hour")
    bot.emulator.inject_fault("sendMessage", status=429, retry_after=1, times=1)
    reminder = await next_reminder(bot, ALICE, hours=1)
    assert "Acme" in reminder.body
    assert len(bot.emulator.faults_triggered) == 1
    await bot.settle()
    sent = await rows(bot, "SELECT reminders_sent FROM promises WHERE chat_id = ?", ALICE)
    assert sent == [(1,)]


async def test_dst_change_does_not_shift_the_reminder(bot: BotHarness) -> None:
    # Europe/Sofia leaves summer time on 2027-10-31 at 04:00 local (01:00 UTC).
    bot.clock.set(datetime(2027, 10, 30, 9, 0, tzinfo=UTC))
    await bot.say_all(VERA, "/start")
    await bot.say(VERA, "Europe/Sofia")
    await log_promise(bot, VERA, "/promise Виваком утре в 15:00")
    due = await rows(bot, "SELECT due_at FROM promises WHERE chat_id = ?", VERA)
    assert due == [("2027-10-31 13:00:00",)]  # 15:00 EET = 13:00 UTC
    mark = bot.emulator.last_message_id(VERA)
    bot.clock.set(datetime(2027, 10, 31, 12, 59, 59, tzinfo=UTC))
    await no_message_after(bot, VERA, mark)
    after = bot.emulator.last_message_id(VERA)
    bot.clock.set(datetime(2027, 10, 31, 13, 0, 0, tzinfo=UTC))
    reminder = await bot.emulator.wait_for_bot_message(VERA, after=after)
    assert "15:00" in reminder.body


async def test_reminders_scheduled_from_the_database(bot: BotHarness) -> None:
    """No in-memory job per promise: the PTB job queue stays empty."""
    for n in range(20):
        await bot.say(ALICE, f"/promise Company{n:02d}x in {n + 1} hours")
    assert bot.app is not None
    assert bot.app.job_queue is None or bot.app.job_queue.jobs() == ()
    assert (await bot.storage.next_reminder_at()) == bot.clock.now().replace(
        microsecond=0
    ) + timedelta(hours=1)
