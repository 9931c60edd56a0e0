"""Per-chat settings: time zone and language (``/settings``, and the zone question of /start)."""

from __future__ import annotations

from dataclasses import replace

from telegram import InlineKeyboardMarkup, Update

from bot import keyboards
from bot.context import BotContext
from bot.formatting import esc
from bot.handlers.common import (
    Env,
    button_press,
    edit,
    env_for,
    is_lead,
    refuse_unless_lead,
    remember_settings,
    reply,
)
from bot.i18n import LANGUAGES, Translator, normalize_language
from bot.parsing.phones import parse_region, region_for_timezone
from bot.parsing.timezones import common_timezones, parse_timezone, timezone_label
from bot.service import CallDraft


def settings_text(env: Env, default_repeat: int) -> str:
    _ = env._
    zone = timezone_label(env.tz, env.where.now)
    if not env.tz_chosen:
        zone += " " + _("settings.default_marker")
    language = _(f"language.{env.lang}")
    if env.chat.language is None:
        language += " " + _("settings.auto_marker")
    return "\n".join(
        [
            _("settings.title"),
            _("settings.timezone", zone=esc(zone)),
            _("settings.language", language=language),
            quiet_line(_, env.chat.quiet_start, env.chat.quiet_end),
            repeat_line(_, env.chat.reminder_repeat_hours, default_repeat),
            phone_line(env),
        ]
    )


def phone_line(env: Env) -> str:
    _ = env._
    if env.chat.phone_region:
        return _("settings.phone", region=env.chat.phone_region)
    derived = region_for_timezone(env.chat.timezone or env.tz) or "—"
    return _("settings.phone", region=derived) + " " + _("settings.phone_from_zone")


async def apply_typed_region(update: Update, context: BotContext, env: Env, text: str) -> None:
    """A typed phone region (``LV``, ``+371``) or ``auto`` to follow the time zone again."""
    _ = env._
    await context.storage.delete_draft(env.where.chat_id, env.where.actor.user_id)
    if text.strip().lower() in ("auto", "авто"):
        region = None
    else:
        region = parse_region(text)
        if region is None:  # one answer per question: the next message is a call log again
            await reply(update, _("settings.phone_unknown", text=esc(text[:50])))
            return
    settings = await context.storage.update_chat_settings(env.chat.chat_id, phone_region=region)
    remember_settings(context, settings)
    await reply(update, phone_line(replace(env, chat=settings)))


def quiet_line(_: Translator, start: str, end: str) -> str:
    if start == end:
        return _("settings.quiet", hours=_("settings.off"))
    return _("settings.quiet", hours=f"{start}–{end}")


def repeat_line(_: Translator, hours: int | None, default: int) -> str:
    hours = default if hours is None else hours
    value = _("settings.repeat_hours", count=hours) if hours else _("settings.never")
    return _("settings.repeat", value=value)


def timezone_keyboard(env: Env) -> InlineKeyboardMarkup:
    zones = common_timezones()
    return keyboards.timezones([(timezone_label(z, env.where.now), z) for z in zones])


async def ask_timezone(
    update: Update, context: BotContext, env: Env, *, source: str = "settings"
) -> None:
    """Offer zone buttons and accept a typed zone, offset or city.

    From /start the question is optional: text that is not a zone is logged as a call.
    """
    await context.storage.save_draft(
        env.where.chat_id,
        env.where.actor.user_id,
        CallDraft(kind="timezone", source=source, awaiting="timezone").to_json(),
        env.where.now,
    )
    await reply(update, env._("settings.ask_timezone"), timezone_keyboard(env))


async def settings_command(update: Update, context: BotContext) -> None:
    """Show this chat's settings with buttons to change them."""
    env = await env_for(update, context)
    if env.is_group and await refuse_unless_lead(update, context, env):
        return
    await reply(
        update,
        settings_text(env, context.settings.reminder_repeat_hours),
        keyboards.settings_menu(env._),
    )


async def set_timezone(context: BotContext, env: Env, zone: str) -> Env:
    settings = await context.storage.update_chat_settings(env.chat.chat_id, timezone=zone)
    remember_settings(context, settings)
    where = replace(env.where, tz=zone) if not env.elsewhere else env.where
    space = settings if not env.elsewhere else env.space
    return replace(env, chat=settings, space=space, where=where, tz_chosen=True)


