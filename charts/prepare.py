"""The pure "prepare" step of every chart: sort, cut to the worst companies, sum the rest.

Each ``prepare_*`` turns input rows into a small plot description that the renderer draws
as is.  Tests inspect these objects instead of pixels.  Nothing here imports matplotlib.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TypeVar

from charts.data import (
    OUTCOMES,
    STATUSES,
    DayActivity,
    LatenessRow,
    NoData,
    PromiseStatusCounts,
    ReachRow,
)
from charts.style import (
    LATENESS_COLOURS,
    OUTCOME_COLOURS,
    REACH_COLOURS,
    STATUS_COLOURS,
    shorten_names,
)

MAX_COMPANIES = 25

_Row = TypeVar("_Row")


def _split_top(rows: Sequence[_Row], max_companies: int) -> tuple[list[_Row], list[_Row]]:
    """Keep the first ``max_companies`` rows; the rest become one "others" bar.

    An "others" bar standing for a single company would hide its name for nothing, so with
    ``max_companies + 1`` rows all of them are kept.
    """
    if max_companies < 1:
        raise ValueError("max_companies must be >= 1")
    if len(rows) <= max_companies + 1:
        return list(rows), []
    return list(rows[:max_companies]), list(rows[max_companies:])


def _names(companies: Sequence[str]) -> tuple[str, ...]:
    return tuple(shorten_names(companies))


def _share(part: float, whole: float) -> float:
    return part / whole if whole else 0.0


# --------------------------------------------------------------------------- 1. scorecard


@dataclass(frozen=True, slots=True)
class ScorecardBar:
    """One bar: a company (or the "others" bucket) with its counts in ``STATUSES`` order."""

    label: str
    companies: tuple[str, ...]
    counts: tuple[int, ...]
    is_others: bool = False

    @property
    def total(self) -> int:
        return sum(self.counts)

    @property
    def bad(self) -> int:
        """Promises broken or overdue."""
        return self.counts[STATUSES.index("broken")] + self.counts[STATUSES.index("overdue")]

    @property
    def bad_share(self) -> float:
        return _share(self.bad, self.total)


@dataclass(frozen=True, slots=True)
class ScorecardPlot:
    """Bars top to bottom (worst first, "others" last), one stacked segment per status."""

    bars: tuple[ScorecardBar, ...]
    statuses: tuple[str, ...]
    colours: tuple[str, ...]
    totals: Mapping[str, int]

    @property
    def total(self) -> int:
        return sum(self.totals.values())


def _scorecard_order(row: PromiseStatusCounts) -> tuple[float, int, int, str]:
    bad = row.broken + row.overdue
    return (-_share(bad, row.total), -bad, -row.total, row.company.casefold())


def prepare_scorecard(
    rows: Sequence[PromiseStatusCounts], max_companies: int = MAX_COMPANIES
) -> ScorecardPlot:
    """Sort companies worst first (share of promises broken or overdue) and cut to the top."""
    live = sorted((r for r in rows if r.total > 0), key=_scorecard_order)
    if not live:
        raise NoData("no promises in the period")
    top, rest = _split_top(live, max_companies)
    bars = [
        ScorecardBar(
            label=name,
            companies=(row.company,),
            counts=tuple(row.count(s) for s in STATUSES),
        )
        for row, name in zip(top, _names([r.company for r in top]), strict=True)
    ]
    if rest:
        bars.append(
            ScorecardBar(
                label="",
                companies=tuple(r.company for r in rest),
                counts=tuple(sum(r.count(s) for r in rest) for s in STATUSES),
                is_others=True,
            )
        )
    return ScorecardPlot(
        bars=tuple(bars),
        statuses=STATUSES,
        colours=tuple(STATUS_COLOURS[s] for s in STATUSES),
        totals={s: sum(r.count(s) for r in live) for s in STATUSES},
    )


# --------------------------------------------------------------------- 2. getting through

#: Segments of a getting-through bar, in drawing order.
REACH_SEGMENTS: tuple[str, ...] = ("answered", "robot", "no_answer")


@dataclass(frozen=True, slots=True)
class ReachBar:
    """One company's attempts split into answered / robot or transfer / nobody answered."""

    label: str
    companies: tuple[str, ...]
    attempts: int
    answered: int
    robot: int
    median_attempts_to_answer: float | None
    is_others: bool = False

    @property
    def no_answer(self) -> int:
        return self.attempts - self.answered - self.robot

    @property
    def counts(self) -> tuple[int, ...]:
        """Counts in :data:`REACH_SEGMENTS` order."""
        return (self.answered, self.robot, self.no_answer)

    @property
    def answered_share(self) -> float:
        return _share(self.answered, self.attempts)


