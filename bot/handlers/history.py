"""Looking back: a company's timeline and the CSV export."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from telegram import InputFile, Update

from bot import cards
from bot.context import BotContext
from bot.formatting import esc
from bot.handlers.common import env_for, refuse_read_only, refuse_unless_lead, reply
from bot.handlers.promises import find_company

ATTEMPT_COLUMNS = ("id", "called_at", "company", "phone", "outcome", "note", "logged_by")
PROMISE_COLUMNS = (
    "id",
    "attempt_id",
    "company",
    "promised_by",
    "made_at",
    "due_at",
    "status",
    "resolved_at",
    "logged_by",
)


async def history_command(update: Update, context: BotContext) -> None:
    """Show one company's timeline: attempts, promises and how they ended."""
    env = await env_for(update, context)
    if await refuse_read_only(update, env):
        return
    company = await find_company(update, context, env, "history.usage")
    if company is None:
        return
    items = await context.storage.company_timeline(env.where.chat_id, company.id)
    if not items:
        await reply(update, env._("history.empty", company=esc(company.name)))
        return
    await reply(update, cards.timeline(env._, company.name, items, env.where.now, env.tz))


def iso_local(moment: datetime | None, tz: str) -> str:
    """ISO 8601 with the chat's UTC offset, e.g. ``2026-11-24T15:00:00+02:00``."""
    if moment is None:
        return ""
    return moment.astimezone(ZoneInfo(tz)).isoformat(timespec="seconds")


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """UTF-8 with BOM, so spreadsheet programs show Cyrillic."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if value is None else value for value in row])
    return buffer.getvalue().encode("utf-8-sig")


async def export_command(update: Update, context: BotContext) -> None:
    """Send attempts.csv and promises.csv (a public, documented format)."""
    env = await env_for(update, context)
    if await refuse_read_only(update, env):
        return
    if await refuse_unless_lead(update, context, env):
        return
    storage, tz = context.storage, env.tz
    attempts = await storage.export_attempts(env.where.chat_id)
    promises = await storage.export_promises(env.where.chat_id)
    if not attempts and not promises:
        await reply(update, env._("export.empty"))
        return

    def logged_by(name: str | None, user_id: int | None) -> str | None:
        # In a shared group the member's Telegram id tells namesakes apart.
        if env.space_is_group and name is not None and user_id is not None:
            return f"{name} ({user_id})"
        return name

    attempt_rows = (
        (
            a.id,
            iso_local(a.called_at, tz),
            a.company,
            a.phone,
            a.outcome,
            a.note,
            logged_by(a.logged_by, a.logged_by_id),
        )
        for a in attempts
    )
    promise_rows = (
        (
            p.id,
            p.attempt_id,
            p.company,
            p.promised_by,
            iso_local(p.made_at, tz),
            iso_local(p.due_at, tz),
            p.status,
            iso_local(p.resolved_at, tz),
            logged_by(p.logged_by, p.logged_by_id),
        )
        for p in promises
    )
    message = update.effective_message
    assert message is not None
    caption = env._("export.caption", attempts=len(attempts), promises=len(promises))
    await message.reply_document(
        InputFile(csv_bytes(ATTEMPT_COLUMNS, attempt_rows), filename="attempts.csv"),
        caption=caption,
        do_quote=False,
    )
    await message.reply_document(
        InputFile(csv_bytes(PROMISE_COLUMNS, promise_rows), filename="promises.csv"),
        do_quote=False,
    )
