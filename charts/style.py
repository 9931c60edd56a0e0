"""Colours, sizes and name shortening shared by every chart.

Colours come from the Okabe-Ito palette (safe for the common colour-vision deficiencies) and
mean the same thing in every chart: green is good, orange is late, vermillion is broken.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from types import MappingProxyType

# Okabe & Ito (2008), "Color Universal Design".
OKABE_ITO: Mapping[str, str] = MappingProxyType(
    {
        "black": "#000000",
        "orange": "#E69F00",
        "sky_blue": "#56B4E9",
        "bluish_green": "#009E73",
        "yellow": "#F0E442",
        "blue": "#0072B2",
        "vermillion": "#D55E00",
        "reddish_purple": "#CC79A7",
    }
)

STATUS_COLOURS: Mapping[str, str] = MappingProxyType(
    {
        "kept": OKABE_ITO["bluish_green"],
        "late": OKABE_ITO["orange"],
        "broken": OKABE_ITO["vermillion"],
        "overdue": OKABE_ITO["reddish_purple"],
        "pending": "#BBBBBB",
    }
)

# Answered shares the "good" green of a kept promise; a robot queue or transfer is yellow in
# every chart; the ways of not getting anyone are blues and greys.
OUTCOME_COLOURS: Mapping[str, str] = MappingProxyType(
    {
        "answered": OKABE_ITO["bluish_green"],
        "transferred": "#997700",  # dark yellow (Paul Tol): a darker twin of the IVR yellow
        "ivr": OKABE_ITO["yellow"],
        "voicemail": "#8C8C8C",
        "hung_up": "#3A3A3A",
        "busy": OKABE_ITO["blue"],
        "no_answer": OKABE_ITO["sky_blue"],
        "other": "#D9D9D9",
    }
)

#: Colours of the getting-through chart's three segments.
REACH_COLOURS: Mapping[str, str] = MappingProxyType(
    {
        "answered": OUTCOME_COLOURS["answered"],
        "robot": OUTCOME_COLOURS["ivr"],
        "no_answer": OUTCOME_COLOURS["no_answer"],
    }
)

#: Colours of the how-late chart: on time = kept, late = late, never = broken.
LATENESS_COLOURS: Mapping[str, str] = MappingProxyType(
    {
        "on_time": STATUS_COLOURS["kept"],
        "late": STATUS_COLOURS["late"],
        "never": STATUS_COLOURS["broken"],
    }
)

TEXT_COLOUR = "#222222"
MUTED_TEXT_COLOUR = "#555555"
GRID_COLOUR = "#DDDDDD"
OTHERS_ALPHA = 0.55

# Geometry: 7.2 in x 150 dpi = 1080 px, the width of a phone screen.
DPI = 150
WIDTH_IN = 7.2
WIDTH_PX = round(WIDTH_IN * DPI)

# Font sizes in points (1 pt = 150/72 = 2.08 px): about 27-35 px text on a 1080 px image.
TITLE_SIZE = 17.0
SUBTITLE_SIZE = 12.5
LABEL_SIZE = 13.0
TICK_SIZE = 13.0
VALUE_SIZE = 12.0
LEGEND_SIZE = 12.5
NOTE_SIZE = 11.0

MAX_NAME_CHARS = 24
ELLIPSIS = "…"


def text_colour_on(background: str) -> str:
    """Return black or white, whichever reads better on ``background`` (``#RRGGBB``)."""
    red, green, blue = (int(background[i : i + 2], 16) / 255 for i in (1, 3, 5))
    luminance = 0.2126 * red + 0.7152 * green + 0.0722 * blue
    return "#000000" if luminance > 0.45 else "#FFFFFF"


_SPACES = re.compile(r"\s+")
_TRAILING_JUNK = " \t-–—,.;:/(«\"'"


_LEGAL_FORM = re.compile(
    r"^(?:ООО|ОАО|ЗАО|ПАО|АО|ИП|ЕООД|ООД|ЕАД|АД|ЕТ|LLC|Ltd\.?|Inc\.?)\s+", re.IGNORECASE
)
_QUOTED_TAIL = re.compile(r"\s*([«„“\"][^«»„“”\"]+[»“”\"])$")


def _cut(text: str, max_chars: int) -> str:
    """Cut ``text`` to ``max_chars`` including a final ellipsis, preferring a word boundary."""
    head = text[: max_chars - 1]
    space = head.rfind(" ")
    if space >= max_chars - 5:
        head = head[:space]
    return head.rstrip(_TRAILING_JUNK) + ELLIPSIS


def shorten_name(name: str, max_chars: int = MAX_NAME_CHARS) -> str:
    """Shorten a company name to at most ``max_chars`` characters, marked with an ellipsis.

    Whitespace runs are collapsed and, when the name is too long, a leading legal form
    ("ООО", "ЕООД", "LLC" …) is dropped.  A brand in quotes at the end is what tells companies
    apart, so it is kept whole and the description before it is cut instead:
    "Интернет-провайдер «СетьЛайн»" becomes "Интернет-пров… «СетьЛайн»".  Otherwise the
    end is cut, on a word boundary when one lies within the last few characters.
    """
    clean = _SPACES.sub(" ", name).strip()
    if len(clean) <= max_chars:
        return clean
    clean = _LEGAL_FORM.sub("", clean)
    if len(clean) <= max_chars:
        return clean
    quoted = _QUOTED_TAIL.search(clean)
    if quoted and len(quoted.group(1)) <= max_chars - 8:
        brand = quoted.group(1)
        description = clean[: quoted.start()].rstrip(_TRAILING_JUNK)
        head = description[: max_chars - len(brand) - 2].rstrip(_TRAILING_JUNK)
        return f"{head}{ELLIPSIS} {brand}"
    return _cut(clean, max_chars)


def _shorten_middle(name: str, max_chars: int) -> str:
    clean = _SPACES.sub(" ", name).strip()
    if len(clean) <= max_chars:
        return clean
    tail = max(3, (max_chars - 1) // 3)
    head = max_chars - 1 - tail
    return clean[:head].rstrip() + ELLIPSIS + clean[-tail:].lstrip()


def shorten_names(names: Iterable[str], max_chars: int = MAX_NAME_CHARS) -> list[str]:
    """Shorten every name, keeping the results distinct.

    Names that would collide ("Картриджи-Сервис Центр №1" / "… №2") keep their endings
    instead ("Картриджи-Сервис…тр №1"); anything still equal gets a "#2", "#3" suffix.
    """
    originals = list(names)
    short = [shorten_name(n, max_chars) for n in originals]
    seen: dict[str, int] = {}
    for s in short:
        seen[s] = seen.get(s, 0) + 1
    short = [
        _shorten_middle(o, max_chars) if seen[s] > 1 and s != o.strip() else s
        for o, s in zip(originals, short, strict=True)
    ]
    result: list[str] = []
    used: dict[str, int] = {}
    for original, s in zip(originals, short, strict=True):
        n = used.get(s, 0) + 1
        used[s] = n
        if n == 1:
            result.append(s)
        else:
            suffix = f" #{n}"
            result.append(_shorten_middle(original, max_chars - len(suffix)) + suffix)
    return result
