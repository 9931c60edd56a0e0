"""How updates come in: never lost, never handled twice, each chat in order.

- Telegram forgets an update once a later ``getUpdates`` names a higher offset.
  python-telegram-bot's Updater asks for the next batch while the last one is still being
  handled, so a crash then would lose it. :class:`SafeOffsetBot` holds the offset back to the
  oldest update not yet handled; updates delivered again meanwhile are dropped here.
- After a crash, Telegram delivers the unconfirmed updates again. Writes made while handling
  an update record its id in the same transaction (``storage.current_request``), so one that
  already wrote is recognised and skipped.
- :class:`PerChatUpdateProcessor` handles different chats at the same time and the updates of
  one chat strictly one after another.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor, ExtBot

from storage import Storage
from storage.db import current_request

logger = logging.getLogger(__name__)

#: PTB's own limit is taken before our per-chat lock, so it is set out of the way; the real
#: limit on work in progress is taken after the lock (a busy group must not fill every slot
#: with updates that only wait for their turn).
_OUTER_LIMIT = 100_000
#: Before the next poll, wait this long at most for the updates being handled to finish, so
#: that the poll can confirm them all. A slower one (a report rendering) is not waited for:
#: the offset stays at it, Telegram sends it again with the new ones, and it is dropped here.
HOLD_BACK_SECONDS = 0.25


class UpdateTracker:
    """Which fetched updates are still being handled."""

    def __init__(self) -> None:
        self.unhandled: set[int] = set()
        self.highest_seen = -1
        self._progress = asyncio.Event()

    def take_new(self, updates: tuple[Update, ...]) -> tuple[Update, ...]:
        fresh = tuple(u for u in updates if u.update_id > self.highest_seen)
        for update in fresh:
            self.unhandled.add(update.update_id)
        if fresh:
            self.highest_seen = fresh[-1].update_id
        return fresh

    def handled(self, update_id: int) -> None:
        self.unhandled.discard(update_id)
        self._progress.set()

    async def wait_all_handled(self, timeout: float) -> None:  # noqa: ASYNC109
        """Until nothing fetched is still being handled, or ``timeout`` seconds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while self.unhandled:
            remaining = deadline - loop.time()
            if remaining <= 0:
                return
            self._progress.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._progress.wait(), remaining)


class SafeOffsetBot(ExtBot[Any]):
    """An ExtBot whose getUpdates confirms only updates that have been handled."""

    def __init__(self, *args: Any, tracker: UpdateTracker, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._tracker = tracker

    async def get_updates(
        self, offset: int | None = None, *args: Any, **kwargs: Any
    ) -> tuple[Update, ...]:
        tracker = self._tracker
        if offset is not None and tracker.unhandled:
            await tracker.wait_all_handled(HOLD_BACK_SECONDS)
            if tracker.unhandled:
                offset = min(offset, min(tracker.unhandled))
        updates = await super().get_updates(offset, *args, **kwargs)
        return tracker.take_new(updates)


class PerChatUpdateProcessor(BaseUpdateProcessor):
    def __init__(self, tracker: UpdateTracker, max_concurrent_updates: int = 32) -> None:
        super().__init__(_OUTER_LIMIT)
        self.tracker = tracker
        self._working = asyncio.Semaphore(max_concurrent_updates)
        # chat id -> (lock, number of updates holding or waiting for it)
        self._chats: dict[int, tuple[asyncio.Lock, int]] = {}
        self._storage: Storage | None = None
        self._replay_horizon: int | None = None

    def attach(self, storage: Storage, replay_horizon: int | None) -> None:
        """Updates up to ``replay_horizon`` may have been handled before a restart."""
        self._storage = storage
        self._replay_horizon = replay_horizon

    @staticmethod
    def _key(update: object) -> int | None:
        if isinstance(update, Update):
            if update.effective_chat is not None:
                return update.effective_chat.id
            if update.effective_user is not None:
                return update.effective_user.id
        return None

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        update_id = update.update_id if isinstance(update, Update) else None
        try:
            key = self._key(update)
            if key is None:
                async with self._working:
                    await self._handle(update_id, coroutine)
                return
            # asyncio.Lock wakes waiters first come, first served: a chat's order is kept.
            lock, users = self._chats.get(key, (asyncio.Lock(), 0))
            self._chats[key] = (lock, users + 1)
            try:
                async with lock, self._working:
                    await self._handle(update_id, coroutine)
            finally:
                lock, users = self._chats[key]
                if users <= 1:
                    del self._chats[key]
                else:
                    self._chats[key] = (lock, users - 1)
        finally:
            if update_id is not None:
                self.tracker.handled(update_id)

    async def _handle(self, update_id: int | None, coroutine: Awaitable[Any]) -> None:
        if (
            update_id is not None
            and self._storage is not None
            and self._replay_horizon is not None
            and update_id <= self._replay_horizon
            and await self._storage.request_handled(update_id)
        ):
            logger.info("Update %d was handled before a restart; skipped", update_id)
            if asyncio.iscoroutine(coroutine):
                coroutine.close()
            return
        token = current_request.set(update_id)
        try:
            await coroutine
        finally:
            current_request.reset(token)

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""
