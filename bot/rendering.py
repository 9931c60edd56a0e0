"""Chart rendering off the event loop.

Charts are pure functions (data in, PNG bytes out), so they can run in a separate process:
matplotlib holds the GIL for most of a render, and in a thread it would still slow every other
user's reply. ``CHART_PROCESSES=0`` renders in threads instead (tests, tiny machines).
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
from collections.abc import Callable
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from functools import partial
from typing import Any

import charts

logger = logging.getLogger(__name__)


def _log_failure(future: Future[None]) -> None:
    if not future.cancelled() and future.exception() is not None:
        logger.warning("Chart warm-up failed: %s", future.exception())


class ChartRenderer:
    def __init__(self, processes: int) -> None:
        self.processes = processes
        self._executor: Executor
        if processes > 0:
            # "spawn": the bot process has threads (aiosqlite); forking it would be unsafe.
            context = multiprocessing.get_context("spawn")
            self._executor = ProcessPoolExecutor(max_workers=processes, mp_context=context)
        else:
            self._executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="charts")

    def warm_up(self) -> None:
        """Start the worker and load matplotlib there now, not on the first /report."""
        future = self._executor.submit(charts.warm_up)
        future.add_done_callback(_log_failure)

    async def render(self, function: Callable[..., bytes], *args: Any, **kwargs: Any) -> bytes:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, partial(function, *args, **kwargs))

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
