"""What a report contains: the numbers from storage, charts rendered off the loop, a summary
that stands on its own for people who cannot see images. Used by /report and weekly reports."""

from __future__ import annotations

import asyncio
import logging
from asyncio import Future
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import charts
from bot.cards import timeline_line
from bot.formatting import esc
from bot.i18n import Translator
from bot.rendering import ChartRenderer
from storage import Company, Storage
from storage.reports import PromiseStats, ReachStats

logger = logging.getLogger(__name__)

#: Period name -> days back (None: everything).
PERIODS: dict[str, int | None] = {"week": 7, "month": 30, "all": None}
PERIOD_WORDS: dict[str, str] = {
    word: period
    for period, words in {
        "week": ("week", "w", "неделя", "неделю", "седмица", "седмицата"),
        "month": ("month", "m", "месяц", "месец", "месеца"),
        "all": ("all", "everything", "всё", "все", "всичко", "всички"),
    }.items()
    for word in words
}
#: Days drawn in the activity chart, per period.
ACTIVITY_DAYS = {"week": 7, "month": 30, "all": 28}


@dataclass(frozen=True, slots=True)
class Report:
    photos: list[bytes] = field(default_factory=list)
    text: str = ""


def local_days(now: datetime, tz: str, count: int) -> list[tuple[date, datetime, datetime]]:
    """The last ``count`` local days up to today: (date, UTC start, UTC end), DST-correct."""
    zone = ZoneInfo(tz)
    today = now.astimezone(zone).date()
    days = []
    for back in range(count - 1, -1, -1):
        day = today - timedelta(days=back)
        start = datetime.combine(day, time(0), tzinfo=zone)
        end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
        days.append((day, start.astimezone(ZoneInfo("UTC")), end.astimezone(ZoneInfo("UTC"))))
    return days


def _bad_share(row: PromiseStats) -> tuple[float, int]:
    total = row.kept + row.late + row.broken + row.overdue + row.pending
    bad = row.broken + row.overdue
    return (bad / total if total else 0.0), total


