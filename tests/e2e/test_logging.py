"""Logging calls end to end: free text in three languages, questions, fixes, undo."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.conftest import ALICE, BORIS, VERA
from tests.support.harness import BotHarness

# FakeClock starts on Wednesday 2026-11-25 10:00 UTC; the chat's zone is the default, UTC.
TOMORROW_15 = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)


async def rows(bot: BotHarness, sql: str, *params: object) -> list[tuple[object, ...]]:
    return [tuple(r) for r in await bot.storage._fetchall(sql, params)]


async def attempts(bot: BotHarness, chat: int) -> list[tuple[object, ...]]:
    return await rows(
        bot,
        "SELECT c.name, a.phone, a.outcome, a.note FROM attempts a "
        "JOIN companies c ON c.id = a.company_id WHERE a.chat_id = ? ORDER BY a.id",
        chat,
    )


async def promises(bot: BotHarness, chat: int) -> list[tuple[object, ...]]:
    return await rows(
        bot,
        "SELECT c.name, p.promised_by, p.due_at, p.status FROM promises p "
        "JOIN companies c ON c.id = p.company_id WHERE p.chat_id = ? ORDER BY p.id",
        chat,
    )


@pytest.mark.parametrize(
    ("user", "text", "company", "phone", "outcome", "promise"),
    [
        (ALICE, "Acme +371 2000 0000 no answer", "Acme", "+37120000000", "no_answer", None),
        (ALICE, "called Acme, busy", "Acme", None, "busy", None),
        (ALICE, "Acme hung up on me", "Acme", None, "hung_up", None),
        (ALICE, "Acme: robot queue 20 min", "Acme", None, "ivr", None),
        (ALICE, "Acme transferred me to sales", "Acme", None, "transferred", None),
        (
            ALICE,
            "Acme answered, Peter promised to call back tomorrow 3pm",
            "Acme",
            None,
            "answered",
            ("Peter", "2026-11-26 15:00:00"),
        ),
        (BORIS, "Ромашка не берут трубку", "Ромашка", None, "no_answer", None),
        (
            BORIS,
            "Ромашка — обещали перезвонить завтра в 15:00",
            "Ромашка",
            None,
            "answered",
            (None, "2026-11-26 15:00:00"),
        ),
        (
            BORIS,
            "Позвонил в Теле2, менеджер Анна перезвонит через 2 часа",
            "Теле2",
            None,
            "answered",
            ("Анна", "2026-11-25 12:00:00"),
        ),
        (VERA, "Виваком не вдигат", "Виваком", None, "no_answer", None),
        (
            VERA,
            "Виваком обещаха да се обадят утре в 10",
            "Виваком",
            None,
            "answered",
            (None, "2026-11-26 10:00:00"),
        ),
    ],
)
async def test_one_message_logs_it_all(
    bot: BotHarness,
    user: int,
    text: str,
    company: str,
    phone: str | None,
    outcome: str,
    promise: tuple[str | None, str] | None,
) -> None:
    reply = await bot.say(user, text)
    saved = await attempts(bot, user)
    assert len(saved) == 1
    assert saved[0][:3] == (company, phone, outcome)
    assert company in reply.body
    found = await promises(bot, user)
    if promise is None:
        assert found == []
    else:
        assert found == [(company, promise[0], promise[1], "pending")]
        assert "⏰" in reply.body
    # The card offers fixing and undoing.
    data = [d for row in reply.buttons() for _, d in row]
    assert any(d and d.endswith(":u") for d in data)


async def test_card_speaks_the_users_language(bot: BotHarness) -> None:
    ru = await bot.say(BORIS, "Ромашка — обещали перезвонить завтра в 15:00")
    assert "Сохранено" in ru.body
    assert "ответили" in ru.body
    assert "чт 26 нояб., 15:00" in ru.body
    assert "через 29 часов" in ru.body
    bg = await bot.say(VERA, "Виваком обещаха да се обадят утре в 10")
    assert "Записано" in bg.body
    assert "след 24 часа" in bg.body
    en = await bot.say(ALICE, "Acme answered, Peter promised to call back tomorrow 3pm")
    assert "Peter promised to call back by Thu 26 Nov, 15:00 (in 29 hours)" in en.body


async def test_no_company_asks_and_saves_nothing_until_answered(bot: BotHarness) -> None:
    question = await bot.say(ALICE, "no answer")
    assert "Which company" in question.body
    assert await attempts(bot, ALICE) == []
    card = await bot.say(ALICE, "Globex")
    assert "Saved" in card.body
    assert await attempts(bot, ALICE) == [("Globex", None, "no_answer", None)]


async def test_unknown_outcome_is_asked_with_buttons(bot: BotHarness) -> None:
    question = await bot.say(ALICE, "Initech")
    assert "How did the call to Initech end?" in question.body
    assert await attempts(bot, ALICE) == []
    after, _ = await bot.press(ALICE, question, "busy")
    assert "Saved" in after.body
    assert await attempts(bot, ALICE) == [("Initech", None, "busy", None)]


async def test_typed_outcome_answers_the_outcome_question(bot: BotHarness) -> None:
    await bot.say(ALICE, "Initech")
    card = await bot.say(ALICE, "no answer")
    assert "Saved" in card.body
    assert await attempts(bot, ALICE) == [("Initech", None, "no_answer", None)]


async def test_promise_without_a_usable_time_is_asked_not_guessed(bot: BotHarness) -> None:
    question = await bot.say(ALICE, "Acme answered, promised to call back at some point")
    assert "By when did Acme promise to call back?" in question.body
    assert await attempts(bot, ALICE) == []
    again = await bot.say(ALICE, "someday, maybe")
    assert "could not understand that date" in again.body
    assert await attempts(bot, ALICE) == []
    card = await bot.say(ALICE, "tomorrow 3pm")
    assert "Saved" in card.body
    assert await promises(bot, ALICE) == [("Acme", None, "2026-11-26 15:00:00", "pending")]
    assert (await attempts(bot, ALICE))[0][3] == "at some point"  # the words are kept as a note


async def test_deadline_in_the_past_or_too_far_is_refused_with_a_reason(bot: BotHarness) -> None:
    question = await bot.say(ALICE, "Acme answered, promised to call back")
    assert "By when" in question.body
    past = await bot.say(ALICE, "yesterday")
    assert "already in the past" in past.body
    far = await bot.say(ALICE, "in 400 days")
    assert "more than a year ahead" in far.body
    assert await attempts(bot, ALICE) == []
    after, _ = await bot.press(ALICE, far, "Tomorrow")
    assert "Saved" in after.body
    assert (await promises(bot, ALICE))[0][2] == "2026-11-26 18:00:00"


async def test_near_miss_company_asks_did_you_mean(bot: BotHarness) -> None:
    await bot.say(ALICE, "ACME Ltd busy")
    question = await bot.say(ALICE, "Acmee no answer")
    assert "Did you mean" in question.body
    assert len(await attempts(bot, ALICE)) == 1
    after, _ = await bot.press(ALICE, question, "ACME Ltd")
    assert "Saved" in after.body
    saved = await attempts(bot, ALICE)
    assert [a[0] for a in saved] == ["ACME Ltd", "ACME Ltd"]
    # "acme" equals "ACME Ltd" once case and legal form are ignored: no question.
    card = await bot.say(ALICE, "acme hung up")
    assert "Saved" in card.body
    assert "ACME Ltd" in card.body


async def test_near_miss_can_be_a_new_company(bot: BotHarness) -> None:
    await bot.say(ALICE, "Tele2 busy")
    question = await bot.say(ALICE, "Tele2 Latvia no answer")
    after, _ = await bot.press(ALICE, question, "New:")
    assert "Saved" in after.body
    assert [a[0] for a in await attempts(bot, ALICE)] == ["Tele2", "Tele2 Latvia"]


async def test_cancel_a_question(bot: BotHarness) -> None:
    question = await bot.say(ALICE, "Initech")
    after, _ = await bot.press(ALICE, question, "Cancel")
    assert "nothing was saved" in after.body
    assert after.buttons() == []
    assert await attempts(bot, ALICE) == []


async def test_fix_outcome_from_the_card(bot: BotHarness) -> None:
    card = await bot.say(ALICE, "Acme busy")
    menu, _ = await bot.press(ALICE, card, "Outcome")
    fixed, _ = await bot.press(ALICE, menu, "hung up")
    assert "hung up" in fixed.body
    assert await attempts(bot, ALICE) == [("Acme", None, "hung_up", None)]


async def test_fix_company_from_the_card(bot: BotHarness) -> None:
    card = await bot.say(ALICE, "Acne busy")
    _, prompts = await bot.press(ALICE, card, "Company")
    assert "Type the correct company name" in prompts[-1].body
    fixed = await bot.say(ALICE, "Acme")
    assert "Acme" in fixed.body
    assert await attempts(bot, ALICE) == [("Acme", None, "busy", None)]


async def test_fix_deadline_from_the_card(bot: BotHarness) -> None:
    card = await bot.say(ALICE, "Acme answered, Peter promised to call back tomorrow 3pm")
    menu, _ = await bot.press(ALICE, card, "Deadline")
    fixed, _ = await bot.press(ALICE, menu, "In 3 days")
    assert "Sat 28 Nov, 10:00" in fixed.body
    assert (await promises(bot, ALICE))[0][2] == "2026-11-28 10:00:00"


async def test_undo_from_the_card_asks_first(bot: BotHarness) -> None:
    card = await bot.say(ALICE, "Acme answered, promised to call back tomorrow")
    confirm, _ = await bot.press(ALICE, card, "Undo")
    assert "Remove this entry?" in confirm.body
    kept, _ = await bot.press(ALICE, confirm, "Keep")
    assert len(await attempts(bot, ALICE)) == 1
    confirm, _ = await bot.press(ALICE, kept, "Undo")
    done, _ = await bot.press(ALICE, confirm, "Yes, remove")
    assert "Removed" in done.body
    assert await attempts(bot, ALICE) == []
    assert await promises(bot, ALICE) == []


async def test_undo_command_removes_only_my_last_entry(bot: BotHarness) -> None:
    await bot.say(ALICE, "Acme busy")
    await bot.say(ALICE, "Globex no answer")
    confirm = await bot.say(ALICE, "/undo")
    assert "Globex" in confirm.body
    done, _ = await bot.press(ALICE, confirm, "Yes, remove")
    assert "Removed" in done.body
    assert [a[0] for a in await attempts(bot, ALICE)] == ["Acme"]
    nothing = await bot.say(BORIS, "/undo")
    assert "нет ваших записей" in nothing.body


async def test_guided_call_in_four_taps(bot: BotHarness) -> None:
    await bot.say(ALICE, "Acme busy")  # a known company
    question = await bot.say(ALICE, "/call")  # 1
    assert "Which company" in question.body
    step, _ = await bot.press(ALICE, question, "Acme")  # 2
    assert "How did the call to" in step.body
    step, _ = await bot.press(ALICE, step, "answered")  # 3
    assert "promise to call back" in step.body
    card, _ = await bot.press(ALICE, step, "Tomorrow")  # 4
    assert "Saved" in card.body
    assert await promises(bot, ALICE) == [("Acme", None, "2026-11-26 18:00:00", "pending")]


async def test_guided_call_with_typed_company_and_other_time(bot: BotHarness) -> None:
    await bot.say(BORIS, "/call")
    step = await bot.say(BORIS, "Ромашка")
    step, _ = await bot.press(BORIS, step, "ответили")
    step, _ = await bot.press(BORIS, step, "Другое время")
    assert "К какому сроку" in step.body
    card = await bot.say(BORIS, "в понедельник утром")
    assert "Сохранено" in card.body
    assert (await promises(bot, BORIS))[0][2] == "2026-11-30 12:00:00"


async def test_guided_call_without_promise(bot: BotHarness) -> None:
    question = await bot.say(ALICE, "/call Globex")
    step, _ = await bot.press(ALICE, question, "answered")
    card, _ = await bot.press(ALICE, step, "No promise")
    assert "Saved" in card.body
    assert await promises(bot, ALICE) == []
    assert await attempts(bot, ALICE) == [("Globex", None, "answered", None)]


async def test_someone_elses_card_cannot_be_changed(bot: BotHarness) -> None:
    card = await bot.say(ALICE, "Acme busy")
    # Boris forges a press on Alice's card in Alice's chat.
    data = card.button_data("Undo") + "!"
    query = await bot.press_raw(BORIS, ALICE, card.message_id, data)
    assert bot.answer_to(query)["show_alert"] is True
    assert len(await attempts(bot, ALICE)) == 1


@pytest.mark.parametrize(
    "data",
    ["a:999999:u!", "a:x:o:busy", "p:1:zz", "d:5:oc:busy", "zz", "s:tz:Mars/Base", "a:1", "l::c"],
)
async def test_forged_or_stale_buttons_change_nothing(bot: BotHarness, data: str) -> None:
    card = await bot.say(ALICE, "Acme busy")
    query = await bot.press_raw(ALICE, ALICE, card.message_id, data)
    answer = bot.answer_to(query)
    assert answer.get("show_alert") is True
    assert answer.get("text")
    assert await attempts(bot, ALICE) == [("Acme", None, "busy", None)]


async def test_html_and_unicode_are_escaped_and_kept(bot: BotHarness) -> None:
    reply = await bot.say(ALICE, "«Evil <b>Co</b> 🚀» busy, note: <i>a&b</i> &lt; more")
    assert "Saved" in reply.body
    # Shown literally, not as markup (the emulator rejects unescaped HTML outright).
    assert "Evil <b>Co</b> 🚀" in reply.body
    assert "<i>a&b</i> &lt" in reply.body
    saved = await attempts(bot, ALICE)
    assert saved[0][:3] == ("Evil <b>Co</b> 🚀", None, "busy")


async def test_huge_message_is_answered_within_limits(bot: BotHarness) -> None:
    text = "Acme busy " + "very long note " * 400  # ~6000 characters
    reply = await bot.say(ALICE, text)
    assert len(reply.body) <= 4096
    assert len(await attempts(bot, ALICE)) == 1


async def test_unknown_command_gets_a_hint(bot: BotHarness) -> None:
    reply = await bot.say(VERA, "/frobnicate now")
    assert "/help" in reply.body
    assert "Не познавам" in reply.body
