"""Benchmark: what a fresh render process pays, this checkout against another, in turns.

    .venv/bin/python bench/bench_cold_start.py --warehouse URL --baseline CHECKOUT [--repeat 4]

Each run is a new interpreter started as a render worker is (`bench_render` imported, as a
spawned pool worker imports it), which then renders the company report in zh-CN: the
import seconds and the first report's seconds. This checkout and the baseline take turns,
so the machine's drift (±10% within minutes on this machine kind) falls on both. The
baseline runs with `PYTHONPATH=<baseline>` and this venv; each run asserts where `etl`
came from. Prints the medians.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]

# The worker's part: import the bench as a spawned worker does, then render one report.
WORKER = """
import sys, time
started = time.perf_counter()
sys.path.insert(0, "bench")
import bench_render, etl
assert etl.__file__.startswith(sys.argv[1]), etl.__file__
imported = time.perf_counter()
bench_render.render_one(sys.argv[2], "company", "zh-CN", sys.argv[3])
print(imported - started, time.perf_counter() - imported)
"""


def fresh_process(checkout: Path, url: str, folder: str) -> tuple[float, float, float]:
    """(wall in all, import, first report) seconds of one fresh process in `checkout`."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", WORKER, str(checkout), url, folder], cwd=checkout,
        env={**os.environ, "PYTHONPATH": str(checkout)}, capture_output=True, text=True,
        check=True,
    )  # fmt: skip
    imported, first = map(float, done.stdout.split()[-2:])
    return time.perf_counter() - started, imported, first


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", required=True, help="a warehouse with 8 computed "
                        "quarters through 2026-Q3 (bench_render.build_warehouse)")  # fmt: skip
    parser.add_argument("--baseline", required=True, type=Path, help="another checkout")
    parser.add_argument("--repeat", type=int, default=4)
    args = parser.parse_args(argv)
    checkouts = {"this checkout": HERE, "baseline": args.baseline.resolve()}
    runs: dict[str, list[tuple[float, float, float]]] = {name: [] for name in checkouts}
    with tempfile.TemporaryDirectory(prefix="bench-cold-") as folder:
        for _ in range(args.repeat):
            for name, checkout in checkouts.items():
                runs[name].append(fresh_process(checkout, args.warehouse, folder))
    print(f"| fresh render process, median of {args.repeat} | in all | import | first report |")
    print("|---|---:|---:|---:|")
    for name, rows in runs.items():
        medians = [statistics.median(row[k] for row in rows) for k in range(3)]
        print(f"| {name} ({checkouts[name]}) | " + " | ".join(f"{m:.2f} s" for m in medians) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
