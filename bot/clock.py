"""Time as a dependency, so tests move time instead of sleeping."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime
from typing import Protocol

#: Sleep at most this long at once, so a wall-clock jump (suspend, NTP) is noticed.
MAX_NAP_SECONDS = 30.0


class Clock(Protocol):
    def now(self) -> datetime:
        """Return the current moment, aware, in UTC."""
        ...

    async def sleep_until(self, moment: datetime | None, wake: asyncio.Event) -> None:
        """Return at ``moment`` (never, if None), or earlier when ``wake`` is set."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)

    async def sleep_until(self, moment: datetime | None, wake: asyncio.Event) -> None:
        timeout = MAX_NAP_SECONDS
        if moment is not None:
            timeout = min(timeout, max(0.0, (moment - self.now()).total_seconds()))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(wake.wait(), timeout=timeout)
