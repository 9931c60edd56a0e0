"""Shared audit groups end to end: roles, private logging into a group, reviewers,
supergroup migration, removal and retention, data deletion, forged data."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest

from tests.conftest import ALICE, BORIS, VERA
from tests.e2e.test_logging import rows
from tests.support.harness import BotHarness

GROUP = -100200
DMITRI = 1004  # an outside reviewer


@pytest.fixture
async def group(bot: BotHarness) -> int:
    emu = bot.emulator
    emu.group_privacy = True  # Telegram's default: commands and replies to the bot only
    emu.add_user(DMITRI, "Dmitri", language_code="en")
    emu.add_group(GROUP, "Audit team", members=[BORIS, VERA], admins=[ALICE], announce=True)
    bot.sent += 2  # my_chat_member + the "bot added" service message
    await bot.settle()
    return GROUP


async def test_roles_auditors_change_only_their_own_entries(bot: BotHarness, group: int) -> None:
    card = await bot.say(BORIS, "/promise Acme tomorrow 15:00 Ivan", chat_id=group)
    assert "Promise saved" in card.body or "Обещание сохранено" in card.body
    # Vera (auditor) presses Boris's undo: refused with an alert, nothing changes.
    query = await bot.press_raw(VERA, group, card.message_id, card.button_data("↩️") + "!")
    assert bot.answer_to(query)["show_alert"] is True
    assert await rows(bot, "SELECT count(*) FROM promises WHERE chat_id = ?", group) == [(1,)]
    # ... and cannot answer it either.
    listing = await bot.say(VERA, "/pending", chat_id=group)
    query = await bot.press_raw(VERA, group, listing.message_id, listing.button_data("❌ 1"))
    assert bot.answer_to(query)["show_alert"] is True
    # Alice (the group's administrator = lead) may.
    await bot.press(ALICE, listing, "❌ 1")
    assert await rows(bot, "SELECT status FROM promises WHERE chat_id = ?", group) == [("broken",)]


async def test_group_confirmations_are_one_line(bot: BotHarness, group: int) -> None:
    prompt = await bot.say(ALICE, "/call Acme", chat_id=group)
    after, _ = await bot.press(ALICE, prompt, "busy")
    assert "\n" not in after.body
    assert after.body.startswith("✅ Acme — busy")
    assert "Alice" in after.body


async def test_lead_only_commands(bot: BotHarness, group: int) -> None:
    for command in ("/export", "/weekly on", "/settings", "/share"):
        reply = await bot.say(BORIS, command, chat_id=group)
        assert "администраторы группы" in reply.body, command
    await bot.say(BORIS, "/promise Ромашка завтра", chat_id=group)
    replies = await bot.say_all(ALICE, "/export", chat_id=group)
    documents = [m for m in replies if m.document]
    assert documents
    raw = documents[1].document
    assert raw is not None
    table = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert table[1][-1] == f"Борис ({BORIS})"


async def test_command_menu_hides_lead_commands_from_members(bot: BotHarness, group: int) -> None:
    menus = {
        scope: {c["command"] for c in cmds}
        for (scope, lang), cmds in bot.emulator.commands.items()
        if lang == "en"
    }
    members = next(v for k, v in menus.items() if "all_group_chats" in k)
    admins = next(v for k, v in menus.items() if "all_chat_administrators" in k)
    assert "export" not in members and "share" not in members
    assert {"export", "weekly", "settings", "share", "revoke"} <= admins
    assert "call" in members and "call" in admins


async def test_logging_into_a_group_from_private_chat(bot: BotHarness, group: int) -> None:
    await bot.say(BORIS, "/help", chat_id=group)  # Boris has been seen in the group
    menu = await bot.say(BORIS, "/workspace")
    after, _ = await bot.press(BORIS, menu, "Audit team")
    assert "Audit team" in after.body
    card = await bot.say(BORIS, "Acme не берут трубку")
    assert "📂 → Audit team" in card.body
    assert await rows(bot, "SELECT chat_id FROM attempts") == [(group,)]
    # The group sees it; Boris's personal log does not.
    pending = await bot.say(ALICE, "/report", chat_id=group)
    assert "Who logged" in pending.body
    assert "Борис" in pending.body
    # Switch back.
    menu = await bot.say(BORIS, "/workspace")
    await bot.press(BORIS, menu, "Мой журнал")
    await bot.say(BORIS, "Лютик занято")
    assert await rows(bot, "SELECT chat_id FROM attempts ORDER BY id") == [(group,), (BORIS,)]


async def test_forged_workspace_and_buttons_from_another_chat(bot: BotHarness, group: int) -> None:
    card = await bot.say(ALICE, "/promise Acme tomorrow", chat_id=group)
    menu = await bot.say(DMITRI, "/workspace")
    # Dmitri is not a member: a forged switch into the group is refused.
    query = await bot.press_raw(DMITRI, DMITRI, menu.message_id, f"w:{group}")
    assert bot.answer_to(query)["show_alert"] is True
    assert await bot.storage.active_workspace(DMITRI) is None
    # A forged button on his own chat carrying the group's promise id changes nothing.
    promise_id = int(card.button_data("⏰").split(":")[1])
    for data in (f"p:{promise_id}:n", f"p:{promise_id}:u!", f"r:{promise_id}:c"):
        query = await bot.press_raw(DMITRI, DMITRI, menu.message_id, data)
        assert bot.answer_to(query)["show_alert"] is True
    assert await rows(bot, "SELECT status FROM promises") == [("pending",)]


async def test_reviewer_link_opened_used_and_revoked(bot: BotHarness, group: int) -> None:
    await bot.say(BORIS, "/promise Acme tomorrow", chat_id=group)
    shared = await bot.say(ALICE, "/share", chat_id=group)
    token = re.search(r"\?start=([A-Za-z0-9_-]+)", shared.body)
    assert token is not None
    assert len(token.group(1)) >= 22  # 128 bits
    stored = await rows(bot, "SELECT token_hash FROM share_links")
    assert token.group(1) not in str(stored)  # only a hash is kept
    welcome = await bot.say(DMITRI, f"/start {token.group(1)}")
    assert "reviewer of Audit team" in welcome.body
    report = await bot.say(DMITRI, "/report")
    assert "Promises: 1" in report.body
    for command in ("/pending", "/history Acme", "/export", "Acme busy"):
        refused = await bot.say(DMITRI, command)
        assert "reviewer" in refused.body, command
    listing = await bot.say(ALICE, "/share", chat_id=group)
    assert "1 reviewer" in listing.body
    assert "revoked" in (await bot.say(ALICE, "/revoke 1", chat_id=group)).body
    after = await bot.say(DMITRI, "/report")
    assert "Nothing logged" in after.body  # back to his own, empty log
    forged = await bot.say(DMITRI, "/start " + "A" * 22)
    assert "not valid" in forged.body


async def test_weekly_report_reaches_reviewers(bot: BotHarness, group: int) -> None:
    await bot.say(BORIS, "/promise Acme tomorrow", chat_id=group)
    shared = await bot.say(ALICE, "/share", chat_id=group)
    token = re.search(r"\?start=([A-Za-z0-9_-]+)", shared.body)
    assert token is not None
    await bot.say(DMITRI, f"/start {token.group(1)}")
    await bot.say(ALICE, "/weekly on", chat_id=group)
    mark = bot.emulator.last_message_id(DMITRI)
    bot.clock.advance(days=7)
    got = await bot.emulator.wait_for_bot_message(
        DMITRI, after=mark, predicate=lambda m: "Audit team" in m.body, timeout=15
    )
    assert "Weekly report" in got.body


async def test_supergroup_migration_keeps_everything(bot: BotHarness, group: int) -> None:
    await bot.say(BORIS, "/promise Acme tomorrow", chat_id=group)
    new = -1001234567890
    bot.emulator.migrate_group(group, new)
    bot.sent += 2
    await bot.settle()
    listing = await bot.say(ALICE, "/pending", chat_id=new)
    assert "Acme" in listing.body
    assert await rows(bot, "SELECT count(*) FROM promises WHERE chat_id = ?", group) == [(0,)]
    assert await rows(bot, "SELECT kind FROM chats WHERE chat_id = ?", new) == [("supergroup",)]


async def test_bot_removed_data_kept_then_purged(bot: BotHarness, group: int) -> None:
    await bot.say(BORIS, "/promise Acme tomorrow", chat_id=group)
    emu = bot.emulator
    emu.kick_bot(group)
    bot.sent += 1
    await bot.settle()
    bot.clock.advance(days=2)  # the promise expires: no reminder to a group the bot left
    await bot.settle()
    assert emu.errors == []
    # Re-added within the retention period: everything is back.
    emu._chats[group].bot_status = "member"
    emu._queue_my_chat_member(emu._chats[group], ALICE, "kicked", "member")
    bot.sent += 1
    await bot.settle()
    listing = await bot.say(ALICE, "/pending", chat_id=group)
    assert "Acme" in listing.body
    # Removed again, and 31 days pass: the workspace is deleted.
    emu.kick_bot(group)
    bot.sent += 1
    await bot.settle()
    bot.clock.advance(timedelta(days=31))
    await bot.settle()
    assert await rows(bot, "SELECT count(*) FROM promises WHERE chat_id = ?", group) == [(0,)]
    assert await rows(bot, "SELECT count(*) FROM chats WHERE chat_id = ?", group) == [(0,)]


async def test_deletemydata(bot: BotHarness, group: int) -> None:
    await bot.say(BORIS, "Лютик занято")
    await bot.say(BORIS, "/promise Ромашка завтра", chat_id=group)
    ask = await bot.say(BORIS, "/deletemydata")
    kept, _ = await bot.press(BORIS, ask, "Оставить")
    assert "Ничего не удалено" in kept.body
    ask = await bot.say(BORIS, "/deletemydata")
    done, _ = await bot.press(BORIS, ask, "Удалить всё")
    assert "удалены" in done.body
    assert await rows(bot, "SELECT count(*) FROM attempts WHERE chat_id = ?", BORIS) == [(0,)]
    assert await rows(bot, "SELECT count(*) FROM promises WHERE chat_id = ?", group) == [(1,)]
    assert await rows(bot, "SELECT name FROM users WHERE user_id = ?", BORIS) == [
        ("former member",)
    ]
    in_group = await bot.say(BORIS, "/deletemydata", chat_id=group)
    assert "личном чате" in in_group.body
