"""Example data for the docs images, the benchmark and the tests.

The hand-written month follows the stories in the project's seed texts: five shops selling
printer cartridges rung three times each with one answer and no callbacks, a house builder
whose manager "will call as soon as he gets to the office" (15 days later, still nothing), an
internet provider that kept moving the repair date, a sports club whose administrator hung up
without a word, a mobile operator's robot queue and a Bulgarian provider whose call centre
transfers you to sales.  ``synthetic_*`` builds any number of companies for benchmarks.

``python -m charts.examples [OUT_DIR] [--lang ru]`` writes the four PNGs (default docs/images).
"""

from __future__ import annotations

import argparse
import random
import sys
import tomllib
from collections.abc import Mapping
from datetime import date, timedelta
from pathlib import Path

from charts.data import OUTCOMES, DayActivity, LatenessRow, PromiseStatusCounts, ReachRow
from charts.labels import LABEL_KEYS

_LOCALES = Path(__file__).resolve().parent.parent / "bot" / "locales"

PERIODS: Mapping[str, str] = {"en": "June 2025", "ru": "июнь 2025", "bg": "юни 2025"}


def load_labels(lang: str) -> dict[str, str]:
    """Read the chart labels straight from ``bot/locales/<lang>/charts.toml``."""
    with (_LOCALES / lang / "charts.toml").open("rb") as fh:
        table = tomllib.load(fh)["chart"]
    return {key: str(table[key.removeprefix("chart.")]) for key in LABEL_KEYS}


# (company, kept, late, broken, overdue, pending)
_PROMISES: tuple[tuple[str, int, int, int, int, int], ...] = (
    ("ООО «Дом Мечты» — строительство коттеджей под ключ", 0, 0, 2, 1, 0),
    ("Картридж-Маркет", 0, 0, 2, 1, 0),
    ("Интернет-провайдер «СетьЛайн»", 1, 4, 3, 1, 1),
    ("ТонерЛэнд", 0, 1, 2, 0, 0),
    ("PrintShop24", 1, 0, 2, 0, 1),
    ("Интернет доставчик „НетКом“", 2, 3, 2, 0, 1),
    ("Фитнес-клуб «Атлетика»", 1, 0, 1, 0, 0),
    ("Оператор связи «Мобиком»", 4, 3, 1, 1, 2),
    ("Управляющая компания «Уют»", 3, 2, 1, 0, 1),
    ("Картриджи на Ленина", 2, 0, 0, 0, 1),
    ("Доставка воды «Родник»", 6, 1, 0, 0, 0),
    ("Сантехник-Сервис 24/7", 5, 0, 0, 0, 1),
)

# (company, attempts, answered, median attempts to answer, robot or transfer)
_REACH: tuple[tuple[str, int, int, float | None, int], ...] = (
    ("Картридж-Маркет", 9, 0, None, 0),
    ("ТонерЛэнд", 8, 1, 6.0, 0),
    ("PrintShop24", 7, 1, 5.0, 1),
    ("Фитнес-клуб «Атлетика»", 6, 1, 4.0, 0),
    ("ООО «Дом Мечты» — строительство коттеджей под ключ", 11, 3, 3.0, 2),
    ("Интернет-провайдер «СетьЛайн»", 23, 6, 3.5, 11),
    ("Оператор связи «Мобиком»", 18, 6, 3.0, 10),
    ("Интернет доставчик „НетКом“", 14, 5, 2.5, 7),
    ("Управляющая компания «Уют»", 10, 5, 2.0, 0),
    ("Картриджи на Ленина", 3, 3, 1.0, 0),
    ("Доставка воды «Родник»", 5, 4, 1.0, 1),
    ("Сантехник-Сервис 24/7", 4, 4, 1.0, 0),
)

# (company, callback delays in hours after the promised time, never)
_LATENESS: tuple[tuple[str, tuple[float, ...], int], ...] = (
    ("ООО «Дом Мечты» — строительство коттеджей под ключ", (), 3),
    ("Картридж-Маркет", (), 3),
    ("ТонерЛэнд", (30.0,), 2),
    ("PrintShop24", (-2.0,), 2),
    ("Интернет-провайдер «СетьЛайн»", (-1.0, 26.0, 50.0, 75.0, 120.0), 4),
    ("Интернет доставчик „НетКом“", (-3.0, -0.5, 4.0, 20.0, 52.0), 2),
    ("Фитнес-клуб «Атлетика»", (-0.3,), 1),
    ("Оператор связи «Мобиком»", (-20.0, -4.0, -1.5, -0.5, 3.0, 7.0, 30.0), 2),
    ("Управляющая компания «Уют»", (-5.0, -1.0, -0.2, 2.0, 9.0), 1),
    ("Картриджи на Ленина", (-1.0, -0.1), 0),
    ("Доставка воды «Родник»", (-6.0, -3.0, -2.0, -1.0, -0.5, -0.2, 1.0), 0),
    ("Сантехник-Сервис 24/7", (-2.0, -1.5, -1.0, -0.5, -0.1), 0),
)

