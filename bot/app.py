"""The one place that builds the application: every handler, in order, with why."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from telegram import (
    BotCommand,
    BotCommandScopeAllChatAdministrators,
    BotCommandScopeAllGroupChats,
    BotCommandScopeDefault,
    LinkPreviewOptions,
    Update,
)
from telegram.constants import ParseMode
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    BaseRateLimiter,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    MessageHandler,
    filters,
)
from telegram.request import BaseRequest, HTTPXRequest

from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.context import BotContext, BotData
from bot.handlers import calls, errors, groups, history, promises, reports, settings, start
from bot.i18n import LANGUAGES, Translator
from bot.parsing.deadlines import warm_up
from bot.reminders import ReminderService
from bot.rendering import ChartRenderer
from bot.updates import PerChatUpdateProcessor, SafeOffsetBot, UpdateTracker
from bot.weekly import WeeklyReportService
from storage import Storage

logger = logging.getLogger(__name__)

BotApplication = Application[Any, BotContext, dict[Any, Any], dict[Any, Any], BotData, Any]

#: Chats handled at the same time (each chat's own updates stay in order).
CONCURRENT_UPDATES = 32

#: Updates the bot asks Telegram for (and nothing else).
ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY, Update.MY_CHAT_MEMBER]


def build_application(
    settings: Settings,
    *,
    clock: Clock | None = None,
    request: BaseRequest | None = None,
    rate_limiter: BaseRateLimiter[Any] | bool | None = True,
) -> BotApplication:
    """Build the bot: configuration in, a ready-to-run Application out.

    ``request`` lets tests route the bot into an in-process emulator; ``rate_limiter=True``
    means Telegram's limits (30 msg/s overall, 20 msg/min per group; RetryAfter waited out).
    """
    context_types = ContextTypes(context=BotContext, bot_data=BotData)
    limiter: BaseRateLimiter[Any] | None = None
    if rate_limiter is True:
        limiter = AIORateLimiter(max_retries=5)
    elif isinstance(rate_limiter, BaseRateLimiter):
        limiter = rate_limiter
    tracker = UpdateTracker()
    bot = SafeOffsetBot(
        token=settings.token,
        base_url=settings.base_url,
        base_file_url=settings.base_file_url,
        defaults=Defaults(
            parse_mode=ParseMode.HTML,
            link_preview_options=LinkPreviewOptions(is_disabled=True),
        ),
        request=request or HTTPXRequest(connection_pool_size=256),
        get_updates_request=request or HTTPXRequest(connection_pool_size=1),
        rate_limiter=limiter,
        tracker=tracker,
    )
    builder: Any = (
        ApplicationBuilder()
        .bot(bot)
        .context_types(context_types)
        .concurrent_updates(PerChatUpdateProcessor(tracker, CONCURRENT_UPDATES))
        .post_init(_post_init)
        .post_stop(_post_stop)
        .post_shutdown(_post_shutdown)
    )
    application: BotApplication = builder.build()
    data = application.bot_data
    data.settings = settings
    data.clock = clock or SystemClock()
    register_handlers(application)
    return application


async def start_in_loop(
    app: Application[Any, Any, Any, Any, Any, Any], poll_timeout: int = 10
) -> None:
    """Start a bot inside an already running event loop, the way run_polling() would
    (the sandbox, tests and benchmarks run it next to other things)."""
    await app.initialize()
    if app.post_init is not None:
        await app.post_init(app)
    assert app.updater is not None
    await app.updater.start_polling(
        poll_interval=0.0, timeout=poll_timeout, allowed_updates=ALLOWED_UPDATES
    )
    await app.start()


async def stop_in_loop(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Stop what :func:`start_in_loop` started, with the same hooks run_polling() calls."""
    if app.updater is not None and app.updater.running:
        await app.updater.stop()
    if app.running:
        await app.stop()
    if app.post_stop is not None:
        await app.post_stop(app)
    await app.shutdown()
    if app.post_shutdown is not None:
        await app.post_shutdown(app)


