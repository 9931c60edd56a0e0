"""Natural-language callback deadlines (English, Russian, Bulgarian) → an aware UTC datetime.

A deadline is the LATEST moment a promised callback is still on time: "by 3pm" and "до 15:00"
both mean 15:00. Parsing happens in two layers:

1. A rule layer (this module) that knows the forms people actually type — "утре в 10",
   "в понедельник утром", "в течение 3 рабочих дней", "до края на деня" — and resolves them
   against the user's local wall clock. It covers what dateparser gets wrong or does not know.
2. dateparser, restricted to en/ru/bg, as a fallback for anything else. Its dates without a
   time also become 18:00; a bare month or year ("в декабре") is too vague and rejected.

Resolution rules (each one is pinned down by tests/unit/test_deadlines.py):

- A date without a time ("tomorrow", "15 марта", "в петък") means 18:00 local that day.
- Parts of the day: morning → 12:00, afternoon → 17:00, evening → 21:00, end of day → 18:00,
  "до обеда" / "before lunch" → 12:00, "к вечеру" / "by evening" → 18:00.
- A time or part of the day without a date ("в 15:30", "вечером") is today if still ahead,
  else tomorrow. Phrases that say "today" themselves ("today", "tonight", "до конца дня") never
  roll over: once passed they are an error ("past").
- Hours 1–6 written without am/pm, a part of the day or a leading zero mean the afternoon
  ("в 3" → 15:00, "by 5" → 17:00): nobody promises a callback at 3 a.m. "03:00" stays 03:00.
  "15-00" and "10-30" are times (Russian typing); "10-12" is not (it reads as a range).
  "15.03" is a date (day.month); "10.30" is a time because 30 is no month.
- "после 15" / "after 3pm" / "след 15:00": the callback comes after that time, so the deadline
  is the end of that working day, 18:00 (23:59 when the time is 18:00 or later).
- Time ranges ("с 14 до 16", "from 2 to 4pm") end at their end.
- A bare number becomes an hour only next to a date ("утре 10"); alone it means nothing.
- Weekdays mean the next such day strictly after today. On a Monday "в понедельник" is next
  week's Monday, unless a time or part of the day is given that is still ahead today
  ("в понедельник в 17:00" at 10:00 on a Monday → today 17:00). "next Friday" = "Friday".
- "15 марта" / "15.03" without a year: this year, or next year when that day has passed
  (today's date with a passed time is "past", not next year). Numbers are day.month; "3/15"
  (second number > 12) is read month/day.
- "15-го" / "the 15th" / "на 15-ти": that day of this month, or of the next month that has it.
- Minutes and hours ("in 2 hours", "через полчаса") are exact real time. Whole days, weeks and
  months ("через 3 дня", "след седмица") move the calendar and keep the local wall-clock time,
  or take the time given ("через 2 дня в 10"). Ranges ("2-3 дня", "two or three hours") take
  the upper bound.
- Business days ("в течение 3 рабочих дней") skip Saturdays and Sundays (no public holidays),
  counting from tomorrow: 18:00 on the last of them.
- "this week" / "до конца недели" / "до выходных" → Friday 18:00 (Sunday on a weekend);
  "next week" → next week's Friday 18:00; "monday next week" → that Monday; "на выходных" /
  "this weekend" → Sunday 18:00; "до конца месяца" / "next month" → its last day 18:00.
- DST: local wall-clock times are placed with the offset valid on that day. A nonexistent local
  time (spring-forward gap) and an ambiguous one (fall-back fold) both resolve to the LATER of
  the two candidate instants: 03:30 in Sofia's gap becomes 04:30 EEST; 03:30 in its fold
  becomes the second 03:30 (EET). A deadline errs on the side of waiting longer.
- Results before `now` raise DeadlineError("past"); more than 365 days ahead raise "too_far".
"""

from __future__ import annotations

import calendar
import logging
import re
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Literal, TypeAlias
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

logger = logging.getLogger(__name__)

Reason = Literal["empty", "unrecognized", "past", "too_far"]

DEFAULT_HOUR = 18  # a date without a time means "by the end of the working day"
MAX_AHEAD = timedelta(days=365)
_DATEPARSER_LANGUAGES = ["en", "ru", "bg"]
_MAX_PHRASE_WORDS = 12  # extract_deadline never looks further than this into the text
_MAX_FALLBACK_WORDS = 6  # ... and hands dateparser at most this many words


class DeadlineError(ValueError):
    """The text is not a usable deadline; `reason` says why (for a localised reply)."""

    reason: Reason
    text: str

    def __init__(self, reason: Reason, text: str = "") -> None:
        super().__init__(f"{reason}: {text!r}" if text else reason)
        self.reason = reason
        self.text = text


@dataclass(frozen=True, slots=True)
class Deadline:
    due_at: datetime  # aware, in UTC
    phrase: str  # the part of the input that was understood


# --------------------------------------------------------------------------------------------
# Pieces the rule layer recognises. A phrase is a sequence of pieces; each slot (date, time,
# part of day, exact duration) may be filled once.


@dataclass(frozen=True, slots=True)
class _DayOffset:
    days: int  # today = 0, tomorrow = 1, yesterday = -1


@dataclass(frozen=True, slots=True)
class _Weekday:
    weekday: int  # Monday = 0
    weeks_ahead: int | None = None  # None: next occurrence; k: in the ISO week k weeks ahead


@dataclass(frozen=True, slots=True)
class _DayMonth:
    day: int
    month: int
    year: int | None


@dataclass(frozen=True, slots=True)
class _DayOfMonth:
    day: int


@dataclass(frozen=True, slots=True)
class _WeekEnd:
    weeks_ahead: int  # 0: this week, 1: next week


@dataclass(frozen=True, slots=True)
class _MonthEnd:
    months_ahead: int


@dataclass(frozen=True, slots=True)
class _Shift:
    """Whole days / weeks / months from now: a calendar move that keeps the wall-clock time."""

    days: int = 0
    months: int = 0


