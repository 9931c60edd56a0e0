"""Reminder scheduling at scale.

Run: ``python -m bench.bench_reminders [--pending 1000000] [--burst 1000]``.

1. With ``--pending`` pending promises in the database: time to find the next due reminder
   (one index seek) and to read a batch of due ones, and the process RSS with the scheduler
   running (nothing is held in memory per promise).
2. ``--burst`` deadlines falling in the same minute, delivered by the real bot through the
   in-process Bot API emulator: lateness of each reminder (delivery time minus deadline),
   with Telegram's rate limits on (30 messages/s overall) and off.
Prints numbers only.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.app import build_application, start_in_loop, stop_in_loop
from bot.config import Settings
from storage import Storage, to_db
from tests.support.emulator import BotApiEmulator
from tests.support.inprocess import InProcessRequest


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def fill(storage: Storage, pending: int, chats: int, start: datetime) -> None:
    """Insert ``pending`` promises over ``chats`` chats, deadlines spread over 300 days."""
    now = to_db(start)
    await storage.executemany(
        "INSERT INTO chats (chat_id, kind, created_at, quiet_start, quiet_end)"
        " VALUES (?, 'private', ?, '00:00', '00:00')",
        [(c, now) for c in range(1, chats + 1)],
    )
    await storage.executemany(
        "INSERT INTO users (user_id, name, updated_at) VALUES (?, ?, ?)",
        [(c, f"User {c}", now) for c in range(1, chats + 1)],
    )
    await storage.executemany(
        "INSERT INTO companies (id, chat_id, name, norm, created_at) VALUES (?, ?, ?, ?, ?)",
        [(c, c, f"Company {c}", f"company {c}", now) for c in range(1, chats + 1)],
    )
    step = 300 * 86400 / max(pending, 1)
    chunk = 100_000
    for first in range(0, pending, chunk):
        rows = []
        for i in range(first, min(first + chunk, pending)):
            chat = i % chats + 1
            due = to_db(start + timedelta(seconds=3600 + i * step))
            rows.append((chat, chat, now, due, chat, now, due))
        await storage.executemany(
            "INSERT INTO promises (chat_id, company_id, made_at, due_at, logged_by, created_at,"
            " remind_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            rows,
        )


async def scale(pending: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        storage = await Storage.open(Path(tmp) / "scale.sqlite3")
        start = datetime.now(UTC)
        rss_before = rss_mb()
        began = time.perf_counter()
        await fill(storage, pending, chats=min(pending, 50_000), start=start)
        fill_s = time.perf_counter() - began
        timings = []
        for _ in range(50):
            t = time.perf_counter()
            await storage.next_reminder_at()
            timings.append(time.perf_counter() - t)
        batch = []
        later = start + timedelta(days=1)
        for _ in range(10):
            t = time.perf_counter()
            due = await storage.due_reminders(later, limit=200)
            batch.append(time.perf_counter() - t)
        plan = await storage._fetchall(
            "EXPLAIN QUERY PLAN SELECT min(remind_at) FROM promises"
            " WHERE status = 'pending' AND remind_at IS NOT NULL"
        )
        await storage.close()
        return {
            "fill_s": fill_s,
            "next_due_ms": statistics.median(timings) * 1000,
            "due_batch_ms": statistics.median(batch) * 1000,
            "due_rows": len(due),
            "rss_mb": rss_mb(),
            "rss_growth_mb": rss_mb() - rss_before,
            "plan": " / ".join(str(r[-1]) for r in plan),
        }


async def burst(count: int, rate_limited: bool) -> dict[str, float]:
    """``count`` deadlines within one minute, delivered by the running bot."""
    with tempfile.TemporaryDirectory() as tmp:
        emu = BotApiEmulator()
        users = range(20_000, 20_000 + count)
        for user in users:
            emu.add_user(user, f"U{user}")
            emu.open_private_chat(user)  # each user has talked to the bot before
        database = Path(tmp) / "burst.sqlite3"
        storage = await Storage.open(database)
        start = datetime.now(UTC)
        first_due = start + timedelta(seconds=8)
        created = to_db(start)
        await storage.executemany(
            "INSERT INTO chats (chat_id, kind, created_at, quiet_start, quiet_end)"
            " VALUES (?, 'private', ?, '00:00', '00:00')",
            [(u, created) for u in users],
        )
        await storage.executemany(
            "INSERT INTO companies (id, chat_id, name, norm, created_at) VALUES (?, ?, ?, ?, ?)",
            [(u, u, "Zenith", "zenith", created) for u in users],
        )
        dues = {u: first_due + timedelta(seconds=60 * n / count) for n, u in enumerate(users)}
        await storage.executemany(
            "INSERT INTO promises (chat_id, company_id, made_at, due_at, created_at, remind_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [(u, u, created, to_db(d), created, to_db(d)) for u, d in dues.items()],
        )
        await storage.close()
        settings = Settings(
            token=emu.token,
            base_url="http://unused/bot",
            base_file_url="http://unused/file/bot",
            database_path=str(database),
            chart_processes=0,  # no chart worker warming up during the measurement
        )
        app = build_application(settings, request=InProcessRequest(emu), rate_limiter=rate_limited)
        await start_in_loop(app, poll_timeout=1)
        delivered: dict[int, float] = {}
        try:
            deadline = time.monotonic() + 600
            while len(delivered) < count and time.monotonic() < deadline:
                for call in emu.calls("sendMessage"):
                    chat = int(call.params["chat_id"])
                    text = str(call.params.get("text", ""))
                    if "Zenith" in text and chat not in delivered and call.finished:
                        delivered[chat] = call.finished
                await asyncio.sleep(0.05)
        finally:
            await stop_in_loop(app)
        # call.finished is monotonic: map deadlines onto the same clock.
        offset = time.monotonic() - datetime.now(UTC).timestamp()
        lateness = sorted(
            delivered[u] - (dues[u].replace(microsecond=0).timestamp() + offset) for u in delivered
        )
        return {
            "delivered": len(delivered),
            "p50_s": statistics.median(lateness),
            "p99_s": lateness[int(len(lateness) * 0.99) - 1],
            "max_s": lateness[-1],
        }


async def main_async(pending: int, count: int) -> None:
    s = await scale(pending)
    print(f"pending promises in the database: {pending:,}")
    print(f"  fill time: {s['fill_s']:.1f} s")
    print(f"  next due reminder (index seek): {s['next_due_ms']:.3f} ms  [{s['plan']}]")
    print(f"  read a batch of {s['due_rows']:.0f} due reminders: {s['due_batch_ms']:.2f} ms")
    print(f"  process RSS: {s['rss_mb']:.0f} MB (grew {s['rss_growth_mb']:.0f} MB while filling)")
    for limited in (True, False):
        b = await burst(count, limited)
        label = "rate limits on " if limited else "rate limits off"
        print(
            f"{count} deadlines in one minute, {label}: delivered {b['delivered']:.0f}, "
            f"lateness p50 {b['p50_s']:.2f} s, p99 {b['p99_s']:.2f} s, max {b['max_s']:.2f} s"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pending", type=int, default=1_000_000)
    parser.add_argument("--burst", type=int, default=1000)
    args = parser.parse_args()
    asyncio.run(main_async(args.pending, args.burst))


if __name__ == "__main__":
    main()
