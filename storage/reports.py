"""Aggregates behind the charts and reports: SQL does the counting, Python only the medians.

Every query is filtered by ``chat_id`` and answered from a covering index (migration 0003), so a
chat with 500,000 attempts is summarized without reading its table rows.  Periods are
``since <= moment`` (``since=None``: everything); promises belong to the period they were *made*
in, attempts to the period they were *called* in (so a run of attempts that began before
``since`` counts from ``since``).  Cancelled promises count nowhere.
Results are ordered by company name, then company id; the charts sort them as they need.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from itertools import pairwise
from typing import Any, Protocol

from storage.models import OUTCOMES
from storage.times import to_db

# The statuses a report counts: 'cancelled' promises were withdrawn and are left out.
_COUNTED = "status IN ('kept', 'late', 'broken', 'pending')"


@dataclass(frozen=True, slots=True)
class PromiseStats:
    """Promises of one company made in the period, by status at ``now``."""

    company_id: int
    company: str
    kept: int
    late: int
    broken: int
    overdue: int  # pending, deadline passed (due_at <= now)
    pending: int  # pending, deadline still ahead (due_at > now)
    auto_broken: int  # broken by the bot after the grace period (a subset of ``broken``)
    moved: int  # promises that replaced an earlier one (a moved deadline)

    @property
    def total(self) -> int:
        return self.kept + self.late + self.broken + self.overdue + self.pending


@dataclass(frozen=True, slots=True)
class ReachStats:
    """How hard one company was to reach: its call attempts in the period."""

    company_id: int
    company: str
    attempts: int
    answered: int
    ivr_or_transferred: int
    #: Median length of the runs of attempts that ended with a person answering (the answered
    #: attempt included); None when nobody answered in the period.
    median_attempts_to_answer: float | None


@dataclass(frozen=True, slots=True)
class LatenessStats:
    """Callback delays of one company's promises made in the period."""

    company_id: int
    company: str
    delays_hours: tuple[float, ...]  # kept/late: resolved_at - due_at, ascending (< 0 = early)
    never: int  # broken, or pending with the deadline passed


@dataclass(frozen=True, slots=True)
class DayStats:
    """Attempts of one local day by outcome (only outcomes that occurred) and promises broken."""

    day: date
    by_outcome: dict[str, int]
    promises_broken: int


@dataclass(frozen=True, slots=True)
class AuditorStats:
    """How much one member logged in the period (attempts called, promises made)."""

    user_id: int
    name: str
    attempts: int
    promises: int


@dataclass(frozen=True, slots=True)
class ReportTotals:
    """The whole chat in the period: attempts, and promises by status at ``now``."""

    attempts: int
    promises: int  # kept + late + broken + overdue + pending
    kept: int
    late: int
    broken: int
    overdue: int
    pending: int
    auto_broken: int


class _Queries(Protocol):
    async def _fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[Any]: ...


class _Where:
    """``WHERE`` conditions and their parameters, built in the same order."""

    def __init__(self, chat_id: int) -> None:
        self.conditions = ["chat_id = ?"]
        self.params: list[Any] = [chat_id]

    def add(self, condition: str, *params: Any) -> _Where:
        self.conditions.append(condition)
        self.params.extend(params)
        return self

    def since(self, column: str, since: datetime | None) -> _Where:
        return self if since is None else self.add(f"{column} >= ?", to_db(since))

    def company(self, company_id: int | None) -> _Where:
        return self if company_id is None else self.add("company_id = ?", company_id)

    @property
    def sql(self) -> str:
        return " WHERE " + " AND ".join(self.conditions)


def median(histogram: Sequence[tuple[int, int]]) -> float:
    """The median of values given as (value, how many times), any order; not empty."""
    ordered = sorted(histogram)
    total = sum(count for _, count in ordered)
    if total <= 0:
        raise ValueError("median of nothing")
    # 0-based positions of the middle element(s): equal when ``total`` is odd.
    low, high = (total - 1) // 2, total // 2
    found: list[int] = []
    seen = 0
    for value, count in ordered:
        for position in (low, high):
            if seen <= position < seen + count:
                found.append(value)
        seen += count
        if len(found) == 2:
            break
    return (found[0] + found[1]) / 2


