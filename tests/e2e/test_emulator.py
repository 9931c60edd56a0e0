"""The Bot API emulator, proven with the real python-telegram-bot Application.

Every behaviour that matters is run twice: over real HTTP (``base_url``) and in-process
(``InProcessRequest``), since both must accept and reject exactly the same calls.
"""

from __future__ import annotations

import asyncio
import html
import io
import struct
import time
import zlib
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from typing import Any

import pytest
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllGroupChats,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaPhoto,
    Update,
)
from telegram.constants import ChatMemberStatus, ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
)
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

from tests.support.emulator import BotApiEmulator, ChatMessage
from tests.support.html_check import EntityParseError, parse_html, utf16_len
from tests.support.inprocess import InProcessRequest

ALICE = 1001
BOB = 1002
GROUP = -4001

Handler = BaseHandler[Update, ContextTypes.DEFAULT_TYPE, Any]


def png_bytes(width: int = 3, height: int = 2) -> bytes:
    """A valid tiny PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


@pytest.fixture(params=["http", "inprocess"])
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def emu(mode: str) -> AsyncIterator[BotApiEmulator]:
    emulator = BotApiEmulator()
    emulator.add_user(ALICE, "Alice", username="alice")
    emulator.add_user(BOB, "Bob", language_code="ru")
    emulator.add_group(GROUP, "Call club", members=[ALICE, BOB], admins=[ALICE])
    if mode == "http":
        async with emulator:
            yield emulator
    else:
        yield emulator  # no server at all: nothing may need a socket


def builder_for(emu: BotApiEmulator, mode: str) -> ApplicationBuilder:  # type: ignore[type-arg]
    builder = ApplicationBuilder().token(emu.token)
    if mode == "http":
        return builder.base_url(emu.base_url).base_file_url(emu.base_file_url)
    return builder.request(InProcessRequest(emu)).get_updates_request(InProcessRequest(emu))


@asynccontextmanager
async def running(
    emu: BotApiEmulator,
    mode: str,
    handlers: list[Handler],
    *,
    builder: ApplicationBuilder | None = None,  # type: ignore[type-arg]
) -> AsyncIterator[tuple[Application, list[BaseException]]]:  # type: ignore[type-arg]
    """Run a real Application polling the emulator; yields it and the errors it raised."""
    app = (builder or builder_for(emu, mode)).build()
    errors: list[BaseException] = []

    async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert context.error is not None
        errors.append(context.error)

    for handler in handlers:
        app.add_handler(handler)
    app.add_error_handler(on_error)
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=1)
        try:
            yield app, errors
        finally:
            await app.updater.stop()
            await app.stop()


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    assert update.effective_message.text is not None
    await update.effective_message.reply_text(update.effective_message.text)


def send_html(
    text: str,
) -> Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]:
    async def handler(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_chat is not None
        await context.bot.send_message(update.effective_chat.id, text, parse_mode=ParseMode.HTML)

    return handler


# --------------------------------------------------------------------------- round trips


async def test_echo_round_trip(emu: BotApiEmulator, mode: str) -> None:
    async with running(emu, mode, [MessageHandler(filters.TEXT, echo)]):
        sent = emu.send_message(ALICE, "Привет <world> & 🏟")
        reply = await emu.wait_for_bot_message(ALICE, after=sent["message_id"])
        assert reply.text == "Привет <world> & 🏟"
        assert reply.reply_to_message_id is None  # reply_text does not quote by default
        history = emu.messages(ALICE)
        assert [(m.from_bot, m.text) for m in history] == [
            (False, "Привет <world> & 🏟"),
            (True, "Привет <world> & 🏟"),
        ]
        await emu.wait_idle()
        assert emu.pending_updates == 0
    emu.assert_no_errors()


async def test_commands_reach_command_handlers(emu: BotApiEmulator, mode: str) -> None:
    seen: list[list[str]] = []

    async def report(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        seen.append(list(context.args or []))
        assert update.effective_message is not None
        await update.effective_message.reply_text("report")

    async with running(emu, mode, [CommandHandler("report", report)]):
        emu.send_message(ALICE, "/report week")
        emu.send_message(ALICE, f"/report@{emu.bot_username} month", chat_id=GROUP)
        emu.send_message(BOB, "/report@some_other_bot year", chat_id=GROUP)
        await emu.wait_idle()
    assert seen == [["week"], ["month"]]
    emu.assert_no_errors()


async def test_button_press_answer_and_edit(emu: BotApiEmulator, mode: str) -> None:
    async def ask(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        keyboard = InlineKeyboardMarkup(
            [[InlineKeyboardButton("✅ Called back", callback_data="cb:yes:7")]]
        )
        assert update.effective_message is not None
        await update.effective_message.reply_text(
            "<b>Did they call?</b>", reply_markup=keyboard, parse_mode=ParseMode.HTML
        )

    async def answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        assert query.data is not None
        await query.answer("Noted")
        await query.edit_message_text(
            f"Answer: <i>{html.escape(query.data)}</i>", parse_mode=ParseMode.HTML
        )

    handlers: list[Handler] = [MessageHandler(filters.TEXT, ask), CallbackQueryHandler(answer)]
    async with running(emu, mode, handlers):
        sent = emu.send_message(ALICE, "hi")
        question = await emu.wait_for_bot_message(ALICE, after=sent["message_id"])
        assert question.text == "Did they call?"
        assert question.html == "<b>Did they call?</b>"
        assert question.entities == [{"type": "bold", "offset": 0, "length": 14}]
        assert question.buttons() == [[("✅ Called back", "cb:yes:7")]]
        query_id = emu.press_button(
            ALICE, ALICE, question.message_id, question.button_data("Called")
        )
        edited = await emu.wait_for_bot_message(
            ALICE, after=question.message_id, predicate=lambda m: m.edited
        )
        assert edited.message_id == question.message_id
        assert edited.text == "Answer: cb:yes:7"
        assert edited.reply_markup is None  # editMessageText without markup drops the keyboard
        assert emu.callback_answers[query_id] == {
            "text": "Noted",
            "show_alert": False,
            "url": None,
            "cache_time": None,
        }
    emu.assert_no_errors()


async def test_callback_query_answer_is_single_use_and_expires(
    emu: BotApiEmulator, mode: str
) -> None:
    async def answer_twice(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.callback_query is not None
        await update.callback_query.answer()
        await update.callback_query.answer()

    async def late(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.callback_query is not None
        emu.advance_time(16)
        await update.callback_query.answer()

    async with running(
        emu,
        mode,
        [
            CallbackQueryHandler(answer_twice, pattern="^twice$"),
            CallbackQueryHandler(late, pattern="^late$"),
        ],
    ) as (app, errors):
        bot_message = await app.bot.send_message(GROUP, "x")
        emu.press_button(BOB, GROUP, bot_message.message_id, "twice")
        emu.press_button(BOB, GROUP, bot_message.message_id, "late")
        await emu.wait_until(lambda: len(errors) == 2)
    assert all(isinstance(e, BadRequest) for e in errors)
    assert all("query is too old" in str(e).lower() for e in errors)
    assert len(emu.errors) == 2


# --------------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("text", "description"),
    [
        ("<b>unclosed", "can't parse entities: Can't find end tag corresponding to start tag"),
        ("a < b", 'can\'t parse entities: Unsupported start tag "" at byte offset 2'),
        ("<br>", 'can\'t parse entities: Unsupported start tag "br" at byte offset 0'),
        ("<b>x</i>", "can't parse entities: Unmatched end tag at byte offset 4"),
        ("Tom & Jerry", 'can\'t parse entities: Unescaped "&" at byte offset 4'),
        ("<b> </b>", "message text is empty"),
    ],
)
async def test_bad_html_is_rejected(
    emu: BotApiEmulator, mode: str, text: str, description: str
) -> None:
    async with running(emu, mode, [MessageHandler(filters.TEXT, send_html(text))]) as (
        _,
        errors,
    ):
        emu.send_message(ALICE, "go")
        await emu.wait_until(lambda: bool(errors))
    assert isinstance(errors[0], BadRequest)
    assert description.lower() in str(errors[0]).lower()
    assert emu.errors[0].description is not None
    assert emu.errors[0].description.startswith(f"Bad Request: {description}")
    assert emu.bot_messages(ALICE) == []


async def test_too_long_text_is_rejected_counting_utf16(emu: BotApiEmulator, mode: str) -> None:
    fits = "🏟" * 2048  # 4096 UTF-16 code units
    too_long = fits + "x"
    async with running(emu, mode, []) as (app, _):
        emu.send_message(ALICE, "/start")  # opens the private chat
        await emu.wait_idle()
        await app.bot.send_message(ALICE, fits)
        with pytest.raises(BadRequest, match=r"(?i)message is too long"):
            await app.bot.send_message(ALICE, too_long)
        with pytest.raises(BadRequest, match=r"(?i)message caption is too long"):
            await app.bot.send_photo(ALICE, png_bytes(), caption="c" * 1025)
    assert [e.description for e in emu.errors] == [
        "Bad Request: message is too long",
        "Bad Request: message caption is too long",
    ]


async def test_callback_data_over_64_bytes_is_rejected(emu: BotApiEmulator, mode: str) -> None:
    async with running(emu, mode, []) as (app, _):
        ok = InlineKeyboardMarkup([[InlineKeyboardButton("ok", callback_data="д" * 32)]])
        await app.bot.send_message(GROUP, "64 bytes is fine", reply_markup=ok)
        bad = InlineKeyboardMarkup([[InlineKeyboardButton("no", callback_data="д" * 32 + "x")]])
        with pytest.raises(BadRequest, match=r"(?i)BUTTON_DATA_INVALID"):
            await app.bot.send_message(GROUP, "65 bytes is not", reply_markup=bad)
    assert [m.text for m in emu.bot_messages(GROUP)] == ["64 bytes is fine"]


async def test_edit_with_same_content_is_not_modified(emu: BotApiEmulator, mode: str) -> None:
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("a", callback_data="a")]])
    async with running(emu, mode, []) as (app, _):
        message = await app.bot.send_message(
            GROUP, "<b>same</b>", parse_mode="HTML", reply_markup=markup
        )
        with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
            await message.edit_text("<b>same</b>", parse_mode="HTML", reply_markup=markup)
        # same text, different entities: a real change
        await message.edit_text("same", reply_markup=markup)
        with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
            await message.edit_reply_markup(markup)
        await message.edit_reply_markup(None)
        with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
            await app.bot.edit_message_text("x", chat_id=GROUP, message_id=999)
        with pytest.raises(BadRequest, match=r"(?i)chat not found"):
            await app.bot.edit_message_text("x", chat_id=-999, message_id=1)
    [final] = emu.bot_messages(GROUP)
    assert (final.text, final.entities, final.reply_markup, final.edit_count) == (
        "same",
        [],
        None,
        2,
    )


async def test_forbidden_chat_states(emu: BotApiEmulator, mode: str) -> None:
    emu.add_group(-4002, "Old group", members=[ALICE], admins=[ALICE])
    async with running(emu, mode, []) as (app, _):
        with pytest.raises(Forbidden, match=r"(?i)bot can't initiate conversation with a user"):
            await app.bot.send_message(BOB, "hello?")
        emu.send_message(BOB, "/start")
        await emu.wait_idle()
        await app.bot.send_message(BOB, "hello!")
        emu.block_bot(BOB)
        with pytest.raises(Forbidden, match=r"(?i)bot was blocked by the user"):
            await app.bot.send_message(BOB, "still there?")
        emu.kick_bot(GROUP)
        with pytest.raises(Forbidden, match=r"(?i)bot was kicked from the group chat"):
            await app.bot.send_message(GROUP, "hi all")
        emu.migrate_group(-4002, -1004002)
        with pytest.raises(ChatMigrated) as migrated:
            await app.bot.send_message(-4002, "hi")
        assert migrated.value.new_chat_id == -1004002
        await app.bot.send_message(-1004002, "hi again")
        with pytest.raises(BadRequest, match=r"(?i)chat not found"):
            await app.bot.send_message(424242, "nobody")
        await emu.wait_idle()  # let the updater confirm the my_chat_member updates


async def test_group_queries_decode_in_ptb(emu: BotApiEmulator, mode: str) -> None:
    async with running(emu, mode, []) as (app, _):
        admins = await app.bot.get_chat_administrators(GROUP)
        assert [(a.user.id, a.status) for a in admins] == [(ALICE, ChatMemberStatus.OWNER)]
        bob = await app.bot.get_chat_member(GROUP, BOB)
        assert bob.status == ChatMemberStatus.MEMBER
        me = await app.bot.get_chat_member(GROUP, emu.bot_id)
        assert me.status == ChatMemberStatus.MEMBER
        assert await app.bot.get_chat_member_count(GROUP) == 3
        chat = await app.bot.get_chat(GROUP)
        assert chat.title == "Call club"
        commands = [BotCommand("report", "Weekly report"), BotCommand("start", "Start")]
        await app.bot.set_my_commands(
            commands, scope=BotCommandScopeAllGroupChats(), language_code="ru"
        )
        stored = await app.bot.get_my_commands(
            scope=BotCommandScopeAllGroupChats(), language_code="ru"
        )
        assert [c.command for c in stored] == ["report", "start"]
        assert emu.commands[('{"type": "all_group_chats"}', "ru")][0]["command"] == "report"
        await app.bot.send_chat_action(GROUP, "typing")
        assert await app.bot.leave_chat(GROUP)
        with pytest.raises(Forbidden, match=r"(?i)not a member"):
            await app.bot.send_message(GROUP, "bye")
    assert emu.chat_actions == [(GROUP, "typing")]
    assert [e.status for e in emu.errors] == [403]


async def test_user_edits_privacy_mode_and_raw_updates(emu: BotApiEmulator, mode: str) -> None:
    seen: list[str] = []

    async def record(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.edited_message is not None:
            seen.append(f"edited:{update.edited_message.text}")
        elif update.my_chat_member is not None:
            seen.append(f"member:{update.my_chat_member.new_chat_member.status}")
        elif update.effective_message is not None:
            seen.append(f"message:{update.effective_message.text}")

    emu.group_privacy = True
    emu.add_group(-4003, "New group", members=[BOB], admins=[BOB], announce=True)
    async with running(emu, mode, [TypeHandler(Update, record)]) as (app, _):
        await emu.wait_idle()
        reply_target = await app.bot.send_message(GROUP, "question from the bot")
        sent = emu.send_message(ALICE, "typo", chat_id=GROUP)  # privacy mode: not delivered
        emu.send_message(BOB, "answer", chat_id=GROUP, reply_to_message_id=reply_target.message_id)
        emu.send_message(BOB, f"hey @{emu.bot_username}", chat_id=GROUP)
        emu.edit_message(ALICE, GROUP, sent["message_id"], "typo fixed")  # still invisible
        private = emu.send_message(ALICE, "tpyo")
        emu.edit_message(ALICE, ALICE, private["message_id"], "typo")
        emu.add_raw_update(
            {
                "my_chat_member": {
                    "chat": {"id": GROUP, "type": "group", "title": "Call club"},
                    "from": {"id": ALICE, "is_bot": False, "first_name": "Alice"},
                    "date": 0,
                    "old_chat_member": {"status": "member", "user": emu.bot_user},
                    "new_chat_member": {"status": "left", "user": emu.bot_user},
                }
            }
        )
        await emu.wait_idle()
    assert seen == [
        "member:member",
        "message:None",  # the service message with new_chat_members
        "message:answer",
        f"message:hey @{emu.bot_username}",
        "message:tpyo",
        "edited:typo",
        "member:left",
    ]
    assert [m.text for m in emu.messages(GROUP)][-3:] == ["typo fixed", "answer", seen[3][8:]]
    emu.assert_no_errors()


async def test_unknown_method_is_501_not_invalid_token(emu: BotApiEmulator, mode: str) -> None:
    async with running(emu, mode, []) as (app, _):
        with pytest.raises(NetworkError, match=r"(?i)no method"):
            await app.bot.do_api_request("frobnicateChat", api_kwargs={"chat_id": GROUP})
        # polling survived: still answering
        emu.send_message(ALICE, "/start")
        await emu.wait_idle()
    assert [e.status for e in emu.errors] == [501]


# --------------------------------------------------------------------------- files


async def test_media_group_and_document_arrive_with_bytes(emu: BotApiEmulator, mode: str) -> None:
    first, second = png_bytes(3, 2), png_bytes(1500, 1000)

    async def send_files(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_chat is not None
        chat_id = update.effective_chat.id
        await context.bot.send_media_group(
            chat_id,
            [
                InputMediaPhoto(first, caption="<b>week</b>", parse_mode="HTML"),
                InputMediaPhoto(second),
            ],
        )
        await context.bot.send_document(
            chat_id,
            io.BytesIO(b"company,calls\nAcme,3\n"),
            filename="calls.csv",
            caption="export",
        )
        with pytest.raises(BadRequest, match=r"(?i)2-10"):
            await context.bot.send_media_group(chat_id, [InputMediaPhoto(first)])
        with pytest.raises(BadRequest, match=r"(?i)IMAGE_PROCESS_FAILED"):
            await context.bot.send_photo(chat_id, b"not an image")

    async with running(emu, mode, [CommandHandler("export", send_files)]) as (app, errors):
        emu.send_message(ALICE, "/export")
        document = await emu.wait_for_bot_message(
            ALICE, predicate=lambda m: m.document is not None
        )
        await emu.wait_idle()
        photo_one, photo_two = emu.bot_messages(ALICE)[:2]
        assert (photo_one.photo, photo_two.photo) == (first, second)
        assert photo_one.caption == "week"
        assert photo_one.caption_html == "<b>week</b>"
        assert photo_one.media_group_id is not None
        assert photo_one.media_group_id == photo_two.media_group_id
        assert [s["width"] for s in photo_two.photo_sizes] == [90, 1280]
        assert document.document == b"company,calls\nAcme,3\n"
        assert document.document_name == "calls.csv"
        assert document.caption == "export"
        # the bot can fetch what it uploaded through getFile + base_file_url
        assert document.document_meta is not None
        file = await app.bot.get_file(document.document_meta["file_id"])
        assert bytes(await file.download_as_bytearray()) == b"company,calls\nAcme,3\n"
    assert errors == []
    assert len(emu.errors) == 2


# --------------------------------------------------------------------------- reliability


async def test_429_is_retried_and_delivered(emu: BotApiEmulator, mode: str) -> None:
    builder = builder_for(emu, mode).rate_limiter(AIORateLimiter(max_retries=2))
    emu.inject_fault("sendMessage", status=429, retry_after=1)
    async with running(emu, mode, [MessageHandler(filters.TEXT, echo)], builder=builder) as (
        _,
        errors,
    ):
        started = time.monotonic()
        emu.send_message(ALICE, "are you there?")
        reply = await emu.wait_for_bot_message(ALICE, after=1, timeout=5)
        waited = time.monotonic() - started
        await emu.wait_idle()
    assert reply.text == "are you there?"
    assert waited >= 1.0  # the retry honoured retry_after
    assert [(c.method, c.status) for c in emu.faults_triggered] == [("sendMessage", 429)]
    assert [c.status for c in emu.calls("sendMessage")] == [429, 200]
    assert errors == []
    emu.assert_no_errors()


async def test_429_without_retry_surfaces_retry_after(emu: BotApiEmulator, mode: str) -> None:
    emu.inject_fault("sendMessage", status=429, retry_after=3)
    async with running(emu, mode, []) as (app, _):
        with pytest.raises(RetryAfter, match=r"Retry in (0:00:0)?3"):
            await app.bot.send_message(GROUP, "x")
        await app.bot.send_message(GROUP, "x")  # the fault fired once


async def test_dropped_connection_is_a_network_error(emu: BotApiEmulator, mode: str) -> None:
    emu.inject_fault("sendMessage", drop_connection=True)
    async with running(emu, mode, []) as (app, _):
        with pytest.raises(NetworkError):
            await app.bot.send_message(GROUP, "lost")
        await app.bot.send_message(GROUP, "delivered")
    assert [m.text for m in emu.bot_messages(GROUP)] == ["delivered"]


async def test_update_survives_a_restart_before_confirmation(
    emu: BotApiEmulator, mode: str
) -> None:
    emu.send_message(ALICE, "remember me")
    # A first bot instance fetches the update and dies before confirming it.
    crashed = builder_for(emu, mode).build().bot
    async with crashed:
        fetched = await crashed.get_updates(timeout=0)
    assert [u.message.text for u in fetched if u.message] == ["remember me"]
    assert emu.pending_updates == 1
    # The restarted bot gets it again, handles it, and confirms it on the way out.
    async with running(emu, mode, [MessageHandler(filters.TEXT, echo)]):
        reply = await emu.wait_for_bot_message(ALICE)
        assert reply.text == "remember me"
        await emu.wait_idle()
    assert emu.pending_updates == 0
    # A third start sees nothing old.
    async with running(emu, mode, [MessageHandler(filters.TEXT, echo)]):
        await emu.wait_idle()
    assert len(emu.bot_messages(ALICE)) == 1


async def test_second_poller_gets_conflict(emu: BotApiEmulator, mode: str) -> None:
    async with running(emu, mode, []) as (_app, _):
        await asyncio.sleep(0.05)  # the updater is now inside a long poll
        intruder = builder_for(emu, mode).build().bot
        async with intruder:
            await intruder.get_updates(timeout=0)
        await emu.wait_until(lambda: any(c.status == 409 for c in emu.errors))
    assert emu.errors[0].description is not None
    assert emu.errors[0].description.startswith("Conflict: terminated by other getUpdates")


async def test_stop_releases_long_polls() -> None:
    emu = BotApiEmulator()
    await emu.start()
    bot = Bot(emu.token, base_url=emu.base_url)
    async with bot:
        poll = asyncio.create_task(bot.get_updates(timeout=30))
        await asyncio.sleep(0.05)
        started = time.monotonic()
        await emu.stop()
        assert await poll == ()
    assert time.monotonic() - started < 1.0


async def test_wait_for_bot_message_timeout_explains(emu: BotApiEmulator, mode: str) -> None:
    emu.send_message(ALICE, "nobody answers")
    with pytest.raises(TimeoutError, match=r"(?i)nobody answers"):
        await emu.wait_for_bot_message(ALICE, timeout=0.05)


# --------------------------------------------------------------------------- speed


async def test_echo_speed(
    emu: BotApiEmulator, mode: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Prints round-trip latency and sequential throughput; asserts nothing about time."""
    async with running(emu, mode, [MessageHandler(filters.TEXT, echo)]):
        emu.send_message(ALICE, "warm-up")
        await emu.wait_for_bot_message(ALICE)
        latencies = []
        for i in range(20):
            sent = emu.send_message(ALICE, f"ping {i}")
            started = time.perf_counter()
            await emu.wait_for_bot_message(ALICE, after=sent["message_id"])
            latencies.append(time.perf_counter() - started)
        count = 300
        started = time.perf_counter()
        for i in range(count):
            emu.send_message(ALICE, f"bulk {i}")
        await emu.wait_until(lambda: emu.last_message_id(ALICE) == 2 * (21 + count), timeout=30)
        elapsed = time.perf_counter() - started
    latencies.sort()
    with capsys.disabled():
        print(
            f"\n[{mode}] echo round trip median {latencies[10] * 1000:.2f} ms, "
            f"max {latencies[-1] * 1000:.2f} ms; throughput {count / elapsed:.0f} updates/s"
        )
    emu.assert_no_errors()


