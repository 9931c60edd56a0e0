"""/report and /weekly."""

from __future__ import annotations

from babel.dates import get_day_names
from telegram import Update
from telegram.constants import ChatAction

from bot.context import BotContext
from bot.formatting import esc
from bot.handlers.common import Env, env_for, refuse_read_only, refuse_unless_lead, reply
from bot.parsing.timezones import timezone_label
from bot.reports import PERIOD_WORDS, build_report
from bot.weekly import next_slot, parse_schedule, send_report
from storage import Company


async def report_command(update: Update, context: BotContext) -> None:
    """Charts and a summary: ``/report [week|month|all|<company>]``."""
    env = await env_for(update, context)
    _ = env._
    words = context.args or []
    period, company = "week", None
    if words:
        if len(words) == 1 and words[0].lower() in PERIOD_WORDS:
            period = PERIOD_WORDS[words[0].lower()]
        else:
            if words[-1].lower() in PERIOD_WORDS:
                period = PERIOD_WORDS[words.pop().lower()]
            else:
                period = "all"  # a company's report covers its whole history by default
            company = await _company(context, env.where.chat_id, " ".join(words))
            if company is None:
                await reply(update, _("company.not_found", name=esc(" ".join(words))))
                return
    message = update.effective_message
    assert message is not None
    await message.reply_chat_action(ChatAction.UPLOAD_PHOTO)
    report = await build_report(
        context.storage,
        context.renderer,
        chat_id=env.where.chat_id,
        tz=env.tz,
        _=_,
        now=env.where.now,
        period=period,
        company=company,
        group=env.is_group,
    )
    if not report.text:
        await reply(update, _("report.empty"))
        return
    await send_report(context.bot, env.chat.chat_id, report)


async def _company(context: BotContext, chat_id: int, name: str) -> Company | None:
    match = await context.storage.match_company(chat_id, name)
    if match.exact is not None:
        return match.exact
    return match.similar[0] if len(match.similar) == 1 else None


async def weekly_command(update: Update, context: BotContext) -> None:
    """``/weekly on [day] [time]``, ``/weekly off``, or ``/weekly`` to see the schedule."""
    env = await env_for(update, context)
    if await refuse_read_only(update, env):
        return
    if await refuse_unless_lead(update, context, env):
        return
    _ = env._
    words = [w.lower() for w in context.args or []]
    storage, chat_id = context.storage, env.where.chat_id
    if not words:
        schedule = await storage.weekly(chat_id)
        if schedule is None:
            await reply(update, _("weekly.none"))
        else:
            await reply(update, _weekly_on_text(env, schedule.weekday, schedule.at_time))
        return
    if words[0] == "off":
        await storage.delete_weekly(chat_id)
        await reply(update, _("weekly.off"))
        return
    parsed = parse_schedule(words[1:]) if words[0] == "on" else None
    if parsed is None:
        await reply(update, _("weekly.usage"))
        return
    weekday, at_time = parsed
    next_at = next_slot(env.where.now, env.tz, weekday, at_time)
    await storage.set_weekly(
        chat_id, weekday=weekday, at_time=at_time, next_at=next_at, by=env.where.actor.user_id
    )
    weekly = context.services.weekly
    if weekly is not None:
        weekly.wake()
    await reply(update, _weekly_on_text(env, weekday, at_time))


def _weekly_on_text(env: Env, weekday: int, at_time: str) -> str:
    day = get_day_names("wide", locale=env.lang)[weekday]
    zone = timezone_label(env.tz, env.where.now)
    return env._("weekly.on", day=day, time=at_time, zone=esc(zone))