def register_handlers(app: BotApplication) -> None:
    """Every handler, in the order PTB tries them (first match wins within a group)."""
    command = CommandHandler
    app.add_handlers(
        [
            # Commands.
            command("start", start.start_command),
            command("help", start.help_command),
            command("call", calls.call_command),
            command("promise", promises.promise_command),
            command("calledback", promises.calledback_command),
            command("pending", promises.pending_command),
            command("history", history.history_command),
            command("undo", calls.undo_command),
            command("export", history.export_command),
            command("report", reports.report_command),
            command("weekly", reports.weekly_command),
            command("settings", settings.settings_command),
            command("workspace", groups.workspace_command),
            command("share", groups.share_command),
            command("revoke", groups.revoke_command),
            command("deletemydata", groups.deletemydata_command),
            # The bot itself joining or leaving a group; a group becoming a supergroup.
            ChatMemberHandler(groups.on_my_chat_member, ChatMemberHandler.MY_CHAT_MEMBER),
            MessageHandler(filters.StatusUpdate.MIGRATE, groups.on_migrate),
            MessageHandler(filters.StatusUpdate.LEFT_CHAT_MEMBER, groups.on_member_left),
            # Buttons: drafts (d), saved calls (a), promises (p, l = in /pending), settings (s).
            CallbackQueryHandler(calls.on_draft_button, pattern=r"^d:"),
            CallbackQueryHandler(calls.on_attempt_button, pattern=r"^a:"),
            CallbackQueryHandler(promises.on_promise_button, pattern=r"^[plr]:"),
            CallbackQueryHandler(settings.on_settings_button, pattern=r"^s:"),
            CallbackQueryHandler(groups.on_workspace_button, pattern=r"^w:"),
            CallbackQueryHandler(groups.on_delete_button, pattern=r"^del:"),
            CallbackQueryHandler(_stale_button),
            # Free text is a call log (or the answer to the bot's question).
            MessageHandler(
                filters.TEXT & ~filters.COMMAND & ~filters.UpdateType.EDITED, calls.on_text
            ),
            MessageHandler(filters.COMMAND & ~filters.UpdateType.EDITED, start.unknown_command),
        ]
    )
    app.add_error_handler(errors.on_error)


async def _stale_button(update: Update, context: BotContext) -> None:
    """A button whose data this version does not know (old message, forged data)."""
    query = update.callback_query
    assert query is not None
    lang = query.from_user.language_code if query.from_user else None
    await query.answer(
        Translator(lang or context.settings.default_language)("error.stale_button"),
        show_alert=True,
    )


async def set_commands(app: BotApplication) -> None:
    """The command menu in each language: everything in private chats; in groups, members
    see their commands and administrators also the lead-only ones."""
    scopes = [
        (BotCommandScopeDefault(), start.COMMANDS),
        (BotCommandScopeAllGroupChats(), start.MEMBER_COMMANDS),
        (BotCommandScopeAllChatAdministrators(), start.MEMBER_COMMANDS + start.LEAD_COMMANDS),
    ]
    for lang in (None, *LANGUAGES):
        _ = Translator(lang or "en")
        for scope, names in scopes:
            commands = [BotCommand(name, _(f"command.{name}")[:256]) for name in names]
            await app.bot.set_my_commands(commands, scope=scope, language_code=lang)


async def _post_init(app: BotApplication) -> None:
    data = app.bot_data
    assert data.settings is not None
    data.storage = await Storage.open(data.settings.database_path)
    processor = app.update_processor
    if isinstance(processor, PerChatUpdateProcessor):
        processor.attach(data.storage, await data.storage.last_handled_request())
    logger.info("Database ready at %s", data.settings.database_path)
    data.bot_username = app.bot.username
    await set_commands(app)
    # dateparser's first parse costs ~0.3 s: pay it now, not on the first user's message.
    await asyncio.to_thread(warm_up)
    data.reminders = ReminderService(app.bot, data.storage, data.clock, data.settings)
    data.reminders.start()
    data.renderer = ChartRenderer(data.settings.chart_processes)
    data.renderer.warm_up()
    data.weekly = WeeklyReportService(
        app.bot, data.storage, data.clock, data.settings, data.renderer
    )
    data.weekly.start()
    logger.info("callback-tracker is running as @%s", app.bot.username)


async def _post_stop(app: BotApplication) -> None:
    data = app.bot_data
    if data.reminders is not None:
        await data.reminders.stop()
        data.reminders = None
    if data.weekly is not None:
        await data.weekly.stop()
        data.weekly = None


async def _post_shutdown(app: BotApplication) -> None:
    await _post_stop(app)  # in case stop was never reached
    if app.bot_data.renderer is not None:
        app.bot_data.renderer.close()
        app.bot_data.renderer = None
    storage = app.bot_data.storage
    if storage is not None:
        await storage.close()
        app.bot_data.storage = None
