"""Runs the real bot against the local Bot API emulator, the way ``run_polling`` would."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from telegram import Update
from telegram.ext import TypeHandler

from bot.app import BotApplication, build_application, start_in_loop, stop_in_loop
from bot.config import Settings
from storage import Storage
from tests.support.clock import FakeClock
from tests.support.emulator import BotApiEmulator, ChatMessage


class BotHarness:
    """The bot, its emulator and its clock, with user-level helpers for tests."""

    def __init__(
        self,
        emulator: BotApiEmulator,
        database: Path,
        clock: FakeClock,
        *,
        base_url: str | None = None,
        base_file_url: str | None = None,
        **settings: Any,
    ) -> None:
        self.emulator = emulator
        self.clock = clock
        self.settings = Settings(
            token=emulator.token,
            # The emulator's own URLs need it listening; an in-process bot never uses them.
            base_url=base_url or emulator.base_url,
            base_file_url=base_file_url or emulator.base_file_url,
            database_path=str(database),
            **{"chart_processes": 0, **settings},
        )
        self.app: BotApplication | None = None
        # Updates handed to the bot, and updates it has finished handling (counted by a
        # last-group handler): waiting for these is exact, whatever the bot does meanwhile.
        self.sent = 0
        self.handled = 0

    async def start(self, **build: Any) -> BotApplication:
        build.setdefault("rate_limiter", None)
        app = build_application(self.settings, clock=self.clock, **build)
        app.add_handler(TypeHandler(Update, self._count_handled), group=1_000)
        self.sent = self.handled = 0
        await start_in_loop(app, poll_timeout=1)
        self.app = app
        return app

    async def stop(self) -> None:
        app, self.app = self.app, None
        if app is None:
            return
        await stop_in_loop(app)

    async def _count_handled(self, update: Update, context: object) -> None:
        self.handled += 1

    async def settle(self, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Wait until the bot has handled every update sent so far and is quiet."""
        await self.emulator.wait_until(lambda: self.handled >= self.sent, timeout=timeout)
        await self.emulator.wait_until(self._reminders_idle, timeout=timeout)
        await self.emulator.wait_idle(timeout=timeout)
        await self.emulator.wait_until(self._reminders_idle, timeout=timeout)

    def _reminders_idle(self) -> bool:
        if self.app is None:
            return True
        data = self.app.bot_data
        return all(s is None or s.idle for s in (data.reminders, data.weekly))

    async def restart(self) -> BotApplication:
        await self.stop()
        return await self.start()

    @property
    def storage(self) -> Storage:
        assert self.app is not None
        assert self.app.bot_data.storage is not None
        return self.app.bot_data.storage

    # ---------------------------------------------------------------- user actions
    async def say(self, user_id: int, text: str, chat_id: int | None = None) -> ChatMessage:
        """Send ``text`` as the user; return the bot's last new message in that chat."""
        replies = await self.say_all(user_id, text, chat_id)
        assert replies, f"the bot did not answer {text!r}"
        return replies[-1]

    async def say_all(
        self, user_id: int, text: str, chat_id: int | None = None
    ) -> list[ChatMessage]:
        chat = chat_id if chat_id is not None else user_id
        before = self.emulator.last_message_id(chat)
        self.emulator.send_message(user_id, text, chat_id=chat_id)
        self.sent += 1
        await self.settle()
        return [m for m in self.emulator.bot_messages(chat) if m.message_id > before + 1]

    async def press(
        self, user_id: int, message: ChatMessage, button: str
    ) -> tuple[ChatMessage, list[ChatMessage]]:
        """Press the button whose text is ``button`` (or else contains it); return the message
        as it is afterwards and any new bot messages."""
        exact = [d for row in message.buttons() for text, d in row if text == button and d]
        data = exact[0] if exact else message.button_data(button)
        return await self.press_data(user_id, message, data)

    async def press_data(
        self, user_id: int, message: ChatMessage, data: str
    ) -> tuple[ChatMessage, list[ChatMessage]]:
        chat = message.chat_id
        before = self.emulator.last_message_id(chat)
        self.emulator.press_button(user_id, chat, message.message_id, data)
        self.sent += 1
        await self.settle()
        new = [m for m in self.emulator.bot_messages(chat) if m.message_id > before]
        return self.emulator.message(chat, message.message_id), new

    async def press_raw(self, user_id: int, chat_id: int, message_id: int, data: str) -> str:
        """Press a button with any data (forged, stale); return the callback query id."""
        query = self.emulator.press_button(user_id, chat_id, message_id, data, force=True)
        self.sent += 1
        await self.settle()
        return query

    def answer_to(self, query_id: str) -> dict[str, Any]:
        return self.emulator.callback_answers[query_id]
