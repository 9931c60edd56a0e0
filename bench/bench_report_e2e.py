"""/report end to end, and other users' replies while reports render.

Run: ``python -m bench.bench_report_e2e``. The real bot (charts in its worker process, as in
production) against the in-process Bot API emulator:
- /report from the command to its last message (album + summary): a 20-company chat with
  20,000 attempts, and a 500,000-attempt chat (week and all time);
- while 5 members ask for reports at the same moment, 10 other users log calls every 50 ms:
  p50/p99 of their confirmation latency, next to the same traffic with no report running.
Prints numbers only.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from pathlib import Path

from bench.bench_reports import MEMBERS, NOW, fill_chat
from bot.app import build_application, start_in_loop, stop_in_loop
from bot.config import Settings
from storage import Storage, to_db
from tests.support.emulator import BotApiEmulator
from tests.support.inprocess import InProcessRequest

SMALL = [-1001, -1002, -1003, -1004, -1005]  # 20 companies, 20,000 attempts each
BIG = -1009  # 500,000 attempts
LOGGERS = list(range(50_001, 50_011))


async def prepare(path: Path, big_attempts: int) -> None:
    storage = await Storage.open(path)
    rnd = random.Random(7)
    await storage.executemany(
        "INSERT INTO users (user_id, name, updated_at) VALUES (?, ?, ?)",
        [(u, f"Member {u}", to_db(NOW)) for u in range(1, MEMBERS + 1)],
    )
    for n, chat in enumerate([*SMALL, BIG]):
        await fill_chat(
            storage,
            chat,
            companies=20,
            attempts=big_attempts if chat == BIG else 20_000,
            promises=2_000,
            first_company=1 + n * 100,
            first_promise=1 + n * 2_000,
            rnd=rnd,
        )
    await storage.close()


async def report_time(emu: BotApiEmulator, chat: int, command: str) -> float:
    before = emu.last_message_id(chat)
    start = time.perf_counter()
    emu.send_message(1, command, chat_id=chat)
    await emu.wait_for_bot_message(
        chat, after=before, timeout=120, predicate=lambda m: "📊" in m.body
    )
    return time.perf_counter() - start


async def chatter(emu: BotApiEmulator, seconds: float) -> list[float]:
    """Ten users log calls every 50 ms; returns each confirmation's latency (5 ms precision)."""
    latencies: list[float] = []
    pending: dict[tuple[int, int], float] = {}
    start = time.perf_counter()
    next_send, n = start, 0
    while time.perf_counter() < start + seconds or pending:
        now = time.perf_counter()
        if now >= next_send and now < start + seconds:
            user = LOGGERS[n % len(LOGGERS)]
            message = emu.send_message(user, "Acme no answer")
            pending[(user, message["message_id"])] = now
            n += 1
            next_send += 0.05
        for (u, mid), sent in list(pending.items()):
            if emu.last_message_id(u) > mid:
                latencies.append(now - sent)
                del pending[(u, mid)]
        if now > start + seconds + 30:
            break
        await asyncio.sleep(0.005)
    return sorted(latencies)


def p(values: list[float], q: float) -> float:
    return values[min(len(values) - 1, int(len(values) * q))] * 1000


async def main_async(big_attempts: int, processes: int = 2) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "reports.sqlite3"
        began = time.perf_counter()
        await prepare(path, big_attempts)
        print(
            f"filled 5 x 20,000 + {big_attempts:,} attempts in {time.perf_counter() - began:.0f} s"
        )
        emu = BotApiEmulator()
        for user in range(1, MEMBERS + 1):
            emu.add_user(user, f"Member {user}")
        for user in LOGGERS:
            emu.add_user(user, f"User {user}")
        for chat in [*SMALL, BIG]:
            emu.add_group(chat, f"Audit {chat}", members=list(range(2, MEMBERS + 1)), admins=[1])
        settings = Settings(
            token=emu.token,
            base_url="http://unused/bot",
            base_file_url="http://unused/file/bot",
            database_path=str(path),
            chart_processes=processes,
        )
        app = build_application(settings, request=InProcessRequest(emu), rate_limiter=None)
        await start_in_loop(app, poll_timeout=1)
        try:
            await asyncio.sleep(3)  # the chart worker starts and loads matplotlib
            await report_time(emu, SMALL[0], "/report")  # first use
            small = [await report_time(emu, SMALL[0], "/report") for _ in range(3)]
            print(
                f"/report, 20 companies, 20,000 attempts (week): {statistics.median(small):.2f} s"
            )
            small_all = [await report_time(emu, SMALL[0], "/report all") for _ in range(3)]
            print(f"/report all, the same chat: {statistics.median(small_all):.2f} s")
            for command in ("/report", "/report all"):
                took = await report_time(emu, BIG, command)
                print(f"{command}, chat with {big_attempts:,} attempts: {took:.2f} s")
            quiet = await chatter(emu, 4)
            print(
                f"other users' confirmations, no report running: p50 {p(quiet, 0.5):.0f} ms, "
                f"p99 {p(quiet, 0.99):.0f} ms ({len(quiet)} messages)"
            )
            reports = [
                asyncio.create_task(report_time(emu, chat, "/report all")) for chat in SMALL
            ]
            busy = await chatter(emu, 4)
            durations = await asyncio.gather(*reports)
            print(
                f"while 5 reports render (done in {max(durations):.1f} s): "
                f"p50 {p(busy, 0.5):.0f} ms, "
                f"p99 {p(busy, 0.99):.0f} ms ({len(busy)} messages)"
            )
            emu.assert_no_errors()
        finally:
            await stop_in_loop(app)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attempts", type=int, default=500_000)
    parser.add_argument("--processes", type=int, default=2, help="CHART_PROCESSES")
    args = parser.parse_args(argv)
    print(f"chart worker processes: {args.processes}")
    asyncio.run(main_async(args.attempts, args.processes))


if __name__ == "__main__":
    main()
