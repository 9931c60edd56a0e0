"""Time-zone input: IANA names, offsets, abbreviations, countries and city names."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.parsing import timezones
from bot.parsing.timezones import common_timezones, parse_timezone, timezone_label

IANA_CASES = [
    ("Europe/Riga", "Europe/Riga"),
    ("europe/riga", "Europe/Riga"),
    ("EUROPE/RIGA", "Europe/Riga"),
    ("  Europe/Sofia  ", "Europe/Sofia"),
    ("america/new york", "America/New_York"),
    ("America/New_York", "America/New_York"),
    ("Asia/Kolkata", "Asia/Kolkata"),
    ("Europe/Kiev", "Europe/Kiev"),  # a backward-compatible link is still a valid zone
    ("Etc/GMT-3", "Etc/GMT-3"),
    ("UTC", "UTC"),
    ("utc", "UTC"),
    ("GMT", "UTC"),
    ("Etc/UTC", "UTC"),
    ("Zulu", "UTC"),
    ("Z", "UTC"),
]

OFFSET_CASES = [
    ("UTC+3", "Etc/GMT-3"),  # POSIX sign: Etc/GMT-3 is three hours ahead of UTC
    ("UTC +03:00", "Etc/GMT-3"),
    ("utc+03", "Etc/GMT-3"),
    ("UTC+0300", "Etc/GMT-3"),
    ("GMT-5", "Etc/GMT+5"),
    ("GMT -05:00", "Etc/GMT+5"),
    ("UTC−5", "Etc/GMT+5"),  # a typographic minus
    ("+2", "Etc/GMT-2"),
    ("-8", "Etc/GMT+8"),
    ("+14", "Etc/GMT-14"),
    ("-12", "Etc/GMT+12"),
    ("UTC+0", "UTC"),
    ("GMT+0", "UTC"),
    ("UTC-00:00", "UTC"),
    ("UTC+5:30", "Asia/Kolkata"),
    ("+05:30", "Asia/Kolkata"),
    ("+0545", "Asia/Kathmandu"),
    ("UTC+3:30", "Asia/Tehran"),
    ("UTC-3:30", "America/St_Johns"),
    ("UTC+9:30", "Australia/Darwin"),
    ("МСК", "Europe/Moscow"),
    ("MSK", "Europe/Moscow"),
    ("МСК+1", "Etc/GMT-4"),
    ("msk-1", "Etc/GMT-2"),
    ("EST", "America/New_York"),
    ("PST", "America/Los_Angeles"),
]

CITY_CASES = [
    ("Riga", "Europe/Riga"),
    ("riga", "Europe/Riga"),
    ("Рига", "Europe/Riga"),
    ("Sofia", "Europe/Sofia"),
    ("София", "Europe/Sofia"),
    ("Пловдив", "Europe/Sofia"),
    ("Plovdiv", "Europe/Sofia"),
    ("Варна", "Europe/Sofia"),
    ("Moscow", "Europe/Moscow"),  # not Moscow, Idaho: the most populous city wins
    ("Москва", "Europe/Moscow"),
    ("москва", "Europe/Moscow"),
    ("Санкт-Петербург", "Europe/Moscow"),
    ("New York", "America/New_York"),
    ("new york", "America/New_York"),
    ("Нью-Йорк", "America/New_York"),
    ("нью йорк", "America/New_York"),
    ("Kyiv", "Europe/Kyiv"),
    ("Киев", "Europe/Kyiv"),
    ("Київ", "Europe/Kyiv"),
    ("Алматы", "Asia/Almaty"),
    ("Jūrmala", "Europe/Riga"),
    ("Юрмала", "Europe/Riga"),
    ("London", "Europe/London"),
    ("Токио", "Asia/Tokyo"),
    ("Новосибирск", "Asia/Novosibirsk"),
    ("Екатеринбург", "Asia/Yekaterinburg"),
    ("г. Пловдив", "Europe/Sofia"),
    ("город Москва", "Europe/Moscow"),
    ("Sofia, Bulgaria", "Europe/Sofia"),
    ("Рига.", "Europe/Riga"),
]

COUNTRY_CASES = [
    ("Bulgaria", "Europe/Sofia"),
    ("България", "Europe/Sofia"),
    ("Россия", "Europe/Moscow"),
    ("Латвия", "Europe/Riga"),
    ("Украина", "Europe/Kyiv"),
]

UNKNOWN = [
    "",
    "   ",
    "Qwertyuiopasdf",
    "Абырвалгщщ",
    "3",
    "UTC+15",
    "UTC-13",
    "+25",
    "UTC+5:15",  # no zone has that standard offset
    "UTC+3:60",
    "no",  # two-letter alternate names are not matched
    "ok",
    "Europe/Rigaa",
    "Mars/Olympus",
    "x" * 200,
]


@pytest.mark.parametrize(
    ("text", "expected"), IANA_CASES + OFFSET_CASES + CITY_CASES + COUNTRY_CASES
)
def test_parse_timezone(text: str, expected: str) -> None:
    zone = parse_timezone(text)
    assert zone == expected
    ZoneInfo(zone)  # usable as is


@pytest.mark.parametrize("text", UNKNOWN)
def test_unknown_is_none(text: str) -> None:
    assert parse_timezone(text) is None


@pytest.mark.parametrize(("text", "expected"), IANA_CASES + OFFSET_CASES + COUNTRY_CASES)
def test_names_and_offsets_never_load_the_city_data(
    text: str, expected: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def forbidden() -> None:
        raise AssertionError("geonames loaded")

    monkeypatch.setattr(timezones, "_cities", forbidden)
    assert parse_timezone(text) == expected


@pytest.mark.parametrize(("text", "offset_hours"), [("UTC+3", 3), ("GMT-5", -5), ("+14", 14)])
def test_whole_hour_offsets_mean_what_they_say(text: str, offset_hours: int) -> None:
    zone = parse_timezone(text)
    assert zone is not None
    now = datetime(2026, 7, 1, tzinfo=UTC)
    assert now.astimezone(ZoneInfo(zone)).utcoffset() == timedelta(hours=offset_hours)


@pytest.mark.parametrize(("minutes", "zone"), sorted(timezones._FRACTIONAL_OFFSETS.items()))
def test_fractional_offset_table_is_each_zones_standard_offset(minutes: int, zone: str) -> None:
    for month in (1, 7):
        local = datetime(2026, month, 15, tzinfo=UTC).astimezone(ZoneInfo(zone))
        standard = (local.utcoffset() or timedelta(0)) - (local.dst() or timedelta(0))
        assert standard == timedelta(minutes=minutes)


def test_city_index_is_compact_and_sorted() -> None:
    parse_timezone("Riga")  # loads it
    index = timezones._cities()
    assert 100_000 < len(index.hashes) == len(index.zone_ids)
    assert list(index.hashes[:1000]) == sorted(index.hashes[:1000])
    assert all(isinstance(zone, str) for zone in index.zones)


def test_common_timezones() -> None:
    zones = common_timezones()
    assert 8 <= len(zones) <= 10
    assert {"Europe/Sofia", "Europe/Moscow", "Europe/Riga", "UTC"} <= set(zones)
    assert len(set(zones)) == len(zones)
    for zone in zones:
        ZoneInfo(zone)
        assert parse_timezone(zone) == zone
    zones.append("Mars/Olympus")
    assert "Mars/Olympus" not in common_timezones()  # a copy each time


WINTER = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
SUMMER = datetime(2026, 7, 15, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("name", "now", "label"),
    [
        ("Europe/Sofia", WINTER, "Europe/Sofia (UTC+02:00)"),
        ("Europe/Sofia", SUMMER, "Europe/Sofia (UTC+03:00)"),
        ("Europe/Moscow", SUMMER, "Europe/Moscow (UTC+03:00)"),
        ("America/New_York", WINTER, "America/New_York (UTC-05:00)"),
        ("America/New_York", SUMMER, "America/New_York (UTC-04:00)"),
        ("Asia/Kolkata", WINTER, "Asia/Kolkata (UTC+05:30)"),
        ("America/St_Johns", WINTER, "America/St_Johns (UTC-03:30)"),
        ("Europe/London", WINTER, "Europe/London (UTC+00:00)"),
        ("Etc/GMT-3", WINTER, "UTC+03:00"),
        ("Etc/GMT+5", WINTER, "UTC-05:00"),
        ("UTC", WINTER, "UTC"),
    ],
)
def test_timezone_label(name: str, now: datetime, label: str) -> None:
    assert timezone_label(name, now) == label


def test_timezone_label_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="aware"):
        timezone_label("Europe/Sofia", datetime(2026, 1, 1))  # noqa: DTZ001
    with pytest.raises(ValueError, match="unknown"):
        timezone_label("Mars/Olympus", WINTER)
