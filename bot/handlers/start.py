"""/start and /help."""

from __future__ import annotations

from telegram import Update

from bot.context import BotContext
from bot.formatting import esc
from bot.handlers.common import env_for, reply
from bot.handlers.settings import ask_timezone
from bot.i18n import Translator

#: Commands in the menu and in /help, in this order.
COMMANDS: tuple[str, ...] = (
    "call",
    "promise",
    "pending",
    "calledback",
    "history",
    "undo",
    "export",
    "report",
    "weekly",
    "settings",
    "help",
)


def help_text(_: Translator) -> str:
    lines = [_("help.title"), ""]
    lines += [f"/{name} — {esc(_(f'command.{name}'))}" for name in COMMANDS]
    lines += ["", _("help.free_text"), _("help.examples")]
    return "\n".join(lines)


async def start_command(update: Update, context: BotContext) -> None:
    """Welcome the user, show two examples, and ask for a time zone if the chat has none."""
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
