"""/report and /weekly end to end: albums of real PNGs, summaries, schedules across restarts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import ALICE, BORIS
from tests.support.emulator import ChatMessage
from tests.support.harness import BotHarness

PNG = b"\x89PNG\r\n\x1a\n"


async def log_history(bot: BotHarness, user: int = ALICE) -> None:
    """Two shops called three times each, one broken and one kept promise, a pending one."""
    for text in ["Shop One no answer", "Shop One busy", "Shop One answered"]:
        await bot.say(user, text)
    for text in ["Shop Two no answer", "Shop Two no answer", "Shop Two robot queue"]:
        await bot.say(user, text)
    await bot.say(user, "Builder answered, Ivan promised to call back in 2 hours")
    await bot.say(user, "Provider answered, promised to call back in 1 hour")
    await bot.say(user, "/promise Shop One tomorrow")
    bot.clock.advance(hours=3)
    await bot.settle()
    listing = await bot.say(user, "/pending")
    # Provider (due first): still nothing -> broken; Builder: they called (late).
    listing, _ = await bot.press(user, listing, "❌ 1")
    await bot.press(user, listing, "✅ 1")


def album(bot: BotHarness, chat: int, after: int) -> list[ChatMessage]:
    return [m for m in bot.emulator.bot_messages(chat) if m.message_id > after and m.photo]


async def test_report_without_data_is_a_friendly_text(bot: BotHarness) -> None:
    replies = await bot.say_all(ALICE, "/report")
    assert [m.photo for m in replies] == [None]
    assert "Nothing logged in this period" in replies[0].body


async def test_report_sends_an_album_and_a_summary(bot: BotHarness) -> None:
    await log_history(bot)
    mark = bot.emulator.last_message_id(ALICE)
    replies = await bot.say_all(ALICE, "/report")
    photos = album(bot, ALICE, mark)
    assert len(photos) == 4  # scorecard, getting through, how late, calls by day
    assert len({m.media_group_id for m in photos}) == 1
    for message in photos:
        assert message.photo is not None and message.photo.startswith(PNG)
    text = replies[-1].body
    assert "Report · last 7 days" in text
    assert "Calls: 8 · answered by a person: 3 (38%)" in text
    assert "Promises: 3 — kept 0, late 1, broken 1, overdue 0, waiting 1" in text
    assert "1. Provider — 1 of 1 promises broken or overdue" in text
    assert bot.emulator.chat_actions[-1] == (ALICE, "upload_photo")


async def test_report_periods_and_company(bot: BotHarness) -> None:
    await log_history(bot)
    bot.clock.advance(days=10)
    await bot.settle()
    week = await bot.say(ALICE, "/report")
    assert "Nothing logged" in week.body
    month = await bot.say(ALICE, "/report month")
    assert "last 30 days" in month.body
    everything = await bot.say(ALICE, "/report all")
    assert "all time" in everything.body
    shop = await bot.say(ALICE, "/report shop one")
    assert "Shop One · all time" in shop.body
    assert "Calls until a person answered (median): 3" in shop.body
    assert "Latest:" in shop.body
    assert shop.body.count("📞") >= 3
    missing = await bot.say(ALICE, "/report Nobody Inc")
    assert "no company" in missing.body


async def test_report_in_russian(bot: BotHarness) -> None:
    await bot.say(BORIS, "Ромашка не берут трубку")
    await bot.say(BORIS, "Ромашка — обещали перезвонить через час")
    text = (await bot.say(BORIS, "/report")).body
    assert "Отчёт · последние 7 дней" in text
    assert "Звонков: 2" in text


async def test_weekly_report_fires_at_local_time_and_once_after_restart(
    bot: BotHarness,
) -> None:
    await bot.say_all(ALICE, "/start")
    await bot.say(ALICE, "Europe/Sofia")
    await log_history(bot)
    reply = await bot.say(ALICE, "/weekly on fri 17:00")
    assert "Weekly report on: Friday, 17:00" in reply.body
    assert "Europe/Sofia" in reply.body
    # Now: Wed 25 Nov 13:00 UTC. Friday 17:00 in Sofia is 15:00 UTC on 27 Nov.
    mark = bot.emulator.last_message_id(ALICE)
    bot.clock.set(datetime(2026, 11, 27, 14, 59, tzinfo=UTC))
    await bot.settle()
    early = [m.body for m in bot.emulator.bot_messages(ALICE) if m.message_id > mark]
    assert not any("Weekly report" in t for t in early)  # (a reminder may have come)
    bot.clock.set(datetime(2026, 11, 27, 15, 0, tzinfo=UTC))
    weekly = await bot.emulator.wait_for_bot_message(
        ALICE, after=mark, predicate=lambda m: "Weekly report" in m.body, timeout=15
    )
    await bot.settle()
    assert "Report · last 7 days" in weekly.body
    assert len(album(bot, ALICE, mark)) >= 2
    # Down over the next Friday: sent once on start, and not again on the next start.
    await bot.stop()
    bot.clock.set(datetime(2026, 12, 4, 18, 0, tzinfo=UTC))
    mark = bot.emulator.last_message_id(ALICE)
    await bot.start()
    await bot.emulator.wait_for_bot_message(
        ALICE, after=mark, predicate=lambda m: "Weekly report" in m.body, timeout=15
    )
    await bot.settle()
    await bot.restart()
    await bot.settle()
    texts = [m.body for m in bot.emulator.bot_messages(ALICE) if m.message_id > mark]
    assert sum("Weekly report" in t for t in texts) == 1
    schedule = await bot.storage.weekly(ALICE)
    assert schedule is not None
    assert schedule.next_at == datetime(2026, 12, 11, 15, 0, tzinfo=UTC)


async def test_weekly_status_off_and_bad_input(bot: BotHarness) -> None:
    assert "No weekly report here yet" in (await bot.say(ALICE, "/weekly")).body
    on = await bot.say(ALICE, "/weekly on")
    assert "Monday, 09:00" in on.body
    assert "Monday, 09:00" in (await bot.say(ALICE, "/weekly")).body
    assert "Usage" in (await bot.say(ALICE, "/weekly on someday 25:99")).body
    assert "turned off" in (await bot.say(ALICE, "/weekly off")).body
    assert await bot.storage.weekly(ALICE) is None
    quiet_mark = bot.emulator.last_message_id(ALICE)
    bot.clock.advance(timedelta(days=8))
    await bot.settle()
    assert bot.emulator.last_message_id(ALICE) == quiet_mark  # nothing logged, nothing due


@pytest.mark.parametrize("processes", [1])
async def test_charts_render_in_a_worker_process(bot: BotHarness, processes: int) -> None:
    await bot.stop()
    bot.settings = type(bot.settings)(**{**bot.settings.__dict__, "chart_processes": processes})
    await bot.start()
    await log_history(bot)
    mark = bot.emulator.last_message_id(ALICE)
    await bot.say_all(ALICE, "/report")
    await bot.settle(timeout=60)
    assert len(album(bot, ALICE, mark)) == 4
