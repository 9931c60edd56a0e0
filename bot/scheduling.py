"""A background loop whose schedule lives in the database: it does one pass, asks the database
when the next thing is due, and sleeps until then or until someone wakes it."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime, timedelta

from bot.clock import Clock

logger = logging.getLogger(__name__)

#: After a failed pass, try again this much later.
RETRY_AFTER_FAILURE = timedelta(seconds=30)


class ScheduledLoop:
    """Subclasses implement :meth:`run_pass`; the loop handles sleeping, waking and errors."""

    name = "scheduled loop"

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._sleeping = False
        self._sleep_target: datetime | None = None

    async def run_pass(self, first: bool) -> tuple[bool, datetime | None]:
        """Do what is due; return (more is due right now, when to wake next)."""
        raise NotImplementedError

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=self.name)

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def wake(self) -> None:
        self._wake.set()

    @property
    def idle(self) -> bool:
        """Asleep, with nothing due before the time it sleeps until (tests wait for this)."""
        return (
            self._sleeping
            and not self._wake.is_set()
            and (self._sleep_target is None or self._sleep_target > self.clock.now())
        )

    async def _run(self) -> None:
        first = True
        while True:
            self._wake.clear()
            try:
                busy, wake_at = await self.run_pass(first)
                first = False
                if busy:
                    continue
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("%s: pass failed; trying again shortly", self.name)
                wake_at = self.clock.now() + RETRY_AFTER_FAILURE
            self._sleeping, self._sleep_target = True, wake_at
            try:
                await self.clock.sleep_until(wake_at, self._wake)
            finally:
                self._sleeping = False
