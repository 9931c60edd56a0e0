"""Report charts: pure functions from aggregated rows to PNG bytes.

No Telegram or storage imports, and no matplotlib at import time (it costs ~0.7 s): the
renderers import it on first use.  Every render builds its own figure, so renders can run
concurrently in threads (``asyncio.to_thread``).  Empty input raises :class:`NoData`.
"""

from __future__ import annotations

from charts.data import (
    OUTCOMES,
    STATUSES,
    DayActivity,
    LatenessRow,
    NoData,
    PromiseStatusCounts,
    ReachRow,
)
from charts.labels import LABEL_KEYS, ChartLabels, labels_from
from charts.prepare import (
    LatenessPlot,
    ReachPlot,
    ScorecardPlot,
    WeeklyPlot,
    prepare_lateness,
    prepare_reach,
    prepare_scorecard,
    prepare_weekly,
)
from charts.render import (
    render_lateness,
    render_reach,
    render_scorecard,
    render_weekly_activity,
    warm_up,
)

__all__ = [
    "LABEL_KEYS",
    "OUTCOMES",
    "STATUSES",
    "ChartLabels",
    "DayActivity",
    "LatenessPlot",
    "LatenessRow",
    "NoData",
    "PromiseStatusCounts",
    "ReachPlot",
    "ReachRow",
    "ScorecardPlot",
    "WeeklyPlot",
    "labels_from",
    "prepare_lateness",
    "prepare_reach",
    "prepare_scorecard",
    "prepare_weekly",
    "render_lateness",
    "render_reach",
    "render_scorecard",
    "render_weekly_activity",
    "warm_up",
]
