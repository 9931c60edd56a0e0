"""What every handler needs: the chat's language and zone, and safe ways to reply."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from telegram import InlineKeyboardMarkup, MaybeInaccessibleMessage, Message, Update
from telegram.constants import ChatType, MessageLimit
from telegram.error import BadRequest

from bot.context import BotContext
from bot.i18n import Translator, normalize_language
from bot.parsing.phones import region_for_timezone
from bot.service import Where
from storage import Actor, ChatSettings

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Env:
    """The chat and user an update comes from, resolved against their settings."""

    _: Translator
    chat: ChatSettings
    where: Where
    tz_chosen: bool

    @property
    def lang(self) -> str:
        return self._.lang

    @property
    def tz(self) -> str:
        return self.where.tz

    @property
    def is_group(self) -> bool:
        return self.chat.kind in (ChatType.GROUP, ChatType.SUPERGROUP)


async def chat_settings(context: BotContext, update: Update) -> ChatSettings:
    """The chat's stored settings, creating the chat on first contact (cached in memory)."""
    chat = update.effective_chat
    assert chat is not None
    cache = context.services.chat_cache
    found = cache.get(chat.id)
    if found is None:
        found = await context.storage.ensure_chat(
            chat.id, chat.type, chat.title, context.clock.now()
        )
        cache[chat.id] = found
    return found


def remember_settings(context: BotContext, settings: ChatSettings) -> None:
    context.services.chat_cache[settings.chat_id] = settings


async def env_for(update: Update, context: BotContext) -> Env:
    chat = await chat_settings(context, update)
    user = update.effective_user
    defaults = context.settings
    lang = chat.language or normalize_language(
        user.language_code if user else None, defaults.default_language
    )
    tz = chat.timezone or defaults.default_timezone
    actor = (
        Actor(user.id, user.full_name, user.username, user.language_code)
        if user
        else Actor(0, "?")
    )
    where = Where(
        chat_id=chat.chat_id,
        actor=actor,
        tz=tz,
        phone_region=chat.phone_region or region_for_timezone(tz),
        now=context.clock.now(),
    )
    return Env(Translator(lang), chat, where, tz_chosen=chat.timezone is not None)


def fit(text: str, limit: int = MessageLimit.MAX_TEXT_LENGTH) -> str:
    """Cut a message made of self-contained HTML lines so that it fits one Telegram message."""
    if len(text) <= limit:
        return text
    lines = text.split("\n")
    while lines and len("\n".join(lines)) + 2 > limit:
        lines.pop()
    return "\n".join(lines) + "\n…"


async def reply(
    update: Update, text: str, markup: InlineKeyboardMarkup | None = None
) -> Message | None:
    message = update.effective_message
    if message is None:
        return None
    return await message.reply_text(fit(text), reply_markup=markup, do_quote=False)


async def edit(
    message: MaybeInaccessibleMessage | None, text: str, markup: InlineKeyboardMarkup | None
) -> None:
    """Edit a bot message in place; an unchanged message is not an error."""
    if not isinstance(message, Message):
        return
    try:
        await message.edit_text(fit(text), reply_markup=markup)
    except BadRequest as exc:
        if "not modified" not in exc.message:
            raise
