"""Who may do what in a workspace.

Lead = an administrator of the Telegram group (from getChatAdministrators, cached a few
minutes); in a private workspace the user is its lead. Auditor = any other member. Reviewer =
someone who opened a read-only link: reports only.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from telegram.error import TelegramError

logger = logging.getLogger(__name__)

ADMIN_CACHE_SECONDS = 300.0


class AdminCache:
    def __init__(self) -> None:
        self._admins: dict[int, tuple[float, frozenset[int]]] = {}

    async def admins(self, bot: Any, chat_id: int) -> frozenset[int]:
        cached = self._admins.get(chat_id)
        now = time.monotonic()
        if cached is not None and now - cached[0] < ADMIN_CACHE_SECONDS:
            return cached[1]
        try:
            members = await bot.get_chat_administrators(chat_id)
        except TelegramError as exc:
            logger.warning("Could not read the admins of %s: %s", chat_id, exc)
            return cached[1] if cached else frozenset()
        ids = frozenset(m.user.id for m in members)
        self._admins[chat_id] = (now, ids)
        return ids

    def forget(self, chat_id: int) -> None:
        self._admins.pop(chat_id, None)

    async def is_lead(self, bot: Any, chat_id: int, user_id: int) -> bool:
        if chat_id > 0:  # a private chat: the user's own workspace
            return chat_id == user_id
        return user_id in await self.admins(bot, chat_id)