@dataclass(frozen=True, slots=True)
class _BusinessDays:
    count: int


_DateSpec: TypeAlias = (
    _DayOffset | _Weekday | _DayMonth | _DayOfMonth | _WeekEnd | _MonthEnd | _Shift | _BusinessDays
)


@dataclass(frozen=True, slots=True)
class _Time:
    hour: int
    minute: int
    meridiem: Literal["am", "pm"] | None  # from "pm", "вечера", "сутринта", ...
    strong: bool  # unambiguous 24-hour form ("15:00", "07:30", "0:15"): no afternoon guess
    bare: bool  # a lone number: only an hour when a date stands next to it ("утре 10")
    after: bool = False  # "после 15", "after 3pm": the callback comes later that day


@dataclass(frozen=True, slots=True)
class _Part:
    hour: int
    minute: int
    hint: Literal["am", "pm"] | None  # how it disambiguates "в 8" said with it
    today: bool  # the words themselves mean today ("tonight", "end of day"): never roll over


@dataclass(frozen=True, slots=True)
class _Exact:
    delta: timedelta  # real elapsed time ("in 2 hours"); several add up, nothing else joins


@dataclass(frozen=True, slots=True)
class _TooFar:
    """A duration so long that computing it would overflow; it is "too_far" in any case."""


_Piece: TypeAlias = _DateSpec | _Time | _Part | _Exact | _TooFar


# --------------------------------------------------------------------------------------------
# Vocabulary


def _alt(words: Iterable[str]) -> str:
    """Regex alternation of literal phrases, longest first; spaces match any whitespace."""
    unique = sorted(set(words), key=lambda w: (-len(w), w))
    return "(?:" + "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in unique) + ")"


_END = r"(?=\s|$)"


def _vocabulary(table: dict[int, str]) -> dict[str, int]:
    """{value: "form|form two|..."} → {form: value}; forms are separated by "|"."""
    return {form.strip(): value for value, forms in table.items() for form in forms.split("|")}


_MONTHS = _vocabulary(
    {
        1: "january|jan|январь|января|янв|януари|яну",
        2: "february|feb|февраль|февраля|фев|февр|февруари",
        3: "march|mar|март|марта|мар",
        4: "april|apr|апрель|апреля|апр|април",
        5: "may|май|мая",
        6: "june|jun|июнь|июня|июн|юни",
        7: "july|jul|июль|июля|июл|юли",
        8: "august|aug|август|августа|авг",
        9: "september|sep|sept|сентябрь|сентября|сен|сент|септември",
        10: "october|oct|октябрь|октября|окт|октомври",
        11: "november|nov|ноябрь|ноября|ноя|нояб|ноември",
        12: "december|dec|декабрь|декабря|дек|декември",
    }
)
_WEEKDAYS = _vocabulary(
    {
        0: "monday|mon|понедельник|понедельника|понедельнику|пн|понеделник|пон",
        1: "tuesday|tue|tues|вторник|вторника|вторнику|вт",
        2: "wednesday|wed|среда|среду|среды|среде|ср|сряда|сря",
        3: "thursday|thu|thur|thurs|четверг|четверга|четвергу|чт|четвъртък|чет",
        4: "friday|fri|пятница|пятницу|пятницы|пятнице|пт|петък|пет",
        5: "saturday|sat|суббота|субботу|субботы|субботе|сб|събота|съб",
        # "неделя" is Sunday in Bulgarian and "week" in Russian; as a day name it is Sunday.
        6: "sunday|sun|воскресенье|воскресенья|воскресенью|вс|неделя|нед",
    }
)
# "next Friday" and "this Friday" both mean the coming Friday (see the module docstring).
_WEEKDAY_MODIFIERS = [
    "this", "next", "coming", "the next", "the coming", "следующий", "следующую", "следующей",
    "следующее", "следующая", "следующего", "этот", "эту", "это", "эта", "ближайший",
    "ближайшую", "ближайшее", "ближайшая", "следващия", "следващият", "следващата",
    "следващото", "тази", "този", "това", "другия", "другата",
]  # fmt: skip
_NUMBER_WORDS = _vocabulary(
    {
        1: "a|an|one|один|одна|одну|одного|одной|един|една|едно",
        2: "two|два|две|двух|пару|пара|пары|couple|a couple|a couple of|couple of|двама",
        3: "three|три|трех|few|a few|несколько|нескольких|няколко",
        4: "four|четыре|четырех|четири",
        5: "five|пять|пяти|пет",
        6: "six|шесть|шести|шест",
        7: "seven|семь|семи|седем",
        8: "eight|восемь|восьми|осем",
        9: "nine|девять|девяти|девет",
        10: "ten|десять|десяти|десет",
        11: "eleven",
        12: "twelve",
        15: "fifteen|пятнадцать|пятнадцати|петнадесет|петнайсет",
        20: "twenty|двадцать|двадцати|двадесет|двайсет",
        30: "thirty|тридцать|тридцати|тридесет|трийсет",
        45: "forty-five|сорок пять",
    }
)
_UNIT_NAMES = ["minute", "hour", "day", "week", "month"]
_UNITS = {
    form: _UNIT_NAMES[index]
    for form, index in _vocabulary(
        {
            0: "min|mins|minute|minutes|мин|минута|минуту|минуты|минут|минутку|минутки|минути",
            1: "h|hr|hrs|hour|hours|ч|час|часа|часов|часок|часика|часове",
            2: "day|days|день|дня|дней|сутки|суток|ден|дни|дена",
            3: "week|weeks|wk|wks|неделя|неделю|недели|недель|седмица|седмици",
            4: "month|months|месяц|месяца|месяцев|месец|месеца|месеци",
        }
    ).items()
}
_BUSINESS_UNITS = [
    "business day", "business days", "working day", "working days", "work day", "work days",
    "workday", "workdays", "рабочий день", "рабочих дня", "рабочих дней", "рабочего дня",
    "раб дня", "раб дней", "раб. дня", "раб. дней", "работен ден", "работни дни", "работни дена",
    "работния ден",
]  # fmt: skip

