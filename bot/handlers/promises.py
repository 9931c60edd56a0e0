"""Promised callbacks: /promise, /calledback, /pending and the buttons on promises."""

from __future__ import annotations

import logging

from telegram import InlineKeyboardMarkup, MaybeInaccessibleMessage, Message, Update

from bot import cards, keyboards
from bot.context import BotContext
from bot.formatting import esc, local_time
from bot.handlers.calls import recorded_call, send_step
from bot.handlers.common import (
    Env,
    button_press,
    edit,
    env_for,
    may_change,
    refuse_read_only,
    reply,
)
from bot.parsing.deadlines import DeadlineError
from bot.service import CallDraft, advance, deadline_choice, split_promise_args, today_is_open
from storage import Company, Promise, StorageError, to_db
from storage.companies import clean_company_name

logger = logging.getLogger(__name__)


async def promise_command(update: Update, context: BotContext) -> None:
    """Record a promise directly: ``/promise <company> <when> [who]``."""
    env = await env_for(update, context)
    if await refuse_read_only(update, env):
        return
    _ = env._
    text = " ".join(context.args or [])
    if not text:
        await reply(update, _("promise.usage"))
        return
    try:
        split = split_promise_args(text, env.where)
    except DeadlineError as exc:
        await reply(update, _(f"deadline_error.{exc.reason}") + "\n" + _("promise.usage"))
        return
    if split is None:
        # No date found: ask for it, keeping the whole text as the company name.
        draft = CallDraft(kind="promise", source="command", company_name=clean_company_name(text))
    else:
        company, due_at, who = split
        draft = CallDraft(
            kind="promise",
            source="command",
            company_name=clean_company_name(company),
            promised_by=who,
            due_at=to_db(due_at),
        )
    step = await advance(context.storage, draft, env.where)
    await send_step(update, env, step)


async def find_company(
    update: Update, context: BotContext, env: Env, usage_key: str
) -> Company | None:
    """Resolve the command's company argument, replying when it cannot."""
    _ = env._
    name = clean_company_name(" ".join(context.args or []))
    if not name:
        await reply(update, _(usage_key))
        return None
    match = await context.storage.match_company(env.where.chat_id, name)
    if match.exact is not None:
        return match.exact
    if match.similar:
        names = ", ".join(f"<b>{esc(c.name)}</b>" for c in match.similar)
        await reply(update, _("company.not_found_similar", name=esc(name), similar=names))
    else:
        await reply(update, _("company.not_found", name=esc(name)))
    return None


async def calledback_command(update: Update, context: BotContext) -> None:
    """The company called back: close its oldest open promise."""
    env = await env_for(update, context)
    if await refuse_read_only(update, env):
        return
    company = await find_company(update, context, env, "calledback.usage")
    if company is None:
        return
    promise = await context.storage.close_oldest_promise(
        env.where.chat_id, company.id, now=env.where.now
    )
    if promise is None:
        await reply(update, env._("calledback.none", company=esc(company.name)))
        return
    await reply(update, resolution_text(env, promise), keyboards.after_callback(env._, promise))


async def pending_command(update: Update, context: BotContext) -> None:
    """List open promises, soonest deadline first, with one-tap answers."""
    env = await env_for(update, context)
    if await refuse_read_only(update, env):
        return
    text, markup = await pending_view(context, env)
    await reply(update, text, markup)


async def pending_view(context: BotContext, env: Env) -> tuple[str, InlineKeyboardMarkup | None]:
    promises = await context.storage.pending_promises(env.where.chat_id, limit=20)
    if not promises:
        return env._("pending.empty"), None
    text = cards.pending(env._, promises, env.where.now, env.tz)
    total = await context.storage.count_pending(env.where.chat_id)
    if total > len(promises):
        text += "\n" + env._("pending.more", count=total - len(promises))
    return text, keyboards.pending_list(promises)


def resolution_text(env: Env, promise: Promise) -> str:
    _ = env._
    key = {
        "kept": "resolved.kept",
        "late": "resolved.late",
        "broken": "resolved.broken",
        "cancelled": "resolved.cancelled",
    }.get(promise.status, "resolved.kept")
    return _(key, company=f"<b>{esc(promise.company)}</b>")