# --------------------------------------------------------------------------- html parser


@pytest.mark.parametrize(
    ("source", "text", "entities"),
    [
        ("plain", "plain", []),
        ("&lt;b&gt; &amp; &quot;q&quot; &#128512; &#x41;", '<b> & "q" 😀 A', []),
        (
            "<b>bold</b> <i>it</i>",
            "bold it",
            [
                {"type": "bold", "offset": 0, "length": 4},
                {"type": "italic", "offset": 5, "length": 2},
            ],
        ),
        ("🏟 <u>x</u>", "🏟 x", [{"type": "underline", "offset": 3, "length": 1}]),
        (
            '<a href="https://example.com/?a=1&amp;b=2">link</a>',
            "link",
            [
                {
                    "type": "text_link",
                    "offset": 0,
                    "length": 4,
                    "url": "https://example.com/?a=1&b=2",
                }
            ],
        ),
        (
            '<span class="tg-spoiler">s</span><tg-spoiler>t</tg-spoiler>',
            "st",
            [
                {"type": "spoiler", "offset": 0, "length": 1},
                {"type": "spoiler", "offset": 1, "length": 1},
            ],
        ),
        (
            '<pre><code class="language-python">x = 1</code></pre>',
            "x = 1",
            [{"type": "pre", "offset": 0, "length": 5, "language": "python"}],
        ),
        (
            "<blockquote expandable>q</blockquote>",
            "q",
            [{"type": "expandable_blockquote", "offset": 0, "length": 1}],
        ),
        ("  <b>trim</b>\n", "trim", [{"type": "bold", "offset": 0, "length": 4}]),
        (
            "<s>a</s><del>b</del><strike>c</strike><ins>d</ins><em>e</em><strong>f</strong>",
            "abcdef",
            [
                {"type": "strikethrough", "offset": 0, "length": 1},
                {"type": "strikethrough", "offset": 1, "length": 1},
                {"type": "strikethrough", "offset": 2, "length": 1},
                {"type": "underline", "offset": 3, "length": 1},
                {"type": "italic", "offset": 4, "length": 1},
                {"type": "bold", "offset": 5, "length": 1},
            ],
        ),
    ],
)
def test_html_parser_accepts(source: str, text: str, entities: list[dict[str, Any]]) -> None:
    parsed = parse_html(source)
    assert (parsed.text, parsed.entities) == (text, entities)


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("🏟 🏟&lt;<abacaba", "Unclosed start tag at byte offset 13"),
        ("🏟 🏟&lt;<abac aba>", 'Unsupported start tag "abac" at byte offset 13'),
        ("🏟 🏟&lt;<i   =aba>", 'Empty attribute name in the tag "i" at byte offset 13'),
        (
            "🏟 🏟&lt;<i    aba>",
            'Expected equal sign in declaration of an attribute of the tag "i" at byte offset 13',
        ),
        ("🏟 🏟&lt;</", "Unexpected end tag at byte offset 13"),
        ("🏟 🏟&lt;<i>a</i   ", "Unclosed end tag at byte offset 17"),
        (
            "🏟 🏟&lt;<i>a</em   >",
            'Unmatched end tag at byte offset 17, expected "</i>", found "</em>"',
        ),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ("<b>open", 'Can\'t find end tag corresponding to start tag "b"'),
        ("R&D", 'Unescaped "&" at byte offset 1'),
    ],
)
def test_html_parser_rejects_like_tdlib(source: str, message: str) -> None:
    with pytest.raises(EntityParseError) as caught:
        parse_html(source)
    assert str(caught.value).startswith(message)


