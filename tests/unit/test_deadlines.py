"""Deadline parsing: every rule of bot/parsing/deadlines.py, in English, Russian and Bulgarian.

Unless a test says otherwise, "now" is Wednesday 2026-11-25 10:00 on the user's wall clock.
Expected values are local wall-clock strings "YYYY-MM-DD HH:MM" in the user's zone.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.parsing.deadlines import (
    Deadline,
    DeadlineError,
    extract_deadline,
    parse_deadline,
    warm_up,
)

SOFIA = "Europe/Sofia"
ZONES = ["Europe/Sofia", "Europe/Moscow", "America/New_York", "UTC"]


def local_now(tz: str, stamp: str = "2026-11-25 10:00") -> datetime:
    return datetime.strptime(stamp, "%Y-%m-%d %H:%M").replace(tzinfo=ZoneInfo(tz))


def wall(deadline: Deadline, tz: str) -> str:
    return deadline.due_at.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M")


def parse_wall(text: str, tz: str = SOFIA, now: str = "2026-11-25 10:00") -> str:
    return wall(parse_deadline(text, now=local_now(tz, now), tz=tz), tz)


# Wall-clock results that do not depend on the zone (no DST change in between): checked in
# Sofia, Moscow, New York and UTC, each at 10:00 local on Wednesday 2026-11-25.
CALENDAR_CASES = [
    # A date without a time → 18:00 that day.
    ("tomorrow", "2026-11-26 18:00"),
    ("завтра", "2026-11-26 18:00"),
    ("утре", "2026-11-26 18:00"),
    ("Tomorrow!", "2026-11-26 18:00"),
    ("ЗАВТРА.", "2026-11-26 18:00"),
    ("the day after tomorrow", "2026-11-27 18:00"),
    ("послезавтра", "2026-11-27 18:00"),
    ("вдругиден", "2026-11-27 18:00"),
    ("today", "2026-11-25 18:00"),
    ("сегодня", "2026-11-25 18:00"),
    ("днес", "2026-11-25 18:00"),
    ("в понедельник", "2026-11-30 18:00"),
    ("в понеделник", "2026-11-30 18:00"),
    ("on Friday", "2026-11-27 18:00"),
    ("friday", "2026-11-27 18:00"),
    ("next friday", "2026-11-27 18:00"),
    ("this friday", "2026-11-27 18:00"),
    ("в пятницу", "2026-11-27 18:00"),
    ("до пятницы", "2026-11-27 18:00"),
    ("к пятнице", "2026-11-27 18:00"),
    ("в следующую пятницу", "2026-11-27 18:00"),
    ("в петък", "2026-11-27 18:00"),
    ("до петък", "2026-11-27 18:00"),
    ("следващия петък", "2026-11-27 18:00"),
    ("във вторник", "2026-12-01 18:00"),
    ("в четвъртък", "2026-11-26 18:00"),
    ("в неделя", "2026-11-29 18:00"),
    ("в воскресенье", "2026-11-29 18:00"),
    ("sat", "2026-11-28 18:00"),
    ("15 марта", "2027-03-15 18:00"),
    ("15 март", "2027-03-15 18:00"),
    ("March 15", "2027-03-15 18:00"),
    ("March 15th", "2027-03-15 18:00"),
    ("the 15th of March", "2027-03-15 18:00"),
    ("15.03", "2027-03-15 18:00"),
    ("15/03", "2027-03-15 18:00"),
    ("3/15", "2027-03-15 18:00"),  # the second number cannot be a month: month/day
    ("15.03.2027", "2027-03-15 18:00"),
    ("15.03.27", "2027-03-15 18:00"),
    ("2027-03-15", "2027-03-15 18:00"),
    ("30 ноября", "2026-11-30 18:00"),
    ("25 ноября", "2026-11-25 18:00"),  # today, still ahead
    ("до 1 декември", "2026-12-01 18:00"),
    ("Dec 1st", "2026-12-01 18:00"),
    ("20 декабря 2026 года", "2026-12-20 18:00"),
    ("5 януари 2027", "2027-01-05 18:00"),
    ("jan 5", "2027-01-05 18:00"),
    ("15-го", "2026-12-15 18:00"),
    ("до 15-го числа", "2026-12-15 18:00"),
    ("the 15th", "2026-12-15 18:00"),
    ("на 15-ти", "2026-12-15 18:00"),
    ("28-го", "2026-11-28 18:00"),
    ("31-го", "2026-12-31 18:00"),  # November has no 31st
    # Parts of the day.
    ("tomorrow morning", "2026-11-26 12:00"),
    ("завтра утром", "2026-11-26 12:00"),
    ("завтра с утра", "2026-11-26 12:00"),
    ("утре сутринта", "2026-11-26 12:00"),
    ("в понедельник утром", "2026-11-30 12:00"),
    ("в понеделник сутринта", "2026-11-30 12:00"),
    ("tomorrow afternoon", "2026-11-26 17:00"),
    ("завтра после обеда", "2026-11-26 17:00"),
    ("завтра днём", "2026-11-26 17:00"),
    ("утре следобед", "2026-11-26 17:00"),
    ("tomorrow evening", "2026-11-26 21:00"),
    ("завтра вечером", "2026-11-26 21:00"),
    ("утре вечерта", "2026-11-26 21:00"),
    ("в четверг к обеду", "2026-11-26 12:00"),
    ("утре преди обяд", "2026-11-26 12:00"),
    ("завтра к вечеру", "2026-11-26 18:00"),
    ("tonight", "2026-11-25 21:00"),
    ("тази вечер", "2026-11-25 21:00"),
    ("довечера", "2026-11-25 21:00"),
    ("сегодня вечером", "2026-11-25 21:00"),
    ("вечером", "2026-11-25 21:00"),
    ("this afternoon", "2026-11-25 17:00"),
    ("днес следобед", "2026-11-25 17:00"),
    ("end of day", "2026-11-25 18:00"),
    ("by EOD", "2026-11-25 18:00"),
    ("до конца дня", "2026-11-25 18:00"),
    ("до конца рабочего дня", "2026-11-25 18:00"),
    ("в течение дня", "2026-11-25 18:00"),
    ("до края на деня", "2026-11-25 18:00"),
    ("в рамките на деня", "2026-11-25 18:00"),
    ("завтра до конца дня", "2026-11-26 18:00"),
    ("утре до края на деня", "2026-11-26 18:00"),
    ("до обеда", "2026-11-25 12:00"),
    # Explicit times.
    ("tomorrow 3pm", "2026-11-26 15:00"),
    ("tomorrow at 3 pm", "2026-11-26 15:00"),
    ("tomorrow at 3:30 p.m.", "2026-11-26 15:30"),
    ("3pm tomorrow", "2026-11-26 15:00"),
    ("tomorrow at 15:00", "2026-11-26 15:00"),
    ("tomorrow, 9:00", "2026-11-26 09:00"),
    ("tomorrow noon", "2026-11-26 12:00"),
    ("tomorrow at 8 in the evening", "2026-11-26 20:00"),
    ("завтра в 15:00", "2026-11-26 15:00"),
    ("завтра до 15", "2026-11-26 15:00"),
    ("завтра к 15", "2026-11-26 15:00"),
    ("завтра 15", "2026-11-26 15:00"),  # a bare number next to a date is an hour
    ("завтра, 9:00!", "2026-11-26 09:00"),
    ("завтра в 10 вечера", "2026-11-26 22:00"),
    ("завтра в 3 часа дня", "2026-11-26 15:00"),
    ("завтра утром в 9", "2026-11-26 09:00"),
    ("завтра вечером в 8", "2026-11-26 20:00"),
    ("завтра в полдень", "2026-11-26 12:00"),
    ("утре в 10", "2026-11-26 10:00"),
    ("утре в 10ч", "2026-11-26 10:00"),
    ("утре в 10 ч.", "2026-11-26 10:00"),
    ("утре в 10 часа", "2026-11-26 10:00"),
    ("утре 10", "2026-11-26 10:00"),
    ("утре към 11", "2026-11-26 11:00"),
    ("утре до 12ч.", "2026-11-26 12:00"),
    ("утре 15ч", "2026-11-26 15:00"),
    ("утре в 8 вечерта", "2026-11-26 20:00"),
    ("утре в 10 сутринта", "2026-11-26 10:00"),
    ("вдругиден в 11", "2026-11-27 11:00"),
    ("в петък в 17 ч.", "2026-11-27 17:00"),
    ("friday 5pm", "2026-11-27 17:00"),
    ("next tuesday at 3:30 pm", "2026-12-01 15:30"),
    ("10am tue", "2026-12-01 10:00"),
    ("пятница 17:00", "2026-11-27 17:00"),
    ("15.06 в 10:30", "2027-06-15 10:30"),
    ("15 марта в 10", "2027-03-15 10:00"),  # dateparser says 2110
    ("15 марта 2027 г. в 10:00", "2027-03-15 10:00"),
    ("March 15 at 10am", "2027-03-15 10:00"),
    ("Dec 20 2026 2:30 PM", "2026-12-20 14:30"),
    ("2027-01-10 14:00", "2027-01-10 14:00"),
    ("в 15:30", "2026-11-25 15:30"),  # today, still ahead
    ("at 15:30", "2026-11-25 15:30"),
    ("в 9:30", "2026-11-26 09:30"),  # passed today → tomorrow
    ("в 10 вечера", "2026-11-25 22:00"),
    ("8 вечера", "2026-11-25 20:00"),
    ("в 3 часа дня", "2026-11-25 15:00"),
    ("в 3 дня", "2026-11-25 15:00"),
    ("в 10.30", "2026-11-25 10:30"),  # 30 is no month: a time
    ("в обед", "2026-11-25 12:00"),
    ("до полуночи", "2026-11-25 23:59"),
    ("12pm", "2026-11-25 12:00"),
    ("12am", "2026-11-26 00:00"),
    # Bare hours 1–6 mean the afternoon; 7 and up, leading zeros and "утра" do not.
    ("by 5", "2026-11-25 17:00"),
    ("в 3", "2026-11-25 15:00"),
    ("в 6", "2026-11-25 18:00"),
    ("в 2 часа", "2026-11-25 14:00"),
    ("до 2 часов", "2026-11-25 14:00"),
    ("в 7", "2026-11-26 07:00"),
    ("в 06:00", "2026-11-26 06:00"),
    ("в 5 утра", "2026-11-26 05:00"),
    ("завтра утром в 3", "2026-11-26 03:00"),
    # "After" a time: by the end of that working day.
    ("после 15", "2026-11-25 18:00"),
    ("после 3", "2026-11-25 18:00"),
    ("after 3pm", "2026-11-25 18:00"),
    ("след 15:00", "2026-11-25 18:00"),
    ("завтра после 14", "2026-11-26 18:00"),
    ("after 7pm", "2026-11-25 23:59"),
    # Other ways to write an hour.
    ("к 5 часам", "2026-11-25 17:00"),
    ("к 15 часам", "2026-11-25 15:00"),
    ("в 15-00", "2026-11-25 15:00"),
    ("10-30", "2026-11-25 10:30"),
    ("в 15 часов", "2026-11-25 15:00"),
    ("monday am", "2026-11-30 12:00"),
    ("tomorrow pm", "2026-11-26 17:00"),
    ("ближе к вечеру", "2026-11-25 18:00"),
    # Time ranges: the end counts.
    ("с 10-12", "2026-11-25 12:00"),
    ("с 14 до 16", "2026-11-25 16:00"),
    ("from 2 to 4pm", "2026-11-25 16:00"),
    ("завтра с 14:00 до 16:00", "2026-11-26 16:00"),
    ("14:00-16:00", "2026-11-25 16:00"),
    # Whole days, weeks, months: calendar moves, same wall-clock time.
    ("через 3 дня", "2026-11-28 10:00"),
    ("след 3 дни", "2026-11-28 10:00"),
    ("in 3 days", "2026-11-28 10:00"),
    ("in 3 days' time", "2026-11-28 10:00"),
    ("через 2-3 дня", "2026-11-28 10:00"),  # a range: the upper bound
    ("след 2-3 дни", "2026-11-28 10:00"),
    ("in a few days", "2026-11-28 10:00"),
    ("через неделю", "2026-12-02 10:00"),
    ("след седмица", "2026-12-02 10:00"),
    ("within a week", "2026-12-02 10:00"),
    ("2 weeks from now", "2026-12-09 10:00"),
    ("через месяц", "2026-12-25 10:00"),
    ("след месец", "2026-12-25 10:00"),
    ("через 2 дня в 10", "2026-11-27 10:00"),
    ("через 2 дня утром", "2026-11-27 12:00"),
    # Business days: Thu 26, Fri 27, (weekend), Mon 30.
    ("в течение 3 рабочих дней", "2026-11-30 18:00"),
    ("в течении 3 рабочих дней", "2026-11-30 18:00"),
    ("within 3 business days", "2026-11-30 18:00"),
    ("3 working days", "2026-11-30 18:00"),
    ("в рамките на 3 работни дни", "2026-11-30 18:00"),
    ("до 3 работни дни", "2026-11-30 18:00"),
    ("за 2 рабочих дня", "2026-11-27 18:00"),
    ("в течение 5 рабочих дней", "2026-12-02 18:00"),
    ("within 1 business day", "2026-11-26 18:00"),
    ("2-3 рабочих дня", "2026-11-30 18:00"),
    # Weeks and months as a whole.
    ("до конца недели", "2026-11-27 18:00"),
    ("by the end of the week", "2026-11-27 18:00"),
    ("до края на седмицата", "2026-11-27 18:00"),
    ("next week", "2026-12-04 18:00"),
    ("на следующей неделе", "2026-12-04 18:00"),
    ("следващата седмица", "2026-12-04 18:00"),
    ("monday next week", "2026-11-30 18:00"),
    ("в понедельник на следующей неделе", "2026-11-30 18:00"),
    ("следващата седмица в сряда", "2026-12-02 18:00"),
    ("в рамките на седмицата", "2026-11-27 18:00"),
    ("до выходных", "2026-11-27 18:00"),
    ("на выходных", "2026-11-29 18:00"),
    ("в выходные", "2026-11-29 18:00"),
    ("over the weekend", "2026-11-29 18:00"),
    ("през уикенда", "2026-11-29 18:00"),
    ("next weekend", "2026-12-06 18:00"),
    ("до конца месяца", "2026-11-30 18:00"),
    ("end of next month", "2026-12-31 18:00"),
    # Fillers, approximations and punctuation.
    ("примерно завтра в 15:00", "2026-11-26 15:00"),
    ("около 15:00", "2026-11-25 15:00"),
    ("не позднее пятницы", "2026-11-27 18:00"),
    ("until tomorrow", "2026-11-26 18:00"),
    ("no later than friday", "2026-11-27 18:00"),
    ("by Friday at the latest", "2026-11-27 18:00"),
    ("най-късно до петък", "2026-11-27 18:00"),
    ("горе-долу утре", "2026-11-26 18:00"),
    ("  завтра   в  15:00 ... ", "2026-11-26 15:00"),
    ("(утре)", "2026-11-26 18:00"),
    ("«завтра»", "2026-11-26 18:00"),
    # Languages mixed in one phrase.
    ("завтра 3pm", "2026-11-26 15:00"),
    ("утре at 10", "2026-11-26 10:00"),
    ("tomorrow в 15:00", "2026-11-26 15:00"),
    ("Завтра Утром", "2026-11-26 12:00"),
]


@pytest.mark.parametrize("tz", ZONES)
@pytest.mark.parametrize(("text", "expected"), CALENDAR_CASES)
def test_calendar_phrases_in_every_zone(text: str, expected: str, tz: str) -> None:
    assert parse_wall(text, tz) == expected


EXACT_CASES = [
    ("in 2 hours", timedelta(hours=2)),
    ("in 30 minutes", timedelta(minutes=30)),
    ("in an hour", timedelta(hours=1)),
    ("in half an hour", timedelta(minutes=30)),
    ("in 1 hour and 30 minutes", timedelta(minutes=90)),
    ("in two or three hours", timedelta(hours=3)),
    ("a couple of hours", timedelta(hours=2)),
    ("within 2h", timedelta(hours=2)),
    ("2h", timedelta(hours=2)),
    ("in 90 mins", timedelta(minutes=90)),
    ("1.5 hours", timedelta(minutes=90)),
    ("через 2 часа", timedelta(hours=2)),
    ("через полчаса", timedelta(minutes=30)),
    ("в течение получаса", timedelta(minutes=30)),
    ("after 2 hours", timedelta(hours=2)),
    ("after 2h", timedelta(hours=2)),
    ("через пол часа", timedelta(minutes=30)),
    ("через час", timedelta(hours=1)),
    ("через полтора часа", timedelta(minutes=90)),
    ("через 1 час 30 минут", timedelta(minutes=90)),
    ("через 1,5 часа", timedelta(minutes=90)),
    ("через 15 минут", timedelta(minutes=15)),
    ("через пару часов", timedelta(hours=2)),
    ("в течение часа", timedelta(hours=1)),
    ("в течение двух часов", timedelta(hours=2)),
    ("в течение 2-3 часов", timedelta(hours=3)),
    ("2 часа", timedelta(hours=2)),
    ("сорок пять минут", timedelta(minutes=45)),
    ("след 2 часа", timedelta(hours=2)),
    ("след час", timedelta(hours=1)),
    ("след половин час", timedelta(minutes=30)),
    ("след 1 час и 15 минути", timedelta(minutes=75)),
    ("в рамките на един час", timedelta(hours=1)),
    ("след два часа", timedelta(hours=2)),
    ("в течение суток", timedelta(days=1)),
]


@pytest.mark.parametrize("tz", ZONES)
@pytest.mark.parametrize(("text", "delta"), EXACT_CASES)
def test_durations_are_real_elapsed_time(text: str, delta: timedelta, tz: str) -> None:
    now = local_now(tz)
    assert parse_deadline(text, now=now, tz=tz).due_at - now == delta


ERROR_CASES = [
    ("", "empty"),
    ("   ", "empty"),
    ("...", "empty"),
    ("hello", "unrecognized"),
    ("когда-нибудь", "unrecognized"),
    ("някога", "unrecognized"),
    ("в", "unrecognized"),  # only a preposition
    ("by the", "unrecognized"),
    ("15", "unrecognized"),  # a lone number is no deadline
    ("a", "unrecognized"),
    ("25:00", "unrecognized"),
    ("10-12", "unrecognized"),  # a range of hours without "с"/"from": unclear
    ("asap", "unrecognized"),
    ("на днях", "unrecognized"),
    ("скоро", "unrecognized"),
    ("32.13", "unrecognized"),
    ("31 февраля", "unrecognized"),
    ("29.02.2027", "unrecognized"),
    ("в декабре", "unrecognized"),  # a whole month is too vague
    ("morgen", "unrecognized"),  # German: dateparser must not detect other languages
    ("demain", "unrecognized"),
    ("yesterday", "past"),
    ("вчера", "past"),
    ("в 9 сегодня", "past"),
    ("сегодня в 9:00", "past"),
    ("днес в 9", "past"),
    ("1 января 2026", "past"),
    ("25 ноября в 9", "past"),  # today's date with a passed time: not next year
    ("через 400 дней", "too_far"),
    ("in 13 months", "too_far"),
    ("через 99999999999 лет", "unrecognized"),
    ("через 99999999999 дней", "too_far"),
    ("in 9999999999 hours", "too_far"),
    ("в течение 400 рабочих дней", "too_far"),
    ("15 марта 2028", "too_far"),
]


@pytest.mark.parametrize(("text", "reason"), ERROR_CASES)
def test_errors_say_why(text: str, reason: str) -> None:
    with pytest.raises(DeadlineError) as info:
        parse_deadline(text, now=local_now(SOFIA), tz=SOFIA)
    assert info.value.reason == reason
    assert isinstance(info.value, ValueError)


def test_error_keeps_the_text() -> None:
    with pytest.raises(DeadlineError) as info:
        parse_deadline("вчера!", now=local_now(SOFIA), tz=SOFIA)
    assert info.value.text == "вчера"
    assert "past" in str(info.value)


# --- Things that depend on "now" ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "now", "expected"),
    [
        # On a Monday, a bare "Monday" is next week's; with a time still ahead it is today.
        ("в понедельник", "2026-11-30 10:00", "2026-12-07 18:00"),
        ("в понеделник", "2026-11-30 10:00", "2026-12-07 18:00"),
        ("on Monday", "2026-11-30 10:00", "2026-12-07 18:00"),
        ("в понедельник в 17:00", "2026-11-30 10:00", "2026-11-30 17:00"),
        ("monday 5pm", "2026-11-30 10:00", "2026-11-30 17:00"),
        ("в понеделник следобед", "2026-11-30 10:00", "2026-11-30 17:00"),
        ("в понедельник в 9:00", "2026-11-30 10:00", "2026-12-07 09:00"),
        ("в понедельник утром", "2026-11-30 13:00", "2026-12-07 12:00"),
        # A time or part of the day without a date rolls over to tomorrow once passed.
        ("в 15:30", "2026-11-25 16:00", "2026-11-26 15:30"),
        ("утром", "2026-11-25 14:00", "2026-11-26 12:00"),
        ("вечером", "2026-11-25 22:00", "2026-11-26 21:00"),
        ("в 10 вечера", "2026-11-25 23:00", "2026-11-26 22:00"),
        ("до полуночи", "2026-11-25 23:59", "2026-11-25 23:59"),  # exactly now is not past
        ("после 15", "2026-11-25 19:00", "2026-11-26 18:00"),
        # The weekend ends on Sunday; said on a Sunday it is today.
        ("на выходных", "2026-11-29 10:00", "2026-11-29 18:00"),
        ("this weekend", "2026-11-28 10:00", "2026-11-29 18:00"),
        # Business days counted from a Friday skip the weekend.
        ("в течение 1 рабочего дня", "2026-11-27 10:00", "2026-11-30 18:00"),
        ("within 2 business days", "2026-11-28 10:00", "2026-12-01 18:00"),
        # "This week" said at the weekend ends on Sunday.
        ("до конца недели", "2026-11-28 10:00", "2026-11-29 18:00"),
        # Day and month that passed this year mean next year; day of month → next month.
        ("1 марта", "2026-11-25 10:00", "2027-03-01 18:00"),
        ("1 декабря", "2026-11-25 10:00", "2026-12-01 18:00"),
        ("24.11", "2026-11-25 10:00", "2027-11-24 18:00"),
        ("5-го", "2026-12-30 10:00", "2027-01-05 18:00"),
        ("29.02", "2027-03-05 10:00", "2028-02-29 18:00"),
        # Month ends clamp the day.
        ("через месяц", "2027-01-31 10:00", "2027-02-28 10:00"),
    ],
)
def test_relative_to_now(text: str, now: str, expected: str) -> None:
    assert parse_wall(text, SOFIA, now) == expected


@pytest.mark.parametrize(
    ("text", "now"),
    [
        ("сегодня", "2026-11-25 19:00"),  # "today" never rolls over
        ("до конца дня", "2026-11-25 18:01"),
        ("tonight", "2026-11-25 21:30"),
        ("до края на деня", "2026-11-25 23:00"),
    ],
)
def test_today_phrases_do_not_roll_over(text: str, now: str) -> None:
    with pytest.raises(DeadlineError) as info:
        parse_deadline(text, now=local_now(SOFIA, now), tz=SOFIA)
    assert info.value.reason == "past"


def test_365_days_ahead_is_the_limit() -> None:
    now = local_now(SOFIA)
    assert parse_deadline("через 365 дней", now=now, tz=SOFIA).due_at == now + timedelta(365)
    with pytest.raises(DeadlineError, match="too_far"):
        parse_deadline("через 366 дней", now=now, tz=SOFIA)


# --- DST ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tz", "now", "text", "expected_utc"),
    [
        # Sofia springs forward 2027-03-28 03:00 EET → 04:00 EEST.
        (SOFIA, "2027-03-27 10:00", "tomorrow 15:00", "2027-03-28 12:00"),
        (SOFIA, "2027-03-27 10:00", "утре в 15:00", "2027-03-28 12:00"),
        (SOFIA, "2027-03-27 10:00", "завтра", "2027-03-28 15:00"),
        (SOFIA, "2027-03-27 10:00", "in 24 hours", "2027-03-28 08:00"),  # 11:00 EEST
        (SOFIA, "2027-03-27 10:00", "через 1 день", "2027-03-28 07:00"),  # 10:00 EEST
        # 03:30 does not exist: the later instant, 04:30 EEST.
        (SOFIA, "2027-03-27 10:00", "утре в 03:30", "2027-03-28 01:30"),
        (SOFIA, "2027-03-28 01:00", "в 03:30", "2027-03-28 01:30"),
        (SOFIA, "2027-03-28 01:00", "in 2 hours", "2027-03-28 01:00"),  # 04:00 EEST
        # Sofia falls back 2026-10-25 04:00 EEST → 03:00 EET.
        (SOFIA, "2026-10-24 10:00", "завтра в 15:00", "2026-10-25 13:00"),
        (SOFIA, "2026-10-24 10:00", "tomorrow", "2026-10-25 16:00"),
        # 03:30 happens twice: the later one, EET.
        (SOFIA, "2026-10-24 10:00", "утре в 03:30", "2026-10-25 01:30"),
        (SOFIA, "2026-10-25 02:30", "in 2 hours", "2026-10-25 01:30"),  # second 03:30
        (SOFIA, "2026-10-25 02:30", "через 30 минут", "2026-10-25 00:00"),  # first 03:00
        # New York springs forward 2027-03-14 02:00 EST → 03:00 EDT.
        ("America/New_York", "2027-03-13 12:00", "tomorrow 3pm", "2027-03-14 19:00"),
        ("America/New_York", "2027-03-13 12:00", "tomorrow 2:30am", "2027-03-14 07:30"),
        ("America/New_York", "2027-03-13 12:00", "in 24 hours", "2027-03-14 17:00"),
        ("America/New_York", "2027-03-13 12:00", "in 1 day", "2027-03-14 16:00"),
        ("America/New_York", "2027-03-13 12:00", "завтра", "2027-03-14 22:00"),
        # Moscow has no DST.
        ("Europe/Moscow", "2027-03-27 10:00", "завтра в 15:00", "2027-03-28 12:00"),
    ],
)
def test_dst(tz: str, now: str, text: str, expected_utc: str) -> None:
    deadline = parse_deadline(text, now=local_now(tz, now), tz=tz)
    assert deadline.due_at.strftime("%Y-%m-%d %H:%M") == expected_utc


def test_ambiguous_and_missing_times_pick_the_later_instant() -> None:
    zone = ZoneInfo(SOFIA)
    gap = parse_deadline("утре в 03:30", now=local_now(SOFIA, "2027-03-27 10:00"), tz=SOFIA)
    assert gap.due_at.astimezone(zone).strftime("%H:%M %z") == "04:30 +0300"
    fold = parse_deadline("утре в 03:30", now=local_now(SOFIA, "2026-10-24 10:00"), tz=SOFIA)
    assert fold.due_at.astimezone(zone).strftime("%H:%M %z") == "03:30 +0200"


# --- The API contract -----------------------------------------------------------------------


def test_result_is_utc_and_frozen() -> None:
    deadline = parse_deadline("утре в 10", now=local_now(SOFIA), tz=SOFIA)
    assert deadline.due_at == datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
    assert deadline.due_at.utcoffset() == timedelta(0)
    assert deadline.phrase == "утре в 10"
    with pytest.raises(dataclasses.FrozenInstanceError):
        deadline.phrase = "x"  # type: ignore[misc]


def test_now_may_be_in_any_zone_and_tz_may_be_a_zoneinfo() -> None:
    in_utc = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)  # 10:00 in Sofia
    from_utc = parse_deadline("в 15:30", now=in_utc, tz=ZoneInfo(SOFIA))
    from_local = parse_deadline("в 15:30", now=local_now(SOFIA), tz=SOFIA)
    assert from_utc == from_local


def test_the_users_zone_decides_what_today_is() -> None:
    # 23:30 UTC on the 25th is already the 26th in Moscow.
    now = datetime(2026, 11, 25, 23, 30, tzinfo=UTC)
    moscow = parse_deadline("завтра", now=now, tz="Europe/Moscow")
    assert wall(moscow, "Europe/Moscow") == "2026-11-27 18:00"
    new_york = parse_deadline("tomorrow", now=now, tz="America/New_York")
    assert wall(new_york, "America/New_York") == "2026-11-26 18:00"


def test_naive_now_and_unknown_zone_are_programming_errors() -> None:
    with pytest.raises(ValueError, match="aware"):
        parse_deadline("завтра", now=datetime(2026, 11, 25, 10, 0), tz=SOFIA)  # noqa: DTZ001
    with pytest.raises(ValueError, match="unknown time zone"):
        parse_deadline("завтра", now=local_now(SOFIA), tz="Mars/Olympus")


def test_dateparser_fallback_is_used_for_the_rest() -> None:
    # Not a rule-layer form; dateparser (restricted to en/ru/bg) knows it.
    assert parse_wall("завтра и послезавтра") == "2026-11-27 18:00"


def test_warm_up_runs() -> None:
    warm_up()


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from("0123456789 .:/-,завтрподнеlkmtsyуч"), max_size=30))
def test_any_text_either_parses_or_raises_deadline_error(text: str) -> None:
    now = local_now(SOFIA)
    try:
        deadline = parse_deadline(text, now=now, tz=SOFIA)
    except DeadlineError:
        return
    assert now <= deadline.due_at <= now + timedelta(days=365)


# --- extract_deadline -----------------------------------------------------------------------

EXTRACT_CASES = [
    ("tomorrow 3pm about the refund", "2026-11-26 15:00", "tomorrow 3pm", "about the refund"),
    ("завтра в 15:00, по поводу возврата", "2026-11-26 15:00", "завтра в 15:00",
     "по поводу возврата"),
    ("утре в 10 за договора", "2026-11-26 10:00", "утре в 10", "за договора"),
    ("tomorrow at the office", "2026-11-26 18:00", "tomorrow", "at the office"),
    ("в понедельник в офисе", "2026-11-30 18:00", "в понедельник", "в офисе"),
    ("через 2 дня по поводу доставки", "2026-11-27 10:00", "через 2 дня", "по поводу доставки"),
    ("в течение 3 рабочих дней — уточнить статус", "2026-11-30 18:00",
     "в течение 3 рабочих дней", "уточнить статус"),
    ("next friday hopefully", "2026-11-27 18:00", "next friday", "hopefully"),
    ("до края на деня: ще проверят", "2026-11-25 18:00", "до края на деня", "ще проверят"),
    ("в 15:00", "2026-11-25 15:00", "в 15:00", ""),
    ("завтра.", "2026-11-26 18:00", "завтра", ""),
    ("in 2 hours re: invoice #123", "2026-11-25 12:00", "in 2 hours", "re: invoice #123"),
    ("15.03 в 10 насчёт ремонта", "2027-03-15 10:00", "15.03 в 10", "насчёт ремонта"),
    ("утре сутринта, номер 12", "2026-11-26 12:00", "утре сутринта", "номер 12"),
    ("tomorrow and then again", "2026-11-26 18:00", "tomorrow", "and then again"),
    ("завтра и послезавтра", "2026-11-26 18:00", "завтра", "и послезавтра"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "expected", "phrase", "rest"), EXTRACT_CASES)
def test_extract_deadline(text: str, expected: str, phrase: str, rest: str) -> None:
    deadline, remainder = extract_deadline(text, now=local_now(SOFIA), tz=SOFIA)
    assert deadline is not None
    assert wall(deadline, SOFIA) == expected
    assert deadline.phrase == phrase
    assert remainder == rest


@pytest.mark.parametrize(
    "text",
    ["about the refund", "по поводу возврата", "за договора", "", "   ", "may I ask", "3 раза",
     "минут ждал на линии"],
)  # fmt: skip
def test_extract_without_a_leading_date(text: str) -> None:
    assert extract_deadline(text, now=local_now(SOFIA), tz=SOFIA) == (None, text)


@pytest.mark.parametrize(
    ("text", "reason"),
    [("вчера звонили", "past"), ("сегодня в 9 насчет счета", "past"),
     ("через 400 дней, не раньше", "too_far")],
)  # fmt: skip
def test_extract_raises_only_for_past_and_too_far(text: str, reason: str) -> None:
    with pytest.raises(DeadlineError) as info:
        extract_deadline(text, now=local_now(SOFIA), tz=SOFIA)
    assert info.value.reason == reason
