"""/start and /help."""

from __future__ import annotations

from telegram import Update

from bot.context import BotContext
from bot.formatting import esc
from bot.handlers.common import env_for, reply
from bot.handlers.groups import open_share_link
from bot.handlers.settings import ask_timezone
from bot.i18n import Translator

#: Commands every member of a workspace may use, in menu order.
MEMBER_COMMANDS: tuple[str, ...] = (
    "call",
    "promise",
    "pending",
    "calledback",
    "history",
    "undo",
    "report",
    "help",
)
#: Commands of a group's leads (its administrators); shown only to them in groups.
LEAD_COMMANDS: tuple[str, ...] = ("export", "weekly", "settings", "share", "revoke")
#: Commands that only make sense in a private chat.
PRIVATE_COMMANDS: tuple[str, ...] = ("workspace", "deletemydata")
#: Everything, for /help and the private-chat menu.
COMMANDS: tuple[str, ...] = MEMBER_COMMANDS + LEAD_COMMANDS + PRIVATE_COMMANDS


def help_text(_: Translator) -> str:
    lines = [_("help.title"), ""]
    lines += [f"/{name} — {esc(_(f'command.{name}'))}" for name in COMMANDS]
    lines += ["", _("help.free_text"), _("help.examples")]
    return "\n".join(lines)


async def start_command(update: Update, context: BotContext) -> None:
    """Welcome the user, show two examples, and ask for a time zone if the chat has none.

    ``/start <token>`` (a reviewer link) opens a shared workspace read-only instead.
    """
    if context.args and await open_share_link(update, context, context.args[0]):
        return
    env = await env_for(update, context)
    await reply(update, env._("start.welcome"))
    if not env.tz_chosen:
        await ask_timezone(update, context, env, source="start")


async def help_command(update: Update, context: BotContext) -> None:
    """List every command with what it does."""
    env = await env_for(update, context)
    await reply(update, help_text(env._))


async def unknown_command(update: Update, context: BotContext) -> None:
    """Answer commands the bot does not know with a hint instead of silence."""
    env = await env_for(update, context)
    await reply(update, env._("error.unknown_command"))
