"""Phone normalisation (E.164), display formatting and zone → region lookup."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.parsing import phones
from bot.parsing.calllog import parse_call_log
from bot.parsing.phones import format_phone, normalize_phone, region_for_timezone


@pytest.mark.parametrize(
    ("zone", "region"),
    [
        ("Europe/Riga", "LV"),
        ("Europe/Sofia", "BG"),
        ("Europe/Moscow", "RU"),
        ("Asia/Yekaterinburg", "RU"),
        ("Europe/Tallinn", "EE"),
        ("Europe/Helsinki", "FI"),
        ("Europe/Mariehamn", "AX"),  # zone.tab has it even though zone1970.tab merges it
        ("America/New_York", "US"),
        ("Europe/Kiev", "UA"),  # a backward-compatible alias
        ("Asia/Calcutta", "IN"),
        ("US/Eastern", "US"),
        (" Europe/Riga ", "LV"),
        ("UTC", None),
        ("Etc/UTC", None),
        ("Etc/GMT+3", None),
        ("CET", None),  # an offset name, not a place
        ("Nowhere/Atlantis", None),
        ("", None),
    ],
)
def test_region_for_timezone(zone: str, region: str | None) -> None:
    assert region_for_timezone(zone) == region


def test_zone_table_is_read_once() -> None:
    phones._zone_regions.cache_clear()
    region_for_timezone("Europe/Riga")
    region_for_timezone("Europe/Sofia")
    assert phones._zone_regions.cache_info().misses == 1


@pytest.mark.parametrize(
    ("raw", "region", "e164"),
    [
        ("+371 2000 0000", None, "+37120000000"),
        ("+371 2000 0000", "BG", "+37120000000"),  # a country code beats the region
        ("2000 0000", "LV", "+37120000000"),
        ("00371 2000 0000", "LV", "+37120000000"),
        ("00371 2000 0000", None, "+37120000000"),
        ("+7 (495) 123-45-67", None, "+74951234567"),
        ("8 800 555-35-35", "RU", "+78005553535"),
        ("8 (495) 123-45-67", "ru", "+74951234567"),  # region case does not matter
        ("0888 123 456", "BG", "+359888123456"),
        ("+359888123456", None, "+359888123456"),
        ("+44 20 7946 0958", "LV", "+442079460958"),
        ("+371 2000 0000", "XX", "+37120000000"),  # unknown region, international number
    ],
)
def test_normalize_phone(raw: str, region: str | None, e164: str) -> None:
    assert normalize_phone(raw, region) == e164


@pytest.mark.parametrize(
    ("raw", "region"),
    [
        ("2000 0000", None),  # national number without a region
        ("8 800 555-35-35", "LV"),  # a Russian trunk prefix means nothing in Latvia
        ("12345", "LV"),
        ("+7 123", None),
        ("hello", "LV"),
        ("", "LV"),
        ("1" * 300, "LV"),
        ("2000 0000", "XX"),  # unknown region
    ],
)
def test_normalize_phone_rejects(raw: str, region: str | None) -> None:
    assert normalize_phone(raw, region) is None


@pytest.mark.parametrize(
    ("e164", "shown"),
    [
        ("+37120000000", "+371 20 000 000"),
        ("+74951234567", "+7 495 123-45-67"),
        ("+359888123456", "+359 88 812 3456"),
        ("not a phone", "not a phone"),  # shown as stored rather than lost
    ],
)
def test_format_phone(e164: str, shown: str) -> None:
    assert format_phone(e164) == shown


@pytest.mark.parametrize(
    ("text", "zone", "e164"),
    [
        ("Acme 2000 0000 no answer", "Europe/Riga", "+37120000000"),
        ("Ромашка 8 800 555-35-35 не берут", "Europe/Moscow", "+78005553535"),
        ("Виваком 0888 123 456 не вдигат", "Europe/Sofia", "+359888123456"),
        ("Acme +371 2000 0000 busy", "UTC", "+37120000000"),
    ],
)
def test_parsed_phone_normalizes_in_the_users_region(text: str, zone: str, e164: str) -> None:
    raw = parse_call_log(text).phone
    assert raw is not None
    assert normalize_phone(raw, region_for_timezone(zone)) == e164


@given(st.text(max_size=40), st.sampled_from([None, "LV", "BG", "RU", "US"]))
def test_normalize_never_raises_and_round_trips(raw: str, region: str | None) -> None:
    e164 = normalize_phone(raw, region)
    if e164 is not None:
        assert e164.startswith("+")
        assert e164[1:].isdigit()
        assert normalize_phone(format_phone(e164), None) == e164
