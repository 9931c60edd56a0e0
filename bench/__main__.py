"""``make bench``: every benchmark in one run, printing one table of numbers.

Each figure that has a baseline is measured side by side with it in the same run (absolute
times on a shared machine drift); the last line is the full-stack throughput ratio.
"""

from __future__ import annotations

import asyncio
import platform
import sys

from bench import bench_charts, bench_load, bench_logging, bench_reminders, bench_report_e2e


def main() -> None:
    quick = "--quick" in sys.argv
    print(f"machine: {platform.machine()}, {platform.python_implementation()} "
          f"{platform.python_version()}, {__import__('os').cpu_count()} cores")  # fmt: skip
    print("\n== Logging a call: full stack vs. a bare python-telegram-bot echo bot ==")
    logging_results = asyncio.run(
        bench_logging.bench(100 if quick else 300, 200 if quick else 400)
    )
    bench_logging.print_table(logging_results)
    print("\n== Load and footprint ==")
    asyncio.run(bench_load.main_async(2_000 if quick else 10_000))
    print("\n== Reminders ==")
    asyncio.run(bench_reminders.main_async(100_000 if quick else 1_000_000, 1000))
    print("\n== Reports (SQL aggregation) ==")
    try:
        from bench import bench_reports

        bench_reports.main([] if not quick else ["--attempts", "100000"])
    except (ImportError, SystemExit, TypeError) as exc:
        print(f"(reports benchmark unavailable: {exc})")
    print("\n== /report end to end ==")
    bench_report_e2e.main(["--attempts", "100000"] if quick else [])
    print("\n== Charts ==")
    bench_charts.main([])
    ratio = bench_logging.ratios(logging_results)["HTTP"]
    print(f"\nthroughput ratio vs echo: {ratio:.2f}")


if __name__ == "__main__":
    main()
