"""Charts: the prepared plot data (order, "others", names, colours) and valid PNGs."""

from __future__ import annotations

import struct
import subprocess
import sys
import tomllib
import warnings
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import pytest

import charts
from charts import (
    LABEL_KEYS,
    DayActivity,
    LatenessRow,
    NoData,
    PromiseStatusCounts,
    ReachRow,
    prepare_lateness,
    prepare_reach,
    prepare_scorecard,
    prepare_weekly,
    render_lateness,
    render_reach,
    render_scorecard,
    render_weekly_activity,
)
from charts.examples import (
    example_lateness,
    example_promises,
    example_reach,
    example_week,
    load_labels,
    synthetic_days,
    synthetic_lateness,
    synthetic_promises,
    synthetic_reach,
)
from charts.labels import LABEL_PLACEHOLDERS, placeholders, text
from charts.style import (
    LATENESS_COLOURS,
    OUTCOME_COLOURS,
    REACH_COLOURS,
    STATUS_COLOURS,
    shorten_name,
    shorten_names,
)

ROOT = Path(__file__).resolve().parents[2]
LANGS = ("en", "ru", "bg")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(png: bytes) -> tuple[int, int]:
    """Width and height from the IHDR chunk, after checking the signature."""
    assert png[:8] == PNG_SIGNATURE
    assert png[12:16] == b"IHDR"
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def promises(
    company: str, kept: int = 0, late: int = 0, broken: int = 0, overdue: int = 0, pending: int = 0
) -> PromiseStatusCounts:
    return PromiseStatusCounts(company, kept, late, broken, overdue, pending)


@pytest.fixture(scope="module")
def ru() -> dict[str, str]:
    return load_labels("ru")


Renderer = Callable[[dict[str, str]], bytes]

RENDERS: dict[str, Renderer] = {
    "scorecard": lambda labels: render_scorecard(example_promises(), labels, period="июнь"),
    "reach": lambda labels: render_reach(example_reach(), labels, period="июнь"),
    "lateness": lambda labels: render_lateness(example_lateness(), labels, period="июнь"),
    "weekly": lambda labels: render_weekly_activity(example_week(), labels),
}


# --------------------------------------------------------------------------- PNG output


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("chart", sorted(RENDERS))
def test_every_chart_is_a_1080px_png_without_missing_glyphs(chart: str, lang: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph 1041 missing from font" would fail here
        png = RENDERS[chart](load_labels(lang))
    width, height = png_size(png)
    assert width == 1080
    assert 600 <= height <= 3000


def test_200_companies_render_at_most_26_bars() -> None:
    labels = load_labels("ru")
    scorecard = prepare_scorecard(synthetic_promises(200))
    reach = prepare_reach(synthetic_reach(200))
    lateness = prepare_lateness(synthetic_lateness(200))
    for bars in (scorecard.bars, reach.bars, lateness.strips):
        assert len(bars) == 26
        assert bars[-1].is_others
        assert not any(b.is_others for b in bars[:-1])
    for png in (
        render_scorecard(synthetic_promises(200), labels, period="июнь"),
        render_reach(synthetic_reach(200), labels, period="июнь"),
        render_lateness(synthetic_lateness(200), labels, period="июнь"),
    ):
        assert png_size(png)[0] == 1080


def test_long_weekly_span_renders() -> None:
    png = render_weekly_activity(synthetic_days(35), load_labels("bg"))
    assert png_size(png)[0] == 1080


def test_concurrent_renders_give_the_same_bytes(ru: dict[str, str]) -> None:
    expected = {name: render(ru) for name, render in RENDERS.items()}
    jobs = [name for name in RENDERS for _ in range(2)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda name: (name, RENDERS[name](ru)), jobs))
    for name, png in results:
        assert png == expected[name], name


def test_importing_charts_does_not_import_matplotlib() -> None:
    code = "import sys, charts; sys.exit('matplotlib' in sys.modules)"
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, timeout=60)


# -------------------------------------------------------------------------------- NoData


@pytest.mark.parametrize(
    "call",
    [
        lambda labels: render_scorecard([], labels, period="x"),
        lambda labels: render_scorecard([promises("A")], labels, period="x"),
        lambda labels: render_reach([], labels, period="x"),
        lambda labels: render_reach([ReachRow("A", 0, 0, None, 0)], labels, period="x"),
        lambda labels: render_lateness([], labels, period="x"),
        lambda labels: render_lateness([LatenessRow("A", (), 0)], labels, period="x"),
        lambda labels: render_weekly_activity([], labels),
        lambda labels: render_weekly_activity([DayActivity(date(2025, 6, 2), {}, 0)], labels),
    ],
    ids=[
        "scorecard-empty",
        "scorecard-zeros",
        "reach-empty",
        "reach-zeros",
        "lateness-empty",
        "lateness-zeros",
        "weekly-empty",
        "weekly-zeros",
    ],
)
def test_nothing_to_draw_raises_no_data(call: Renderer, ru: dict[str, str]) -> None:
    with pytest.raises(NoData):
        call(ru)