WEEK_START = date(2025, 6, 2)  # a Monday

# per day: no_answer, busy, hung_up, ivr, transferred, voicemail, answered; promises broken
_WEEK: tuple[tuple[int, int, int, int, int, int, int, int], ...] = (
    (3, 1, 0, 4, 2, 1, 3, 1),
    (5, 2, 1, 3, 1, 0, 4, 2),
    (14, 2, 1, 2, 1, 1, 2, 0),  # Wednesday: five cartridge shops, three calls each
    (6, 1, 0, 5, 3, 1, 3, 3),
    (4, 2, 0, 3, 2, 1, 5, 1),
    (1, 0, 0, 1, 0, 0, 1, 0),
    (0, 0, 0, 0, 0, 0, 0, 2),
)
_WEEK_CODES = ("no_answer", "busy", "hung_up", "ivr", "transferred", "voicemail", "answered")


def example_promises() -> list[PromiseStatusCounts]:
    return [PromiseStatusCounts(*row) for row in _PROMISES]


def example_reach() -> list[ReachRow]:
    return [ReachRow(*row) for row in _REACH]


def example_lateness() -> list[LatenessRow]:
    return [LatenessRow(*row) for row in _LATENESS]


def example_week() -> list[DayActivity]:
    return [
        DayActivity(
            day=WEEK_START + timedelta(days=i),
            by_outcome=dict(zip(_WEEK_CODES, counts[:7], strict=True)),
            promises_broken=counts[7],
        )
        for i, counts in enumerate(_WEEK)
    ]


# ------------------------------------------------------------------- synthetic, any size

_KINDS = (
    "Интернет-магазин",
    "Строительная компания",
    "Провайдер",
    "Сервисный центр",
    "Клиника",
    "Автосервис",
    "Доставка",
    "Управляющая компания",
    "Мебельная фабрика",
    "Служба такси",
)
_NAMES = ("Альфа", "Вектор", "Гранит", "Дельта", "Заря", "Исток", "Континент", "Лидер", "Меридиан")


def synthetic_companies(n: int, seed: int = 1) -> list[str]:
    rng = random.Random(seed)
    return [f"{rng.choice(_KINDS)} «{rng.choice(_NAMES)}-{i + 1}»" for i in range(n)]


def synthetic_promises(n: int, seed: int = 1) -> list[PromiseStatusCounts]:
    rng = random.Random(seed)
    counts = (0, 0, 1, 2, 3, 5, 8, 13)
    return [
        PromiseStatusCounts(
            company=name,
            kept=rng.choice(counts),
            late=rng.choice(counts),
            broken=rng.choice(counts),
            overdue=rng.choice(counts),
            pending=rng.randint(0, 3),
        )
        for name in synthetic_companies(n, seed)
    ]


def synthetic_reach(n: int, seed: int = 1) -> list[ReachRow]:
    rng = random.Random(seed)
    rows = []
    for name in synthetic_companies(n, seed):
        attempts = rng.randint(1, 60)
        answered = rng.randint(0, attempts)
        robot = rng.randint(0, attempts - answered)
        median = round(rng.uniform(1, 6), 1) if answered else None
        rows.append(ReachRow(name, attempts, answered, median, robot))
    return rows


def synthetic_lateness(n: int, seed: int = 1) -> list[LatenessRow]:
    rng = random.Random(seed)
    return [
        LatenessRow(
            name,
            tuple(rng.lognormvariate(1.5, 1.5) - 4 for _ in range(rng.randint(0, 15))),
            rng.randint(0, 4),
        )
        for name in synthetic_companies(n, seed)
    ]


def synthetic_days(n_days: int = 7, seed: int = 1, scale: int = 30) -> list[DayActivity]:
    rng = random.Random(seed)
    return [
        DayActivity(
            day=WEEK_START + timedelta(days=i),
            by_outcome={code: rng.randint(0, scale) for code in OUTCOMES},
            promises_broken=rng.randint(0, 5),
        )
        for i in range(n_days)
    ]


def write_examples(out_dir: Path, lang: str = "ru") -> list[Path]:
    """Render the four example charts into ``out_dir``; return the written paths."""
    from charts.render import (
        render_lateness,
        render_reach,
        render_scorecard,
        render_weekly_activity,
    )

    labels = load_labels(lang)
    period = PERIODS[lang]
    images = {
        "scorecard.png": render_scorecard(example_promises(), labels, period=period),
        "reach.png": render_reach(example_reach(), labels, period=period),
        "lateness.png": render_lateness(example_lateness(), labels, period=period),
        "weekly.png": render_weekly_activity(example_week(), labels),
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, png in images.items():
        path = out_dir / name
        path.write_bytes(png)
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("out_dir", nargs="?", default="docs/images", type=Path)
    parser.add_argument("--lang", default="ru", choices=sorted(PERIODS))
    args = parser.parse_args(argv)
    for path in write_examples(args.out_dir, args.lang):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