@dataclass(frozen=True, slots=True)
class ReachPlot:
    bars: tuple[ReachBar, ...]
    segments: tuple[str, ...]
    colours: tuple[str, ...]
    total_attempts: int
    total_answered: int
    companies: int


def _reach_order(row: ReachRow) -> tuple[float, int, float, str]:
    median = row.median_attempts_to_answer
    return (
        _share(row.answered, row.attempts),
        -row.attempts,
        -(median if median is not None else float("inf")),
        row.company.casefold(),
    )


def prepare_reach(rows: Sequence[ReachRow], max_companies: int = MAX_COMPANIES) -> ReachPlot:
    """Sort companies hardest to reach first (lowest share answered, then most attempts)."""
    live = sorted((r for r in rows if r.attempts > 0), key=_reach_order)
    if not live:
        raise NoData("no call attempts in the period")
    top, rest = _split_top(live, max_companies)
    bars = [
        ReachBar(
            label=name,
            companies=(row.company,),
            attempts=row.attempts,
            answered=row.answered,
            robot=row.ivr_or_transferred,
            median_attempts_to_answer=row.median_attempts_to_answer,
        )
        for row, name in zip(top, _names([r.company for r in top]), strict=True)
    ]
    if rest:
        # A median of medians would be a made-up number: the bucket shows none.
        bars.append(
            ReachBar(
                label="",
                companies=tuple(r.company for r in rest),
                attempts=sum(r.attempts for r in rest),
                answered=sum(r.answered for r in rest),
                robot=sum(r.ivr_or_transferred for r in rest),
                median_attempts_to_answer=None,
                is_others=True,
            )
        )
    return ReachPlot(
        bars=tuple(bars),
        segments=REACH_SEGMENTS,
        colours=tuple(REACH_COLOURS[s] for s in REACH_SEGMENTS),
        total_attempts=sum(r.attempts for r in live),
        total_answered=sum(r.answered for r in live),
        companies=len(live),
    )


# ------------------------------------------------------------------------------ 3. how late


@dataclass(frozen=True, slots=True)
class LatenessStrip:
    """One company's callback delays (sorted, hours; <= 0 is on time) and its "never" count."""

    label: str
    companies: tuple[str, ...]
    delays_hours: tuple[float, ...]
    never: int
    is_others: bool = False

    @property
    def on_time(self) -> int:
        return sum(1 for d in self.delays_hours if d <= 0)

    @property
    def late(self) -> int:
        return len(self.delays_hours) - self.on_time

    @property
    def total(self) -> int:
        return len(self.delays_hours) + self.never

    @property
    def median_hours(self) -> float | None:
        return statistics.median(self.delays_hours) if self.delays_hours else None

    @property
    def bad_share(self) -> float:
        """Share of promises called back late or never."""
        return _share(self.late + self.never, self.total)


@dataclass(frozen=True, slots=True)
class LatenessPlot:
    strips: tuple[LatenessStrip, ...]
    colours: Mapping[str, str]
    min_hours: float
    max_hours: float

    @property
    def on_time(self) -> int:
        return sum(s.on_time for s in self.strips)

    @property
    def late(self) -> int:
        return sum(s.late for s in self.strips)

    @property
    def never(self) -> int:
        return sum(s.never for s in self.strips)