def test_no_data_is_exported_and_a_lookup_error() -> None:
    assert charts.NoData is NoData
    assert issubclass(NoData, LookupError)


# ------------------------------------------------------------------------ scorecard data


def test_scorecard_sorts_worst_first_by_share_broken_or_overdue() -> None:
    plot = prepare_scorecard(
        [
            promises("Good", kept=9, broken=1),  # 10 %
            promises("Worst", broken=1, overdue=1),  # 100 %
            promises("Half, many", kept=5, overdue=5),  # 50 %, 5 bad
            promises("Half, few", kept=1, broken=1),  # 50 %, 1 bad
            promises("Pending only", pending=3),  # 0 %
        ]
    )
    assert [b.label for b in plot.bars] == [
        "Worst",
        "Half, many",
        "Half, few",
        "Good",
        "Pending only",
    ]
    assert plot.bars[0].counts == (0, 0, 1, 1, 0)  # STATUSES order
    assert plot.statuses == ("kept", "late", "broken", "overdue", "pending")
    assert plot.totals == {"kept": 15, "late": 0, "broken": 3, "overdue": 6, "pending": 3}


def test_scorecard_sums_the_rest_into_others() -> None:
    rows = [promises(f"Company {i:02d}", kept=i, broken=40 - i) for i in range(40)]
    plot = prepare_scorecard(rows, max_companies=25)
    assert len(plot.bars) == 26
    assert [b.label for b in plot.bars[:3]] == ["Company 00", "Company 01", "Company 02"]
    others = plot.bars[-1]
    assert others.is_others
    assert others.companies == tuple(f"Company {i:02d}" for i in range(25, 40))
    assert others.counts == (sum(range(25, 40)), 0, sum(40 - i for i in range(25, 40)), 0, 0)
    assert sum(b.total for b in plot.bars) == sum(r.total for r in rows) == plot.total


def test_scorecard_with_one_extra_company_shows_it_instead_of_others() -> None:
    rows = [promises(f"C{i}", broken=1) for i in range(26)]
    plot = prepare_scorecard(rows, max_companies=25)
    assert len(plot.bars) == 26
    assert not any(b.is_others for b in plot.bars)


def test_scorecard_names_are_shortened_and_distinct() -> None:
    plot = prepare_scorecard(
        [
            promises("ООО «Дом Мечты» — строительство коттеджей под ключ", broken=3),
            promises("Картриджи-Сервис Центр Москва №1", broken=2),
            promises("Картриджи-Сервис Центр Москва №2", broken=1),
        ]
    )
    labels = [b.label for b in plot.bars]
    assert all(len(label) <= 24 for label in labels)
    assert labels[0] == "«Дом Мечты» — строитель…"
    assert labels[1] != labels[2]
    assert labels[1].endswith("№1")
    assert labels[2].endswith("№2")
    assert plot.bars[0].companies == ("ООО «Дом Мечты» — строительство коттеджей под ключ",)


# ------------------------------------------------------------------------- colours


def test_status_colours_are_the_same_in_every_chart() -> None:
    plot = prepare_scorecard(example_promises())
    assert dict(zip(plot.statuses, plot.colours, strict=True)) == dict(STATUS_COLOURS)
    assert STATUS_COLOURS["kept"] == "#009E73"  # Okabe-Ito bluish green
    assert STATUS_COLOURS["late"] == "#E69F00"  # orange
    assert STATUS_COLOURS["broken"] == "#D55E00"  # vermillion
    assert STATUS_COLOURS["overdue"] == "#CC79A7"  # reddish purple
    lateness = prepare_lateness(example_lateness()).colours
    assert lateness["on_time"] == STATUS_COLOURS["kept"]
    assert lateness["late"] == STATUS_COLOURS["late"]
    assert lateness["never"] == STATUS_COLOURS["broken"]
    assert lateness == LATENESS_COLOURS
    reach = prepare_reach(example_reach())
    assert dict(zip(reach.segments, reach.colours, strict=True)) == dict(REACH_COLOURS)
    assert REACH_COLOURS["answered"] == OUTCOME_COLOURS["answered"] == STATUS_COLOURS["kept"]
    assert REACH_COLOURS["robot"] == OUTCOME_COLOURS["ivr"]
    weekly = prepare_weekly(example_week())
    assert all(
        OUTCOME_COLOURS[o] == c for o, c in zip(weekly.outcomes, weekly.colours, strict=True)
    )