async def on_promise_button(update: Update, context: BotContext) -> None:
    """Buttons on promises: ``p:<id>:…`` on cards and reminders, ``l:<id>:…`` in /pending."""
    query, pressed, env = await button_press(update, context)
    _ = env._
    parts = pressed.split(":")
    area = parts[0]
    promise_id = keyboards.parse_id(parts[1]) if len(parts) > 2 else None
    if promise_id is None:
        await query.answer(_("error.stale_button"), show_alert=True)
        return
    action = parts[2]
    arg = parts[3] if len(parts) > 3 else ""
    storage = context.storage
    chat_id, now = env.where.chat_id, env.where.now
    promise = await storage.promise(chat_id, promise_id)
    if promise is None:
        await query.answer(_("error.entry_gone"), show_alert=True)
        return
    if not await may_change(context, env, promise.logged_by):
        await query.answer(_("error.not_yours"), show_alert=True)
        return
    today = today_is_open(env.where)
    try:
        if action in ("c", "n"):
            status = ("kept" if now <= promise.due_at else "late") if action == "c" else "broken"
            promise = await storage.resolve_promise(chat_id, promise_id, status=status, now=now)
            await query.answer(_("resolved.toast"))
            await _after_resolution(update, context, env, promise, area=area)
            return
        if action == "ot":
            # Only a callback that came late can turn out to have been on time.
            promise = await storage.mark_late_on_time(chat_id, promise_id)
            await query.answer()
            await edit(query.message, resolution_text(env, promise), None)
            return
        if action == "m":
            if promise.status != "pending":
                raise StorageError("promise is not pending")
            await query.answer()
            text = _("move.ask", company=f"<b>{esc(promise.company)}</b>")
            if area in ("l", "r"):
                await reply(update, text, keyboards.move_deadline(_, promise_id, today))
            else:
                await edit(query.message, text, keyboards.move_deadline(_, promise_id, today))
            return
        if action == "mv" and arg == "type":
            await _await_typed(context, env, "move_deadline", promise_id)
            await query.answer()
            await reply(
                update,
                _("ask.deadline", company=f"<b>{esc(promise.company)}</b>")
                + "\n"
                + _("ask.deadline_examples"),
            )
            return
        if action == "mv":
            due = deadline_choice(arg, env.where)
            moved = await storage.move_deadline(
                chat_id, promise_id, due_at=due, now=now, actor=env.where.actor
            )
            await query.answer(_("resolved.toast"))
            await edit(query.message, await moved_text(context, env, moved), None)
            return
        if action == "ed":
            await query.answer()
            await _await_typed(context, env, "edit_deadline", promise_id)
            await edit(
                query.message,
                cards.promise_card(_, promise, now, env.tz) + "\n\n" + _("ask.fix_deadline"),
                keyboards.edit_deadline(_, promise_id, today),
            )
            return
        if action == "dl":
            promise = await storage.set_promise_due(
                chat_id, promise_id, deadline_choice(arg, env.where)
            )
            await context.storage.delete_draft(chat_id, env.where.actor.user_id)
        elif action == "u":
            await query.answer()
            await edit(
                query.message,
                cards.promise_card(_, promise, now, env.tz) + "\n\n" + _("undo.confirm"),
                keyboards.confirm_undo(_, "p", promise_id),
            )
            return
        elif action == "u!":
            deleted = await storage.delete_entry(
                chat_id, env.where.actor.user_id, "promise", promise_id
            )
            await query.answer()
            await edit(
                query.message,
                _("undo.done", company=esc(promise.company)) if deleted else _("error.entry_gone"),
                None,
            )
            return
        elif action != "k":
            await query.answer(_("error.stale_button"), show_alert=True)
            return
    except StorageError:
        await query.answer(_("error.already_resolved"), show_alert=True)
        return
    except DeadlineError as exc:
        await query.answer(_(f"deadline_error.{exc.reason}"), show_alert=True)
        return
    await query.answer()
    await render_promise_owner(query.message, context, env, promise)


async def render_promise_owner(
    message: MaybeInaccessibleMessage | None, context: BotContext, env: Env, promise: Promise
) -> None:
    """Redraw the card a promise was shown on: its call's card, or its own."""
    _ = env._
    if promise.attempt_id is not None:
        call = await recorded_call(context, env.where.chat_id, promise.attempt_id)
        if call is not None:
            await edit(
                message,
                cards.call_card(_, call, env.where.now, env.tz),
                keyboards.call_card(_, call),
            )
            return
    await edit(
        message,
        cards.promise_card(_, promise, env.where.now, env.tz),
        keyboards.promise_card(_, promise),
    )


async def moved_text(context: BotContext, env: Env, promise: Promise) -> str:
    moves = await context.storage.deadline_moves(env.where.chat_id, promise.id)
    text = (
        env._("move.done", company=f"<b>{esc(promise.company)}</b>")
        + "\n"
        + cards.promise_line(env._, promise, env.where.now, env.tz)
    )
    if moves > 1:
        text += "\n" + env._("move.count", count=moves)
    return text


async def _after_resolution(
    update: Update, context: BotContext, env: Env, promise: Promise, *, area: str
) -> None:
    """Show the answer where the button was: a list is redrawn, a reminder becomes the answer."""
    query = update.callback_query
    assert query is not None
    text = resolution_text(env, promise)
    markup = keyboards.after_callback(env._, promise)
    if area == "l":
        list_text, list_markup = await pending_view(context, env)
        await edit(query.message, list_text, list_markup)
        await reply(update, text, markup)
    elif area == "r":
        summary, summary_markup = await summary_view(context, env, query.message)
        await edit(query.message, summary, summary_markup)
        await reply(update, text, markup)
    else:
        await edit(query.message, text, markup)


async def summary_view(
    context: BotContext, env: Env, message: MaybeInaccessibleMessage | None
) -> tuple[str, InlineKeyboardMarkup | None]:
    """Redraw a reminder summary: every promise it listed, buttons only for open ones."""
    ids: list[int] = []
    if isinstance(message, Message) and message.reply_markup is not None:
        for row in message.reply_markup.inline_keyboard:
            data = str(row[0].callback_data or "").split(":")
            if len(data) == 3 and data[0] == "r" and data[1].isdigit():
                ids.append(int(data[1]))
    promises = [p for p in [await context.storage.promise(env.where.chat_id, i) for i in ids] if p]
    _ = env._
    lines = [_("reminder.summary_title", count=len(promises)), ""]
    for number, promise in enumerate(promises, start=1):
        state = (
            local_time(promise.due_at, env.tz, _.lang)
            if promise.status == "pending"
            else _(f"status.{promise.status}")
        )
        lines.append(f"{number}. <b>{esc(promise.company)}</b> — {state}")
    pending = [p for p in promises if p.status == "pending"]
    numbers = {p.id: n for n, p in enumerate(promises, start=1)}
    markup = keyboards.summary_list(pending, numbers) if pending else None
    return "\n".join(lines), markup


async def _await_typed(context: BotContext, env: Env, kind: str, target: int) -> None:
    await context.storage.save_draft(
        env.where.chat_id,
        env.where.actor.user_id,
        CallDraft(kind=kind, target=target, awaiting="deadline").to_json(),
        env.where.now,
    )
