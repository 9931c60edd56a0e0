"""Report aggregates (storage/reports.py) against hand-computed numbers, each on a fresh database."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from storage import Actor, NewPromise, Storage
from storage.reports import (
    AuditorStats,
    DayStats,
    LatenessStats,
    PromiseStats,
    ReachStats,
    ReportTotals,
    median,
)

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
WEEK_AGO = NOW - timedelta(days=7)
ANNA = Actor(1, "Anna", "anna")
BORIS = Actor(2, "Boris")
CHAT, OTHER_CHAT = 100, 200
SOFIA = ZoneInfo("Europe/Sofia")


class RecordingStorage(Storage):
    """Storage that remembers the SQL it ran, to check the query plans."""

    statements: list[tuple[str, Sequence[Any]]]

    async def _fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        self.statements.append((sql, params))
        return await super()._fetchall(sql, params)


@pytest.fixture
async def storage(tmp_path: Path) -> AsyncIterator[RecordingStorage]:
    db = await RecordingStorage.open(tmp_path / "db" / "test.sqlite3")
    assert isinstance(db, RecordingStorage)
    db.statements = []
    for chat in (CHAT, OTHER_CHAT):
        await db.ensure_chat(chat, "group", None, NOW - timedelta(days=60))
    yield db
    await db.close()


def days_ago(days: float, hours: float = 0) -> datetime:
    return NOW - timedelta(days=days, hours=hours)


async def promise(
    storage: Storage,
    company: int | str,
    *,
    made: datetime,
    due: datetime,
    chat: int = CHAT,
    actor: Actor = ANNA,
) -> tuple[int, int]:
    """Record a standalone promise; return (company id, promise id)."""
    saved = await storage.record_promise(
        chat, company=company, promise=NewPromise(None, due), made_at=made, actor=actor
    )
    return saved.company_id, saved.id


async def call(
    storage: Storage,
    company: int | str,
    outcome: str,
    at: datetime,
    *,
    chat: int = CHAT,
    actor: Actor = ANNA,
) -> int:
    """Record a call attempt; return its company id."""
    recorded = await storage.record_call(
        chat, company=company, outcome=outcome, called_at=at, actor=actor
    )
    return recorded.attempt.company_id


# ---------------------------------------------------------------- promises and lateness
async def promise_story(storage: Storage) -> dict[str, int]:
    """Promises of three companies (see the comments for what each one ends as)."""
    # Acme, made in the last week:
    acme, p1 = await promise(storage, "Acme", made=days_ago(6), due=days_ago(5))
    await storage.resolve_promise(CHAT, p1, status="kept", now=days_ago(5, 2))  # 2 h early
    _, p2 = await promise(storage, acme, made=days_ago(6), due=days_ago(5))
    await storage.resolve_promise(CHAT, p2, status="late", now=days_ago(5, -3.5))  # 3.5 h late
    _, p3 = await promise(storage, acme, made=days_ago(6), due=days_ago(5))
    await storage.resolve_promise(CHAT, p3, status="broken", now=days_ago(4))
    _, p4 = await promise(storage, acme, made=days_ago(6), due=days_ago(4))
    broken = await storage.auto_break_overdue(cutoff=days_ago(3), now=days_ago(3))
    assert [p.id for p in broken] == [p4]  # broken by the bot: auto_broken
    _, p5 = await promise(storage, acme, made=days_ago(3), due=days_ago(2))
    # Moved: p5 is broken, its replacement (pending, due tomorrow) has previous_id = p5.
    await storage.move_deadline(CHAT, p5, due_at=days_ago(-1), now=days_ago(2, -1), actor=ANNA)
    await promise(storage, acme, made=days_ago(2), due=NOW - timedelta(hours=1))  # overdue
    await promise(storage, acme, made=days_ago(1), due=NOW)  # due exactly now: overdue
    await promise(storage, acme, made=days_ago(1), due=NOW + timedelta(hours=2))  # pending
    _, p10 = await promise(storage, acme, made=days_ago(1), due=NOW + timedelta(hours=1))
    await storage.resolve_promise(CHAT, p10, status="cancelled", now=days_ago(0, 12))
    # Acme, made before the week: kept 30 minutes early.
    _, p0 = await promise(storage, acme, made=days_ago(10), due=days_ago(9))
    await storage.resolve_promise(CHAT, p0, status="kept", now=days_ago(9, 0.5))
    # Beta: one pending promise made in a call yesterday.
    beta = await storage.record_call(
        CHAT,
        company="Beta",
        outcome="answered",
        called_at=days_ago(1),
        actor=BORIS,
        promise=NewPromise("Olga", NOW + timedelta(hours=5)),
    )
    # Old Co: overdue for weeks, made before the period.
    old, _ = await promise(storage, "Old Co", made=days_ago(20), due=days_ago(19))
    # Another chat: invisible everywhere.
    await promise(storage, "Acme", made=days_ago(1), due=days_ago(0, 1), chat=OTHER_CHAT)
    return {"acme": acme, "beta": beta.attempt.company_id, "old": old}


async def test_promise_stats_by_status_at_now(storage: Storage) -> None:
    ids = await promise_story(storage)
    week = await storage.promise_stats(CHAT, since=WEEK_AGO, now=NOW)
    assert week == [
        # kept p1; late p2; broken p3, p4 (auto), p5 (moved); overdue p7, p8 (due == now);
        # pending p6 (the moved one), p9; cancelled p10 nowhere; p0 before the week.
        PromiseStats(ids["acme"], "Acme", kept=1, late=1, broken=3, overdue=2, pending=2,
                     auto_broken=1, moved=1),
        PromiseStats(ids["beta"], "Beta", kept=0, late=0, broken=0, overdue=0, pending=1,
                     auto_broken=0, moved=0),
    ]  # fmt: skip
    assert week[0].total == 9
    everything = await storage.promise_stats(CHAT, since=None, now=NOW)
    assert [(s.company, s.kept, s.overdue) for s in everything] == [
        ("Acme", 2, 2),
        ("Beta", 0, 0),
        ("Old Co", 0, 1),
    ]
    # A day later p9 and Beta's promise are overdue too, and p6 is due exactly then.
    later = await storage.promise_stats(CHAT, since=WEEK_AGO, now=NOW + timedelta(days=1))
    assert [(s.company, s.overdue, s.pending) for s in later] == [("Acme", 4, 0), ("Beta", 1, 0)]


async def test_promise_stats_company_filter_and_other_chat(storage: Storage) -> None:
    ids = await promise_story(storage)
    only = await storage.promise_stats(CHAT, since=None, now=NOW, company_id=ids["old"])
    assert only == [PromiseStats(ids["old"], "Old Co", 0, 0, 0, 1, 0, 0, 0)]
    other = await storage.promise_stats(OTHER_CHAT, since=None, now=NOW)
    assert [(s.company, s.overdue) for s in other] == [("Acme", 1)]
    # A company id of another chat finds nothing.
    assert (
        await storage.promise_stats(OTHER_CHAT, since=None, now=NOW, company_id=ids["acme"]) == []
    )


async def test_lateness_hours_and_never(storage: Storage) -> None:
    ids = await promise_story(storage)
    week = await storage.lateness_stats(CHAT, since=WEEK_AGO, now=NOW)
    # Beta has only a promise still ahead of its deadline: nothing to show.
    assert week == [LatenessStats(ids["acme"], "Acme", delays_hours=(-2.0, 3.5), never=5)]
    everything = await storage.lateness_stats(CHAT, since=None, now=NOW)
    assert everything == [
        LatenessStats(ids["acme"], "Acme", delays_hours=(-2.0, -0.5, 3.5), never=5),
        LatenessStats(ids["old"], "Old Co", delays_hours=(), never=1),
    ]
    acme = await storage.lateness_stats(CHAT, since=None, now=NOW, company_id=ids["acme"])
    assert acme == everything[:1]


async def test_report_totals(storage: Storage) -> None:
    await promise_story(storage)
    await call(storage, "Acme", "busy", days_ago(2))
    await call(storage, "Acme", "busy", days_ago(8))  # before the week
    await call(storage, "Acme", "busy", days_ago(2), chat=OTHER_CHAT)
    week = await storage.report_totals(CHAT, since=WEEK_AGO, now=NOW)
    # Attempts: Beta's call (with its promise) and one busy call.
    assert week == ReportTotals(attempts=2, promises=10, kept=1, late=1, broken=3, overdue=2,
                                pending=3, auto_broken=1)  # fmt: skip
    everything = await storage.report_totals(CHAT, since=None, now=NOW)
    assert everything == ReportTotals(3, 12, 2, 1, 3, 3, 3, 1)
    assert await storage.report_totals(999, since=None, now=NOW) == ReportTotals(
        0, 0, 0, 0, 0, 0, 0, 0
    )


# ---------------------------------------------------------------- getting through
async def reach_story(storage: Storage) -> dict[str, int]:
    start = days_ago(5)
    minute = timedelta(minutes=1)
    # Runs: 3, 1, 5 (the answered attempt counts), then an unanswered tail of 2.
    outcomes = ["no_answer", "busy", "answered", "answered", "no_answer", "ivr", "transferred",
                "voicemail", "answered", "no_answer", "hung_up"]  # fmt: skip
    runs = 0
    for i, outcome in enumerate(outcomes):
        runs = await call(storage, "Runs", outcome, start + i * minute)
    await call(storage, runs, "no_answer", days_ago(10))  # before the week: lengthens run 1
    # Even: runs 1, 2.  The busy and the answered attempt share a second: the one logged
    # first counts as earlier (else the runs would be 1, 1 and a tail).
    even = await call(storage, "Even", "answered", start)
    await call(storage, even, "busy", start + minute)
    await call(storage, even, "answered", start + minute)
    never = await call(storage, "Never", "no_answer", start)
    await call(storage, never, "busy", start + minute)
    await call(storage, never, "ivr", start + 2 * minute)
    stale = await call(storage, "Stale", "answered", days_ago(30))
    await call(storage, "Runs", "answered", start, chat=OTHER_CHAT)
    return {"runs": runs, "even": even, "never": never, "stale": stale}


def test_median_of_histogram() -> None:
    assert median([(3, 1), (1, 1), (5, 1)]) == 3.0
    assert median([(2, 1), (1, 1)]) == 1.5
    assert median([(2, 3), (10, 1)]) == 2.0  # 2 2 2 10
    assert median([(1, 1), (4, 2), (9, 1)]) == 4.0  # 1 4 4 9
    assert median([(7, 1)]) == 7.0
    with pytest.raises(ValueError, match="nothing"):
        median([])


async def test_reach_counts_and_run_medians(storage: Storage) -> None:
    ids = await reach_story(storage)
    week = await storage.reach_stats(CHAT, since=WEEK_AGO)
    assert week == [
        ReachStats(ids["even"], "Even", attempts=3, answered=2, ivr_or_transferred=0,
                   median_attempts_to_answer=1.5),
        ReachStats(ids["never"], "Never", attempts=3, answered=0, ivr_or_transferred=1,
                   median_attempts_to_answer=None),
        ReachStats(ids["runs"], "Runs", attempts=11, answered=3, ivr_or_transferred=2,
                   median_attempts_to_answer=3.0),
    ]  # fmt: skip
    everything = await storage.reach_stats(CHAT, since=None)
    assert [(s.company, s.attempts, s.median_attempts_to_answer) for s in everything] == [
        ("Even", 3, 1.5),
        ("Never", 3, None),
        ("Runs", 12, 4.0),  # runs 4, 1, 5
        ("Stale", 1, 1.0),
    ]
    only = await storage.reach_stats(CHAT, since=None, company_id=ids["runs"])
    assert only == [everything[2]]
    other = await storage.reach_stats(OTHER_CHAT, since=None)
    assert [(s.company, s.attempts, s.median_attempts_to_answer) for s in other] == [
        ("Runs", 1, 1.0)
    ]


# ---------------------------------------------------------------- days and members
def sofia_days(*days: date) -> list[tuple[date, datetime, datetime]]:
    result = []
    for day in days:
        following = day + timedelta(days=1)
        start = datetime(day.year, day.month, day.day, tzinfo=SOFIA)
        end = datetime(following.year, following.month, following.day, tzinfo=SOFIA)
        result.append((day, start.astimezone(UTC), end.astimezone(UTC)))
    return result


OCT = [date(2026, 10, d) for d in (24, 25, 26, 27)]


def utc(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, 10, day, hour, minute, second, tzinfo=UTC)


async def dst_story(storage: Storage) -> int:
    # Sofia leaves summer time on 25 October 2026: that local day is 25 hours long,
    # 24 Oct 21:00 UTC to 25 Oct 22:00 UTC.
    acme = await call(storage, "Acme", "busy", utc(24, 20, 59, 59))  # 23:59:59 on the 24th
    await call(storage, acme, "no_answer", utc(24, 21))  # 00:00 on the 25th
    await call(storage, acme, "no_answer", utc(25, 0, 30))  # 03:30 summer time
    await call(storage, acme, "no_answer", utc(25, 1, 30))  # 03:30 again, winter time
    await call(storage, acme, "answered", utc(25, 21, 30))  # 23:30 on the 25th (+02:00)
    await call(storage, "Beta", "answered", utc(25, 22))  # 00:00 on the 26th
    await call(storage, acme, "busy", utc(23, 20, 59))  # before the first day
    await call(storage, acme, "busy", utc(27, 22))  # 00:00 on the 28th: after the last
    await call(storage, "Acme", "busy", utc(25, 12), chat=OTHER_CHAT)
    # Broken on the 25th (23:45 local), moved (old one broken) on the 26th; kept: not counted.
    _, p1 = await promise(storage, acme, made=utc(20, 9), due=utc(25, 9))
    await storage.resolve_promise(CHAT, p1, status="broken", now=utc(25, 21, 45))
    _, p2 = await promise(storage, "Beta", made=utc(20, 9), due=utc(26, 7))
    await storage.move_deadline(CHAT, p2, due_at=utc(29, 9), now=utc(26, 8), actor=ANNA)
    _, p3 = await promise(storage, acme, made=utc(20, 9), due=utc(26, 9))
    await storage.resolve_promise(CHAT, p3, status="kept", now=utc(26, 8))
    return acme


async def test_daily_activity_across_dst_change(storage: Storage) -> None:
    acme = await dst_story(storage)
    days = await storage.daily_activity(CHAT, days=sofia_days(*OCT))
    assert days == [
        DayStats(OCT[0], {"busy": 1}, promises_broken=0),
        DayStats(OCT[1], {"no_answer": 3, "answered": 1}, promises_broken=1),
        DayStats(OCT[2], {"answered": 1}, promises_broken=1),
        DayStats(OCT[3], {}, promises_broken=0),  # a day with nothing
    ]
    # The given order is kept; a company filter applies to attempts and broken promises.
    backwards = await storage.daily_activity(
        CHAT, days=sofia_days(*reversed(OCT)), company_id=acme
    )
    assert backwards == [
        DayStats(OCT[3], {}, 0),
        DayStats(OCT[2], {}, 0),
        DayStats(OCT[1], {"no_answer": 3, "answered": 1}, 1),
        DayStats(OCT[0], {"busy": 1}, 0),
    ]
    other = await storage.daily_activity(OTHER_CHAT, days=sofia_days(*OCT))
    assert [d.by_outcome for d in other] == [{}, {"busy": 1}, {}, {}]
    assert await storage.daily_activity(CHAT, days=[]) == []


async def test_daily_activity_days_with_gaps(storage: Storage) -> None:
    await dst_story(storage)
    days = await storage.daily_activity(CHAT, days=sofia_days(OCT[0], OCT[2]))
    assert days == [DayStats(OCT[0], {"busy": 1}, 0), DayStats(OCT[2], {"answered": 1}, 1)]
    overlapping = [*sofia_days(OCT[0]), (OCT[0], utc(24, 12), utc(24, 23))]
    with pytest.raises(ValueError, match="overlap"):
        await storage.daily_activity(CHAT, days=overlapping)


async def test_auditor_stats(storage: Storage) -> None:
    for i in range(3):
        await call(storage, "Acme", "busy", days_ago(1, i), actor=ANNA)
    await call(storage, "Acme", "busy", days_ago(9), actor=ANNA)  # before the week
    await call(storage, "Acme", "answered", days_ago(2), actor=BORIS)
    await promise(storage, "Acme", made=days_ago(2), due=days_ago(1), actor=BORIS)
    await promise(storage, "Acme", made=days_ago(3), due=days_ago(1), actor=BORIS)
    _, cancelled = await promise(storage, "Acme", made=days_ago(3), due=days_ago(1), actor=BORIS)
    await storage.resolve_promise(CHAT, cancelled, status="cancelled", now=days_ago(2))
    await promise(storage, "Acme", made=days_ago(1), due=NOW, actor=ANNA)
    await call(storage, "Acme", "busy", days_ago(1), actor=BORIS, chat=OTHER_CHAT)
    week = await storage.auditor_stats(CHAT, since=WEEK_AGO)
    assert week == [AuditorStats(1, "Anna", attempts=3, promises=1),
                    AuditorStats(2, "Boris", attempts=1, promises=2)]  # fmt: skip
    totals = await storage.report_totals(CHAT, since=WEEK_AGO, now=NOW)
    assert sum(a.attempts for a in week) == totals.attempts
    assert sum(a.promises for a in week) == totals.promises
    everything = await storage.auditor_stats(CHAT, since=None)
    assert [(a.name, a.attempts) for a in everything] == [("Anna", 4), ("Boris", 1)]
    assert await storage.auditor_stats(OTHER_CHAT, since=None) == [AuditorStats(2, "Boris", 1, 0)]


async def test_empty_chat(storage: Storage) -> None:
    assert await storage.promise_stats(CHAT, since=None, now=NOW) == []
    assert await storage.reach_stats(CHAT, since=None) == []
    assert await storage.lateness_stats(CHAT, since=None, now=NOW) == []
    assert await storage.auditor_stats(CHAT, since=None) == []
    assert await storage.daily_activity(CHAT, days=sofia_days(OCT[0])) == [DayStats(OCT[0], {}, 0)]


# ---------------------------------------------------------------- query plans
@pytest.mark.parametrize("since", [None, WEEK_AGO])
@pytest.mark.parametrize("company", [False, True])
async def test_every_report_query_reads_covering_indexes(
    storage: RecordingStorage, since: datetime | None, company: bool
) -> None:
    acme = await call(storage, "Acme", "busy", days_ago(1))
    company_id = acme if company else None
    await storage.promise_stats(CHAT, since=since, now=NOW, company_id=company_id)
    await storage.reach_stats(CHAT, since=since, company_id=company_id)
    await storage.lateness_stats(CHAT, since=since, now=NOW, company_id=company_id)
    await storage.daily_activity(CHAT, days=sofia_days(*OCT), company_id=company_id)
    await storage.auditor_stats(CHAT, since=since)
    await storage.report_totals(CHAT, since=since, now=NOW)
    statements = list(storage.statements)
    assert len(statements) == 7  # reach_stats: counts, then runs
    for sql, params in statements:
        plan = [
            str(row[3]) for row in await storage._fetchall("EXPLAIN QUERY PLAN " + sql, params)
        ]
        reads = [line for line in plan if " attempts " in f"{line} " or " promises " in f"{line} "]
        assert reads, plan
        for line in reads:
            assert "USING COVERING INDEX" in line, (sql, plan)
        if "OVER (PARTITION BY company_id ORDER BY called_at, id)" in sql:
            # The window reads the attempts in index order: no sort right after the read.
            (read,) = reads
            assert "attempts_company_time" in read
            assert "TEMP B-TREE" not in plan[plan.index(read) + 1], plan
