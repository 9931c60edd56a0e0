"""``make bench``: every benchmark, one after another, printing its numbers."""

from __future__ import annotations

import asyncio
import sys

from bench import bench_charts, bench_logging, bench_reminders


def main() -> None:
    quick = "--quick" in sys.argv
    print("== Logging a call: full stack vs. echo bot ==")
    results = asyncio.run(bench_logging.bench(100 if quick else 300, 200 if quick else 400))
    bench_logging.print_table(results)
    print()
    print("== Reminders ==")
    asyncio.run(bench_reminders.main_async(100_000 if quick else 1_000_000, 1000))
    print()
    print("== Charts ==")
    bench_charts.main([])


if __name__ == "__main__":
    main()
