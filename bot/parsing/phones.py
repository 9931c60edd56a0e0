"""Phone number normalisation: raw text → E.164, E.164 → display form, zone → region."""

from __future__ import annotations

import functools
import importlib.resources

import phonenumbers

# Files shipped inside the `tzdata` package (zoneinfo/…). zone.tab maps every zone to exactly one
# country; zone1970.tab may list several countries for a shared zone (the first is its home);
# tzdata.zi carries the backward-compatible aliases ("L Europe/Kyiv Europe/Kiev").
_ZONE_TABLES = ("zone.tab", "zone1970.tab")
_ZONE_SOURCE = "tzdata.zi"


def _read_zoneinfo_text(name: str) -> str:
    return (importlib.resources.files("tzdata") / "zoneinfo" / name).read_text(encoding="utf-8")


@functools.cache
def _zone_regions() -> dict[str, str]:
    """Map IANA zone names (and their aliases) to ISO 3166 alpha-2 codes, read once."""
    regions: dict[str, str] = {}
    for table in _ZONE_TABLES:
        for line in _read_zoneinfo_text(table).splitlines():
            if not line or line.startswith("#"):
                continue
            fields = line.split("\t")
            if len(fields) < 3:
                continue
            regions.setdefault(fields[2], fields[0].split(",")[0])
    # Aliases such as Europe/Kiev or W-SU → their target's country. Only "Area/Location" names:
    # bare aliases like "CET" or "EST" name no country, and Etc/* are offsets, not places.
    for line in _read_zoneinfo_text(_ZONE_SOURCE).splitlines():
        if not line.startswith("L "):
            continue
        parts = line.split()
        if len(parts) != 3:
            continue
        target, alias = parts[1], parts[2]
        if "/" in alias and not alias.startswith("Etc/") and target in regions:
            regions.setdefault(alias, regions[target])
    return regions


def region_for_timezone(tz_name: str) -> str | None:
    """Return the ISO country code of an IANA zone ("Europe/Riga" → "LV"), None for UTC & co."""
    return _zone_regions().get(tz_name.strip())


def normalize_phone(raw: str, region: str | None) -> str | None:
    """Return `raw` as E.164 ("+37120000000"), or None when it cannot be a phone number.

    `region` (ISO code, e.g. "LV") is used for numbers written without a country code; without
    it only international numbers ("+371 …", "00371 …") can be normalised.
    """
    text = raw.strip()
    if region is None and text.startswith("00"):
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, region.upper() if region else None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def format_phone(e164: str) -> str:
    """Return an E.164 number in international display form ("+371 20 000 000").

    Text that does not parse is returned unchanged, so display code never has to branch.
    """
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def parse_region(text: str) -> str | None:
    """A region for phone numbers typed by a user: ``LV``, ``lv`` or a calling code ``+371``."""
    text = text.strip()
    if len(text) == 2 and text.isalpha():
        region = text.upper()
        return region if region in phonenumbers.SUPPORTED_REGIONS else None
    digits = text.removeprefix("+")
    if digits.isdigit() and 1 <= len(digits) <= 3:
        region = phonenumbers.region_code_for_country_code(int(digits))
        return None if region == "ZZ" else str(region)
    return None
