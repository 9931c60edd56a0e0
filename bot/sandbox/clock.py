"""The sandbox's clock: wall time plus an offset that the page's "skip ahead" buttons grow.

Only the sandbox uses it; the production bot runs on :class:`bot.clock.SystemClock`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.clock import MAX_NAP_SECONDS

logger = logging.getLogger(__name__)


class SandboxClock:
    """``now()`` is the wall clock plus :attr:`offset`; :meth:`skip` moves it forward and wakes
    every sleeper, which then re-checks its moment (as the tests' FakeClock does)."""

    def __init__(self, offset: timedelta = timedelta(0), *, state_file: Path | None = None):
        self._offset = offset
        self._changed = asyncio.Event()
        self.state_file = state_file

    @classmethod
    def restore(cls, state_file: Path) -> SandboxClock:
        """A clock with the offset saved by an earlier run (time never runs backwards for the
        sandbox's database); a missing or unreadable file means no offset."""
        offset = timedelta(0)
        with contextlib.suppress(OSError, ValueError, TypeError, KeyError):
            seconds = float(json.loads(state_file.read_text("utf-8"))["clock_offset_seconds"])
            offset = timedelta(seconds=max(0.0, seconds))
        return cls(offset, state_file=state_file)

    @property
    def offset(self) -> timedelta:
        return self._offset

    def now(self) -> datetime:
        return datetime.now(UTC) + self._offset

    def skip(self, delta: timedelta) -> datetime:
        """Move the clock forward by ``delta`` (never backward) and wake every sleeper."""
        if delta < timedelta(0):
            raise ValueError("the sandbox clock only moves forward")
        self._offset += delta
        self._changed.set()
        self._changed = asyncio.Event()
        self._save()
        return self.now()

    def _save(self) -> None:
        if self.state_file is None:
            return
        try:
            self.state_file.parent.mkdir(parents=True, exist_ok=True)
            payload = {"clock_offset_seconds": self._offset.total_seconds()}
            self.state_file.write_text(json.dumps(payload), "utf-8")
        except OSError as exc:
            logger.warning("Could not save the sandbox clock to %s: %s", self.state_file, exc)

    async def sleep_until(self, moment: datetime | None, wake: asyncio.Event) -> None:
        """Return at ``moment`` (never, if None), or earlier when ``wake`` is set.

        Naps are capped (as in SystemClock) and a skip ends the nap, so the moment is
        re-checked against the moved clock.
        """
        while not wake.is_set():
            timeout = MAX_NAP_SECONDS
            if moment is not None:
                remaining = (moment - self.now()).total_seconds()
                if remaining <= 0:
                    return
                timeout = min(timeout, remaining)
            changed = asyncio.ensure_future(self._changed.wait())
            woken = asyncio.ensure_future(wake.wait())
            try:
                await asyncio.wait(
                    {changed, woken}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
                )
            finally:
                changed.cancel()
                woken.cancel()
