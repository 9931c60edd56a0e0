"""Input contract of the charts package: small frozen dataclasses filled by SQL aggregates.

The storage layer builds these; the charts package never imports storage.  Counts are
validated on construction so that a wrong aggregate fails loudly where it is made, not as a
strange picture.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType

#: Outcome codes of one call attempt, in the order they are stacked in charts.
OUTCOMES: tuple[str, ...] = (
    "answered",
    "transferred",
    "ivr",
    "voicemail",
    "hung_up",
    "busy",
    "no_answer",
)

#: Promise statuses, in the order they are stacked in the scorecard (good to bad, then open).
STATUSES: tuple[str, ...] = ("kept", "late", "broken", "overdue", "pending")


class NoData(LookupError):
    """Nothing to draw: the bot should answer with a text message instead of an image."""


def _check_counts(owner: object, counts: Mapping[str, int]) -> None:
    for name, value in counts.items():
        if value < 0:
            raise ValueError(f"{type(owner).__name__}.{name} must be >= 0, got {value}")


@dataclass(frozen=True, slots=True)
class PromiseStatusCounts:
    """Promises made by one company in the period, by status."""

    company: str
    kept: int
    late: int
    broken: int
    overdue: int
    pending: int

    def __post_init__(self) -> None:
        _check_counts(self, {status: getattr(self, status) for status in STATUSES})

    @property
    def total(self) -> int:
        return self.kept + self.late + self.broken + self.overdue + self.pending

    def count(self, status: str) -> int:
        """Return the count of one of :data:`STATUSES`."""
        if status not in STATUSES:
            raise KeyError(status)
        value: int = getattr(self, status)
        return value


@dataclass(frozen=True, slots=True)
class ReachRow:
    """How hard one company was to reach in the period.

    ``answered`` and ``ivr_or_transferred`` are disjoint subsets of ``attempts`` (an attempt has
    exactly one outcome); ``median_attempts_to_answer`` is None when no one ever answered.
    """

    company: str
    attempts: int
    answered: int
    median_attempts_to_answer: float | None
    ivr_or_transferred: int

    def __post_init__(self) -> None:
        _check_counts(
            self,
            {
                "attempts": self.attempts,
                "answered": self.answered,
                "ivr_or_transferred": self.ivr_or_transferred,
            },
        )
        if self.answered + self.ivr_or_transferred > self.attempts:
            raise ValueError(
                f"ReachRow({self.company!r}): answered ({self.answered}) + ivr_or_transferred "
                f"({self.ivr_or_transferred}) exceed attempts ({self.attempts})"
            )
        median = self.median_attempts_to_answer
        if median is not None and not (math.isfinite(median) and median >= 1):
            raise ValueError(f"ReachRow({self.company!r}): bad median {median!r}")


@dataclass(frozen=True, slots=True)
class LatenessRow:
    """Callback delays of one company's promises.

    ``delays_hours`` holds one value per promise that got a callback: callback time minus
    deadline, in hours (negative or zero = on time).  ``never`` counts promises that are broken
    or overdue with no callback at all.
    """

    company: str
    delays_hours: tuple[float, ...]
    never: int

    def __post_init__(self) -> None:
        _check_counts(self, {"never": self.never})
        delays = tuple(float(d) for d in self.delays_hours)
        if not all(math.isfinite(d) for d in delays):
            raise ValueError(f"LatenessRow({self.company!r}): delays must be finite numbers")
        object.__setattr__(self, "delays_hours", delays)


@dataclass(frozen=True, slots=True)
class DayActivity:
    """Call attempts of one local day, by outcome code, and promises broken that day.

    Unknown outcome codes are accepted and drawn together as "other".
    """

    day: date
    by_outcome: Mapping[str, int]
    promises_broken: int

    def __post_init__(self) -> None:
        by_outcome = dict(self.by_outcome)
        _check_counts(self, {"promises_broken": self.promises_broken})
        _check_counts(self, by_outcome)
        object.__setattr__(self, "by_outcome", MappingProxyType(by_outcome))

    def __reduce__(self) -> tuple[type[DayActivity], tuple[date, dict[str, int], int]]:
        # Pickled to the chart worker process; a read-only mapping proxy cannot be pickled.
        return (DayActivity, (self.day, dict(self.by_outcome), self.promises_broken))

    @property
    def attempts(self) -> int:
        return sum(self.by_outcome.values())