def _percent(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0


async def build_report(
    storage: Storage,
    renderer: ChartRenderer,
    *,
    chat_id: int,
    tz: str,
    _: Translator,
    now: datetime,
    period: str = "week",
    company: Company | None = None,
    group: bool = False,
) -> Report:
    """Collect, render and summarize; a report with no photos and no text means no data."""
    days_back = PERIODS[period]
    since = None if days_back is None else now - timedelta(days=days_back)
    company_id = company.id if company else None
    label = _(f"report.period_{period}")
    labels = charts.labels_from(_)

    def render(function: Callable[..., bytes], rows: list[Any], **kwargs: str) -> Future[bytes]:
        return asyncio.ensure_future(renderer.render(function, rows, labels, **kwargs))

    # Each chart starts rendering (in the worker processes) as soon as its numbers are in,
    # while the next query runs; the slowest query (reach) goes last.
    promise_rows = await storage.promise_stats(
        chat_id, since=since, now=now, company_id=company_id
    )
    renders: list[Future[bytes]] = []
    if promise_rows:
        scorecard = [
            charts.PromiseStatusCounts(r.company, r.kept, r.late, r.broken, r.overdue, r.pending)
            for r in promise_rows
        ]
        renders.append(render(charts.render_scorecard, scorecard, period=label))
    lateness_rows = await storage.lateness_stats(
        chat_id, since=since, now=now, company_id=company_id
    )
    if lateness_rows:
        lateness = [charts.LatenessRow(r.company, r.delays_hours, r.never) for r in lateness_rows]
        renders.append(render(charts.render_lateness, lateness, period=label))
    reach_rows = await storage.reach_stats(chat_id, since=since, company_id=company_id)
    if not promise_rows and not reach_rows:
        for future in renders:
            future.cancel()
        return Report()
    if reach_rows:
        reach = [
            charts.ReachRow(
                r.company,
                r.attempts,
                r.answered,
                r.median_attempts_to_answer,
                r.ivr_or_transferred,
            )
            for r in reach_rows
        ]
        renders.insert(1 if promise_rows else 0, render(charts.render_reach, reach, period=label))
    days = await storage.daily_activity(
        chat_id, days=local_days(now, tz, ACTIVITY_DAYS[period]), company_id=company_id
    )
    activity = [charts.DayActivity(d.day, d.by_outcome, d.promises_broken) for d in days]
    renders.append(render(charts.render_weekly_activity, activity))
    text = await summary(
        storage, _, chat_id, since, now, tz, label, promise_rows, reach_rows, company, group
    )
    results = await asyncio.gather(*renders, return_exceptions=True)
    photos = []
    for result in results:
        if isinstance(result, bytes):
            photos.append(result)
        elif not isinstance(result, charts.NoData):
            raise result
    return Report(photos=photos, text=text)


async def summary(
    storage: Storage,
    _: Translator,
    chat_id: int,
    since: datetime | None,
    now: datetime,
    tz: str,
    label: str,
    promise_rows: list[PromiseStats],
    reach_rows: list[ReachStats],
    company: Company | None,
    group: bool,
) -> str:
    if company is not None:
        title = _("report.title_company", company=esc(company.name), period=label)
    else:
        title = _("report.title", period=label)
    attempts = sum(r.attempts for r in reach_rows)
    answered = sum(r.answered for r in reach_rows)
    kept = sum(r.kept for r in promise_rows)
    late = sum(r.late for r in promise_rows)
    broken = sum(r.broken for r in promise_rows)
    overdue = sum(r.overdue for r in promise_rows)
    pending = sum(r.pending for r in promise_rows)
    promises = kept + late + broken + overdue + pending
    lines = [
        title,
        _("report.calls", count=attempts, answered=answered, share=_percent(answered, attempts)),
        _(
            "report.promises",
            count=promises,
            kept=kept,
            late=late,
            broken=broken,
            overdue=overdue,
            pending=pending,
        ),
    ]
    if company is not None:
        medians = [r.median_attempts_to_answer for r in reach_rows if r.median_attempts_to_answer]
        if medians:
            lines.append(_("report.tries", tries=f"{medians[0]:g}"))
        moved = sum(r.moved for r in promise_rows)
        if moved:
            lines.append(_("report.moved", count=moved))
        latest = await storage.company_timeline(chat_id, company.id, limit=6)
        if latest:  # without notes: reviewers read reports too
            lines += ["", _("report.latest")]
            lines += [timeline_line(_, item, tz, notes=False) for item in latest]
    else:
        ranked = sorted(
            (r for r in promise_rows if r.broken + r.overdue),
            key=lambda r: (-_bad_share(r)[0], -(r.broken + r.overdue), r.company),
        )
        if ranked:
            lines += ["", _("report.worst")]
            for number, row in enumerate(ranked[:3], start=1):
                total = _bad_share(row)[1]
                lines.append(
                    f"{number}. <b>{esc(row.company)}</b> — "
                    + _("report.bad_of", bad=row.broken + row.overdue, total=total)
                )
        good = [r for r in promise_rows if r.kept and not r.broken + r.overdue + r.late]
        if good:
            best = max(good, key=lambda r: (r.kept, r.company))
            lines += ["", _("report.best", company=f"<b>{esc(best.company)}</b>", count=best.kept)]
    auto_broken = sum(r.auto_broken for r in promise_rows)  # this period (and company)
    if auto_broken:
        lines += ["", _("report.auto_broken", count=auto_broken)]
    if group:
        auditors = await storage.auditor_stats(chat_id, since=since)
        if auditors:
            lines += ["", _("report.auditors")]
            lines += [
                "• "
                + _("report.auditor", name=esc(a.name), attempts=a.attempts, promises=a.promises)
                for a in auditors
            ]
    return "\n".join(lines)
