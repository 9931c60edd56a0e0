"""What a call log means and what to do next.

A message (or a ``/call`` flow, or ``/promise``) becomes a :class:`CallDraft`.  :func:`advance`
either saves it or returns the one question that stands in the way; the draft is kept in the
database between questions, so nothing is guessed and nothing is half-saved.
Handlers render the result; this module knows nothing about Telegram.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from bot.parsing.calllog import parse_call_log
from bot.parsing.deadlines import DeadlineError, extract_deadline, parse_deadline
from bot.parsing.phones import normalize_phone
from storage import (
    Actor,
    Company,
    NewPromise,
    Promise,
    RecordedCall,
    Storage,
    from_db,
    to_db,
)

#: A draft older than this is forgotten: the next message starts afresh.
DRAFT_TTL = timedelta(hours=2)
MAX_NOTE = 1000


class Question(StrEnum):
    COMPANY = "company"  # type the company name
    CONFIRM_COMPANY = "confirm_company"  # did you mean …?
    OUTCOME = "outcome"  # how did the call end?
    PROMISE = "promise"  # did they promise a callback?
    DEADLINE = "deadline"  # by when?


@dataclass
class CallDraft:
    """A half-finished entry. Serialized to JSON in the ``drafts`` table."""

    kind: str = "call"  # call | promise | edit_company | edit_deadline | move_deadline | timezone
    source: str = "text"  # text | guided | command
    company_name: str | None = None
    company_id: int | None = None
    company_checked: bool = False
    suggestions: list[int] = field(default_factory=list)
    phone: str | None = None
    outcome: str | None = None
    note: str | None = None
    wants_promise: bool | None = None
    promised_by: str | None = None
    deadline_text: str | None = None
    deadline_error: str | None = None
    due_at: str | None = None
    target: int | None = None  # the attempt or promise an edit is about
    awaiting: str | None = None  # the question whose typed answer is expected

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> CallDraft:
        data = json.loads(text)
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)

    def add_note(self, text: str | None) -> None:
        text = (text or "").strip(" ,;.-—")
        if text:
            self.note = f"{self.note}; {text}" if self.note else text
            self.note = self.note[:MAX_NOTE]


@dataclass(frozen=True, slots=True)
class Where:
    """Who is logging, where, and in which zone: everything a step needs besides the draft."""

    chat_id: int
    actor: Actor
    tz: str
    phone_region: str | None
    now: datetime


@dataclass(frozen=True, slots=True)
class Ask:
    question: Question
    draft: CallDraft
    draft_id: int
    suggestions: tuple[Company, ...] = ()
    recent: tuple[Company, ...] = ()


@dataclass(frozen=True, slots=True)
class Saved:
    call: RecordedCall | None = None
    promise: Promise | None = None


Step = Ask | Saved


def draft_from_text(text: str, where: Where) -> CallDraft:
    """Understand a free-text call log."""
    parsed = parse_call_log(text)
    draft = CallDraft(kind="call", source="text", company_name=parsed.company)
    if parsed.phone:
        phone = normalize_phone(parsed.phone, where.phone_region)
        if phone:
            draft.phone = phone
        else:
            draft.add_note(parsed.phone)  # keep what was typed rather than lose it
    draft.outcome = parsed.outcome.value if parsed.outcome else None
    draft.add_note(parsed.note)
    if parsed.promise is not None:
        draft.wants_promise = True
        draft.promised_by = parsed.promise.promised_by
        draft.deadline_text = parsed.promise.deadline_text
        draft.outcome = draft.outcome or "answered"
    elif draft.outcome is not None:
        draft.wants_promise = False
    return draft


def deadline_choice(choice: str, where: Where) -> datetime:
    """Turn a quick-answer button (``1h``, ``today``, ``tomorrow``, ``3d``) into a deadline."""
    if choice == "1h":
        return where.now + timedelta(hours=1)
    if choice == "3d":
        return where.now + timedelta(days=3)
    phrase = {"today": "today", "tomorrow": "tomorrow"}.get(choice)
    if phrase is None:
        raise DeadlineError("unrecognized", choice)
    return parse_deadline(phrase, now=where.now, tz=where.tz).due_at


def today_is_open(where: Where) -> bool:
    """Whether "today" (18:00 local) is still ahead, so the button makes sense."""
    try:
        deadline_choice("today", where)
    except DeadlineError:
        return False
    return True


def set_typed_deadline(draft: CallDraft, text: str, where: Where) -> bool:
    """Apply a typed deadline; on failure remember why, for the next question."""
    try:
        draft.due_at = to_db(parse_deadline(text, now=where.now, tz=where.tz).due_at)
    except DeadlineError as exc:
        draft.deadline_error = exc.reason
        return False
    draft.deadline_error = None
    return True


async def advance(
    storage: Storage, draft: CallDraft, where: Where, draft_id: int | None = None
) -> Step:
    """Save the draft if it is complete, else store it and return the next question."""
    question = await _next_question(storage, draft, where)
    if question is not None:
        draft.awaiting = question.value
        saved_id = await storage.save_draft(
            where.chat_id, where.actor.user_id, draft.to_json(), where.now, draft_id
        )
        suggestions: tuple[Company, ...] = ()
        if question is Question.CONFIRM_COMPANY:
            found = [await storage.company(where.chat_id, cid) for cid in draft.suggestions]
            suggestions = tuple(c for c in found if c is not None)
        recent: tuple[Company, ...] = ()
        if question is Question.COMPANY:
            recent = tuple(await storage.recent_companies(where.chat_id))
        return Ask(question, draft, saved_id, suggestions, recent)
    if draft_id is not None:
        await storage.delete_draft(where.chat_id, where.actor.user_id)
    return await _save(storage, draft, where)


async def _next_question(storage: Storage, draft: CallDraft, where: Where) -> Question | None:
    if draft.company_id is None:
        if not draft.company_name:
            return Question.COMPANY
        if not draft.company_checked:
            match = await storage.match_company(where.chat_id, draft.company_name)
            if match.exact is not None:
                draft.company_id = match.exact.id
                draft.company_name = match.exact.name
            elif match.similar:
                draft.suggestions = [c.id for c in match.similar]
                return Question.CONFIRM_COMPANY
            draft.company_checked = True
    if draft.kind == "promise":
        draft.wants_promise = True
    elif draft.outcome is None:
        return Question.OUTCOME
    if draft.wants_promise is None:
        if draft.outcome == "answered":
            return Question.PROMISE
        draft.wants_promise = False
    if draft.wants_promise and draft.due_at is None:
        if not draft.deadline_text:
            return Question.DEADLINE
        text, draft.deadline_text = draft.deadline_text, None
        try:
            deadline, rest = extract_deadline(text, now=where.now, tz=where.tz)
        except DeadlineError as exc:
            draft.deadline_error = exc.reason
            return Question.DEADLINE
        if deadline is None:
            draft.deadline_error = "unrecognized"
            draft.add_note(text)
            return Question.DEADLINE
        draft.due_at = to_db(deadline.due_at)
        draft.add_note(rest)
    return None


async def _save(storage: Storage, draft: CallDraft, where: Where) -> Saved:
    company: int | str
    company = draft.company_id if draft.company_id is not None else str(draft.company_name)
    promise = None
    if draft.wants_promise and draft.due_at:
        promise = NewPromise(promised_by=draft.promised_by, due_at=from_db(draft.due_at))
    if draft.kind == "promise":
        assert promise is not None
        saved = await storage.record_promise(
            where.chat_id, company=company, promise=promise, made_at=where.now, actor=where.actor
        )
        return Saved(promise=saved)
    call = await storage.record_call(
        where.chat_id,
        company=company,
        outcome=str(draft.outcome),
        called_at=where.now,
        actor=where.actor,
        phone=draft.phone,
        note=draft.note,
        promise=promise,
    )
    return Saved(call=call)


async def current_draft(storage: Storage, where: Where) -> tuple[int, CallDraft] | None:
    """The user's unexpired draft in this chat."""
    found = await storage.draft(where.chat_id, where.actor.user_id)
    if found is None:
        return None
    if where.now - found.updated_at > DRAFT_TTL:
        await storage.delete_draft(where.chat_id, where.actor.user_id)
        return None
    try:
        return found.id, CallDraft.from_json(found.payload)
    except (ValueError, TypeError):
        await storage.delete_draft(where.chat_id, where.actor.user_id)
        return None


def split_promise_args(text: str, where: Where) -> tuple[str, datetime, str | None] | None:
    """Split ``/promise`` arguments ``<company> <when> [who]`` at the first date phrase.

    Returns ``None`` when no split yields a deadline; raises DeadlineError for past/too far.
    """
    words = text.split()
    for i in range(1, len(words)):
        deadline, rest = extract_deadline(" ".join(words[i:]), now=where.now, tz=where.tz)
        if deadline is not None:
            who = rest.strip(" ,;.-—") or None
            return " ".join(words[:i]), deadline.due_at, who
    return None
