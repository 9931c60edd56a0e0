"""Typed access to the bot's services from every handler: ``context.storage``, ``context.clock``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from telegram.ext import Application, CallbackContext, ExtBot

from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.rendering import ChartRenderer
from bot.roles import AdminCache
from storage import ChatSettings, Storage

if TYPE_CHECKING:
    from bot.reminders import ReminderService
    from bot.weekly import WeeklyReportService


class BotData:
    """Application-wide services; filled in by ``build_application`` and ``post_init``."""

    def __init__(self) -> None:
        self.settings: Settings | None = None
        self.storage: Storage | None = None
        self.clock: Clock = SystemClock()
        self.bot_username: str = ""
        self.reminders: ReminderService | None = None
        self.weekly: WeeklyReportService | None = None
        self.renderer: ChartRenderer | None = None
        self.admins = AdminCache()
        # user -> the group workspace they log into from private chat (None: personal)
        self.active_workspaces: dict[int, int | None] = {}
        # (chat, user) pairs already recorded as members in this process
        self.members_seen: set[tuple[int, int]] = set()
        # Chat settings change rarely and are read on every update: keep them in memory.
        self.chat_cache: dict[int, ChatSettings] = {}


class BotContext(CallbackContext[ExtBot[Any], dict[Any, Any], dict[Any, Any], BotData]):
    """The context every handler receives."""

    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        chat_id: int | None = None,
        user_id: int | None = None,
    ) -> None:
        super().__init__(application=application, chat_id=chat_id, user_id=user_id)

    @property
    def services(self) -> BotData:
        data = self.bot_data
        assert isinstance(data, BotData)
        return data

    @property
    def storage(self) -> Storage:
        storage = self.services.storage
        if storage is None:
            raise RuntimeError("storage is not open yet")
        return storage

    @property
    def renderer(self) -> ChartRenderer:
        renderer = self.services.renderer
        if renderer is None:
            raise RuntimeError("chart renderer is not running")
        return renderer

    @property
    def settings(self) -> Settings:
        settings = self.services.settings
        assert settings is not None
        return settings

    @property
    def clock(self) -> Clock:
        return self.services.clock
