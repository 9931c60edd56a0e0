"""Weekly reports on a schedule kept in the database (survives restarts; a report missed while
the bot was down is sent once on start, then the schedule moves to the next future slot)."""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from telegram import InputMediaPhoto
from telegram.error import BadRequest, Forbidden, TelegramError

from bot.clock import Clock
from bot.config import Settings
from bot.formatting import esc
from bot.i18n import Translator
from bot.rendering import ChartRenderer
from bot.reports import Report, build_report
from bot.scheduling import ScheduledLoop
from storage import Storage, WeeklySchedule

logger = logging.getLogger(__name__)

WEEKDAYS: dict[str, int] = {
    word: number
    for number, words in enumerate(
        [
            ("mon", "monday", "пн", "пон", "понедельник", "понеделник"),
            ("tue", "tuesday", "вт", "вторник"),
            ("wed", "wednesday", "ср", "среда", "сряда"),
            ("thu", "thursday", "чт", "чет", "четверг", "четвъртък"),
            ("fri", "friday", "пт", "пет", "пятница", "петък"),
            ("sat", "saturday", "сб", "съб", "суббота", "събота"),
            ("sun", "sunday", "вс", "нд", "нед", "воскресенье", "неделя"),
        ]
    )
    for word in words
}


def parse_schedule(words: list[str]) -> tuple[int, str] | None:
    """``[day] [time]`` -> (weekday, "HH:MM"); defaults Monday 09:00; None if not understood."""
    weekday, at = 0, "09:00"
    for word in words:
        lowered = word.lower().strip(".,")
        if lowered in WEEKDAYS:
            weekday = WEEKDAYS[lowered]
            continue
        parsed = _parse_time(lowered)
        if parsed is None:
            return None
        at = parsed
    return weekday, at


def _parse_time(text: str) -> str | None:
    text = text.replace(".", ":").replace("ч", "").replace("h", "")
    suffix = None
    for mark in ("am", "pm"):
        if text.endswith(mark):
            text, suffix = text[: -len(mark)], mark
    hours_text, _, minutes_text = text.partition(":")
    if not hours_text.isdigit() or (minutes_text and not minutes_text.isdigit()):
        return None
    hours, minutes = int(hours_text), int(minutes_text or 0)
    if suffix == "pm" and hours < 12:
        hours += 12
    if suffix == "am" and hours == 12:
        hours = 0
    if not (0 <= hours < 24 and 0 <= minutes < 60):
        return None
    return f"{hours:02d}:{minutes:02d}"


def next_slot(after: datetime, tz: str, weekday: int, at_time: str) -> datetime:
    """The first moment strictly after ``after`` that is ``weekday`` ``at_time`` in ``tz``."""
    zone = ZoneInfo(tz)
    local = after.astimezone(zone)
    hours, minutes = (int(p) for p in at_time.split(":"))
    for days in range(8):
        day = local.date() + timedelta(days=days)
        if day.weekday() != weekday:
            continue
        slot = datetime.combine(day, time(hours, minutes), tzinfo=zone)
        slot = slot.astimezone(ZoneInfo("UTC")).astimezone(zone)  # a DST gap moves forward
        if slot > local:
            return slot.astimezone(after.tzinfo)
    return next_slot(after + timedelta(days=7), tz, weekday, at_time)


async def send_report(bot: Any, chat_id: int, report: Report) -> None:
    """An album of the charts (or one photo), then the text summary."""
    if len(report.photos) >= 2:
        await bot.send_media_group(chat_id, [InputMediaPhoto(p) for p in report.photos[:10]])
    elif report.photos:
        await bot.send_photo(chat_id, report.photos[0])
    await bot.send_message(chat_id, report.text)


class WeeklyReportService(ScheduledLoop):
    name = "weekly reports"

    def __init__(
        self,
        bot: Any,
        storage: Storage,
        clock: Clock,
        settings: Settings,
        renderer: ChartRenderer,
    ) -> None:
        super().__init__(clock)
        self.bot = bot
        self.storage = storage
        self.settings = settings
        self.renderer = renderer

    async def run_pass(self, first: bool) -> tuple[bool, datetime | None]:
        for schedule in await self.storage.due_weekly(self.clock.now()):
            await self._deliver(schedule)
        return False, await self.storage.next_weekly_at()

    async def _send_to_reviewers(
        self, chat_id: int, title: str | None, report: Report, _: Translator
    ) -> None:
        """Reviewers get the group's weekly report in their private chat."""
        header = _("weekly.header_for", name=esc(title or "?"))
        text = report.text.replace(_("weekly.header"), header, 1)
        for reviewer in await self.storage.reviewers_of(chat_id):
            try:
                await send_report(self.bot, reviewer, Report(report.photos, text))
            except TelegramError as exc:
                logger.warning("Weekly report to reviewer %s failed: %s", reviewer, exc)

    async def _deliver(self, schedule: WeeklySchedule) -> None:
        now = self.clock.now()
        chat = await self.storage.chat_settings(schedule.chat_id)
        tz = (chat.timezone if chat else None) or self.settings.default_timezone
        lang = (chat.language if chat else None) or self.settings.default_language
        _ = Translator(lang)
        next_at = next_slot(now, tz, schedule.weekday, schedule.at_time)
        try:
            report = await build_report(
                self.storage,
                self.renderer,
                chat_id=schedule.chat_id,
                tz=tz,
                _=_,
                now=now,
                period="week",
                group=bool(chat and chat.kind in ("group", "supergroup")),
            )
            if report.text:
                report = Report(report.photos, _("weekly.header") + "\n" + report.text)
                await send_report(self.bot, schedule.chat_id, report)
            else:
                await self.bot.send_message(schedule.chat_id, _("weekly.quiet"))
            if report.text and chat is not None and chat.kind in ("group", "supergroup"):
                await self._send_to_reviewers(schedule.chat_id, chat.title, report, _)
        except (Forbidden, BadRequest) as exc:
            logger.warning("Weekly report to %s not deliverable: %s", schedule.chat_id, exc)
        except TelegramError as exc:
            logger.warning("Weekly report to %s failed, will retry: %s", schedule.chat_id, exc)
            await self.storage.defer_weekly(
                schedule.chat_id, slot=schedule.next_at, until=now + timedelta(minutes=1)
            )
            return
        # Sent (or undeliverable): the next slot is in the future, so a report missed during
        # downtime goes out once, not once per missed week.
        await self.storage.weekly_sent(
            schedule.chat_id, slot=schedule.next_at, sent_at=now, next_at=next_at
        )
