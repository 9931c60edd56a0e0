"""What every handler needs: the chat's language and zone, and safe ways to reply."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from telegram import (
    CallbackQuery,
    InlineKeyboardMarkup,
    MaybeInaccessibleMessage,
    Message,
    Update,
)
from telegram.constants import ChatType, MessageLimit
from telegram.error import BadRequest, NetworkError

from bot.context import BotContext
from bot.i18n import Translator, normalize_language
from bot.parsing.phones import region_for_timezone
from bot.service import Where
from storage import Actor, ChatSettings

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Env:
    """The chat and user an update comes from, resolved against their settings.

    ``chat`` is where the update came from; ``space`` is the workspace the data belongs to —
    the same chat, or a group the user logs into from their private chat (/workspace).
    """

    _: Translator
    chat: ChatSettings
    where: Where
    tz_chosen: bool
    space: ChatSettings
    role: str = "member"  # member (or owner of a private workspace) | reviewer

    @property
    def lang(self) -> str:
        return self._.lang

    @property
    def tz(self) -> str:
        return self.where.tz

    @property
    def is_group(self) -> bool:
        """The update came from a group (compact confirmations there)."""
        return self.chat.kind in (ChatType.GROUP, ChatType.SUPERGROUP)

    @property
    def space_is_group(self) -> bool:
        return self.space.kind in (ChatType.GROUP, ChatType.SUPERGROUP)

    @property
    def elsewhere(self) -> bool:
        """Logging from a private chat into a group workspace."""
        return self.space.chat_id != self.chat.chat_id

    @property
    def read_only(self) -> bool:
        return self.role == "reviewer"


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


async def settings_of(context: BotContext, chat_id: int) -> ChatSettings | None:
    cache = context.services.chat_cache
    found = cache.get(chat_id)
    if found is None:
        found = await context.storage.chat_settings(chat_id)
        if found is not None:
            cache[chat_id] = found
    return found


async def workspace_of(context: BotContext, user_id: int) -> tuple[ChatSettings, str] | None:
    """The group workspace a user logs into from private chat, with their role there."""
    active = context.services.active_workspaces
    if user_id not in active:
        active[user_id] = await context.storage.active_workspace(user_id)
    chat_id = active[user_id]
    if chat_id is None:
        return None
    # Checked on every use: a revoked link, a purged group or a bot that left ends access.
    found = [s for s in await context.storage.workspaces_of(user_id) if s.chat_id == chat_id]
    space = await settings_of(context, chat_id) if found else None
    if space is None:
        active[user_id] = None
        return None
    return space, found[0].role


async def env_for(update: Update, context: BotContext) -> Env:
    chat = await chat_settings(context, update)
    user = update.effective_user
    defaults = context.settings
    lang = chat.language or normalize_language(
        user.language_code if user else None, defaults.default_language
    )
    space, role = chat, "member"
    if user is not None and chat.kind == ChatType.PRIVATE:
        found = await workspace_of(context, user.id)
        if found is not None:
            space, role = found
    elif user is not None and chat.kind in (ChatType.GROUP, ChatType.SUPERGROUP):
        seen = context.services.members_seen
        if (chat.chat_id, user.id) not in seen:
            await context.storage.remember_member(chat.chat_id, user.id, context.clock.now())
            seen.add((chat.chat_id, user.id))
    tz = space.timezone or defaults.default_timezone
    actor = (
        Actor(user.id, user.full_name, user.username, user.language_code)
        if user
        else Actor(0, "?")
    )
    where = Where(
        chat_id=space.chat_id,
        actor=actor,
        tz=tz,
        phone_region=space.phone_region or region_for_timezone(tz),
        now=context.clock.now(),
    )
    return Env(
        Translator(lang),
        chat,
        where,
        tz_chosen=space.timezone is not None,
        space=space,
        role=role,
    )


async def may_change(context: BotContext, env: Env, logged_by: int | None) -> bool:
    """Auditors change their own entries; leads (group admins) change any."""
    if env.read_only:
        return False
    if logged_by == env.where.actor.user_id:
        return True
    return await context.services.admins.is_lead(
        context.bot, env.where.chat_id, env.where.actor.user_id
    )


async def is_lead(context: BotContext, env: Env) -> bool:
    return not env.read_only and await context.services.admins.is_lead(
        context.bot, env.where.chat_id, env.where.actor.user_id
    )


def utf16_length(text: str) -> int:
    """Telegram counts message length in UTF-16 code units (an emoji is often two)."""
    return len(text.encode("utf-16-le")) // 2


def fit(text: str, limit: int = MessageLimit.MAX_TEXT_LENGTH) -> str:
    """Cut a message made of self-contained HTML lines so that it fits one Telegram message.

    Measured on the HTML source, which is never shorter than the text Telegram counts.
    """
    if utf16_length(text) <= limit:
        return text
    lines = text.split("\n")
    while lines and utf16_length("\n".join(lines)) + 2 > limit:
        lines.pop()
    return "\n".join(lines) + "\n…"


#: Pauses before trying a reply again after a network error or a 5xx from the Bot API.
REPLY_RETRY_DELAYS = (0.5, 2.0)


async def reply(
    update: Update, text: str, markup: InlineKeyboardMarkup | None = None
) -> Message | None:
    """Reply in the update's chat. Transient failures are retried: the reply is often the
    confirmation of something already saved, and without it the user would log it again."""
    message = update.effective_message
    if message is None:
        return None
    for delay in (*REPLY_RETRY_DELAYS, None):
        try:
            return await message.reply_text(fit(text), reply_markup=markup, do_quote=False)
        except NetworkError as exc:  # includes TimedOut; RetryAfter is the rate limiter's
            if delay is None or isinstance(exc, BadRequest):
                raise
            logger.warning("Reply failed (%s); retrying in %.1f s", exc, delay)
            await asyncio.sleep(delay)
    return None


async def edit(
    message: MaybeInaccessibleMessage | None, text: str, markup: InlineKeyboardMarkup | None
) -> None:
    """Edit a bot message in place; an unchanged message is not an error.

    A message that cannot carry text (a photo, a document — a button on it can only be
    forged) or is gone gets the text as a new message instead.
    """
    if not isinstance(message, Message):
        return
    if message.text is None:
        await message.reply_text(fit(text), reply_markup=markup, do_quote=False)
        return
    try:
        await message.edit_text(fit(text), reply_markup=markup)
    except BadRequest as exc:
        if "not modified" in exc.message:
            return
        if "not found" in exc.message or "no text" in exc.message:
            await message.reply_text(fit(text), reply_markup=markup, do_quote=False)
            return
        raise


async def button_press(update: Update, context: BotContext) -> tuple[CallbackQuery, str, Env]:
    """The pressed button's query, its data and the environment, for every button handler."""
    query = update.callback_query
    assert query is not None
    return query, query.data or "", await env_for(update, context)


async def refuse_read_only(update: Update, env: Env) -> bool:
    """Reviewers see reports and nothing else: say so and stop."""
    if not env.read_only:
        return False
    await reply(update, env._("workspace.read_only"))
    return True


async def refuse_unless_lead(update: Update, context: BotContext, env: Env) -> bool:
    """Lead-only commands in a group: say who may, and stop."""
    if await is_lead(context, env):
        return False
    await reply(update, env._("workspace.leads_only"))
    return True
