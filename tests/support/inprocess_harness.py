"""BotHarness without sockets: the real Application, its requests handed straight to the emulator.

Used by the reliability suite, where thousands of updates must go through the whole bot in a
few seconds. The emulator does not need ``start()``: URLs only carry the token to it.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from telegram import Update

from bot.app import BotApplication
from tests.support.clock import FakeClock
from tests.support.emulator import BotApiEmulator
from tests.support.harness import BotHarness
from tests.support.inprocess import InProcessRequest

#: Never contacted: InProcessRequest only reads the path (``/bot<token>/<method>``).
IN_PROCESS_BASE_URL = "http://emulator.invalid/bot"
IN_PROCESS_BASE_FILE_URL = "http://emulator.invalid/file/bot"


class InProcessHarness(BotHarness):
    """The bot wired to ``emulator.dispatch`` through :class:`InProcessRequest`."""

    def __init__(
        self,
        emulator: BotApiEmulator,
        database: Path,
        clock: FakeClock,
        **settings: Any,
    ) -> None:
        super().__init__(
            emulator,
            database,
            clock,
            base_url=IN_PROCESS_BASE_URL,
            base_file_url=IN_PROCESS_BASE_FILE_URL,
            **settings,
        )
        self._progress = asyncio.Event()

    async def start(self, **build: Any) -> BotApplication:
        build.setdefault("request", InProcessRequest(self.emulator))
        return await super().start(**build)

    async def _count_handled(self, update: Update, context: object) -> None:
        self.handled += 1
        self._progress.set()

    async def drain(self, timeout: float = 20.0) -> None:  # noqa: ASYNC109
        """Wait until every update sent so far was handled and the reminder task is idle.

        Cheaper than ``settle()`` (no quiet period): a handler's Bot API calls are all awaited
        before the next handler group runs, so "handled" means "answered".
        """
        async with asyncio.timeout(timeout):
            while self.handled < self.sent:
                self._progress.clear()
                if self.handled >= self.sent:
                    break
                await self._progress.wait()
            # The reminder services have no event for "idle": look every millisecond.
            while not self._reminders_idle():  # noqa: ASYNC110
                await asyncio.sleep(0.001)

    def queue_text(self, user_id: int, text: str, chat_id: int | None = None) -> None:
        """Send without waiting (counts it, so ``drain`` waits for it)."""
        self.emulator.send_message(user_id, text, chat_id=chat_id)
        self.sent += 1
