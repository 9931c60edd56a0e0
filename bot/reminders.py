"""Reminders that are never lost and never sent twice.

The schedule lives in the database: each pending promise carries ``remind_at``. One task asks
for the earliest one (an index seek), sleeps until then or until a write wakes it, sends what
is due, and records it. Nothing is kept per promise in memory, so memory does not grow with
the number of pending promises, and a restart simply reads the schedule again.

Delivery order is *send, then record*: a crash between Telegram accepting a message and the
database recording it (one request's time) is the only way a reminder can be sent twice.
Nothing is marked before it is sent, so nothing can be lost.
"""

from __future__ import annotations

import asyncio
import logging
import time as monotonic_time
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, TelegramError

from bot import keyboards
from bot.clock import Clock
from bot.config import Settings
from bot.formatting import esc, local_time, relative
from bot.i18n import Translator, normalize_language
from bot.scheduling import RETRY_AFTER_FAILURE, ScheduledLoop
from storage import ChatSettings, Storage
from storage.models import DueReminder

logger = logging.getLogger(__name__)

#: At most this many reminders are read per pass.
BATCH = 200
#: Promises listed with buttons in one summary (3 buttons each, Telegram allows 100).
SUMMARY_ROWS = 20
#: Telegram allows about one message per second in a chat.
CHAT_SPACING_SECONDS = 1.0