def test_colours_do_not_depend_on_which_statuses_occur() -> None:
    one = prepare_scorecard([promises("A", broken=1)])
    other = prepare_scorecard([promises("B", kept=1, pending=2)])
    assert one.colours == other.colours


def test_outcome_colours_are_distinct() -> None:
    assert len(set(OUTCOME_COLOURS.values())) == len(OUTCOME_COLOURS)
    assert len(set(STATUS_COLOURS.values())) == len(STATUS_COLOURS)


# -------------------------------------------------------------------------- reach data


def test_reach_sorts_hardest_to_reach_first_and_sums_others() -> None:
    rows = [
        ReachRow("Easy", 4, 4, 1.0, 0),
        ReachRow("Never answers", 9, 0, None, 0),
        ReachRow("Robot", 20, 5, 3.0, 12),
        ReachRow("Silent", 0, 0, None, 0),  # no attempts: not drawn
    ]
    plot = prepare_reach(rows)
    assert [b.label for b in plot.bars] == ["Never answers", "Robot", "Easy"]
    robot = plot.bars[1]
    assert robot.counts == (5, 12, 3)
    assert plot.segments == ("answered", "robot", "no_answer")
    assert (plot.total_attempts, plot.total_answered, plot.companies) == (33, 9, 3)

    many = prepare_reach([ReachRow(f"C{i:03d}", 10, i % 10, 2.0, 0) for i in range(200)])
    others = many.bars[-1]
    assert others.is_others
    assert len(others.companies) == 175
    assert others.median_attempts_to_answer is None
    assert sum(b.attempts for b in many.bars) == 2000
    assert sum(b.answered for b in many.bars) == many.total_answered


def test_reach_row_rejects_impossible_counts() -> None:
    with pytest.raises(ValueError, match="exceed"):
        ReachRow("A", 3, 2, 1.0, 2)
    with pytest.raises(ValueError, match=">= 0"):
        ReachRow("A", -1, 0, None, 0)
    with pytest.raises(ValueError, match="median"):
        ReachRow("A", 3, 1, 0.0, 0)


# ------------------------------------------------------------------------ lateness data


def test_lateness_sorts_worst_first_and_counts_on_time_late_never() -> None:
    plot = prepare_lateness(
        [
            LatenessRow("Punctual", (-2.0, -1.0, 0.0), 0),
            LatenessRow("Ghost", (), 3),
            LatenessRow("Slow", (5.0, -1.0, 30.0), 1),
        ]
    )
    assert [s.label for s in plot.strips] == ["Ghost", "Slow", "Punctual"]
    slow = plot.strips[1]
    assert slow.delays_hours == (-1.0, 5.0, 30.0)
    assert (slow.on_time, slow.late, slow.never, slow.median_hours) == (1, 2, 1, 5.0)
    assert plot.strips[2].on_time == 3  # exactly at the deadline is on time
    assert (plot.on_time, plot.late, plot.never) == (4, 2, 4)
    assert (plot.min_hours, plot.max_hours) == (-2.0, 30.0)


def test_lateness_others_merge_delays() -> None:
    rows = [LatenessRow(f"C{i}", (float(i),), 1) for i in range(30)]
    plot = prepare_lateness(rows, max_companies=10)
    others = plot.strips[-1]
    assert others.is_others
    assert len(others.companies) == 20
    assert others.never == 20
    assert sorted(others.delays_hours) == list(others.delays_hours)
    assert len(others.delays_hours) == 20


def test_lateness_row_rejects_nan() -> None:
    with pytest.raises(ValueError, match="finite"):
        LatenessRow("A", (float("nan"),), 0)
    assert LatenessRow("A", [1, 2], 0).delays_hours == (1.0, 2.0)  # type: ignore[arg-type]


# -------------------------------------------------------------------------- weekly data


def test_weekly_fills_missing_days_and_keeps_outcome_order() -> None:
    plot = prepare_weekly(
        [
            DayActivity(date(2025, 6, 4), {"answered": 2, "no_answer": 5}, 1),
            DayActivity(date(2025, 6, 2), {"no_answer": 3, "wrong_number": 1}, 0),
        ]
    )
    assert plot.days == (date(2025, 6, 2), date(2025, 6, 3), date(2025, 6, 4))
    assert plot.outcomes == ("answered", "no_answer", "other")
    assert plot.counts["no_answer"] == (3, 0, 5)
    assert plot.counts["other"] == (1, 0, 0)
    assert plot.broken == (0, 0, 1)
    assert plot.attempts == (4, 0, 7)
    assert (plot.total_attempts, plot.total_answered, plot.total_broken) == (11, 2, 1)


