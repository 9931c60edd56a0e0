"""Report aggregation queries on a big chat.

Run: ``python -m bench.bench_reports [--attempts 500000] [--promises 20000] [--plans]``.

Two chats in one database: ``--attempts`` call attempts over 20 companies and as many over 200
companies, each with ``--promises`` promises (a year of history, time-ordered inserts, 6
members logging).  Each query of :class:`storage.reports.ReportQueries` is timed through
aiosqlite for the periods week, month and all (median of ``--repeat`` runs), then the whole
set as the bot would run it for one report.  ``daily_activity`` covers 7 local days for
"week", 30 for "month" and 28 for "all" (as bot/reports.py asks).  Prints numbers only
(no assertions); ``--plans`` also prints the query plans.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import random
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from storage import Storage, to_db

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
ZONE = ZoneInfo("Europe/Sofia")
OUTCOME_WEIGHTS = {
    "no_answer": 30,
    "busy": 12,
    "hung_up": 8,
    "ivr": 12,
    "transferred": 6,
    "voicemail": 10,
    "answered": 22,
}
MEMBERS = 6
PERIODS: dict[str, tuple[datetime | None, int]] = {
    "week": (NOW - timedelta(days=7), 7),
    "month": (NOW - timedelta(days=30), 30),
    "all": (None, 28),
}


class RecordingStorage(Storage):
    """Storage that remembers the SQL it ran (for ``--plans``)."""

    statements: list[tuple[str, Sequence[Any]]]

    async def _fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        self.statements.append((sql, params))
        return await super()._fetchall(sql, params)


async def fill_chat(
    storage: Storage,
    chat_id: int,
    *,
    companies: int,
    attempts: int,
    promises: int,
    first_company: int,
    first_promise: int,
    rnd: random.Random,
) -> None:
    created = to_db(NOW - timedelta(days=400))
    await storage.executemany(
        "INSERT INTO chats (chat_id, kind, created_at) VALUES (?, 'group', ?)",
        [(chat_id, created)],
    )
    ids = list(range(first_company, first_company + companies))
    await storage.executemany(
        "INSERT INTO companies (id, chat_id, name, norm, created_at) VALUES (?, ?, ?, ?, ?)",
        [(c, chat_id, f"Company {c}", f"company {c}", created) for c in ids],
    )
    # Some companies are called far more than others (roughly Zipf).
    weights = [1 / (rank + 1) for rank in range(companies)]
    outcomes, outcome_weights = list(OUTCOME_WEIGHTS), list(OUTCOME_WEIGHTS.values())
    year = 365 * 86400
    times = sorted(rnd.randrange(year) for _ in range(attempts))
    chosen = rnd.choices(ids, weights, k=attempts)
    results = rnd.choices(outcomes, outcome_weights, k=attempts)
    start = NOW - timedelta(seconds=year)
    chunk = 100_000
    for first in range(0, attempts, chunk):
        rows = []
        for i in range(first, min(first + chunk, attempts)):
            at = to_db(start + timedelta(seconds=times[i]))
            rows.append((chat_id, chosen[i], results[i], at, i % MEMBERS + 1, at))
        await storage.executemany(
            "INSERT INTO attempts (chat_id, company_id, outcome, called_at, logged_by,"
            " created_at) VALUES (?, ?, ?, ?, ?, ?)",
            rows,
        )
    rows_p = []
    made_times = sorted(rnd.randrange(year) for _ in range(promises))
    for i, offset in enumerate(made_times):
        pid = first_promise + i
        made = start + timedelta(seconds=offset)
        due = made + timedelta(hours=rnd.uniform(1, 72))
        roll = rnd.random()
        status, resolved, auto = "pending", None, 0
        if due > NOW:
            if roll < 0.2:
                status, resolved = "kept", made + (due - made) * rnd.random()
        elif roll < 0.40:
            status, resolved = "kept", made + (due - made) * rnd.random()
        elif roll < 0.60:
            status, resolved = "late", due + timedelta(hours=rnd.uniform(0.1, 48))
        elif roll < 0.85:
            status, resolved = "broken", due + timedelta(hours=24)
            auto = int(rnd.random() < 0.4)
        elif roll < 0.95:
            status = "pending"  # overdue
        else:
            status, resolved = "cancelled", due
        if resolved is not None and resolved > NOW:
            resolved = NOW
        previous = pid - 1 if i and rnd.random() < 0.1 else None
        rows_p.append(
            (
                pid,
                chat_id,
                rnd.choices(ids, weights)[0],
                previous,
                to_db(made),
                to_db(due),
                status,
                None if resolved is None else to_db(resolved),
                auto,
                i % MEMBERS + 1,
                to_db(made),
            )
        )
    await storage.executemany(
        "INSERT INTO promises (id, chat_id, company_id, previous_id, made_at, due_at, status,"
        " resolved_at, auto_broken, logged_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows_p,
    )


def local_days(count: int) -> list[tuple[date, datetime, datetime]]:
    """The last ``count`` local days up to today in ZONE: (date, UTC start, UTC end)."""
    today = NOW.astimezone(ZONE).date()
    days = []
    for back in range(count - 1, -1, -1):
        day = today - timedelta(days=back)
        start = datetime(day.year, day.month, day.day, tzinfo=ZONE)
        following = day + timedelta(days=1)
        end = datetime(following.year, following.month, following.day, tzinfo=ZONE)
        days.append((day, start.astimezone(UTC), end.astimezone(UTC)))
    return days


Query = Callable[[], Awaitable[object]]


def queries(storage: Storage, chat_id: int, period: str) -> dict[str, Query]:
    since, day_count = PERIODS[period]
    days = local_days(day_count)
    return {
        "report_totals": lambda: storage.report_totals(chat_id, since=since, now=NOW),
        "promise_stats": lambda: storage.promise_stats(chat_id, since=since, now=NOW),
        "reach_stats": lambda: storage.reach_stats(chat_id, since=since),
        "lateness_stats": lambda: storage.lateness_stats(chat_id, since=since, now=NOW),
        "daily_activity": lambda: storage.daily_activity(chat_id, days=days),
        "auditor_stats": lambda: storage.auditor_stats(chat_id, since=since),
    }


async def timed(query: Query, repeat: int) -> float:
    """Median wall time in ms of ``repeat`` runs."""
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        await query()
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times)


async def run_all(named: dict[str, Query]) -> None:
    for query in named.values():
        await query()


async def print_plans(storage: RecordingStorage, named: dict[str, Query]) -> None:
    for name, query in named.items():
        storage.statements = []
        await query()
        for sql, params in list(storage.statements):
            plan = await storage._fetchall("EXPLAIN QUERY PLAN " + sql, params)
            lines = [str(row[3]) for row in plan if " attempts " in f" {row[3]} " or
                     " promises " in f" {row[3]} "]  # fmt: skip
            print(f"  {name}: " + "; ".join(lines))


async def main_async(attempts: int, promises: int, repeat: int, plans: bool) -> None:
    scenarios = {"20 companies": (1, 20), "200 companies": (2, 200)}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "reports.sqlite3"
        storage = await RecordingStorage.open(path)
        assert isinstance(storage, RecordingStorage)
        storage.statements = []
        rnd = random.Random(20261125)
        began = time.perf_counter()
        await storage.executemany(
            "INSERT INTO users (user_id, name, updated_at) VALUES (?, ?, ?)",
            [(u, f"Member {u}", to_db(NOW)) for u in range(1, MEMBERS + 1)],
        )
        for n, (chat_id, companies) in enumerate(scenarios.values()):
            await fill_chat(
                storage,
                chat_id,
                companies=companies,
                attempts=attempts,
                promises=promises,
                first_company=1 + n * 1000,
                first_promise=1 + n * promises,
                rnd=rnd,
            )
        fill_s = time.perf_counter() - began
        await storage._fetchall("PRAGMA wal_checkpoint(TRUNCATE)")
        size_mb = path.stat().st_size / 1e6
        print(
            f"{len(scenarios)} chats x {attempts:,} attempts + {promises:,} promises;"
            f" filled in {fill_s:.1f} s; database {size_mb:.0f} MB"
        )
        if plans:
            for label, (chat_id, _) in scenarios.items():
                for period in PERIODS:
                    print(f"plans, {label}, {period}:")
                    await print_plans(storage, queries(storage, chat_id, period))
        columns = [(label, period) for label in scenarios for period in PERIODS]
        results: dict[str, list[float]] = {}
        for label, period in columns:
            chat_id = scenarios[label][0]
            named = queries(storage, chat_id, period)
            await run_all(named)  # warm the page cache once
            for name, query in named.items():
                results.setdefault(name, []).append(await timed(query, repeat))
            results.setdefault("ALL SIX, one after another", []).append(
                await timed(functools.partial(run_all, named), repeat)
            )
        await storage.close()
    print(f"\nmedian of {repeat} runs, ms (through aiosqlite)")
    header = f"{'query':<28}" + "".join(
        f"{label.split()[0] + ' co ' + period:>14}" for label, period in columns
    )
    print(header)
    print("-" * len(header))
    for name, values in results.items():
        print(f"{name:<28}" + "".join(f"{v:>14.1f}" for v in values))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--attempts", type=int, default=500_000)
    parser.add_argument("--promises", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--plans", action="store_true")
    args = parser.parse_args(argv)
    asyncio.run(main_async(args.attempts, args.promises, args.repeat, args.plans))


if __name__ == "__main__":
    main()
