"""Shared audit groups: workspaces, reviewer links, the bot joining and leaving, migration,
and the user's right to have their data deleted."""

from __future__ import annotations

import logging
import secrets

from telegram import ChatMemberUpdated, Update
from telegram import InlineKeyboardButton as Button
from telegram import InlineKeyboardMarkup as Markup
from telegram.constants import ChatMemberStatus, ChatType

from bot.context import BotContext
from bot.formatting import esc, local_time
from bot.handlers.common import (
    button_press,
    edit,
    env_for,
    refuse_unless_lead,
    remember_settings,
    reply,
)
from bot.keyboards import data, parse_id, short

logger = logging.getLogger(__name__)

PRESENT = {ChatMemberStatus.MEMBER, ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER}


# ---------------------------------------------------------------- /workspace
async def workspace_command(update: Update, context: BotContext) -> None:
    """Private chat: choose where your entries go — your own log or a group you audit."""
    env = await env_for(update, context)
    _ = env._
    if env.is_group:
        await reply(update, _("workspace.private_only"))
        return
    user_id = env.where.actor.user_id
    spaces = await context.storage.workspaces_of(user_id)
    current = env.space.chat_id
    mark = "✅ "
    rows = [
        [
            Button(
                (mark if current == user_id else "") + _("workspace.personal"),
                callback_data=data("w", 0),
            )
        ]
    ]
    for space in spaces:
        label = short(space.title or str(space.chat_id), 40)
        if space.role == "reviewer":
            label += " 👁"
        rows.append(
            [
                Button(
                    (mark if current == space.chat_id else "") + label,
                    callback_data=data("w", space.chat_id),
                )
            ]
        )
    name = (env.space.title or "?") if env.elsewhere else _("workspace.personal")
    text = _("workspace.current", name=esc(name))
    if not spaces:
        text += "\n" + _("workspace.none")
    await reply(update, text, Markup(rows))


async def on_workspace_button(update: Update, context: BotContext) -> None:
    """``w:<chat id>`` (0 = personal); the id must be one of the user's own workspaces."""
    query, pressed, env = await button_press(update, context)
    _ = env._
    user_id = env.where.actor.user_id
    parts = pressed.split(":")
    wanted_id = parse_id(parts[1].lstrip("-")) if len(parts) == 2 else None
    if parts[1:] == ["0"]:
        wanted = 0
    elif wanted_id is not None:
        wanted = -wanted_id if parts[1].startswith("-") else wanted_id
    else:
        await query.answer(_("error.stale_button"), show_alert=True)
        return
    title = None
    if wanted != 0:
        spaces = {s.chat_id: s for s in await context.storage.workspaces_of(user_id)}
        if wanted not in spaces or env.is_group:
            await query.answer(_("error.stale_button"), show_alert=True)
            return
        title = spaces[wanted].title
    await context.storage.set_active_workspace(
        user_id, wanted or None, env.where.actor.name, env.where.now
    )
    context.services.active_workspaces[user_id] = wanted or None
    await query.answer()
    name = title if wanted else _("workspace.personal")
    await edit(query.message, _("workspace.switched", name=esc(name or "?")), None)


# ---------------------------------------------------------------- reviewer links
async def share_command(update: Update, context: BotContext) -> None:
    """Lead only: create a read-only link for a reviewer, and list the active ones."""
    env = await env_for(update, context)
    _ = env._
    if not env.space_is_group:
        await reply(update, _("share.groups_only"))
        return
    if await refuse_unless_lead(update, context, env):
        return
    storage = context.storage
    token = secrets.token_urlsafe(16)  # 128 bits; only its hash is stored
    await storage.create_share_link(
        env.where.chat_id, token, env.where.actor.user_id, env.where.now
    )
    link = f"https://t.me/{context.bot.username}?start={token}"
    lines = [_("share.created", link=esc(link)), "", _("share.active")]
    for item in await storage.share_links(env.where.chat_id):
        lines.append(
            _(
                "share.item",
                id=item.id,
                created=local_time(item.created_at, env.tz, env.lang),
                count=item.reviewers,
            )
        )
    lines.append(_("share.revoke_hint"))
    await reply(update, "\n".join(lines))


