"""Logging calls: free-text messages, the guided /call flow, fixing and undoing entries."""

from __future__ import annotations

import logging

from telegram import ForceReply, InlineKeyboardMarkup, Update

from bot import cards, keyboards
from bot.context import BotContext
from bot.formatting import esc
from bot.handlers.common import (
    Env,
    button_press,
    edit,
    env_for,
    may_change,
    refuse_read_only,
    reply,
)
from bot.parsing.calllog import parse_call_log
from bot.service import (
    CallDraft,
    Question,
    Saved,
    Step,
    advance,
    current_draft,
    deadline_choice,
    draft_from_text,
    set_typed_deadline,
    today_is_open,
)
from storage import OUTCOMES, RecordedCall, to_db
from storage.companies import clean_company_name

logger = logging.getLogger(__name__)

#: Questions answered by typing; the others are answered with buttons.
TYPED = {Question.COMPANY.value, Question.DEADLINE.value}


# ---------------------------------------------------------------- rendering steps
def render_step(env: Env, step: Step) -> tuple[str, InlineKeyboardMarkup | None]:
    _ = env._
    now, tz = env.where.now, env.tz
    if isinstance(step, Saved):
        if step.call is not None:
            if env.is_group:  # one line in a shared group: no wall of cards
                text = cards.call_line(_, step.call, now, tz, env.where.actor.name)
            else:
                text = cards.call_card(_, step.call, now, tz)
            markup = keyboards.call_card(_, step.call)
        else:
            assert step.promise is not None
            text = cards.promise_card(_, step.promise, now, tz)
            markup = keyboards.promise_card(_, step.promise)
        if env.elsewhere:
            text += "\n" + _("workspace.logged_to", name=esc(env.space.title or "?"))
        return text, markup
    text = cards.question(_, step, now, tz)
    today = today_is_open(env.where)
    markup = {
        Question.COMPANY: lambda: keyboards.ask_company(_, step.draft_id, step.recent),
        Question.CONFIRM_COMPANY: lambda: keyboards.confirm_company(
            _, step.draft_id, step.suggestions, step.draft.company_name or ""
        ),
        Question.OUTCOME: lambda: keyboards.ask_outcome(_, step.draft_id),
        Question.PROMISE: lambda: keyboards.ask_promise(_, step.draft_id, today),
        Question.DEADLINE: lambda: keyboards.ask_deadline(_, step.draft_id, today),
    }[step.question]()
    return text, markup


async def send_step(update: Update, env: Env, step: Step) -> None:
    text, markup = render_step(env, step)
    await reply(update, text, markup)


async def recorded_call(context: BotContext, chat_id: int, attempt_id: int) -> RecordedCall | None:
    attempt = await context.storage.attempt(chat_id, attempt_id)
    if attempt is None:
        return None
    promises = await context.storage.promises_of_attempt(chat_id, attempt_id)
    pending = [p for p in promises if p.status == "pending"]
    shown = pending or promises
    return RecordedCall(attempt=attempt, promise=shown[-1] if shown else None)


# ---------------------------------------------------------------- free text
async def on_text(update: Update, context: BotContext) -> None:
    """Log a call from one free-text message, or take it as the answer to a pending question."""
    message = update.effective_message
    if message is None or not message.text:
        return
    env = await env_for(update, context)
    if await refuse_read_only(update, env):
        return
    text = message.text.strip()
    if not text:
        return
    current = await current_draft(context.storage, env.where)
    if current is not None:
        draft_id, draft = current
        if draft.kind != "call" and draft.kind != "promise":
            from bot.handlers.typed import on_typed_answer

            if await on_typed_answer(update, context, env, draft_id, draft, text):
                return
        if draft.awaiting in TYPED or _answers_outcome(draft, text):
            await _answer_with_text(update, context, env, draft_id, draft, text)
            return
    step = await advance(context.storage, draft_from_text(text, env.where), env.where)
    await send_step(update, env, step)