# Words that introduce a duration ("через 2 часа") — part of the duration pattern so that it
# wins over "в"/"до" read as a preposition before an hour.
_DURATION_INTROS = [
    "in", "within", "after", "in about", "up to", "через", "спустя", "в течение", "в течении",
    "в пределах", "за", "до", "след", "в рамките на", "не по-късно от", "не позднее чем через",
]  # fmt: skip

_TIME_PREPS = [
    "at", "by", "until", "till", "til", "before", "around", "about", "no later than",
    "not later than", "в", "во", "до", "к", "ко", "около", "примерно", "не позднее", "не позже",
    "към", "не по-късно от", "най-късно до", "в около",
]  # fmt: skip

_MERIDIEM_WORDS: dict[str, Literal["am", "pm"]] = {
    "утра": "am",
    "ночи": "am",
    "сутринта": "am",
    "in the morning": "am",
    "дня": "pm",
    "вечера": "pm",
    "вечерта": "pm",
    "следобед": "pm",
    "следобяд": "pm",
    "in the afternoon": "pm",
    "in the evening": "pm",
    "tonight": "pm",
}

# Parts of the day: (deadline hour, minute, hint for a bare hour, means today by itself)
_PartValue: TypeAlias = tuple[int, int, Literal["am", "pm"] | None, bool]
_PART_TABLE: list[tuple[_PartValue, list[str]]] = [
    ((12, 0, "am", False), ["morning", "in the morning", "утром", "с утра", "поутру",
                            "сутринта", "сутрин", "рано сутринта", "early morning"]),
    ((12, 0, "am", False), ["am", "before lunch", "by lunch", "by noon", "до обеда", "к обеду",
                            "ближе к обеду",
                            "перед обедом", "преди обяд", "преди обед", "до обяд"]),
    ((17, 0, "pm", False), ["pm", "afternoon", "in the afternoon", "after lunch", "днем", "днём",
                            "после обеда", "во второй половине дня", "следобед", "следобяд",
                            "след обяд", "след обед"]),
    ((18, 0, "pm", False), ["by evening", "by the evening", "до вечера", "к вечеру",
                            "ближе к вечеру",
                            "до вечерта"]),
    ((21, 0, "pm", False), ["evening", "in the evening", "вечером", "вечерта", "вечер"]),
    ((21, 0, "pm", True), ["tonight", "this evening", "тази вечер", "довечера", "этим вечером",
                           "сегодня вечером", "днес вечерта"]),
    ((12, 0, "am", True), ["this morning", "тази сутрин"]),
    ((17, 0, "pm", True), ["this afternoon"]),
    ((DEFAULT_HOUR, 0, None, True), [
        "end of day", "end of the day", "eod", "by eod", "cob", "close of business",
        "end of business", "end of business day", "end of the business day",
        "end of the working day", "end of working day", "during the day", "within the day",
        "до конца дня", "к концу дня", "конец дня", "в конце дня", "до конца рабочего дня",
        "к концу рабочего дня", "в конце рабочего дня", "в течение дня", "в течении дня",
        "в течение рабочего дня", "до края на деня", "в края на деня", "края на деня",
        "до края на работния ден", "в края на работния ден", "в рамките на деня",
        "в рамките на работния ден"]),
]  # fmt: skip
_PARTS: dict[str, _PartValue] = {word: value for value, words in _PART_TABLE for word in words}

_DAY_OFFSETS = _vocabulary(
    {
        0: "today|сегодня|днес|днеска",
        1: "tomorrow|tmrw|tmr|tomorow|tommorow|tommorrow|завтра|утре",
        2: "day after tomorrow|the day after tomorrow|послезавтра|после завтра|вдругиден"
        "|в другиден",
        -1: "yesterday|вчера",
        -2: "позавчера|завчера",
    }
)
_WEEK_ENDS = _vocabulary(
    {
        0: "this week|end of week|end of the week|end of this week|by end of week"
        "|by the end of the week|до конца недели|к концу недели|в конце недели|на этой неделе"
        "|на неделе|до конца этой недели|тази седмица|до края на седмицата|в края на седмицата"
        "|до края на тази седмица|през седмицата|в рамките на седмицата|до выходных"
        "|до уикенда",
        1: "next week|end of next week|the next week|на следующей неделе"
        "|до конца следующей недели|следващата седмица|другата седмица"
        "|през следващата седмица|до края на следващата седмица",
    }
)
# The weekend ends on Sunday: "на выходных" → Sunday 18:00.
_WEEKENDS = _vocabulary(
    {
        0: "weekend|the weekend|this weekend|over the weekend|on the weekend|at the weekend"
        "|by the weekend|на выходных|в выходные|на этих выходных|в эти выходные|уикенда"
        "|уикенд|през уикенда|този уикенд|в събота и неделя|в субботу или воскресенье",
        1: "next weekend|на следующих выходных|в следующие выходные|следващия уикенд"
        "|другия уикенд",
    }
)
_MONTH_ENDS = _vocabulary(
    {
        0: "end of month|end of the month|end of this month|by the end of the month|this month"
        "|до конца месяца|к концу месяца|в конце месяца|в этом месяце|до края на месеца"
        "|в края на месеца|този месец",
        1: "next month|end of next month|в следующем месяце|до конца следующего месяца"
        "|следващия месец|другия месец",
    }
)

