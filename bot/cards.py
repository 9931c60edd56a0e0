"""Message texts built from stored entries (HTML, everything user-supplied escaped)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.formatting import esc, local_time, when
from bot.i18n import Translator
from bot.parsing.phones import format_phone
from bot.service import Ask, Question
from storage import Attempt, Promise, RecordedCall, TimelineItem


def attempt_lines(_: Translator, attempt: Attempt) -> list[str]:
    lines = [f"<b>{esc(attempt.company)}</b> — {_(f'outcome.{attempt.outcome}')}"]
    if attempt.phone:
        lines.append(f"📞 {esc(format_phone(attempt.phone))}")
    if attempt.note:
        lines.append(f"📝 {esc(attempt.note)}")
    return lines


def promise_line(_: Translator, promise: Promise, now: datetime, tz: str) -> str:
    due = when(promise.due_at, now, tz, _.lang)
    if promise.promised_by:
        return "⏰ " + _("card.promise_by", who=esc(promise.promised_by), when=due)
    return "⏰ " + _("card.promise", when=due)


def call_card(_: Translator, call: RecordedCall, now: datetime, tz: str) -> str:
    lines = [_("card.saved"), *attempt_lines(_, call.attempt)]
    if call.promise is not None:
        lines.append(promise_line(_, call.promise, now, tz))
    return "\n".join(lines)


def call_line(_: Translator, call: RecordedCall, now: datetime, tz: str, who: str) -> str:
    """The compact, one-line confirmation used in groups."""
    parts = [f"✅ <b>{esc(call.attempt.company)}</b> — {_(f'outcome.{call.attempt.outcome}')}"]
    if call.promise is not None:
        parts.append(f"⏰ {local_time(call.promise.due_at, tz, _.lang)}")
    parts.append(esc(who))
    return " · ".join(parts)


def promise_card(_: Translator, promise: Promise, now: datetime, tz: str) -> str:
    return "\n".join(
        [
            _("card.saved_promise"),
            f"<b>{esc(promise.company)}</b>",
            promise_line(_, promise, now, tz),
        ]
    )


def question(_: Translator, ask: Ask, now: datetime, tz: str) -> str:
    draft = ask.draft
    if ask.question is Question.COMPANY:
        return _("ask.company")
    if ask.question is Question.CONFIRM_COMPANY:
        return _("ask.confirm_company", name=esc(draft.company_name or ""))
    company = f"<b>{esc(draft.company_name or '')}</b>"
    if ask.question is Question.OUTCOME:
        return _("ask.outcome", company=company)
    if ask.question is Question.PROMISE:
        return _("ask.promise", company=company)
    error = draft.deadline_error
    text = _("ask.deadline", company=company)
    if error:
        text = _(f"deadline_error.{error}") + "\n" + text
    return text + "\n" + _("ask.deadline_examples")


def status_line(_: Translator, promise: Promise, now: datetime, tz: str) -> str:
    status = _(f"status.{promise.status}")
    if promise.resolved_at is not None:
        return _("card.resolved", status=status, when=local_time(promise.resolved_at, tz, _.lang))
    return status


def pending(_: Translator, promises: Sequence[Promise], now: datetime, tz: str) -> str:
    lines = [_("pending.title", count=len(promises)), _("pending.legend"), ""]
    for number, promise in enumerate(promises, start=1):
        overdue = promise.due_at < now
        mark = "🔴" if overdue else "🕒"
        who = f" · {esc(promise.promised_by)}" if promise.promised_by else ""
        lines.append(
            f"{number}. {mark} <b>{esc(promise.company)}</b>{who} — "
            f"{when(promise.due_at, now, tz, _.lang)}"
        )
    return "\n".join(lines)


def timeline(
    _: Translator, company: str, items: Sequence[TimelineItem], now: datetime, tz: str
) -> str:
    lines = [_("history.title", company=esc(company)), ""]
    lines += [timeline_line(_, item, tz) for item in items]
    return "\n".join(lines)


def timeline_line(_: Translator, item: TimelineItem, tz: str, *, notes: bool = True) -> str:
    """One event of a company's history; ``notes=False`` for read-only reviewers' reports."""
    at = local_time(item.at, tz, _.lang)
    if item.kind == "attempt":
        line = f"📞 {at} — {_(f'outcome.{item.outcome}')}"
        if notes and item.note:
            line += f" · {esc(item.note)}"
        return line
    assert item.due_at is not None
    who = f" ({esc(item.promised_by)})" if item.promised_by else ""
    return (
        f"⏰ {at} — "
        + _("history.promise", who=who, due=local_time(item.due_at, tz, _.lang))
        + f" · {_(f'status.{item.status}')}"
    )
