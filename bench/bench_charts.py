"""Time to prepare and render each chart for 20 and 200 companies.

Run: ``python -m bench.bench_charts [--runs 5] [--lang ru]``.  Prints the median of a few runs
per chart (prepare = sort/cut/sum in pure Python; render = matplotlib drawing + PNG encoding),
after one warm-up render that pays the one-off matplotlib import.  Prints numbers only; it
asserts nothing about time.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

from charts import prepare
from charts import render as draw
from charts.examples import (
    PERIODS,
    load_labels,
    synthetic_days,
    synthetic_lateness,
    synthetic_promises,
    synthetic_reach,
)


def _median_ms(fn: Callable[[], Any], runs: int) -> tuple[float, Any]:
    times = []
    result: Any = None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), result


def bench(runs: int = 5, lang: str = "ru") -> list[tuple[str, str, float, float, int]]:
    """Return rows of (chart, size, prepare ms, render ms, PNG bytes)."""
    labels = load_labels(lang)
    period = PERIODS[lang]
    cases: list[tuple[str, str, Callable[[], Any], Callable[[Any], bytes]]] = []
    for n in (20, 200):
        size = f"{n} companies"
        cases += [
            (
                "scorecard",
                size,
                partial(prepare.prepare_scorecard, synthetic_promises(n)),
                partial(draw.draw_scorecard, labels=labels, period=period),
            ),
            (
                "reach",
                size,
                partial(prepare.prepare_reach, synthetic_reach(n)),
                partial(draw.draw_reach, labels=labels, period=period),
            ),
            (
                "lateness",
                size,
                partial(prepare.prepare_lateness, synthetic_lateness(n)),
                partial(draw.draw_lateness, labels=labels, period=period),
            ),
        ]
    for n_days in (7, 28):
        cases.append(
            (
                "weekly",
                f"{n_days} days",
                partial(prepare.prepare_weekly, synthetic_days(n_days)),
                partial(draw.draw_weekly, labels=labels),
            )
        )

    results = []
    for chart, size, build, paint in cases:
        prepare_ms, plot = _median_ms(build, runs)
        render_ms, png = _median_ms(partial(paint, plot), runs)
        results.append((chart, size, prepare_ms, render_ms, len(png)))
    return results


def _print_table(rows: Sequence[tuple[str, str, float, float, int]]) -> None:
    header = f"{'chart':<10} {'input':<14} {'prepare ms':>10} {'render ms':>10} {'total ms':>9}"
    print(header + f" {'PNG KiB':>8}")
    print("-" * (len(header) + 9))
    for chart, size, prepare_ms, render_ms, png_bytes in rows:
        print(
            f"{chart:<10} {size:<14} {prepare_ms:>10.2f} {render_ms:>10.1f} "
            f"{prepare_ms + render_ms:>9.1f} {png_bytes / 1024:>8.0f}"
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Benchmark chart preparation and rendering.")
    parser.add_argument("--runs", type=int, default=5, help="runs per case (median shown)")
    parser.add_argument("--lang", default="ru", choices=sorted(PERIODS))
    args = parser.parse_args(argv)

    start = time.perf_counter()
    draw.warm_up()
    print(f"first use (matplotlib import + font load): {(time.perf_counter() - start):.2f} s")
    print(f"median of {args.runs} runs, labels: {args.lang}\n")
    _print_table(bench(args.runs, args.lang))


if __name__ == "__main__":
    main()