_FILLERS = [
    "by", "until", "till", "til", "before", "at", "on", "in", "within", "the", "around",
    "about", "approximately", "approx", "roughly", "circa", "sometime", "some time",
    "no later than", "not later than", "at the latest", "latest", "or so", "from now",
    "from today", "later", "on or before", "due", "and", "-", "~",
    "до", "к", "ко", "в", "во", "на", "около", "примерно", "приблизительно", "ориентировочно",
    "где-то", "где то", "и", "не позднее", "не позже", "не позднее чем", "самое позднее",
    "в течение", "в течении", "в пределах", "или около того", "позже", "попозже",
    "във", "към", "приблизително", "горе-долу", "не по-късно от", "не по-късно", "най-късно",
    "най-късно до", "в рамките на", "по-късно",
]  # fmt: skip
_FILLER_WORDS = frozenset(w for w in _FILLERS if " " not in w)

# --------------------------------------------------------------------------------------------
# Rules: a regex anchored at a word start, and a handler turning the match into pieces (None
# rejects the match, [] is a filler). At each position the longest accepted match wins; on a
# tie the rule listed first wins (so "до 3 дня" is 15:00, not "up to 3 days").

_Handler: TypeAlias = Callable[[re.Match[str]], list[_Piece] | None]

_NUM = r"\d+(?:[.,]\d+)?"
_WORDNUM = _alt(_NUMBER_WORDS)
_RANGE_SEP = r"\s*(?:-|to|or|или)\s*"
# A number and its unit may touch ("2h"); a number word and its unit may not ("a h").
_AMOUNT = (
    rf"(?:(?P<n1>{_NUM})(?:{_RANGE_SEP}(?P<n2>{_NUM}))?\s*"
    rf"|(?P<w1>{_WORDNUM})(?:{_RANGE_SEP}(?P<w2>{_WORDNUM}))?\s+)"
)
_ORDINAL_EN = r"(?:st|nd|rd|th)"
_ORDINAL_ANY = r"(?:st|nd|rd|th|-?го|-?ого|-?е|-?ое|-?ти|-?ви|-?ри|-?ми)"
_YEAR_WORD = r"(?:\s*(?:г\.?|года|год|година))?"


def _to_number(text: str) -> float:
    return float(text.replace(",", "."))


def _amount(m: re.Match[str]) -> float:
    if m.group("n1"):
        values = [_to_number(m.group("n1"))]
        if m.group("n2"):
            values.append(_to_number(m.group("n2")))
    elif m.group("w1"):
        values = [float(_NUMBER_WORDS[_squash(m.group("w1"))])]
        if m.group("w2"):
            values.append(float(_NUMBER_WORDS[_squash(m.group("w2"))]))
    else:
        return 1.0  # "через час", "в течение недели"
    return max(values)


def _squash(text: str) -> str:
    return " ".join(text.split())


def _duration_pieces(amount: float, unit: str) -> list[_Piece] | None:
    days_equivalent = {"minute": 1 / 1440, "hour": 1 / 24, "day": 1, "week": 7, "month": 31}
    if amount * days_equivalent[unit] > 2 * MAX_AHEAD.days:
        return [_TooFar()]
    whole = amount == int(amount)
    if unit == "minute":
        return [_Exact(timedelta(minutes=amount))]
    if unit == "hour":
        return [_Exact(timedelta(hours=amount))]
    if unit == "day":
        return [_Shift(days=int(amount))] if whole else [_Exact(timedelta(days=amount))]
    if unit == "week":
        return [_Shift(days=7 * int(amount))] if whole else [_Exact(timedelta(weeks=amount))]
    return [_Shift(months=int(amount))] if whole else None  # "1.5 months" is too vague


def _h_duration(m: re.Match[str]) -> list[_Piece] | None:
    amount_given = m.group("n1") or m.group("w1")
    if not amount_given and not m.group("intro"):
        return None  # a bare "час" or "day" is not a duration
    return _duration_pieces(_amount(m), _UNITS[m.group("unit")])


def _h_half_hour(m: re.Match[str]) -> list[_Piece] | None:
    return [_Exact(timedelta(minutes=30))]


def _h_hour_and_half(m: re.Match[str]) -> list[_Piece] | None:
    return [_Exact(timedelta(minutes=90))]


def _h_business(m: re.Match[str]) -> list[_Piece] | None:
    amount = _amount(m)
    if amount > MAX_AHEAD.days:
        return [_TooFar()]
    if amount != int(amount) or amount < 1:
        return None
    return [_BusinessDays(int(amount))]


def _hour_word(h: int, meridiem: Literal["am", "pm"] | None) -> int | None:
    if meridiem == "am":
        return 0 if h == 12 else h if h <= 12 else None
    if meridiem == "pm":
        return h if h >= 12 else h + 12
    return h


def _h_time(m: re.Match[str]) -> list[_Piece] | None:
    raw_hour = m.group("h")
    h = int(raw_hour)
    minute = int(m.group("m")) if m.group("m") else 0
    sep = m.group("sep")
    after = m.group("after")
    prep = m.group("prep") or after
    unit = m.group("unit")
    ampm = m.group("ampm")
    mer_word = m.group("mer")
    if sep == "." and 1 <= h <= 31 and 1 <= minute <= 12:
        return None  # "15.03" is a date
    if sep == "-" and 0 < minute < 24:
        return None  # "15-00" and "10-30" are times; "10-12" is a range of hours
    if after and (
        unit in {"часа", "часов", "час", "h", "ч", "ч."} or (after == "след" and not sep)
    ):
        return None  # "след 2 часа", "after 2h": in two hours
    if h > 23 or minute > 59:
        return None
    meridiem: Literal["am", "pm"] | None = None
    if ampm:
        if not 1 <= h <= 12:
            return None
        meridiem = "am" if ampm.startswith("a") else "pm"
    if mer_word:
        mer = _MERIDIEM_WORDS[_squash(mer_word)]
        if mer_word == "дня" and not (prep or unit):
            return None  # "3 дня" is three days; "в 3 дня" / "3 часа дня" is 15:00
        if meridiem is not None and meridiem != mer:
            return None
        meridiem = mer
    if meridiem is not None:
        hour = _hour_word(h, meridiem)
        if hour is None:
            return None
        h = hour
    if unit in {"часа", "часов", "час", "h"} and not prep and not mer_word:
        return None  # "2 часа" and "2h" alone are durations; "15ч" is a time
    bare = not (prep or sep or unit or ampm or mer_word)
    strong = meridiem is not None or h == 0 or h > 12 or raw_hour.startswith("0")
    return [_Time(h, minute, meridiem, strong, bare, after=bool(after))]