def test_weekly_with_only_broken_promises_still_draws(ru: dict[str, str]) -> None:
    days = [DayActivity(date(2025, 6, 2), {}, 2)]
    assert prepare_weekly(days).outcomes == ()
    assert png_size(render_weekly_activity(days, ru))[0] == 1080


def test_weekly_rejects_a_day_given_twice() -> None:
    day = DayActivity(date(2025, 6, 2), {"busy": 1}, 0)
    with pytest.raises(ValueError, match="twice"):
        prepare_weekly([day, day])


def test_day_activity_is_immutable_and_validated() -> None:
    source = {"busy": 1}
    day = DayActivity(date(2025, 6, 2), source, 0)
    source["busy"] = 5
    assert day.by_outcome["busy"] == 1
    with pytest.raises(ValueError, match=">= 0"):
        DayActivity(date(2025, 6, 2), {"busy": -1}, 0)


# ---------------------------------------------------------------------- name shortening


@pytest.mark.parametrize(
    ("name", "short"),
    [
        ("Ростелеком", "Ростелеком"),
        ("  Картридж   Маркет ", "Картридж Маркет"),
        ("Интернет-провайдер «СетьЛайн»", "Интернет-про… «СетьЛайн»"),
        ("Интернет доставчик „НетКом“", "Интернет доста… „НетКом“"),
        ("ООО «СтройДомИнвест Рига»", "«СтройДомИнвест Рига»"),
        ("A very long company name without quotes at all", "A very long company…"),
    ],
)
def test_shorten_name(name: str, short: str) -> None:
    assert shorten_name(name) == short
    assert len(shorten_name(name)) <= 24


def test_shorten_names_keeps_exact_duplicates_apart() -> None:
    result = shorten_names(["Same name", "Same name", "Same name"])
    assert result == ["Same name", "Same name #2", "Same name #3"]


# ------------------------------------------------------------------------------ labels


def _catalogue(lang: str) -> dict[str, object]:
    with (ROOT / "bot" / "locales" / lang / "charts.toml").open("rb") as fh:
        return dict(tomllib.load(fh)["chart"])


@pytest.mark.parametrize("lang", LANGS)
def test_every_label_is_translated_with_known_placeholders(lang: str) -> None:
    table = _catalogue(lang)
    assert {f"chart.{key}" for key in table} == set(LABEL_KEYS)
    for key in LABEL_KEYS:
        value = table[key.removeprefix("chart.")]
        assert isinstance(value, str), f"{lang} {key}: plural tables are not supported here"
        assert placeholders(value) <= LABEL_PLACEHOLDERS[key], (lang, key, value)
    for key in ("chart.scorecard_title", "chart.reach_title", "chart.lateness_title"):
        assert "{period}" in str(table[key.removeprefix("chart.")])


def test_labels_through_the_bot_catalogue() -> None:
    from bot.i18n import Translator

    labels = charts.labels_from(Translator("ru"))
    assert labels == load_labels("ru")
    assert text(labels, "chart.others", count=175) == "Остальные (175)"
    assert text(labels, "chart.date_short", day=2, month=6) == "02.06"


def test_missing_or_broken_label_does_not_break_the_chart(ru: dict[str, str]) -> None:
    assert text({}, "chart.never") == "chart.never"
    assert text({"chart.others": "Others {oops}"}, "chart.others", count=3) == "Others {oops}"
    partial = {k: v for k, v in ru.items() if k != "chart.scorecard_title"}
    png = render_scorecard(example_promises(), partial, period="июнь")
    assert png_size(png)[0] == 1080


def test_chart_inputs_survive_pickling_to_a_worker_process() -> None:
    import pickle
    from datetime import date

    from charts import DayActivity, LatenessRow, PromiseStatusCounts, ReachRow

    values = [
        DayActivity(date(2026, 11, 25), {"busy": 2}, 1),
        LatenessRow("Acme", (1.5, -2.0), 1),
        PromiseStatusCounts("Acme", 1, 2, 3, 4, 5),
        ReachRow("Acme", 5, 2, 2.0, 1),
    ]
    assert [pickle.loads(pickle.dumps(v)) for v in values] == values
