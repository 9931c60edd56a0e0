"""Storage: each test on a fresh temporary database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from storage import Actor, NewPromise, Storage, StorageError

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
ANNA = Actor(1, "Anna", "anna")
BORIS = Actor(2, "Boris")
CHAT, OTHER_CHAT = 100, 200


@pytest.fixture
async def storage(tmp_path: Path) -> AsyncIterator[Storage]:
    db = await Storage.open(tmp_path / "db" / "test.sqlite3")
    for chat in (CHAT, OTHER_CHAT):
        await db.ensure_chat(chat, "private", None, NOW)
    yield db
    await db.close()


async def test_migrations_set_user_version_and_are_idempotent(tmp_path: Path) -> None:
    path = tmp_path / "x.sqlite3"
    db = await Storage.open(path)
    version = await db.schema_version()
    await db.close()
    db = await Storage.open(path)  # reopening applies nothing twice
    assert await db.schema_version() == version >= 1
    assert await db.integrity_check() == "ok"
    await db.close()


async def test_record_call_with_promise_in_one_transaction(storage: Storage) -> None:
    call = await storage.record_call(
        CHAT,
        company="ACME Ltd",
        outcome="answered",
        called_at=NOW,
        actor=ANNA,
        phone="+37120000000",
        note="to sales",
        promise=NewPromise("Peter", NOW + timedelta(hours=5)),
    )
    assert call.attempt.company == "ACME Ltd"
    assert call.attempt.phone == "+37120000000"
    assert call.promise is not None
    assert call.promise.attempt_id == call.attempt.id
    assert call.promise.due_at == NOW + timedelta(hours=5)
    assert call.promise.status == "pending"
    assert call.promise.promised_by == "Peter"


async def test_companies_match_ignoring_case_quotes_and_legal_forms(storage: Storage) -> None:
    first = await storage.record_call(
        CHAT, company="ООО «Ромашка»", outcome="busy", called_at=NOW, actor=ANNA
    )
    second = await storage.record_call(
        CHAT, company="ромашка", outcome="busy", called_at=NOW, actor=ANNA
    )
    assert first.attempt.company_id == second.attempt.company_id
    match = await storage.match_company(CHAT, '"Ромашка" ООО')
    assert match.exact is not None and match.exact.name == "ООО «Ромашка»"
    near = await storage.match_company(CHAT, "Ромашко")
    assert near.exact is None
    assert [c.name for c in near.similar] == ["ООО «Ромашка»"]
    # Companies are per chat.
    assert (await storage.match_company(OTHER_CHAT, "Ромашка")).exact is None


async def test_invalid_outcome_changes_nothing(storage: Storage) -> None:
    with pytest.raises(StorageError):
        await storage.record_call(CHAT, company="Acme", outcome="maybe", called_at=NOW, actor=ANNA)
    assert await storage.export_attempts(CHAT) == []
    assert (await storage.match_company(CHAT, "Acme")).exact is None


async def test_pending_sorted_by_deadline_and_scoped_by_chat(storage: Storage) -> None:
    for hours, name in [(30, "Late Co"), (2, "Soon Co"), (10, "Mid Co")]:
        await storage.record_promise(
            CHAT,
            company=name,
            promise=NewPromise(None, NOW + timedelta(hours=hours)),
            made_at=NOW,
            actor=ANNA,
        )
    await storage.record_promise(
        OTHER_CHAT, company="Other", promise=NewPromise(None, NOW), made_at=NOW, actor=BORIS
    )
    pending = await storage.pending_promises(CHAT)
    assert [p.company for p in pending] == ["Soon Co", "Mid Co", "Late Co"]
    assert await storage.count_pending(CHAT) == 3


async def test_close_oldest_promise_kept_or_late(storage: Storage) -> None:
    call = await storage.record_call(
        CHAT,
        company="Acme",
        outcome="answered",
        called_at=NOW,
        actor=ANNA,
        promise=NewPromise(None, NOW + timedelta(hours=1)),
    )
    company_id = call.attempt.company_id
    kept = await storage.close_oldest_promise(CHAT, company_id, now=NOW + timedelta(minutes=30))
    assert kept is not None and kept.status == "kept"
    await storage.record_promise(
        CHAT,
        company=company_id,
        promise=NewPromise(None, NOW + timedelta(hours=1)),
        made_at=NOW,
        actor=ANNA,
    )
    late = await storage.close_oldest_promise(CHAT, company_id, now=NOW + timedelta(hours=3))
    assert late is not None and late.status == "late"
    assert late.resolved_at == NOW + timedelta(hours=3)
    assert await storage.close_oldest_promise(CHAT, company_id, now=NOW) is None


async def test_move_deadline_breaks_old_and_counts_moves(storage: Storage) -> None:
    first = await storage.record_promise(
        CHAT,
        company="Provider",
        promise=NewPromise("support", NOW + timedelta(days=1)),
        made_at=NOW,
        actor=ANNA,
    )
    current = first
    for day in range(2, 9):  # the seed story: the repair date moved for eight days
        current = await storage.move_deadline(
            CHAT,
            current.id,
            due_at=NOW + timedelta(days=day),
            now=NOW + timedelta(days=day - 1),
            actor=ANNA,
        )
    assert current.previous_id is not None
    assert current.promised_by == "support"
    assert await storage.deadline_moves(CHAT, current.id) == 7
    old = await storage.promise(CHAT, first.id)
    assert old is not None and old.status == "broken"
    with pytest.raises(StorageError):
        await storage.move_deadline(CHAT, first.id, due_at=NOW, now=NOW, actor=ANNA)


async def test_resolve_twice_is_refused(storage: Storage) -> None:
    promise = await storage.record_promise(
        CHAT, company="Acme", promise=NewPromise(None, NOW), made_at=NOW, actor=ANNA
    )
    await storage.resolve_promise(CHAT, promise.id, status="broken", now=NOW)
    with pytest.raises(StorageError):
        await storage.resolve_promise(CHAT, promise.id, status="kept", now=NOW)
    # A broken promise cannot be "corrected" into a kept one; only a late callback can.
    with pytest.raises(StorageError):
        await storage.mark_late_on_time(CHAT, promise.id)
    late = await storage.record_promise(
        CHAT, company="Acme", promise=NewPromise(None, NOW), made_at=NOW, actor=ANNA
    )
    await storage.resolve_promise(CHAT, late.id, status="late", now=NOW)
    assert (await storage.mark_late_on_time(CHAT, late.id)).status == "kept"


async def test_ids_from_another_chat_are_refused(storage: Storage) -> None:
    call = await storage.record_call(
        CHAT,
        company="Acme",
        outcome="answered",
        called_at=NOW,
        actor=ANNA,
        promise=NewPromise(None, NOW + timedelta(hours=1)),
    )
    assert call.promise is not None
    assert await storage.attempt(OTHER_CHAT, call.attempt.id) is None
    assert await storage.promise(OTHER_CHAT, call.promise.id) is None
    with pytest.raises(StorageError):
        await storage.resolve_promise(OTHER_CHAT, call.promise.id, status="kept", now=NOW)
    with pytest.raises(StorageError):
        await storage.update_attempt(OTHER_CHAT, call.attempt.id, outcome="busy", now=NOW)
    with pytest.raises(StorageError):
        await storage.record_call(
            OTHER_CHAT, company=call.attempt.company_id, outcome="busy", called_at=NOW, actor=ANNA
        )
    assert (
        await storage.delete_entry(OTHER_CHAT, ANNA.user_id, "attempt", call.attempt.id) is False
    )
    assert (await storage.attempt(CHAT, call.attempt.id)) is not None


async def test_undo_removes_only_own_last_entry(storage: Storage) -> None:
    await storage.record_call(CHAT, company="Acme", outcome="busy", called_at=NOW, actor=ANNA)
    later = NOW + timedelta(minutes=1)
    second = await storage.record_call(
        CHAT,
        company="Beta",
        outcome="answered",
        called_at=later,
        actor=ANNA,
        promise=NewPromise(None, later + timedelta(hours=2)),
    )
    await storage.record_call(
        CHAT, company="Gamma", outcome="busy", called_at=later + timedelta(minutes=1), actor=BORIS
    )
    entry = await storage.last_entry(CHAT, ANNA.user_id)
    assert entry is not None and entry.kind == "attempt" and entry.id == second.attempt.id
    assert await storage.delete_entry(CHAT, BORIS.user_id, "attempt", entry.id) is False
    assert await storage.delete_entry(CHAT, ANNA.user_id, "attempt", entry.id) is True
    assert await storage.pending_promises(CHAT) == []
    assert (await storage.match_company(CHAT, "Beta")).exact is None  # orphan company gone
    entry = await storage.last_entry(CHAT, ANNA.user_id)
    assert entry is not None and entry.company == "Acme"


async def test_timeline_and_export(storage: Storage) -> None:
    call = await storage.record_call(
        CHAT,
        company="Acme",
        outcome="answered",
        called_at=NOW,
        actor=ANNA,
        note='<b>"quotes" & more',
        promise=NewPromise("Peter", NOW + timedelta(hours=3)),
    )
    timeline = await storage.company_timeline(CHAT, call.attempt.company_id)
    assert [(i.kind, i.outcome, i.status) for i in timeline] == [
        ("attempt", "answered", None),
        ("promise", None, "pending"),
    ]
    attempts = await storage.export_attempts(CHAT)
    assert attempts[0].note == '<b>"quotes" & more'
    assert attempts[0].logged_by == "Anna"
    promises = await storage.export_promises(CHAT)
    assert promises[0].attempt_id == call.attempt.id
    assert promises[0].resolved_at is None


async def test_drafts_one_per_user_and_chat(storage: Storage) -> None:
    first = await storage.save_draft(CHAT, 1, '{"a":1}', NOW)
    second = await storage.save_draft(CHAT, 1, '{"a":2}', NOW)
    assert first != second
    draft = await storage.draft(CHAT, 1)
    assert draft is not None and draft.payload == '{"a":2}' and draft.id == second
    assert await storage.save_draft(CHAT, 1, '{"a":3}', NOW, draft_id=second) == second
    assert await storage.draft(CHAT, 2) is None
    assert await storage.draft(OTHER_CHAT, 1) is None
    await storage.delete_draft(CHAT, 1)
    assert await storage.draft(CHAT, 1) is None


async def test_chat_settings(storage: Storage) -> None:
    settings = await storage.update_chat_settings(CHAT, timezone="Europe/Riga", language="ru")
    assert settings.timezone == "Europe/Riga" and settings.language == "ru"
    again = await storage.ensure_chat(CHAT, "private", None, NOW)
    assert again.timezone == "Europe/Riga"  # first contact again keeps the settings
    with pytest.raises(StorageError):
        await storage.update_chat_settings(CHAT, colour="red")


async def test_naive_datetimes_are_refused(storage: Storage) -> None:
    naive = datetime(2026, 11, 25, 10, 0)  # noqa: DTZ001 - the point of the test
    with pytest.raises(ValueError, match="naive"):
        await storage.record_call(
            CHAT, company="Acme", outcome="busy", called_at=naive, actor=ANNA
        )