def _lateness_order(strip: LatenessStrip) -> tuple[float, float, float, str]:
    median = strip.median_hours
    return (
        -strip.bad_share,
        -_share(strip.never, strip.total),
        -(median if median is not None else 0.0),
        strip.companies[0].casefold(),
    )


def prepare_lateness(
    rows: Sequence[LatenessRow], max_companies: int = MAX_COMPANIES
) -> LatenessPlot:
    """Sort companies worst first (share late or never, then share never, then median delay)."""
    strips = sorted(
        (
            LatenessStrip(
                label="",
                companies=(r.company,),
                delays_hours=tuple(sorted(r.delays_hours)),
                never=r.never,
            )
            for r in rows
            if r.delays_hours or r.never
        ),
        key=_lateness_order,
    )
    if not strips:
        raise NoData("no promises with a deadline in the period")
    top, rest = _split_top(strips, max_companies)
    names = _names([s.companies[0] for s in top])
    shown = [
        LatenessStrip(
            label=name, companies=s.companies, delays_hours=s.delays_hours, never=s.never
        )
        for s, name in zip(top, names, strict=True)
    ]
    if rest:
        shown.append(
            LatenessStrip(
                label="",
                companies=tuple(s.companies[0] for s in rest),
                delays_hours=tuple(sorted(d for s in rest for d in s.delays_hours)),
                never=sum(s.never for s in rest),
                is_others=True,
            )
        )
    every_delay = [d for s in shown for d in s.delays_hours]
    return LatenessPlot(
        strips=tuple(shown),
        colours=LATENESS_COLOURS,
        min_hours=min(every_delay, default=0.0),
        max_hours=max(every_delay, default=0.0),
    )


# ------------------------------------------------------------------------ 4. weekly activity

#: Outcome code for any code the charts do not know.
OTHER_OUTCOME = "other"


@dataclass(frozen=True, slots=True)
class WeeklyPlot:
    """Days left to right (gaps filled with zeros), attempts stacked by outcome."""

    days: tuple[date, ...]
    outcomes: tuple[str, ...]
    colours: tuple[str, ...]
    counts: Mapping[str, tuple[int, ...]]
    broken: tuple[int, ...]

    @property
    def attempts(self) -> tuple[int, ...]:
        return tuple(sum(self.counts[o][i] for o in self.outcomes) for i in range(len(self.days)))

    @property
    def total_attempts(self) -> int:
        return sum(self.attempts)

    @property
    def total_answered(self) -> int:
        return sum(self.counts.get("answered", ()))

    @property
    def total_broken(self) -> int:
        return sum(self.broken)


def _outcome_of(code: str) -> str:
    return code if code in OUTCOMES else OTHER_OUTCOME


def prepare_weekly(days: Sequence[DayActivity]) -> WeeklyPlot:
    """Order days, fill missing days with zeros and keep the outcomes that occur."""
    if not days:
        raise NoData("no days")
    by_day: dict[date, DayActivity] = {}
    for day in days:
        if day.day in by_day:
            raise ValueError(f"day {day.day} given twice")
        by_day[day.day] = day
    first, last = min(by_day), max(by_day)
    span = [first + timedelta(days=i) for i in range((last - first).days + 1)]

    def per_day(get: Callable[[DayActivity], int]) -> tuple[int, ...]:
        return tuple(get(by_day[d]) if d in by_day else 0 for d in span)

    def outcome_count(outcome: str) -> Callable[[DayActivity], int]:
        return lambda a: sum(n for c, n in a.by_outcome.items() if _outcome_of(c) == outcome)

    order = (*OUTCOMES, OTHER_OUTCOME)
    all_counts = {o: per_day(outcome_count(o)) for o in order}
    broken = per_day(lambda a: a.promises_broken)
    outcomes = tuple(o for o in order if any(all_counts[o]))
    if not outcomes and not any(broken):
        raise NoData("no calls and no broken promises on these days")
    return WeeklyPlot(
        days=tuple(span),
        outcomes=outcomes,
        colours=tuple(OUTCOME_COLOURS[o] for o in outcomes),
        counts={o: all_counts[o] for o in outcomes},
        broken=broken,
    )