def _h_time_range(m: re.Match[str]) -> list[_Piece] | None:
    """Time ranges ("с 14 до 16", "from 2 to 4pm", "14:00-16:00"): the end is the deadline."""
    h = int(m.group("h2"))
    minute = int(m.group("m2")) if m.group("m2") else 0
    if h > 23 or minute > 59 or int(m.group("h1") or m.group("h1c")) > 23:
        return None
    meridiem: Literal["am", "pm"] | None = None
    if m.group("ampm"):
        if not 1 <= h <= 12:
            return None
        meridiem = "am" if m.group("ampm").startswith("a") else "pm"
        h = _hour_word(h, meridiem) or 0
    strong = meridiem is not None or h == 0 or h > 12 or m.group("h2").startswith("0")
    return [_Time(h, minute, meridiem, strong, bare=False)]


def _h_named_time(m: re.Match[str]) -> list[_Piece] | None:
    word = _squash(m.group("word"))
    if word in {"midnight", "полночь", "полуночи", "полунощ"}:
        return [_Time(23, 59, None, strong=True, bare=False)]
    return [_Time(12, 0, None, strong=True, bare=False)]


def _h_part(m: re.Match[str]) -> list[_Piece] | None:
    hour, minute, hint, today = _PARTS[_squash(m.group("part"))]
    return [_Part(hour, minute, hint, today)]


def _h_day_offset(m: re.Match[str]) -> list[_Piece] | None:
    return [_DayOffset(_DAY_OFFSETS[_squash(m.group("word"))])]


def _h_weekday(m: re.Match[str]) -> list[_Piece] | None:
    return [_Weekday(_WEEKDAYS[m.group("wd")])]


def _h_week_end(m: re.Match[str]) -> list[_Piece] | None:
    return [_WeekEnd(_WEEK_ENDS[_squash(m.group("word"))])]


def _h_weekend(m: re.Match[str]) -> list[_Piece] | None:
    return [_Weekday(6, weeks_ahead=_WEEKENDS[_squash(m.group("word"))])]


def _h_month_end(m: re.Match[str]) -> list[_Piece] | None:
    return [_MonthEnd(_MONTH_ENDS[_squash(m.group("word"))])]


def _valid_day_month(day: int, month: int) -> bool:
    return 1 <= month <= 12 and 1 <= day <= calendar.monthrange(2024, month)[1]  # leap year


def _year(text: str | None) -> int | None:
    if text is None:
        return None
    year = int(text)
    return year + 2000 if year < 100 else year


def _h_day_month_name(m: re.Match[str]) -> list[_Piece] | None:
    day, month = int(m.group("d")), _MONTHS[m.group("mon")]
    if not _valid_day_month(day, month):
        return None
    return [_DayMonth(day, month, _year(m.group("y")))]


def _h_numeric_date(m: re.Match[str]) -> list[_Piece] | None:
    first, second = int(m.group("d")), int(m.group("mo"))
    day, month = first, second
    if second > 12 and first <= 12:
        day, month = second, first  # "3/15" can only be month/day
    if not _valid_day_month(day, month):
        return None
    return [_DayMonth(day, month, _year(m.group("y")))]


def _h_iso_date(m: re.Match[str]) -> list[_Piece] | None:
    day, month = int(m.group("d")), int(m.group("mo"))
    if not _valid_day_month(day, month):
        return None
    return [_DayMonth(day, month, int(m.group("y")))]


def _h_day_of_month(m: re.Match[str]) -> list[_Piece] | None:
    day = int(m.group("d"))
    return [_DayOfMonth(day)] if 1 <= day <= 31 else None


def _h_filler(m: re.Match[str]) -> list[_Piece] | None:
    return []


_AMPM = r"(?P<ampm>a\.?m\.?|p\.?m\.?)"
_MERIDIEM = _alt(_MERIDIEM_WORDS)
_TIME_UNIT = r"(?P<unit>ч\.?|h|часа|часов|часам|час|o'?clock)"
_UNIT_WORDS = _alt(_UNITS)

