"""Benchmark: assessment PDF render speed, zh-CN against en, and a whole run's 13 reports.

    .venv/bin/python bench/bench_render.py [--warehouse URL] [--repeat 5] [--workers 2]

Without --warehouse it builds the demo warehouse (demo scale, through 2026-Q3) in a temporary
folder and computes the eight trailing quarters with etl.pipeline.compute_quarter, so trends
and year-ago comparisons read real history. A report is timed from the stored results to the
PDF on disk as etl.pipeline.render_scope makes it, without the archive's revision bookkeeping:
its inputs (report_inputs: the eight quarters' results, read once per process while the
store's version of them holds, the findings, names and brand), the context (charts
included, chart cache cleared), the HTML and the PDF, under render_scope's pace of the
garbage collector (etl.report.heap, one full collection at the end of each report).
Prints a table: a fresh render process's start-up and first report (as a pool worker
begins), the median of --repeat renders (wall and CPU seconds) of the company report in
zh-CN and en, taking turns, after one warm-up, pages, seconds per page, the zh/en ratio,
and the company + 12 branch reports in one process and across --workers processes (the
DAG's mapped render tasks, each a fresh interpreter). Targets (issue 17): zh ≤ 1.1 × en,
≤ 0.15 s per page, 13 reports < 20 s with 2 processes.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from etl.core.config import load_settings
from etl.core.periods import Quarter
from etl.pipeline.reports import report_inputs
from etl.report import charts
from etl.report.heap import rendering
from etl.report.pdf import render_pdf
from etl.warehouse import available_scopes, connect

QUARTER = Quarter(2026, 3)
TARGET_RATIO = 1.1
TARGET_SECONDS_PER_PAGE = 0.15
TARGET_RUN_SECONDS = 20.0


def build_warehouse(folder: Path) -> str:
    """The demo warehouse with eight quarters of results, in `folder`."""
    # Imported here: the --workers processes import this module again, and should import
    # what a render worker imports (etl.pipeline.reports), not the demo and compute stages.
    from etl import demo
    from etl.pipeline import compute_quarter

    path = folder / "warehouse.db"
    path.touch()
    url = f"sqlite:///{path}"
    started = time.perf_counter()
    demo.build(connect(url), demo.DemoPlan(through=QUARTER, size=demo.SCALES["demo"]))
    for quarter in QUARTER.trailing(8):
        compute_quarter(url, str(quarter), "bench")
    print(f"demo warehouse with 8 computed quarters: {time.perf_counter() - started:.1f} s",
          file=sys.stderr)  # fmt: skip
    return url


def render_one(url: str, scope_code: str, language: str, folder: str) -> tuple[float, float, int]:
    """Render one report as render_scope does; returns (wall seconds, CPU seconds, pages)."""
    charts.clear_cache()
    wall, cpu = time.perf_counter(), time.process_time()
    path = Path(folder) / f"{scope_code}.{language}.pdf"
    # render_scope's steps without the archive's revision bookkeeping: its inputs (the
    # history read once per process while the store's version of it holds), the HTML and
    # the PDF, under the same pace of the garbage collector.
    with rendering():
        made = report_inputs(url, None, str(QUARTER), scope_code, language, load_settings())
        path.write_bytes(render_pdf(made.html(None, "bench"), path.name))
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    return wall, cpu, int(re.search(r"^Pages:\s+(\d+)", info.stdout, re.M).group(1))


def medians_of(
    url: str, languages: tuple[str, ...], repeat: int, folder: str
) -> list[tuple[float, float, int]]:
    """Median wall and CPU seconds and pages of the company report in each language.

    The languages take turns (zh, en, zh, en, …): this machine's speed drifts by more than
    a tenth within minutes, and five renders of one language followed by five of the other
    put that drift into their ratio.
    """
    runs: dict[str, list[tuple[float, float, int]]] = {language: [] for language in languages}
    for _ in range(repeat):
        for language in languages:
            runs[language].append(render_one(url, "company", language, folder))
    return [
        (
            statistics.median(r[0] for r in runs[language]),
            statistics.median(r[1] for r in runs[language]),
            runs[language][0][2],
        )
        for language in languages
    ]


def fresh_process(url: str, folder: str) -> tuple[float, float]:
    """(start-up, first report) seconds of a fresh render process: a spawned interpreter's
    imports, then its first company zh-CN report (a pool worker's first scope)."""
    started = time.perf_counter()
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        first = pool.submit(render_one, url, "company", "zh-CN", folder).result()[0]
    return time.perf_counter() - started - first, first


def whole_run(url: str, codes: list[str], workers: int, folder: str) -> tuple[float, int]:
    """Wall seconds for every scope's zh-CN report across `workers` fresh processes."""
    started = time.perf_counter()
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        pages = sum(
            r[2] for r in pool.map(render_one, [url] * len(codes), codes,
                                   ["zh-CN"] * len(codes), [folder] * len(codes))
        )  # fmt: skip
    return time.perf_counter() - started, pages


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", help="SQLAlchemy URL of a warehouse with 8 computed "
                        "quarters through 2026-Q3 (default: build the demo)")  # fmt: skip
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-render-") as temporary:
        folder = Path(temporary)
        url = args.warehouse or build_warehouse(folder)
        load_before = os.getloadavg()[0]
        codes = [scope.code for scope in available_scopes(connect(url))]
        start_up, fresh_first = fresh_process(url, temporary)
        cold_wall, _cold_cpu, _pages = render_one(url, "company", "zh-CN", temporary)
        render_one(url, "company", "en", temporary)  # warm-up of the en path
        (zh_wall, zh_cpu, zh_pages), (en_wall, en_cpu, en_pages) = medians_of(
            url, ("zh-CN", "en"), args.repeat, temporary
        )
        started = time.perf_counter()
        sequential_pages = sum(render_one(url, code, "zh-CN", temporary)[2] for code in codes)
        sequential = time.perf_counter() - started
        parallel, parallel_pages = whole_run(url, codes, args.workers, temporary)

    load_after = os.getloadavg()[0]
    ratio = zh_wall / en_wall
    per_page = zh_wall / zh_pages
    cpu_per_page = zh_cpu / zh_pages
    rows = [
        ("fresh render process: start-up (spawn, imports)", f"{start_up:.2f} s", "", ""),
        ("fresh render process: first report (company, zh-CN)", f"{fresh_first:.2f} s", "", ""),
        ("first render in this process (company, zh-CN)", f"{cold_wall:.2f} s", "", ""),
        (f"company zh-CN, median of {args.repeat} (wall / CPU)",
         f"{zh_wall:.2f} s / {zh_cpu:.2f} s", "", ""),
        (f"company en, median of {args.repeat} (wall / CPU)",
         f"{en_wall:.2f} s / {en_cpu:.2f} s", "", ""),
        ("pages zh-CN / en", f"{zh_pages} / {en_pages}", "", ""),
        ("zh-CN ÷ en (wall)", f"{ratio:.2f}", f"≤ {TARGET_RATIO}", _ok(ratio <= TARGET_RATIO)),
        ("zh-CN seconds per page (wall)", f"{per_page:.3f} s", f"≤ {TARGET_SECONDS_PER_PAGE} s",
         _ok(per_page <= TARGET_SECONDS_PER_PAGE)),
        ("zh-CN CPU seconds per page", f"{cpu_per_page:.3f} s",
         f"≤ {TARGET_SECONDS_PER_PAGE} s", _ok(cpu_per_page <= TARGET_SECONDS_PER_PAGE)),
        (f"{len(codes)} reports zh-CN, 1 process ({sequential_pages} pages)",
         f"{sequential:.1f} s", "", ""),
        (f"{len(codes)} reports zh-CN, {args.workers} processes ({parallel_pages} pages)",
         f"{parallel:.1f} s", f"< {TARGET_RUN_SECONDS:.0f} s",
         _ok(parallel < TARGET_RUN_SECONDS)),
    ]  # fmt: skip
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    header = ("measure", "value", "target", "met")
    widths = [max(w, len(h)) for w, h in zip(widths, header, strict=True)]
    print("| " + " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in rows:
        print("| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |")
    # Wall time on a shared machine is only as good as the machine was idle: say how busy.
    print(f"\n{os.cpu_count()} CPUs; 1-minute load average {load_before:.2f} before, "
          f"{load_after:.2f} after; {interpreter()}")  # fmt: skip
    return 0


def interpreter() -> str:
    """The Python that ran the bench: its version and real path (a venv names its base).

    How CPython was built moves these figures: on this machine kind Debian's static,
    optimised python3.11 renders 10-15% faster than a pyenv build with --enable-shared.
    """
    return f"Python {platform.python_version()} ({os.path.realpath(sys._base_executable)})"


def _ok(met: bool) -> str:
    return "yes" if met else "NO"


if __name__ == "__main__":
    sys.exit(main())
