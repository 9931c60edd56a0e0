"""A clock that tests move by hand; sleepers wake when it passes their moment."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta


class FakeClock:
    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
        self._changed = asyncio.Event()

    def now(self) -> datetime:
        return self._now

    def set(self, moment: datetime) -> None:
        self._now = moment
        self._changed.set()
        self._changed = asyncio.Event()

    def advance(self, delta: timedelta | None = None, **kwargs: float) -> datetime:
        self.set(self._now + (delta or timedelta(**kwargs)))
        return self._now

    async def sleep_until(self, moment: datetime | None, wake: asyncio.Event) -> None:
        while moment is None or self._now < moment:
            if wake.is_set():
                return
            changed = asyncio.ensure_future(self._changed.wait())
            woken = asyncio.ensure_future(wake.wait())
            try:
                await asyncio.wait({changed, woken}, return_when=asyncio.FIRST_COMPLETED)
            finally:
                changed.cancel()
                woken.cancel()
            if wake.is_set():
                return