def _answers_outcome(draft: CallDraft, text: str) -> bool:
    """'no answer' typed while the bot asks how the call ended answers the question."""
    if draft.awaiting != Question.OUTCOME.value:
        return False
    parsed = parse_call_log(text)
    return parsed.company is None and parsed.outcome is not None


async def _answer_with_text(
    update: Update, context: BotContext, env: Env, draft_id: int, draft: CallDraft, text: str
) -> None:
    if draft.awaiting == Question.COMPANY.value:
        name = clean_company_name(text)
        if not name:
            await reply(update, env._("ask.company"))
            return
        draft.company_name, draft.company_id, draft.company_checked = name, None, False
    elif draft.awaiting == Question.DEADLINE.value:
        set_typed_deadline(draft, text, env.where)
    elif draft.awaiting == Question.OUTCOME.value:
        parsed = parse_call_log(text)
        assert parsed.outcome is not None
        draft.outcome = parsed.outcome.value
        draft.add_note(parsed.note)
    step = await advance(context.storage, draft, env.where, draft_id)
    await send_step(update, env, step)


# ---------------------------------------------------------------- guided flow
async def call_command(update: Update, context: BotContext) -> None:
    """Start the guided flow: company → outcome → promise, all with buttons."""
    env = await env_for(update, context)
    if await refuse_read_only(update, env):
        return
    draft = CallDraft(kind="call", source="guided")
    if context.args:
        draft.company_name = clean_company_name(" ".join(context.args)) or None
    step = await advance(context.storage, draft, env.where)
    await send_step(update, env, step)


async def on_draft_button(update: Update, context: BotContext) -> None:
    """Answer a question about a draft with a button (``d:<draft>:<action>[:<arg>]``)."""
    query, pressed, env = await button_press(update, context)
    _ = env._
    parts = pressed.split(":")
    current = await current_draft(context.storage, env.where)
    if current is None or str(current[0]) != parts[1] or len(parts) < 3:
        draft_id = keyboards.parse_id(parts[1]) if len(parts) > 1 else None
        if draft_id is not None and await context.storage.draft_exists(
            env.where.chat_id, draft_id
        ):
            # Someone else's open question (in a group): leave it alone for them.
            await query.answer(_("error.not_your_question"), show_alert=True)
            return
        await query.answer(_("error.stale_button"), show_alert=True)
        await edit(query.message, _("error.question_expired"), None)
        return
    draft_id, draft = current
    action, arg = parts[2], (parts[3] if len(parts) > 3 else "")
    if action == "x":
        await context.storage.delete_draft(env.where.chat_id, env.where.actor.user_id)
        await query.answer()
        await edit(query.message, _("ask.cancelled"), None)
        return
    if not _apply_button(draft, action, arg, env):
        if action == "co":
            company = await context.storage.company(env.where.chat_id, _int(arg))
            if company is None:
                await query.answer(_("error.stale_button"), show_alert=True)
                return
            draft.company_id, draft.company_name = company.id, company.name
        else:
            await query.answer(_("error.stale_button"), show_alert=True)
            return
    await query.answer()
    step = await advance(context.storage, draft, env.where, draft_id)
    text, markup = render_step(env, step)
    await edit(query.message, text, markup)


def _apply_button(draft: CallDraft, action: str, arg: str, env: Env) -> bool:
    """Apply a pure draft answer; False when it needs storage or is not understood."""
    if action == "cn":
        draft.company_checked = True
    elif action == "oc" and arg in OUTCOMES:
        draft.outcome = arg
        if arg != "answered" and draft.source == "guided":
            draft.wants_promise = False
    elif action in ("pr", "dl") and arg == "no":
        draft.wants_promise = False
    elif action in ("pr", "dl") and arg == "type":
        draft.wants_promise = True
    elif action in ("pr", "dl") and arg in ("1h", "today", "tomorrow", "3d"):
        try:
            draft.due_at = to_db(deadline_choice(arg, env.where))
        except ValueError:
            return False
        draft.wants_promise = True
        draft.deadline_error = None
    else:
        return False
    return True