async def revoke_command(update: Update, context: BotContext) -> None:
    """Lead only: ``/revoke <link number>``."""
    env = await env_for(update, context)
    _ = env._
    if await refuse_unless_lead(update, context, env):
        return
    args = context.args or []
    if len(args) != 1 or not args[0].lstrip("#").isdigit():
        await reply(update, _("share.revoke_usage"))
        return
    done = await context.storage.revoke_share_link(
        env.where.chat_id, int(args[0].lstrip("#")), env.where.now
    )
    await reply(update, _("share.revoked") if done else _("share.no_such_link"))


async def open_share_link(update: Update, context: BotContext, token: str) -> bool:
    """``/start <token>`` in private chat: become a reviewer. False if the token is unknown."""
    env = await env_for(update, context)
    _ = env._
    if env.is_group:
        return False
    user_id = env.where.actor.user_id
    chat_id = await context.storage.join_as_reviewer(token, user_id, env.where.now)
    if chat_id is None:
        await reply(update, _("share.invalid"))
        return True
    space = await context.storage.chat_settings(chat_id)
    await context.storage.set_active_workspace(
        user_id, chat_id, env.where.actor.name, env.where.now
    )
    context.services.active_workspaces[user_id] = chat_id
    await reply(update, _("share.welcome", name=esc((space.title if space else None) or "?")))
    return True


# ---------------------------------------------------------------- the bot in groups
async def on_my_chat_member(update: Update, context: BotContext) -> None:
    """The bot was added to or removed from a group."""
    change: ChatMemberUpdated | None = update.my_chat_member
    if change is None or change.chat.type == ChatType.PRIVATE:
        return
    storage, now = context.storage, context.clock.now()
    chat = change.chat
    if change.new_chat_member.status in PRESENT:
        settings = await storage.ensure_chat(chat.id, chat.type, chat.title, now)
        remember_settings(context, settings)
        await storage.bot_returned(chat.id)
        if change.from_user is not None:
            await storage.remember_member(chat.id, change.from_user.id, now)
        logger.info("Added to group %s", chat.id)
    else:
        await storage.bot_left(chat.id, now)
        context.services.admins.forget(chat.id)
        logger.info("Removed from group %s; data kept for the retention period", chat.id)


async def on_member_left(update: Update, context: BotContext) -> None:
    """A member left or was removed: the group's workspace is no longer theirs."""
    message = update.effective_message
    if message is None or message.left_chat_member is None:
        return
    user_id = message.left_chat_member.id
    if user_id == context.bot.id:
        return  # the bot itself: handled by on_my_chat_member
    chat_id = message.chat.id
    await context.storage.forget_member(chat_id, user_id)
    services = context.services
    services.members_seen.discard((chat_id, user_id))
    services.active_workspaces.pop(user_id, None)  # re-read (and re-checked) on next use
    services.admins.forget(chat_id)


async def on_migrate(update: Update, context: BotContext) -> None:
    """A group became a supergroup: the workspace follows it to the new id."""
    message = update.effective_message
    if message is None or message.migrate_to_chat_id is None:
        return
    old, new = message.chat.id, message.migrate_to_chat_id
    await context.storage.migrate_chat(old, new)
    services = context.services
    services.chat_cache.pop(old, None)
    services.chat_cache.pop(new, None)
    services.admins.forget(old)
    services.active_workspaces.clear()
    services.members_seen = {(c, u) for c, u in services.members_seen if c != old}
    logger.info("Group %s migrated to %s", old, new)


# ---------------------------------------------------------------- data rights
async def deletemydata_command(update: Update, context: BotContext) -> None:
    """Private chat: delete my personal log and settings (after a confirmation)."""
    env = await env_for(update, context)
    _ = env._
    if env.is_group:
        await reply(update, _("workspace.private_only"))
        return
    markup = Markup(
        [
            [
                Button(_("delete.confirm_button"), callback_data=data("del", "yes")),
                Button(_("button.keep"), callback_data=data("del", "no")),
            ]
        ]
    )
    await reply(update, _("delete.ask"), markup)


async def on_delete_button(update: Update, context: BotContext) -> None:
    query, pressed, env = await button_press(update, context)
    _ = env._
    if env.is_group:
        await query.answer(_("error.stale_button"), show_alert=True)
        return
    await query.answer()
    if pressed != "del:yes":
        await edit(query.message, _("delete.kept"), None)
        return
    user_id = env.where.actor.user_id
    await context.storage.delete_user_data(user_id)
    services = context.services
    services.chat_cache.pop(user_id, None)
    services.active_workspaces.pop(user_id, None)
    services.members_seen = {(c, u) for c, u in services.members_seen if u != user_id}
    await edit(query.message, _("delete.done"), None)