_RULES: list[tuple[re.Pattern[str], _Handler]] = [
    (re.compile(rf"(?P<part>{_alt(_PARTS)}){_END}"), _h_part),
    (
        re.compile(
            rf"(?:(?:с|со|от|from|between)\s+(?P<h1>\d{{1,2}})(?::(?P<m1>\d{{2}}))?"
            rf"|(?P<h1c>\d{{1,2}}):\d{{2}})"
            rf"\s*(?:-|до|to|till|until|and|и)\s*"
            rf"(?P<h2>\d{{1,2}})(?::(?P<m2>\d{{2}}))?\s*(?:{_AMPM}|ч\.?|h|часа|часов)?{_END}"
        ),
        _h_time_range,
    ),
    (
        re.compile(
            rf"(?:(?:(?P<after>после|after|след)|(?P<prep>{_alt(_TIME_PREPS)}))\s+)?"
            rf"(?P<h>\d{{1,2}})(?:(?P<sep>[:.-])(?P<m>\d{{2}}))?(?:\s*(?:{_AMPM}|{_TIME_UNIT}))?"
            rf"(?:\s+(?P<mer>{_MERIDIEM}))?{_END}"
        ),
        _h_time,
    ),
    (
        re.compile(
            rf"(?:{_alt(_TIME_PREPS)}\s+)?"
            rf"(?P<word>noon|midday|midnight|полдень|полудня|полночь|полуночи|пладне|полунощ|обед)"
            rf"{_END}"
        ),
        _h_named_time,
    ),
    (
        re.compile(
            rf"(?:(?P<intro>{_alt(_DURATION_INTROS)})\s+)?"
            rf"(?:half an hour|half hour|a half hour|полчаса|пол часа|половин час|получас"
            rf"|получаса){_END}"
        ),
        _h_half_hour,
    ),
    (
        re.compile(
            rf"(?:(?P<intro>{_alt(_DURATION_INTROS)})\s+)?"
            rf"(?:an hour and a half|one and a half hours|hour and a half|полтора часа"
            rf"|час и половина|час и половин|час и полови?на){_END}"
        ),
        _h_hour_and_half,
    ),
    (
        re.compile(
            rf"(?:(?P<intro>{_alt(_DURATION_INTROS)})\s+)?(?:{_AMOUNT})?(?:of\s+)?"
            rf"(?P<unit>{_alt(_BUSINESS_UNITS)}){_END}"
        ),
        _h_business,
    ),
    (
        re.compile(
            rf"(?:(?P<intro>{_alt(_DURATION_INTROS)})\s+)?(?:{_AMOUNT})?(?:of\s+)?"
            rf"(?P<unit>{_UNIT_WORDS})(?:'s|')?(?:\s+time)?{_END}"
        ),
        _h_duration,
    ),
    (re.compile(rf"(?P<word>{_alt(_DAY_OFFSETS)}){_END}"), _h_day_offset),
    (re.compile(rf"(?P<word>{_alt(_WEEK_ENDS)}){_END}"), _h_week_end),
    (re.compile(rf"(?P<word>{_alt(_WEEKENDS)}){_END}"), _h_weekend),
    (re.compile(rf"(?P<word>{_alt(_MONTH_ENDS)}){_END}"), _h_month_end),
    (
        re.compile(rf"(?:{_alt(_WEEKDAY_MODIFIERS)}\s+)?(?P<wd>{_alt(_WEEKDAYS)})\.?{_END}"),
        _h_weekday,
    ),
    (
        re.compile(
            rf"(?:the\s+)?(?P<d>\d{{1,2}}){_ORDINAL_ANY}?\s+(?:of\s+)?"
            rf"(?P<mon>{_alt(_MONTHS)})\.?(?:,?\s+(?P<y>\d{{4}}){_YEAR_WORD})?{_END}"
        ),
        _h_day_month_name,
    ),
    (
        re.compile(
            rf"(?P<mon>{_alt(_MONTHS)})\.?\s+(?:the\s+)?(?P<d>\d{{1,2}}){_ORDINAL_EN}?"
            rf"(?:,?\s+(?P<y>\d{{4}}))?{_END}"
        ),
        _h_day_month_name,
    ),
    (
        re.compile(
            rf"(?P<d>\d{{1,2}})[./](?P<mo>\d{{1,2}})(?:[./](?P<y>\d{{4}}|\d{{2}}))?\.?"
            rf"{_YEAR_WORD}{_END}"
        ),
        _h_numeric_date,
    ),
    (re.compile(rf"(?P<y>\d{{4}})-(?P<mo>\d{{1,2}})-(?P<d>\d{{1,2}}){_END}"), _h_iso_date),
    (
        re.compile(
            rf"(?:the\s+)?(?P<d>\d{{1,2}})(?:{_ORDINAL_EN}|-?(?:го|ого|е|ое|ти|ви|ри|ми))"
            rf"(?:\s+числа)?{_END}|(?P<d2>\d{{1,2}})\s+числа{_END}"
        ),
        lambda m: _h_day_of_month(m) if m.group("d") else [_DayOfMonth(int(m.group("d2")))],
    ),
    (re.compile(rf"{_alt(_FILLERS)}{_END}"), _h_filler),
]

# --------------------------------------------------------------------------------------------
# Normalisation and scanning

_PUNCT_TO_SPACE = re.compile(r"[;!?()«»\"“”„\[\]{}]|,(?!\d)|\.{2,}|…")
_EDGE_PUNCT = ".,:;!?-—–… \t\n\r"


def _normalize(text: str) -> str:
    text = text.casefold().replace("ё", "е")
    text = text.replace("\u2019", "'").replace("`", "'")
    text = re.sub(r"[\u2010-\u2015\u2212]", "-", text)
    text = _PUNCT_TO_SPACE.sub(" ", text)
    return " ".join(text.split()).strip(_EDGE_PUNCT)


def _scan(norm: str) -> list[_Piece] | None:
    """Split a normalised phrase into pieces, or None when some word is not understood."""
    pieces: list[_Piece] = []
    pos, length = 0, len(norm)
    while pos < length:
        if norm[pos] == " ":
            pos += 1
            continue
        best_end, best = -1, None
        for pattern, handler in _RULES:
            m = pattern.match(norm, pos)
            if m is None or m.end() <= best_end:
                continue
            found = handler(m)
            if found is not None:
                best_end, best = m.end(), found
        if best is None:
            return None
        pieces.extend(best)
        pos = best_end
    return pieces


@dataclass(slots=True)
class _Slots:
    date: _DateSpec | None = None
    time: _Time | None = None
    part: _Part | None = None
    exact: _Exact | None = None
    too_far: bool = False


def _assemble(pieces: Sequence[_Piece]) -> _Slots | None:
    slots = _Slots()
    for piece in pieces:
        if isinstance(piece, _TooFar):
            slots.too_far = True
        elif isinstance(piece, _Time):
            if slots.time is not None:
                return None
            slots.time = piece
        elif isinstance(piece, _Part):
            if slots.part is not None:
                return None
            slots.part = piece
        elif isinstance(piece, _Exact):  # "1 час 30 минут" adds up
            previous = slots.exact.delta if slots.exact is not None else timedelta(0)
            slots.exact = _Exact(previous + piece.delta)
        elif slots.date is None:
            slots.date = piece
        else:
            merged = _merge_dates(slots.date, piece)
            if merged is None:
                return None
            slots.date = merged
    if slots.too_far:
        return slots
    if slots.exact is not None and (slots.date or slots.time or slots.part):
        return None  # "tomorrow in 2 hours" makes no sense
    if slots.time is not None and slots.time.bare and slots.date is None:
        return None  # a lone number is not a deadline
    if not (slots.date or slots.time or slots.part or slots.exact):
        return None  # only fillers
    return slots