def _seconds(column: str) -> str:
    # strftime('%s') rather than unixepoch(): the latter needs SQLite 3.38.
    return f"CAST(strftime('%s', {column}) AS INTEGER)"


def _bucket_case(column: str, bounds: Sequence[tuple[str, str]]) -> tuple[str, list[str]]:
    """A CASE giving the index of the [start, end) interval that holds ``column``, or NULL.

    A balanced tree of comparisons (log2(days) per row instead of one pair per day: 84 days
    over 115k attempts take 59 ms instead of 191 ms).  The caller restricts ``column`` to
    [min start, max end); intervals must not overlap.
    """
    order = sorted(range(len(bounds)), key=lambda i: bounds[i])
    for before, after in pairwise(order):
        if bounds[before][1] > bounds[after][0]:
            raise ValueError("days overlap")
    if any(start >= end for start, end in bounds):
        raise ValueError("a day must end after it starts")

    def node(lo: int, hi: int) -> tuple[str, list[str]]:
        if hi - lo == 1:
            index = order[lo]
            end = bounds[index][1]
            if lo + 1 == len(order) or bounds[order[lo + 1]][0] == end:
                return str(index), []  # no gap after this day
            return f"CASE WHEN {column} < ? THEN {index} END", [end]
        mid = (lo + hi) // 2
        left, left_params = node(lo, mid)
        right, right_params = node(mid, hi)
        return (
            f"CASE WHEN {column} < ? THEN {left} ELSE {right} END",
            [bounds[order[mid]][0], *left_params, *right_params],
        )

    return node(0, len(order))


