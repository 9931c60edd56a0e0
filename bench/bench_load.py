"""Load and footprint: a burst of auditors in one group, start-up time, memory.

Run: ``python -m bench.bench_load``. Prints numbers only.
- burst: 50 auditors in one group logging at once (1,000 messages) through the real bot over
  HTTP: how many were saved (must be all), p50/p99 latency from sending to the confirmation.
- start-up: ``python -m bot`` as a process: start to its first reply (a message waiting).
- memory: the bot process's RSS when idle and after 10,000 logged calls.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bot.app import build_application, start_in_loop, stop_in_loop
from bot.config import Settings
from storage import Storage
from tests.support.emulator import BotApiEmulator

ROOT = Path(__file__).resolve().parents[1]
GROUP = -100777
# Names far apart, so that no message is a "did you mean …?" question.
COMPANIES = ("Ромашка", "Теле2", "Виваком", "Мегафон", "Ростелеком", "Acme", "Globex")


async def burst(auditors: int = 50, per_auditor: int = 20) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        emu = BotApiEmulator()
        users = list(range(30_000, 30_000 + auditors))
        for user in users:
            emu.add_user(user, f"Auditor {user}", language_code="ru")
        emu.add_group(GROUP, "Audit team", members=users[1:], admins=users[:1])
        await emu.start()
        settings = Settings(
            token=emu.token,
            base_url=emu.base_url,
            base_file_url=emu.base_file_url,
            database_path=str(Path(tmp) / "burst.sqlite3"),
            chart_processes=0,
        )
        # Telegram's 20 messages/minute per group would stretch 1,000 confirmations over
        # 50 minutes; the burst measures the bot, so that limit is off here.
        app = build_application(settings, rate_limiter=None)
        await start_in_loop(app, poll_timeout=1)
        sent: dict[int, float] = {}
        try:
            for round_ in range(per_auditor):
                for user in users:
                    company = COMPANIES[(round_ + user) % len(COMPANIES)]
                    message = emu.send_message(user, f"{company} не берут трубку", chat_id=GROUP)
                    sent[message["message_id"]] = time.perf_counter()
            total = len(sent)
            replies: dict[int, float] = {}

            checked = [emu.last_message_id(GROUP)]

            def confirmed() -> bool:
                # Only look at messages new since the last look (the chat grows to 2,000).
                last = emu.last_message_id(GROUP)
                for message_id in range(checked[0] + 1, last + 1):
                    message = emu.message(GROUP, message_id)
                    if message.from_bot and message.body.startswith("✅"):
                        replies[message_id] = time.perf_counter()
                checked[0] = last
                return len(replies) >= total

            start = time.perf_counter()
            await emu.wait_until(confirmed, timeout=600)
            elapsed = time.perf_counter() - start
            storage = app.bot_data.storage
            assert storage is not None
            saved = (await storage._fetchall("SELECT count(*) FROM attempts"))[0][0]
            emu.assert_no_errors()
        finally:
            await stop_in_loop(app)
            await emu.stop()
        # Replies come in order within the group: the n-th reply answers the n-th message.
        latencies = sorted(
            r - s for r, s in zip(sorted(replies.values()), sorted(sent.values()), strict=False)
        )
        return {
            "messages": total,
            "saved": saved,
            "seconds": elapsed,
            "p50_ms": statistics.median(latencies) * 1000,
            "p99_ms": latencies[int(len(latencies) * 0.99) - 1] * 1000,
        }


def _rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


async def footprint(entries: int = 10_000) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        emu = BotApiEmulator()
        users = list(range(40_000, 40_100))
        for user in users:
            emu.add_user(user, f"User {user}")
        await emu.start()
        env = {k: v for k, v in os.environ.items() if not k.startswith("TELEGRAM_")}
        env.update(
            PYTHONPATH=str(ROOT),
            TELEGRAM_BOT_TOKEN=emu.token,
            TELEGRAM_BASE_URL=emu.base_url,
            TELEGRAM_BASE_FILE_URL=emu.base_file_url,
            DATABASE_PATH=str(Path(tmp) / "bot.sqlite3"),
            LOG_LEVEL="WARNING",
        )
        emu.send_message(users[0], "/help")  # waiting when the bot starts
        began = time.perf_counter()
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", cwd=tmp, env=env,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
        )  # fmt: skip
        try:
            await emu.wait_for_bot_message(users[0], timeout=120)
            startup = time.perf_counter() - began
            await asyncio.sleep(3)  # let warm-ups (dateparser, chart worker) finish
            idle = _rss_mb(process.pid)
            marks = {u: emu.last_message_id(u) for u in users}
            if marks[users[0]]:  # the /help exchange
                marks[users[0]] = emu.last_message_id(users[0])
            for n in range(entries):
                emu.send_message(users[n % len(users)], f"Company{n % 50}x no answer")
            per_user = entries // len(users)
            await emu.wait_until(
                lambda: all(emu.last_message_id(u) >= marks[u] + 2 * per_user for u in users),
                timeout=900,
            )
            loaded = _rss_mb(process.pid)
        finally:
            process.terminate()
            await process.wait()
            await emu.stop()
        storage = await Storage.open(Path(tmp) / "bot.sqlite3")
        saved = (await storage._fetchall("SELECT count(*) FROM attempts"))[0][0]
        await storage.close()
        return {"startup_s": startup, "rss_idle_mb": idle, "rss_loaded_mb": loaded, "saved": saved}


async def main_async(entries: int) -> None:
    b = await burst()
    print(
        f"burst: 50 auditors x 20 in one group: {b['saved']}/{b['messages']} saved in "
        f"{b['seconds']:.1f} s; confirmation latency p50 {b['p50_ms']:.0f} ms, "
        f"p99 {b['p99_ms']:.0f} ms"
    )
    f = await footprint(entries)
    print(f"start-up: process start to its first reply {f['startup_s']:.2f} s")
    print(
        f"memory: RSS idle {f['rss_idle_mb']:.0f} MB; after {f['saved']:,} logged calls "
        f"{f['rss_loaded_mb']:.0f} MB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=10_000)
    args = parser.parse_args()
    asyncio.run(main_async(args.entries))


if __name__ == "__main__":
    main()