async def apply_typed_timezone(
    update: Update, context: BotContext, env: Env, text: str, *, strict: bool
) -> bool:
    """Set a typed zone; False (nothing done) when it is not one and ``strict`` is off."""
    zone = parse_timezone(text)
    if zone is None:
        if not strict:
            return False
        await reply(update, env._("settings.timezone_unknown", text=esc(text[:100])))
        return True
    await context.storage.delete_draft(env.where.chat_id, env.where.actor.user_id)
    env = await set_timezone(context, env, zone)
    await reply(
        update, env._("settings.timezone_set", zone=esc(timezone_label(zone, env.where.now)))
    )
    return True


async def on_settings_button(update: Update, context: BotContext) -> None:
    """``s:tz``, ``s:tz:<zone>``, ``s:lang``, ``s:lang:<code>``."""
    query, pressed, env = await button_press(update, context)
    if env.is_group and not await is_lead(context, env):
        await query.answer(env._("workspace.leads_only"), show_alert=True)
        return
    parts = pressed.split(":", 2)
    what = parts[1] if len(parts) > 1 else ""
    value = parts[2] if len(parts) > 2 else None
    if what == "tz" and value is None:
        await query.answer()
        await ask_timezone(update, context, env)
        return
    if what == "tz" and value is not None:
        zone = parse_timezone(value)
        if zone is None:
            await query.answer(env._("error.stale_button"), show_alert=True)
            return
        await context.storage.delete_draft(env.where.chat_id, env.where.actor.user_id)
        env = await set_timezone(context, env, zone)
        await query.answer()
        await edit(
            query.message,
            env._("settings.timezone_set", zone=esc(timezone_label(zone, env.where.now))),
            None,
        )
        return
    if what == "lang" and value is None:
        await query.answer()
        await edit(query.message, env._("settings.ask_language"), keyboards.languages(env._))
        return
    if what == "lang" and (value in LANGUAGES or value == "auto"):
        stored = None if value == "auto" else value
        settings = await context.storage.update_chat_settings(env.chat.chat_id, language=stored)
        remember_settings(context, settings)
        user = update.effective_user
        lang = stored or normalize_language(
            user.language_code if user else None, context.settings.default_language
        )
        _ = Translator(lang)
        await query.answer()
        await edit(query.message, _("settings.language_set", language=_(f"language.{lang}")), None)
        return
    if what in ("quiet", "repeat"):
        await _reminder_setting(update, context, env, what, value)
        return
    if what == "phone":
        await context.storage.save_draft(
            env.where.chat_id,
            env.where.actor.user_id,
            CallDraft(kind="phone_region", awaiting="phone_region").to_json(),
            env.where.now,
        )
        await query.answer()
        await reply(update, env._("settings.ask_phone"))
        return
    await query.answer(env._("error.stale_button"), show_alert=True)


async def _reminder_setting(
    update: Update, context: BotContext, env: Env, what: str, value: str | None
) -> None:
    """``s:quiet``, ``s:quiet:<HHMM>:<HHMM>|off``, ``s:repeat``, ``s:repeat:<hours>``."""
    query = update.callback_query
    assert query is not None
    _ = env._
    if value is None:
        markup = keyboards.quiet_hours(_) if what == "quiet" else keyboards.repeat_choices(_)
        await query.answer()
        await edit(query.message, _(f"settings.ask_{what}"), markup)
        return
    fields: dict[str, str | int | None]
    if what == "quiet":
        choices = {
            f"{a.replace(':', '')}:{b.replace(':', '')}": (a, b)
            for a, b in keyboards.QUIET_CHOICES
        }
        start, end = ("00:00", "00:00") if value == "off" else choices.get(value, ("", ""))
        if not start:
            await query.answer(_("error.stale_button"), show_alert=True)
            return
        fields = {"quiet_start": start, "quiet_end": end}
    else:
        if not value.isdigit() or int(value) not in keyboards.REPEAT_CHOICES:
            await query.answer(_("error.stale_button"), show_alert=True)
            return
        fields = {"reminder_repeat_hours": int(value)}
    settings = await context.storage.update_chat_settings(env.chat.chat_id, **fields)
    remember_settings(context, settings)
    await query.answer()
    text = (
        quiet_line(_, settings.quiet_start, settings.quiet_end)
        if what == "quiet"
        else repeat_line(_, settings.reminder_repeat_hours, context.settings.reminder_repeat_hours)
    )
    await edit(query.message, text, None)
