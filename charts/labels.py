"""Translated strings the charts need, passed in by the caller as a plain mapping.

The bot builds the mapping from its catalogue (``bot/locales/<lang>/charts.toml``)::

    labels = {key: _(key) for key in charts.LABEL_KEYS}

Values are plain strings (no plural tables: every text is phrased so that it needs none, e.g.
"Promises: {total}").  Placeholders such as ``{period}`` or ``{total}`` are filled in here.
"""

from __future__ import annotations

import logging
import string
from collections.abc import Callable, Mapping
from typing import Any

logger = logging.getLogger(__name__)

ChartLabels = Mapping[str, str]

#: Every key a chart may look up, with the placeholders its text may use.
LABEL_PLACEHOLDERS: Mapping[str, frozenset[str]] = {
    # statuses of a promise (scorecard legend; same colours in every chart)
    "chart.status_kept": frozenset(),
    "chart.status_late": frozenset(),
    "chart.status_broken": frozenset(),
    "chart.status_overdue": frozenset(),
    "chart.status_pending": frozenset(),
    # outcomes of a call attempt (weekly chart legend)
    "chart.outcome_answered": frozenset(),
    "chart.outcome_transferred": frozenset(),
    "chart.outcome_ivr": frozenset(),
    "chart.outcome_voicemail": frozenset(),
    "chart.outcome_hung_up": frozenset(),
    "chart.outcome_busy": frozenset(),
    "chart.outcome_no_answer": frozenset(),
    "chart.outcome_other": frozenset(),
    # shared
    "chart.others": frozenset({"count"}),
    "chart.percent": frozenset({"value"}),
    "chart.col_total": frozenset(),
    # 1. scorecard
    "chart.scorecard_title": frozenset({"period"}),
    "chart.scorecard_subtitle": frozenset(
        {"total", "kept", "late", "broken", "overdue", "pending", "bad", "bad_pct"}
    ),
    "chart.scorecard_xlabel": frozenset(),
    # 2. getting through
    "chart.reach_title": frozenset({"period"}),
    "chart.reach_subtitle": frozenset({"total", "answered", "answered_pct", "companies"}),
    "chart.reach_answered": frozenset(),
    "chart.reach_robot": frozenset(),
    "chart.reach_no_answer": frozenset(),
    "chart.reach_xlabel": frozenset(),
    "chart.col_attempts": frozenset(),
    "chart.col_median_tries": frozenset(),
    "chart.reach_note": frozenset(),
    # 3. how late
    "chart.lateness_title": frozenset({"period"}),
    "chart.lateness_subtitle": frozenset({"total", "on_time", "late", "never"}),
    "chart.lateness_on_time": frozenset(),
    "chart.lateness_late": frozenset(),
    "chart.lateness_median": frozenset(),
    "chart.lateness_xlabel": frozenset(),
    "chart.never": frozenset(),
    "chart.deadline": frozenset(),
    "chart.unit_hours": frozenset({"n"}),
    "chart.unit_days": frozenset({"n"}),
    # 4. weekly activity
    "chart.weekly_title": frozenset({"start", "end"}),
    "chart.weekly_subtitle": frozenset({"total", "answered", "answered_pct", "broken"}),
    "chart.weekly_ylabel": frozenset(),
    "chart.weekly_broken": frozenset(),
    "chart.date_short": frozenset({"day", "month"}),
    "chart.weekday_mon": frozenset(),
    "chart.weekday_tue": frozenset(),
    "chart.weekday_wed": frozenset(),
    "chart.weekday_thu": frozenset(),
    "chart.weekday_fri": frozenset(),
    "chart.weekday_sat": frozenset(),
    "chart.weekday_sun": frozenset(),
}

#: The keys the caller must provide in :data:`ChartLabels`.
LABEL_KEYS: tuple[str, ...] = tuple(LABEL_PLACEHOLDERS)

WEEKDAY_KEYS: tuple[str, ...] = (
    "chart.weekday_mon",
    "chart.weekday_tue",
    "chart.weekday_wed",
    "chart.weekday_thu",
    "chart.weekday_fri",
    "chart.weekday_sat",
    "chart.weekday_sun",
)


def labels_from(translate: Callable[[str], str]) -> dict[str, str]:
    """Build :data:`ChartLabels` with a translator such as ``bot.i18n.Translator('ru')``."""
    return {key: translate(key) for key in LABEL_KEYS}


def placeholders(text: str) -> set[str]:
    """Return the names of the ``{placeholders}`` used in ``text``."""
    return {
        field.split(".")[0].split("[")[0]
        for _, field, _, _ in string.Formatter().parse(text)
        if field is not None
    }


def text(labels: ChartLabels, key: str, /, **values: Any) -> str:
    """Look up ``key`` and fill its placeholders.

    A missing key or a broken translation must not cost the user the whole chart: the key
    itself (or the unformatted text) is drawn instead and the problem is logged.
    """
    raw = labels.get(key)
    if raw is None:
        logger.warning("chart label %s is missing", key)
        return key
    if not values:
        return raw
    try:
        return raw.format(**values)
    except (KeyError, IndexError, ValueError):
        logger.warning("chart label %s has bad placeholders: %r", key, raw)
        return raw