def _merge_dates(first: _DateSpec, second: _DateSpec) -> _DateSpec | None:
    """'monday next week' / 'следващата седмица в понеделник'; nothing else combines."""
    if isinstance(first, _Weekday) and isinstance(second, _WeekEnd):
        return _Weekday(first.weekday, second.weeks_ahead)
    if isinstance(first, _WeekEnd) and isinstance(second, _Weekday):
        return _Weekday(second.weekday, first.weeks_ahead)
    return None


# --------------------------------------------------------------------------------------------
# Resolution against the user's clock


def _localize(day: date, hour: int, minute: int, zone: ZoneInfo) -> datetime:
    """Wall-clock time in `zone` → UTC; gaps and folds resolve to the later instant."""
    naive = datetime(day.year, day.month, day.day, hour, minute)  # noqa: DTZ001 - zone set below
    first = naive.replace(tzinfo=zone, fold=0).astimezone(UTC)
    second = naive.replace(tzinfo=zone, fold=1).astimezone(UTC)
    return max(first, second)


def _add_months(day: date, months: int) -> date:
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _clock(slots: _Slots) -> tuple[int, int] | None:
    """The hour and minute the phrase names, if it names one."""
    time, part = slots.time, slots.part
    if time is None:
        return (part.hour, part.minute) if part is not None else None
    hour = time.hour
    if not time.strong:
        hint = part.hint if part is not None else None
        if hint == "pm" and hour < 12:
            hour += 12
        elif hint is None and 1 <= hour <= 6:
            hour += 12  # "в 3", "by 5": business hours, not the middle of the night
    if time.after:  # "после 15": by the end of that working day, or of the day itself
        return (DEFAULT_HOUR, 0) if hour < DEFAULT_HOUR else (23, 59)
    return hour, time.minute


def _resolve(slots: _Slots, now: datetime, zone: ZoneInfo) -> datetime:
    if slots.too_far:
        raise DeadlineError("too_far")
    now_utc = now.astimezone(UTC)
    if slots.exact is not None:
        return now_utc + slots.exact.delta
    local_now = now.astimezone(zone)
    today = local_now.date()
    clock = _clock(slots)
    spec = slots.date

    def at(day: date, default: tuple[int, int] = (DEFAULT_HOUR, 0)) -> datetime:
        hour, minute = clock if clock is not None else default
        return _localize(day, hour, minute, zone)

    if spec is None:
        assert clock is not None
        due = at(today)
        if due < now_utc and not (slots.part is not None and slots.part.today):
            due = at(today + timedelta(days=1))
        return due
    if isinstance(spec, _DayOffset):
        return at(today + timedelta(days=spec.days))
    if isinstance(spec, _Weekday):
        if spec.weeks_ahead is not None:
            monday = today - timedelta(days=today.weekday()) + timedelta(weeks=spec.weeks_ahead)
            return at(monday + timedelta(days=spec.weekday))
        ahead = (spec.weekday - today.weekday()) % 7
        if ahead == 0 and not (clock is not None and at(today) > now_utc):
            ahead = 7
        return at(today + timedelta(days=ahead))
    if isinstance(spec, _DayMonth):
        # Without a year: the first year in which that day exists and is not over yet.
        years = [spec.year] if spec.year is not None else range(today.year, today.year + 5)
        for year in years:
            if spec.day > calendar.monthrange(year, spec.month)[1]:
                continue  # 29 February
            day = date(year, spec.month, spec.day)
            if spec.year is not None or day >= today:
                return at(day)
        raise DeadlineError("unrecognized")
    if isinstance(spec, _DayOfMonth):
        first = today.replace(day=1)
        for months in range(0, 12):
            month_start = _add_months(first, months)
            last = calendar.monthrange(month_start.year, month_start.month)[1]
            if spec.day <= last and (months > 0 or spec.day >= today.day):
                return at(month_start.replace(day=spec.day))
        raise DeadlineError("unrecognized")
    if isinstance(spec, _WeekEnd):
        monday = today - timedelta(days=today.weekday()) + timedelta(weeks=spec.weeks_ahead)
        friday = monday + timedelta(days=4)
        if friday < today:
            friday = monday + timedelta(days=6)  # said at the weekend: this Sunday
        return at(friday)
    if isinstance(spec, _MonthEnd):
        month_start = _add_months(today.replace(day=1), spec.months_ahead)
        last = calendar.monthrange(month_start.year, month_start.month)[1]
        return at(month_start.replace(day=last))
    if isinstance(spec, _Shift):
        day = _add_months(today, spec.months) + timedelta(days=spec.days)
        return at(day, default=(local_now.hour, local_now.minute))
    # _BusinessDays
    day, left = today, spec.count
    while left:
        day += timedelta(days=1)
        if day.weekday() < 5:
            left -= 1
    return at(day)


# --------------------------------------------------------------------------------------------
# dateparser fallback

_dateparser_lock = threading.Lock()