def _int(text: str) -> int:
    value = keyboards.parse_id(text)
    return -1 if value is None else value


# ---------------------------------------------------------------- fixing a saved call
async def on_attempt_button(update: Update, context: BotContext) -> None:
    """Fix or undo a saved call from its card (``a:<attempt>:<action>[:<arg>]``)."""
    query, pressed, env = await button_press(update, context)
    _ = env._
    parts = pressed.split(":")
    attempt_id = _int(parts[1]) if len(parts) > 2 else -1
    call = await recorded_call(context, env.where.chat_id, attempt_id)
    if call is None or len(parts) < 3:
        await query.answer(_("error.entry_gone"), show_alert=True)
        return
    if not await may_change(context, env, call.attempt.logged_by):
        await query.answer(_("error.not_yours"), show_alert=True)
        return
    action = parts[2]
    storage = context.storage
    if action == "eo":
        await query.answer()
        await edit(
            query.message,
            cards.call_card(_, call, env.where.now, env.tz) + "\n\n" + _("ask.fix_outcome"),
            keyboards.edit_outcome(_, attempt_id),
        )
        return
    if action == "o" and len(parts) > 3 and parts[3] in OUTCOMES:
        await storage.update_attempt(
            env.where.chat_id, attempt_id, outcome=parts[3], now=env.where.now
        )
    elif action == "ec":
        await storage.save_draft(
            env.where.chat_id,
            env.where.actor.user_id,
            CallDraft(kind="edit_company", target=attempt_id, awaiting="company").to_json(),
            env.where.now,
        )
        await query.answer()
        await reply(update, _("ask.fix_company", company=esc(call.attempt.company)), None)
        if update.effective_message is not None and env.is_group:
            await update.effective_message.reply_text(
                _("ask.reply_hint"), reply_markup=ForceReply(selective=True)
            )
        return
    elif action == "u":
        await query.answer()
        await edit(
            query.message,
            cards.call_card(_, call, env.where.now, env.tz) + "\n\n" + _("undo.confirm"),
            keyboards.confirm_undo(_, "a", attempt_id),
        )
        return
    elif action == "u!":
        deleted = await storage.delete_entry(
            env.where.chat_id, env.where.actor.user_id, "attempt", attempt_id
        )
        await query.answer()
        text = (
            _("undo.done", company=esc(call.attempt.company)) if deleted else _("error.entry_gone")
        )
        await edit(query.message, text, None)
        return
    elif action != "k":
        await query.answer(_("error.stale_button"), show_alert=True)
        return
    await query.answer()
    refreshed = await recorded_call(context, env.where.chat_id, attempt_id)
    if refreshed is not None:
        await edit(
            query.message,
            cards.call_card(_, refreshed, env.where.now, env.tz),
            keyboards.call_card(_, refreshed),
        )


# ---------------------------------------------------------------- /undo
async def undo_command(update: Update, context: BotContext) -> None:
    """Offer to remove this user's last entry in this chat."""
    env = await env_for(update, context)
    if await refuse_read_only(update, env):
        return
    _ = env._
    entry = await context.storage.last_entry(env.where.chat_id, env.where.actor.user_id)
    if entry is None:
        await reply(update, _("undo.nothing"))
        return
    area = "a" if entry.kind == "attempt" else "p"
    if entry.kind == "attempt":
        call = await recorded_call(context, env.where.chat_id, entry.id)
        assert call is not None
        body = cards.call_card(_, call, env.where.now, env.tz)
    else:
        promise = await context.storage.promise(env.where.chat_id, entry.id)
        assert promise is not None
        body = cards.promise_card(_, promise, env.where.now, env.tz)
    body = body.split("\n", 1)[1] if "\n" in body else body  # drop the "saved" title
    await reply(
        update, _("undo.confirm") + "\n\n" + body, keyboards.confirm_undo(_, area, entry.id)
    )
