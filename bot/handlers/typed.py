"""Typed answers to the bot's own questions about saved entries and settings."""

from __future__ import annotations

from telegram import Update

from bot import cards, keyboards
from bot.context import BotContext
from bot.handlers.calls import recorded_call
from bot.handlers.common import Env, reply
from bot.handlers.promises import moved_text
from bot.parsing.deadlines import DeadlineError, parse_deadline
from bot.service import CallDraft
from storage import StorageError
from storage.companies import clean_company_name


async def on_typed_answer(
    update: Update, context: BotContext, env: Env, draft_id: int, draft: CallDraft, text: str
) -> bool:
    """Apply a typed answer to an edit question (company, deadline, moved deadline, zone).

    Returns False when the text is not an answer after all and should be read as a call log.
    """
    _ = env._
    storage = context.storage
    where = env.where
    target = draft.target if draft.target is not None else -1
    if draft.kind == "phone_region":
        from bot.handlers.settings import apply_typed_region

        await apply_typed_region(update, context, env, text)
        return True
    if draft.kind == "timezone":
        from bot.handlers.settings import apply_typed_timezone

        return await apply_typed_timezone(
            update, context, env, text, strict=draft.source != "start"
        )
    try:
        if draft.kind == "edit_company":
            name = clean_company_name(text)
            if not name:
                await reply(update, _("ask.company"))
                return True
            await storage.update_attempt(where.chat_id, target, company=name, now=where.now)
            call = await recorded_call(context, where.chat_id, target)
            await storage.delete_draft(where.chat_id, where.actor.user_id)
            if call is not None:
                await reply(
                    update,
                    cards.call_card(_, call, where.now, env.tz),
                    keyboards.call_card(_, call),
                )
            return True
        due = parse_deadline(text, now=where.now, tz=where.tz).due_at
        if draft.kind == "edit_deadline":
            promise = await storage.set_promise_due(where.chat_id, target, due)
            await storage.delete_draft(where.chat_id, where.actor.user_id)
            await reply(
                update,
                cards.promise_card(_, promise, where.now, env.tz),
                keyboards.promise_card(_, promise),
            )
            return True
        if draft.kind == "move_deadline":
            moved = await storage.move_deadline(
                where.chat_id, target, due_at=due, now=where.now, actor=where.actor
            )
            await storage.delete_draft(where.chat_id, where.actor.user_id)
            await reply(update, await moved_text(context, env, moved))
            return True
    except DeadlineError as exc:
        await reply(update, _(f"deadline_error.{exc.reason}") + "\n" + _("ask.deadline_examples"))
        return True
    except StorageError:
        await storage.delete_draft(where.chat_id, where.actor.user_id)
        await reply(update, _("error.entry_gone"))
        return True
    await storage.delete_draft(where.chat_id, where.actor.user_id)
    return False