class ReportQueries:
    """Mixin of :class:`storage.Storage`: aggregates for charts and reports."""

    async def promise_stats(
        self: _Queries,
        chat_id: int,
        *,
        since: datetime | None,
        now: datetime,
        company_id: int | None = None,
    ) -> list[PromiseStats]:
        """Promises made in the period per company, by status; overdue vs pending at ``now``."""
        where = _Where(chat_id).add(_COUNTED).since("made_at", since).company(company_id)
        moment = to_db(now)
        rows = await self._fetchall(
            "SELECT s.company_id, c.name, s.kept, s.late, s.broken, s.overdue, s.pending,"
            " s.auto_broken, s.moved FROM ("
            " SELECT company_id,"
            "  sum(status = 'kept') AS kept,"
            "  sum(status = 'late') AS late,"
            "  sum(status = 'broken') AS broken,"
            "  sum(status = 'pending' AND due_at <= ?) AS overdue,"
            "  sum(status = 'pending' AND due_at > ?) AS pending,"
            "  sum(status = 'broken' AND auto_broken = 1) AS auto_broken,"
            "  sum(previous_id IS NOT NULL) AS moved"
            f" FROM promises{where.sql} GROUP BY company_id"
            ") s JOIN companies c ON c.id = s.company_id ORDER BY c.name, c.id",
            (moment, moment, *where.params),
        )
        return [PromiseStats(*row) for row in rows]

    async def reach_stats(
        self: _Queries,
        chat_id: int,
        *,
        since: datetime | None,
        company_id: int | None = None,
    ) -> list[ReachStats]:
        """Attempts in the period per company: answered, robot queues, attempts until answered."""

        def scope(where: _Where) -> _Where:
            where.since("called_at", since).company(company_id)
            if since is not None:
                # Spelled-out companies (and outcomes, below) turn a scan of the whole chat
                # into one index seek per company (and outcome) starting at ``since``: 1-9 ms
                # instead of 35 ms for a week of a 500k-attempt chat (no skip-scan without
                # ANALYZE statistics).
                where.add("company_id IN (SELECT id FROM companies WHERE chat_id = ?)", chat_id)
            return where

        where = scope(_Where(chat_id))
        if since is not None:
            where.add(f"outcome IN ({', '.join('?' * len(OUTCOMES))})", *OUTCOMES)
        # count(*) per (company, outcome) streams off attempts_by_company and is ~2.5x
        # faster than per-row sum(expression) aggregates; the outer query sums ~7 rows a company.
        counts = await self._fetchall(
            "SELECT s.company_id, c.name, s.attempts, s.answered, s.ivr_or_transferred FROM ("
            " SELECT company_id, sum(n) AS attempts,"
            "  sum(CASE WHEN outcome = 'answered' THEN n ELSE 0 END) AS answered,"
            "  sum(CASE WHEN outcome IN ('ivr', 'transferred') THEN n ELSE 0 END)"
            "   AS ivr_or_transferred"
            " FROM (SELECT company_id, outcome, count(*) AS n"
            f"  FROM attempts{where.sql} GROUP BY company_id, outcome)"
            " GROUP BY company_id"
            ") s JOIN companies c ON c.id = s.company_id ORDER BY c.name, c.id",
            where.params,
        )
        # A run is the attempts after one answered call up to and including the next one:
        # the difference of the answered attempts' positions.  Attempts after the last
        # answered one form no run.  Only (company, run length, how many) comes back.
        # The window reads attempts_company_time in (company, called_at, id) order: no sort.
        ordered = scope(_Where(chat_id))
        runs = await self._fetchall(
            "WITH numbered AS ("
            " SELECT company_id, outcome = 'answered' AS is_answered,"
            "  row_number() OVER (PARTITION BY company_id ORDER BY called_at, id) AS n"
            f" FROM attempts{ordered.sql}"
            "), answered AS ("
            " SELECT company_id,"
            "  n - lag(n, 1, 0) OVER (PARTITION BY company_id ORDER BY n) AS run"
            " FROM numbered WHERE is_answered"
            ") SELECT company_id, run, count(*) FROM answered GROUP BY company_id, run",
            ordered.params,
        )
        histograms: dict[int, list[tuple[int, int]]] = {}
        for company, run, count in runs:
            histograms.setdefault(company, []).append((run, count))
        return [
            ReachStats(
                company_id=row[0],
                company=row[1],
                attempts=row[2],
                answered=row[3],
                ivr_or_transferred=row[4],
                median_attempts_to_answer=(
                    median(histograms[row[0]]) if row[0] in histograms else None
                ),
            )
            for row in counts
        ]

    async def lateness_stats(
        self: _Queries,
        chat_id: int,
        *,
        since: datetime | None,
        now: datetime,
        company_id: int | None = None,
    ) -> list[LatenessStats]:
        """Callback delays (hours after the deadline) and never-called promises, per company.

        Companies whose promises made in the period are all still ahead of their deadline
        have nothing to show and are left out.
        """
        where = _Where(chat_id).add(_COUNTED).since("made_at", since).company(company_id)
        rows = await self._fetchall(
            "SELECT s.company_id, c.name, s.delays, s.never FROM ("
            " SELECT company_id,"
            "  group_concat(CASE WHEN status IN ('kept', 'late') AND resolved_at IS NOT NULL"
            f"   THEN {_seconds('resolved_at')} - {_seconds('due_at')} END) AS delays,"
            "  sum(status = 'broken' OR (status = 'pending' AND due_at <= ?)) AS never"
            f" FROM promises{where.sql} GROUP BY company_id"
            ") s JOIN companies c ON c.id = s.company_id"
            " WHERE s.delays IS NOT NULL OR s.never > 0 ORDER BY c.name, c.id",
            (to_db(now), *where.params),
        )
        result = []
        for company, name, delays, never in rows:
            seconds = sorted(int(d) for d in delays.split(",")) if delays else []
            result.append(
                LatenessStats(company, name, tuple(s / 3600 for s in seconds), int(never))
            )
        return result

    async def daily_activity(
        self: _Queries,
        chat_id: int,
        *,
        days: Sequence[tuple[date, datetime, datetime]],
        company_id: int | None = None,
    ) -> list[DayStats]:
        """Attempts per (local day, outcome) and promises broken per day, in one query.

        ``days`` are (local date, UTC start, UTC end) computed by the caller in the chat's
        time zone, so a 23- or 25-hour day around a DST change is bucketed correctly.
        """
        if not days:
            return []
        bounds = [(to_db(start), to_db(end)) for _, start, end in days]
        first = min(start for start, _ in bounds)
        last = max(end for _, end in bounds)
        called, called_params = _bucket_case("called_at", bounds)
        resolved, resolved_params = _bucket_case("resolved_at", bounds)
        attempts = (
            _Where(chat_id)
            .add("called_at >= ? AND called_at < ?", first, last)
            .company(company_id)
        )
        broken = (
            _Where(chat_id)
            .add("status = 'broken' AND resolved_at >= ? AND resolved_at < ?", first, last)
            .company(company_id)
        )
        rows = await self._fetchall(
            f"SELECT {called} AS bucket, outcome, count(*) FROM attempts{attempts.sql}"
            " GROUP BY bucket, outcome"
            " UNION ALL"
            f" SELECT {resolved} AS bucket, NULL, count(*) FROM promises{broken.sql}"
            " GROUP BY bucket",
            (*called_params, *attempts.params, *resolved_params, *broken.params),
        )
        outcomes: list[dict[str, int]] = [{} for _ in days]
        promises_broken = [0] * len(days)
        for index, outcome, count in rows:
            if index is None:  # between two of the given days
                continue
            if outcome is None:
                promises_broken[index] += count
            else:
                outcomes[index][outcome] = count
        return [
            DayStats(day=day, by_outcome=outcomes[i], promises_broken=promises_broken[i])
            for i, (day, _, _) in enumerate(days)
        ]

    async def auditor_stats(
        self: _Queries, chat_id: int, *, since: datetime | None
    ) -> list[AuditorStats]:
        """Attempts and promises each member logged in the period, busiest first."""
        attempts = _Where(chat_id).since("called_at", since)
        promises = _Where(chat_id).add(_COUNTED).since("made_at", since)
        rows = await self._fetchall(
            "SELECT t.user_id, coalesce(u.name, ''), sum(t.attempts) AS attempts,"
            " sum(t.promises) AS promises FROM ("
            " SELECT logged_by AS user_id, count(*) AS attempts, 0 AS promises"
            f" FROM attempts{attempts.sql} GROUP BY logged_by"
            " UNION ALL"
            f" SELECT logged_by, 0, count(*) FROM promises{promises.sql} GROUP BY logged_by"
            ") t LEFT JOIN users u ON u.user_id = t.user_id WHERE t.user_id IS NOT NULL"
            " GROUP BY t.user_id ORDER BY attempts DESC, promises DESC, t.user_id",
            (*attempts.params, *promises.params),
        )
        return [AuditorStats(*row) for row in rows]

    async def report_totals(
        self: _Queries, chat_id: int, *, since: datetime | None, now: datetime
    ) -> ReportTotals:
        """The chat's totals in the period (the title line of a report)."""
        attempts = _Where(chat_id).since("called_at", since)
        promises = _Where(chat_id).add(_COUNTED).since("made_at", since)
        moment = to_db(now)
        rows = await self._fetchall(
            f"SELECT (SELECT count(*) FROM attempts{attempts.sql}), count(*),"
            " coalesce(sum(status = 'kept'), 0), coalesce(sum(status = 'late'), 0),"
            " coalesce(sum(status = 'broken'), 0),"
            " coalesce(sum(status = 'pending' AND due_at <= ?), 0),"
            " coalesce(sum(status = 'pending' AND due_at > ?), 0),"
            " coalesce(sum(status = 'broken' AND auto_broken = 1), 0)"
            f" FROM promises{promises.sql}",
            (*attempts.params, moment, moment, *promises.params),
        )
        return ReportTotals(*rows[0])