# ---------------------------------------------------------------- quiet hours (pure)
def parse_hhmm(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def in_quiet_hours(moment: datetime, tz: str, start: str, end: str) -> bool:
    """Whether ``moment`` falls in the chat's quiet hours (local wall clock, may wrap midnight)."""
    if start == end:
        return False
    local = moment.astimezone(ZoneInfo(tz)).time().replace(tzinfo=None)
    begin, finish = parse_hhmm(start), parse_hhmm(end)
    if begin < finish:
        return begin <= local < finish
    return local >= begin or local < finish


def quiet_hours_end(moment: datetime, tz: str, end: str) -> datetime:
    """The first moment at or after ``moment`` when the local clock reads ``end``."""
    zone = ZoneInfo(tz)
    local = moment.astimezone(zone)
    finish = parse_hhmm(end)
    for days in range(3):
        day = local.date() + timedelta(days=days)
        candidate = datetime.combine(day, finish, tzinfo=zone)
        # A wall-clock time skipped by a DST jump does not exist: round-tripping through UTC
        # moves it to the first real instant after the gap.
        candidate = candidate.astimezone(ZoneInfo("UTC")).astimezone(zone)
        if candidate >= local:
            return candidate.astimezone(moment.tzinfo)
    raise AssertionError("unreachable: a day has every wall-clock time but one hour")


# ---------------------------------------------------------------- message texts
def chat_language(chat: ChatSettings, reminder: DueReminder, settings: Settings) -> str:
    return chat.language or normalize_language(reminder.logger_language, settings.default_language)


def mention(reminder: DueReminder) -> str:
    """A link that notifies the member who logged the promise (used in groups)."""
    name = esc(reminder.logger_name or "?")
    return f'<a href="tg://user?id={reminder.promise.logged_by}">{name}</a>'


def reminder_text(
    _: Translator, reminder: DueReminder, now: datetime, tz: str, *, group: bool
) -> str:
    promise = reminder.promise
    company = f"<b>{esc(promise.company)}</b>"
    key = "reminder.title_again" if reminder.reminders_sent else "reminder.title"
    lines = [_(key, company=company)]
    made = local_time(promise.made_at, tz, _.lang)
    due = local_time(promise.due_at, tz, _.lang)
    ago = relative(promise.due_at, now, _.lang)
    if promise.promised_by:
        lines.append(_("reminder.promised_by", who=esc(promise.promised_by), made=made))
    else:
        lines.append(_("reminder.promised", made=made))
    lines.append(_("reminder.was_due", due=due, ago=ago))
    if group and promise.logged_by:
        lines.insert(0, mention(reminder))
    return "\n".join(lines)


def summary_text(
    _: Translator,
    reminders: Sequence[DueReminder],
    now: datetime,
    tz: str,
    *,
    offline: bool,
    group: bool,
) -> str:
    key = "reminder.offline_title" if offline else "reminder.summary_title"
    lines = [_(key, count=len(reminders)), _("pending.legend"), ""]
    for number, reminder in enumerate(reminders, start=1):
        promise = reminder.promise
        who = f" · {esc(promise.promised_by)}" if promise.promised_by else ""
        logged = f" · {mention(reminder)}" if group and promise.logged_by else ""
        lines.append(
            f"{number}. <b>{esc(promise.company)}</b>{who} — "
            f"{_('reminder.due_short', due=local_time(promise.due_at, tz, _.lang), ago=relative(promise.due_at, now, _.lang))}"
            f"{logged}"
        )
    return "\n".join(lines)


# ---------------------------------------------------------------- the service
class ReminderService(ScheduledLoop):
    """One task that delivers due reminders, woken by every database write."""

    name = "reminders"

    def __init__(self, bot: Any, storage: Storage, clock: Clock, settings: Settings) -> None:
        super().__init__(clock)
        self.bot = bot
        self.storage = storage
        self.settings = settings
        self._started_at: datetime | None = None
        self.delivered = 0  # reminders delivered since start (for tests and benchmarks)
        self._last_sent: dict[int, float] = {}  # chat -> monotonic time of the last reminder

    def start(self) -> None:
        self._started_at = self.clock.now()
        self.storage.on_change = self.wake
        super().start()

    async def stop(self) -> None:
        self.storage.on_change = None
        await super().stop()

    async def run_pass(self, first: bool) -> tuple[bool, datetime | None]:
        if await self.deliver_due(offline=first):
            return True, None  # a full batch: more may be due right now
        return False, await self._next_wake()

    async def _next_wake(self) -> datetime | None:
        reminder = await self.storage.next_reminder_at()
        due = await self.storage.next_pending_due()
        breaking = None if due is None else due + timedelta(days=self.settings.auto_break_days)
        moments = [m for m in (reminder, breaking) if m is not None]
        return min(moments) if moments else None

    async def deliver_due(self, *, offline: bool = False) -> bool:
        """Send every reminder due now; return True when a full batch was handled."""
        now = self.clock.now()
        purged = await self.storage.purge_left_chats(
            now - timedelta(days=self.settings.retention_days)
        )
        if purged:
            logger.info("Deleted %d group workspaces after the retention period", len(purged))
        cutoff = now - timedelta(days=self.settings.auto_break_days)
        broken = await self.storage.auto_break_overdue(cutoff, now)
        if broken:
            logger.info(
                "%d promises broken automatically after %d days",
                len(broken),
                self.settings.auto_break_days,
            )
        due = await self.storage.due_reminders(now, limit=BATCH)
        by_chat: dict[int, list[DueReminder]] = defaultdict(list)
        for reminder in due:
            by_chat[reminder.promise.chat_id].append(reminder)
        for reminders in by_chat.values():
            await self._deliver_chat(reminders, now, offline=offline)
        return len(due) >= BATCH

    async def _space_out(self, chat_id: int) -> None:
        """Keep at least a second between two reminders to one chat (real time)."""
        now = monotonic_time.monotonic()
        if len(self._last_sent) > 1000:
            self._last_sent = {
                c: t for c, t in self._last_sent.items() if now - t < CHAT_SPACING_SECONDS
            }
        wait = self._last_sent.get(chat_id, -CHAT_SPACING_SECONDS) + CHAT_SPACING_SECONDS - now
        if wait > 0:
            await asyncio.sleep(wait)
        self._last_sent[chat_id] = monotonic_time.monotonic()

    async def _deliver_chat(
        self, reminders: list[DueReminder], now: datetime, *, offline: bool
    ) -> None:
        chat = reminders[0].chat
        tz = chat.timezone or self.settings.default_timezone
        ids = [r.promise.id for r in reminders]
        if in_quiet_hours(now, tz, chat.quiet_start, chat.quiet_end):
            await self.storage.defer_reminders(ids, quiet_hours_end(now, tz, chat.quiet_end))
            return
        _ = Translator(chat_language(chat, reminders[0], self.settings))
        group = chat.kind in ("group", "supergroup")
        offline = (
            offline
            and self._started_at is not None
            and any(r.remind_at < self._started_at for r in reminders)
        )
        # One message per chat, within Telegram's limits (100 buttons, 4096 characters): at
        # most SUMMARY_ROWS promises get buttons; the others are answered from /pending.
        reminders = reminders[:SUMMARY_ROWS]
        ids = [r.promise.id for r in reminders]
        markup: InlineKeyboardMarkup
        if len(reminders) == 1 and not offline:
            text = reminder_text(_, reminders[0], now, tz, group=group)
            markup = InlineKeyboardMarkup([keyboards.promise_actions(_, reminders[0].promise.id)])
        else:
            text = summary_text(_, reminders, now, tz, offline=offline, group=group)
            if len(reminders) == SUMMARY_ROWS:
                text += "\n\n" + _("reminder.more_in_pending")
            markup = keyboards.summary_list([r.promise for r in reminders])
        await self._space_out(chat.chat_id)
        try:
            message = await self.bot.send_message(chat.chat_id, text, reply_markup=markup)
        except Forbidden as exc:
            # The bot was blocked or removed: retrying cannot help. Record the reminders as
            # handled so they do not come back every pass (and a returning group gets them
            # back through bot_returned).
            logger.warning("Reminder to chat %s not deliverable: %s", chat.chat_id, exc)
            message = None
        except BadRequest as exc:
            if "chat not found" in exc.message.lower():
                logger.warning("Reminder to chat %s: chat not found", chat.chat_id)
                message = None
            else:  # our own message was refused: keep the reminders due, shout in the log
                logger.error("Reminder to chat %s refused: %s", chat.chat_id, exc)
                await self.storage.defer_reminders(ids, now + RETRY_AFTER_FAILURE)
                return
        except TelegramError as exc:
            logger.warning("Reminder to chat %s failed, will retry: %s", chat.chat_id, exc)
            await self.storage.defer_reminders(ids, now + RETRY_AFTER_FAILURE)
            return
        repeat = chat.reminder_repeat_hours
        if repeat is None:
            repeat = self.settings.reminder_repeat_hours
        follow_up = now + timedelta(hours=repeat) if repeat else None
        await self.storage.record_reminders_sent(
            [
                (r.promise.id, r.reminders_sent, None if r.reminders_sent else follow_up)
                for r in reminders
            ],
            message_id=None if message is None else message.message_id,
        )
        if message is not None:
            self.delivered += len(reminders)
