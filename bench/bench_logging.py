"""Logging a call through the whole stack vs. a bare python-telegram-bot echo bot.

Run: ``python -m bench.bench_logging [--messages 300] [--burst 400]``.

Both bots run against the same local Bot API emulator, over real HTTP (and, for comparison,
in-process without sockets). Measured per bot:
- round trip: user message -> bot reply visible in the chat, one at a time (p50 / p99);
- throughput: a burst of messages from different users, updates handled per second.
Our bot does the real work per message: parse, match the company, one SQLite transaction,
render the card. Rate limiting is off for both (Telegram's 30 msg/s would cap both alike).
Prints numbers only; asserts nothing about time.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.ext import Application, ApplicationBuilder, ContextTypes, MessageHandler, filters

from bot.app import build_application, start_in_loop, stop_in_loop
from bot.config import Settings
from tests.support.emulator import BotApiEmulator
from tests.support.inprocess import InProcessRequest

MESSAGES = [
    "Acme +371 2000 0000 no answer",
    "called Globex, busy",
    "Initech hung up on me",
    "Umbrella: robot queue 20 min",
    "Ромашка не берут трубку",
    "Виваком не вдигат",
    "Acme answered, Peter promised to call back tomorrow 3pm",
    "Позвонил в Теле2, менеджер Анна перезвонит через 2 часа",
]

AppFactory = Callable[[BotApiEmulator, bool], Awaitable[Application[Any, Any, Any, Any, Any, Any]]]


async def _echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None and update.message.text is not None
    await update.message.reply_text(update.message.text)


async def echo_bot(
    emu: BotApiEmulator, in_process: bool
) -> Application[Any, Any, Any, Any, Any, Any]:
    builder = ApplicationBuilder().token(emu.token)
    if in_process:
        builder = builder.request(InProcessRequest(emu)).get_updates_request(InProcessRequest(emu))
    else:
        builder = builder.base_url(emu.base_url).base_file_url(emu.base_file_url)
    app = builder.build()
    app.add_handler(MessageHandler(filters.TEXT, _echo))
    return app


def tracker_bot_factory(directory: Path) -> AppFactory:
    async def make(
        emu: BotApiEmulator, in_process: bool
    ) -> Application[Any, Any, Any, Any, Any, Any]:
        database = directory / f"bench-{time.monotonic_ns()}.sqlite3"
        settings = Settings(
            token=emu.token,
            base_url=emu.base_url if not in_process else "http://unused/bot",
            base_file_url=emu.base_file_url if not in_process else "http://unused/file/bot",
            database_path=str(database),
            chart_processes=0,  # no chart worker warming up during the measurement
        )
        request = InProcessRequest(emu) if in_process else None
        return build_application(settings, request=request, rate_limiter=None)

    return make


async def _run(
    factory: AppFactory, in_process: bool, sequential: int, burst: int
) -> dict[str, float]:
    emu = BotApiEmulator()
    users = list(range(10_000, 10_000 + max(burst, 1)))
    for user in users:
        emu.add_user(user, f"User {user}", language_code="en")
    if not in_process:
        await emu.start()
    app = await factory(emu, in_process)
    await start_in_loop(app, poll_timeout=1)
    try:
        latencies = []
        user = users[0]
        for i in range(sequential):
            before = emu.last_message_id(user)
            start = time.perf_counter()
            emu.send_message(user, MESSAGES[i % len(MESSAGES)])
            await emu.wait_for_bot_message(user, after=before + 1, timeout=30)
            latencies.append(time.perf_counter() - start)
        # Burst: one message from each of `burst` users at once.
        marks = {u: emu.last_message_id(u) for u in users[:burst]}
        start = time.perf_counter()
        for i, u in enumerate(users[:burst]):
            emu.send_message(u, MESSAGES[i % len(MESSAGES)])
        await emu.wait_until(
            lambda: all(emu.last_message_id(u) > marks[u] + 1 for u in users[:burst]),
            timeout=300,
        )
        elapsed = time.perf_counter() - start
        emu.assert_no_errors()
    finally:
        await stop_in_loop(app)
        if not in_process:
            await emu.stop()
    latencies.sort()
    return {
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000,
        "updates_per_s": burst / elapsed,
    }


async def bench(
    sequential: int = 300, burst: int = 400
) -> list[tuple[str, str, dict[str, float]]]:
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        tracker = tracker_bot_factory(Path(tmp))
        for transport, in_process in (("HTTP", False), ("in-process", True)):
            for name, factory in (("echo bot", echo_bot), ("callback-tracker", tracker)):
                results.append(
                    (transport, name, await _run(factory, in_process, sequential, burst))
                )
    return results


def ratios(results: list[tuple[str, str, dict[str, float]]]) -> dict[str, float]:
    by = {(t, n): r for t, n, r in results}
    return {
        t: by[(t, "callback-tracker")]["updates_per_s"] / by[(t, "echo bot")]["updates_per_s"]
        for t in ("HTTP", "in-process")
    }


def print_table(results: list[tuple[str, str, dict[str, float]]]) -> None:
    print(f"{'transport':<11} {'bot':<17} {'p50 ms':>8} {'p99 ms':>8} {'updates/s':>10}")
    for transport, name, r in results:
        print(
            f"{transport:<11} {name:<17} {r['p50_ms']:>8.2f} {r['p99_ms']:>8.2f} "
            f"{r['updates_per_s']:>10.1f}"
        )
    for transport, ratio in ratios(results).items():
        print(f"throughput ratio vs echo ({transport}): {ratio:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=300, help="sequential round trips")
    parser.add_argument("--burst", type=int, default=400, help="messages in the burst")
    args = parser.parse_args()
    print_table(asyncio.run(bench(args.messages, args.burst)))


if __name__ == "__main__":
    main()