def test_html_parser_lenient_ampersand_matches_telegram() -> None:
    assert parse_html("R&D &laquo;x&raquo;", strict_ampersand=False).text == "R&D &laquo;x&raquo;"


def test_utf16_length() -> None:
    assert utf16_len("abc") == 3
    assert utf16_len("🏟é") == 3


def test_chat_message_helpers() -> None:
    message = ChatMessage(
        message_id=1,
        chat_id=1,
        from_bot=True,
        sender_id=1,
        date=0,
        text="t",
        reply_markup={
            "inline_keyboard": [
                [
                    {"text": "Yes, called", "callback_data": "y"},
                    {"text": "Site", "url": "https://x.org"},
                ]
            ]
        },
    )
    assert message.buttons() == [[("Yes, called", "y"), ("Site", None)]]
    assert message.button_data("called") == "y"
    with pytest.raises(LookupError, match=r"(?i)Site"):
        message.button_data("Nope")


async def test_dispatch_accepts_python_values() -> None:
    emu = BotApiEmulator()
    emu.add_user(ALICE, "Alice")
    emu.send_message(ALICE, "/start")
    status, body = await emu.dispatch("sendMessage", {"chat_id": ALICE, "text": "123"})
    assert status == 200
    assert body["result"]["text"] == "123"
    status, body = await emu.dispatch("sendMessage", {"chat_id": str(ALICE), "text": "true"})
    assert status == 200
    assert body["result"]["text"] == "true"
    status, body = await emu.dispatch("sendMessage", {"chat_id": ALICE, "text": ""})
    assert (status, body["description"]) == (400, "Bad Request: message text is empty")