def _dateparser_due(norm: str, now: datetime, zone: ZoneInfo) -> datetime | None:
    """Ask dateparser (en/ru/bg only); a date without a time becomes 18:00 that day."""
    words = norm.split()
    while words and words[0] in _FILLER_WORDS:
        words = words[1:]
    if not any(ch.isalpha() for ch in " ".join(words)) or (len(words) == 1 and len(words[0]) < 3):
        # Digits alone are covered by the rules; dateparser would read "15" as the 15th,
        # "32.13" as a year and "a" as the 1st.
        return None
    from dateparser.date import DateDataParser  # imported lazily: ≈0.1 s

    local_now = now.astimezone(zone)
    settings = {
        # Measured: the base must be the local wall clock, with the zone named separately.
        "RELATIVE_BASE": local_now.replace(tzinfo=None),
        "TIMEZONE": zone.key or "UTC",
        "RETURN_AS_TIMEZONE_AWARE": True,
        "PREFER_DATES_FROM": "future",
        "DATE_ORDER": "DMY",
        "RETURN_TIME_AS_PERIOD": True,
    }
    parser = DateDataParser(languages=_DATEPARSER_LANGUAGES, settings=settings)
    try:
        with _dateparser_lock:  # its language caches are filled lazily, not thread-safe
            data = parser.get_date_data(" ".join(words))
    except (ValueError, OverflowError) as exc:  # e.g. "in 10**20 years"
        logger.debug("dateparser failed on %r: %s", norm, exc)
        return None
    if data.date_obj is None or data.period not in {"time", "day", "week"}:
        return None
    # dateparser puts some times on the wrong side of a DST change; keep only its wall clock.
    wall = data.date_obj.replace(tzinfo=None)
    if data.period == "time":
        return _localize(wall.date(), wall.hour, wall.minute, zone)
    return _localize(wall.date(), DEFAULT_HOUR, 0, zone)


# --------------------------------------------------------------------------------------------
# Public API


def _zone(tz: str | ZoneInfo) -> ZoneInfo:
    if isinstance(tz, ZoneInfo):
        return tz
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone: {tz!r}") from exc


def _check_now(now: datetime) -> None:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("`now` must be an aware datetime")


def _rule_due(norm: str, now: datetime, zone: ZoneInfo) -> datetime | None:
    pieces = _scan(norm)
    if pieces is None:
        return None
    slots = _assemble(pieces)
    if slots is None:
        return None
    return _resolve(slots, now, zone)


def _checked(due: datetime, now: datetime, phrase: str) -> Deadline:
    if due < now:
        raise DeadlineError("past", phrase)
    if due - now > MAX_AHEAD:
        raise DeadlineError("too_far", phrase)
    return Deadline(due_at=due.astimezone(UTC), phrase=phrase)


def _with_text(error: DeadlineError, phrase: str) -> DeadlineError:
    return error if error.text else DeadlineError(error.reason, phrase)


def parse_deadline(text: str, *, now: datetime, tz: str | ZoneInfo) -> Deadline:
    """Parse the whole of `text` as a deadline; raise DeadlineError when it is not one."""
    _check_now(now)
    zone = _zone(tz)
    phrase = text.strip().strip(_EDGE_PUNCT)
    norm = _normalize(text)
    if not norm:
        raise DeadlineError("empty", text)
    try:
        due = _rule_due(norm, now, zone)
        if due is None:
            due = _dateparser_due(norm, now, zone)
    except DeadlineError as exc:
        raise _with_text(exc, phrase) from None
    if due is None:
        raise DeadlineError("unrecognized", phrase)
    return _checked(due, now, phrase)


_TOKEN = re.compile(r"\S+")


def extract_deadline(
    text: str, *, now: datetime, tz: str | ZoneInfo
) -> tuple[Deadline | None, str]:
    """Find a deadline at the START of `text`: the longest leading run of words that parses.

    Returns (deadline, the rest of the text, stripped), or (None, text) when the text does not
    start with a date. Raises DeadlineError only when the date found is "past" or "too_far".
    """
    _check_now(now)
    zone = _zone(tz)
    spans = [m.span() for m in _TOKEN.finditer(text)][:_MAX_PHRASE_WORDS]
    if not spans:
        return None, text

    def attempt(words: int, *, fallback: bool) -> datetime | None:
        norm = _normalize(text[spans[0][0] : spans[words - 1][1]])
        if not norm:
            return None
        if fallback:
            return _dateparser_due(norm, now, zone)
        return _rule_due(norm, now, zone)

    for fallback in (False, True):
        if fallback and not _starts_like_a_date(text[spans[0][0] : spans[-1][1]]):
            break
        top = len(spans) if not fallback else min(len(spans), _MAX_FALLBACK_WORDS)
        for words in range(top, 0, -1):
            try:
                due = attempt(words, fallback=fallback)
            except DeadlineError as exc:
                phrase = text[spans[0][0] : spans[words - 1][1]].strip(_EDGE_PUNCT)
                raise _with_text(exc, phrase) from None
            if due is None:
                continue
            # "tomorrow at the office": drop trailing fillers that do not change the date.
            while words > 1 and _normalize(text[slice(*spans[words - 1])]) in _FILLER_WORDS:
                try:
                    if attempt(words - 1, fallback=fallback) != due:
                        break
                except DeadlineError:
                    break
                words -= 1
            end = spans[words - 1][1]
            phrase = text[spans[0][0] : end].strip(_EDGE_PUNCT)
            rest = text[end:].strip().lstrip(_EDGE_PUNCT).strip()
            return _checked(due, now, phrase), rest
    return None, text


def _starts_like_a_date(text: str) -> bool:
    """Whether dateparser is worth asking: the first real word has a digit or is one we know."""
    for word in _normalize(text).split():
        if word in _FILLER_WORDS:
            continue
        if any(ch.isdigit() for ch in word):
            return True
        pieces = _scan(word)
        return bool(pieces)
    return False


def warm_up() -> None:
    """Load dateparser's en/ru/bg data and compile everything, so the first user waits less."""
    now = datetime.now(UTC)
    for phrase in ("tomorrow 3pm", "завтра в 15:00", "утре в 10", "в пятницу"):
        parse_deadline(phrase, now=now, tz="UTC")
    for phrase in ("next friday", "в следующую пятницу", "следващия петък"):
        _dateparser_due(phrase, now, ZoneInfo("UTC"))
