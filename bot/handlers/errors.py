"""The one error handler: log first, then tell the user something useful."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import Forbidden, NetworkError, RetryAfter, TimedOut

from bot.context import BotContext
from bot.i18n import Translator, normalize_language

logger = logging.getLogger(__name__)


async def on_error(update: object, context: BotContext) -> None:
    """Log the exception with the update's ids (not its text) and apologize to the user."""
    error = context.error
    if isinstance(error, (NetworkError, TimedOut, RetryAfter)) and not isinstance(update, Update):
        logger.warning("Telegram API problem: %s", error)
        return
    chat_id = (
        update.effective_chat.id if isinstance(update, Update) and update.effective_chat else None
    )
    logger.error("Unhandled error (chat %s)", chat_id, exc_info=error)
    if (
        not isinstance(update, Update)
        or update.effective_chat is None
        or isinstance(error, Forbidden)
    ):
        return
    user = update.effective_user
    default = context.settings.default_language if context.services.settings else "en"
    cached = context.services.chat_cache.get(update.effective_chat.id)
    lang = (cached.language if cached else None) or normalize_language(
        user.language_code if user else None, default
    )
    _ = Translator(lang)
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(_("error.internal"), show_alert=True)
        else:
            await context.bot.send_message(update.effective_chat.id, _("error.internal"))
    except Exception:  # the apology itself must never raise
        logger.warning("Could not tell the user about the error", exc_info=True)
