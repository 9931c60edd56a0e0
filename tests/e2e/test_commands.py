"""Commands end to end: /start, /help, /promise, /calledback, /pending, /history, /export,
/settings and the command menu."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from tests.conftest import ALICE, BORIS, VERA
from tests.e2e.test_logging import attempts, promises, rows
from tests.support.harness import BotHarness


async def test_start_welcomes_with_examples_and_asks_for_a_zone(bot: BotHarness) -> None:
    replies = await bot.say_all(ALICE, "/start")
    assert len(replies) == 2
    assert "Acme" in replies[0].body
    assert "tomorrow 3pm" in replies[0].body
    assert "time zone" in replies[1].body
    zone_buttons = [d for row in replies[1].buttons() for _, d in row]
    assert "s:tz:Europe/Sofia" in zone_buttons
    done, _ = await bot.press_data(ALICE, replies[1], "s:tz:Europe/Sofia")
    assert "Europe/Sofia" in done.body
    # Once chosen, /start does not ask again.
    assert len(await bot.say_all(ALICE, "/start")) == 1


async def test_logging_never_waits_for_the_zone_choice(bot: BotHarness) -> None:
    await bot.say_all(BORIS, "/start")
    card = await bot.say(BORIS, "Ромашка занято")
    assert "Сохранено" in card.body


async def test_typed_zone_offset_and_city(bot: BotHarness) -> None:
    await bot.say_all(VERA, "/start")
    done = await bot.say(VERA, "UTC+3")
    assert "Часова зона" in done.body
    settings = await bot.storage.chat_settings(VERA)
    assert settings is not None
    assert settings.timezone == "Etc/GMT-3"
    menu = await bot.say(VERA, "/settings")
    _question, new = await bot.press(VERA, menu, "Часова зона")
    assert new
    await bot.say(VERA, "Пловдив")
    settings = await bot.storage.chat_settings(VERA)
    assert settings is not None
    assert settings.timezone == "Europe/Sofia"
    unknown_menu = await bot.say(VERA, "/settings")
    await bot.press(VERA, unknown_menu, "Часова зона")
    reply = await bot.say(VERA, "Xyzzy-on-Sea")
    assert "Не познавам" in reply.body


async def test_deadlines_follow_the_chats_zone(bot: BotHarness) -> None:
    await bot.say_all(ALICE, "/start")
    await bot.say(ALICE, "Europe/Sofia")  # UTC+2 in November
    card = await bot.say(ALICE, "Acme answered, promised to call back tomorrow 3pm")
    assert "Thu 26 Nov, 15:00" in card.body
    assert (await promises(bot, ALICE))[0][2] == "2026-11-26 13:00:00"  # stored in UTC


async def test_language_can_be_changed_in_settings(bot: BotHarness) -> None:
    menu = await bot.say(ALICE, "/settings")
    assert "Language: English (from your Telegram)" in menu.body
    choice, _ = await bot.press(ALICE, menu, "Language")
    done, _ = await bot.press(ALICE, choice, "Русский")
    assert "Язык: Русский" in done.body
    card = await bot.say(ALICE, "Acme busy")
    assert "Сохранено" in card.body
    choice, _ = await bot.press(ALICE, await bot.say(ALICE, "/settings"), "Язык")
    done, _ = await bot.press_data(ALICE, choice, "s:lang:auto")
    assert "Language: English" in done.body


async def test_help_lists_every_command_in_each_language(bot: BotHarness) -> None:
    for user, word in [(ALICE, "What I can do"), (BORIS, "Что я умею"), (VERA, "Какво мога")]:
        text = (await bot.say(user, "/help")).body
        assert word in text
        for command in ("/call", "/promise", "/pending", "/calledback", "/history", "/undo"):
            assert command in text


async def test_command_menu_is_set_for_each_language(bot: BotHarness) -> None:
    keys = set(bot.emulator.commands)
    languages = {language for _, language in keys}
    assert {"", "en", "ru", "bg"} <= languages
    ru = next(v for (_, language), v in bot.emulator.commands.items() if language == "ru")
    assert {c["command"] for c in ru} >= {"call", "promise", "pending", "export", "settings"}
    assert any("перезвонить" in c["description"] for c in ru)


async def test_promise_command(bot: BotHarness) -> None:
    card = await bot.say(ALICE, "/promise Acme Ltd tomorrow 3pm Peter")
    assert "Promise saved" in card.body
    assert "Peter" in card.body
    assert await promises(bot, ALICE) == [("Acme Ltd", "Peter", "2026-11-26 15:00:00", "pending")]
    assert await attempts(bot, ALICE) == []
    usage = await bot.say(ALICE, "/promise")
    assert "/promise Acme" in usage.body
    question = await bot.say(ALICE, "/promise Globex")
    assert "By when" in question.body
    card = await bot.say(ALICE, "in 2 hours")
    assert "Promise saved" in card.body
    past = await bot.say(ALICE, "/promise Globex yesterday")
    assert "past" in past.body


async def test_calledback_closes_the_oldest_open_promise(bot: BotHarness) -> None:
    await bot.say(ALICE, "/promise Acme tomorrow 3pm")
    await bot.say(ALICE, "/promise Acme in 3 days")
    reply = await bot.say(ALICE, "/calledback acme")
    assert "called back on time" in reply.body
    statuses = [p[3] for p in await promises(bot, ALICE)]
    assert statuses == ["kept", "pending"]
    bot.clock.advance(days=5)
    late = await bot.say(ALICE, "/calledback Acme")
    assert "late" in late.body
    on_time, _ = await bot.press(ALICE, late, "on time")
    assert "on time" in on_time.body
    assert [p[3] for p in await promises(bot, ALICE)] == ["kept", "kept"]
    none = await bot.say(ALICE, "/calledback Acme")
    assert "no open promises" in none.body
    unknown = await bot.say(ALICE, "/calledback Acmee")
    assert "Did you mean" in unknown.body
    assert "Acme" in unknown.body


async def test_pending_lists_soonest_first_with_one_tap_answers(bot: BotHarness) -> None:
    await bot.say(ALICE, "/promise Later Co in 3 days")
    await bot.say(ALICE, "/promise Soon Co in 2 hours Ann")
    await bot.say(ALICE, "/promise Middle Co tomorrow")
    listing = await bot.say(ALICE, "/pending")
    body = listing.body
    assert body.index("Soon Co") < body.index("Middle Co") < body.index("Later Co")
    assert "3 open promises" in body
    assert len(listing.buttons()) == 3
    # Row 1 = Soon Co: "still nothing" breaks it and the list refreshes.
    after, new = await bot.press(ALICE, listing, "❌ 1")
    assert "Soon Co" not in after.body
    assert "2 open promises" in after.body
    assert "broke the promise" in new[-1].body
    # Row 1 is now Middle Co: they called (on time).
    after, new = await bot.press(ALICE, after, "✅ 1")
    assert "called back on time" in new[-1].body
    # New deadline for Later Co: the old promise is broken, a new one linked to it.
    after, new = await bot.press(ALICE, after, "⏰ 1")
    moved, _ = await bot.press(ALICE, new[-1], "Tomorrow")
    assert "New deadline" in moved.body
    statuses = {(p[0], p[3]) for p in await promises(bot, ALICE)}
    assert statuses == {
        ("Soon Co", "broken"),
        ("Middle Co", "kept"),
        ("Later Co", "broken"),
        ("Later Co", "pending"),
    }
    assert "1 open promise" in (await bot.say(ALICE, "/pending")).body


async def test_pending_empty(bot: BotHarness) -> None:
    assert "No open promises" in (await bot.say(ALICE, "/pending")).body


async def test_moved_deadlines_are_counted(bot: BotHarness) -> None:
    await bot.say(VERA, "/promise Нет Сървис утре")
    for day in range(2, 5):
        listing = await bot.say(VERA, "/pending")
        _, new = await bot.press(VERA, listing, "⏰ 1")
        await bot.press(VERA, new[-1], "⌨️")
        moved = await bot.say(VERA, f"след {day} дни")
        assert "Нов срок" in moved.body
    assert "отлаган 3 пъти" in moved.body
    chain = await rows(bot, "SELECT status FROM promises WHERE chat_id = ? ORDER BY id", VERA)
    assert [r[0] for r in chain] == ["broken", "broken", "broken", "pending"]


async def test_history_shows_the_timeline(bot: BotHarness) -> None:
    await bot.say(BORIS, "Ромашка не берут трубку")
    bot.clock.advance(hours=1)
    await bot.say(BORIS, "Ромашка занято")
    bot.clock.advance(hours=1)
    await bot.say(BORIS, "Ромашка — обещали перезвонить завтра в 15:00")
    history = await bot.say(BORIS, "/history ромашка")
    lines = history.body.splitlines()
    assert "Ромашка — история" in lines[0]
    assert [line.split(" — ")[1].split(" · ")[0] for line in lines[2:5]] == [
        "не ответили",
        "занято",
        "ответили",
    ]
    assert "до чт 26 нояб., 15:00" in lines[5]
    assert "ждём" in lines[5]
    assert "/history" in (await bot.say(BORIS, "/history")).body
    assert "пока нет" in (await bot.say(BORIS, "/history Лютик")).body


async def test_export_csv_contract(bot: BotHarness) -> None:
    await bot.say_all(BORIS, "/start")
    await bot.say(BORIS, "Europe/Moscow")
    await bot.say(BORIS, "Ромашка +7 495 123-45-67 не берут трубку")
    bot.clock.advance(timedelta(minutes=5))
    await bot.say(BORIS, 'ООО "Ромашка", Анна обещала перезвонить завтра в 15:00')
    replies = await bot.say_all(BORIS, "/export")
    documents = [m for m in replies if m.document is not None]
    assert [m.document_name for m in documents] == ["attempts.csv", "promises.csv"]
    assert "Звонков: 2" in (documents[0].caption or "")
    raw_attempts = documents[0].document
    assert raw_attempts is not None
    assert raw_attempts.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(raw_attempts.decode("utf-8-sig"))))
    assert table[0] == ["id", "called_at", "company", "phone", "outcome", "note", "logged_by"]
    assert table[1][1:6] == [
        "2026-11-25T13:00:00+03:00",
        "Ромашка",
        "+74951234567",
        "no_answer",
        "",
    ]
    assert table[1][6] == "Борис"
    raw_promises = documents[1].document
    assert raw_promises is not None
    table = list(csv.reader(io.StringIO(raw_promises.decode("utf-8-sig"))))
    assert table[0] == [
        "id",
        "attempt_id",
        "company",
        "promised_by",
        "made_at",
        "due_at",
        "status",
        "resolved_at",
        "logged_by",
    ]
    assert table[1][2:8] == [
        "Ромашка",
        "Анна",
        "2026-11-25T13:05:00+03:00",
        "2026-11-26T15:00:00+03:00",
        "pending",
        "",
    ]


async def test_export_with_nothing_logged(bot: BotHarness) -> None:
    assert "Nothing to export" in (await bot.say(ALICE, "/export")).body


async def test_phone_country_can_be_overridden(bot: BotHarness) -> None:
    menu = await bot.say(ALICE, "/settings")
    assert "Phone numbers without a country code: —" in menu.body  # UTC: no country
    _, asked = await bot.press(ALICE, menu, "Phone country")
    assert "calling code" in asked[-1].body
    done = await bot.say(ALICE, "+371")
    assert "LV" in done.body
    await bot.say(ALICE, "Acme 2000 0000 busy")
    assert (await attempts(bot, ALICE))[0][1] == "+37120000000"
    _, asked = await bot.press(ALICE, await bot.say(ALICE, "/settings"), "Phone country")
    assert "don't know" in (await bot.say(ALICE, "Narnia")).body
    assert "Saved" in (await bot.say(ALICE, "Globex busy")).body  # not stuck on the question
