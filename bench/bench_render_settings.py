"""Benchmark: the renderer settings of tuning and charts, each on and off, in one process.

    .venv/bin/python bench/bench_render_settings.py --warehouse URL [--repeat 6] [--scope company]

On a shared machine the same render varies by ±15% from one process to the next, more than
these settings save; so they are switched on and off inside one warm process, in turns
(forward, then backward), and each set's median is divided by the median with all of them
off. The settings: `widths`, the memo of WeasyPrint's content-width line splits
(tuning._content_widths); `labels`, chart label sizes measured once per process
(charts.style._text_size); `release`, the written document's layout context taken apart
(tuning.released_layouts); `figures`, each drawn chart's artists emptied
(charts.style._take_apart); `charts`, the charts handed to WeasyPrint as images of their
SVG, not inline (pdf.detached_charts). The warehouse needs eight computed quarters through 2026-Q3
(bench_render.build_warehouse makes one). Prints a table of median wall seconds and ratios.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator

import bench_render
from matplotlib.backends.backend_svg import RendererSVG
from weasyprint.layout import preferred
from weasyprint.text import line_break

from etl.report import pdf
from etl.report.charts import style

SETS = (
    "none",
    "widths",
    "labels",
    "release",
    "figures",
    "charts",
    "widths+labels+release+figures+charts",
)


@contextlib.contextmanager
def _settings(names: str) -> Iterator[None]:
    """The named settings on, the others off (WeasyPrint's and matplotlib's own code)."""
    on = set(names.split("+"))
    saved = (preferred.split_first_line, style._StartAnchoredSVG.get_text_width_height_descent,
             pdf.released_layouts, style._take_apart, pdf.detached_charts)  # fmt: skip
    if "widths" not in on:
        preferred.split_first_line = line_break.split_first_line
    if "labels" not in on:
        style._StartAnchoredSVG.get_text_width_height_descent = (  # type: ignore[method-assign]
            RendererSVG.get_text_width_height_descent
        )
    if "release" not in on:
        pdf.released_layouts = contextlib.nullcontext  # type: ignore[assignment]
    if "figures" not in on:
        style._take_apart = lambda figure: None
    if "charts" not in on:
        pdf.detached_charts = lambda html: pdf.DetachedCharts(html, {})
    try:
        yield
    finally:
        (preferred.split_first_line, style._StartAnchoredSVG.get_text_width_height_descent,
         pdf.released_layouts, style._take_apart, pdf.detached_charts) = saved  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", required=True, help="warehouse with 8 computed quarters")
    parser.add_argument("--repeat", type=int, default=6)
    parser.add_argument("--scope", default="company")
    parser.add_argument("--language", default="zh-CN")
    args = parser.parse_args(argv)
    seconds: dict[str, list[float]] = {name: [] for name in SETS}
    with tempfile.TemporaryDirectory(prefix="bench-settings-") as folder:
        bench_render.render_one(args.warehouse, args.scope, args.language, folder)  # warm-up
        for turn in range(args.repeat):
            for name in SETS if turn % 2 == 0 else reversed(SETS):
                with _settings(name):
                    started = time.perf_counter()
                    bench_render.render_one(args.warehouse, args.scope, args.language, folder)
                    seconds[name].append(time.perf_counter() - started)
    none = statistics.median(seconds["none"])
    print(f"| settings on ({args.scope}, {args.language}, median of {args.repeat}) "
          "| wall seconds | ÷ all off |")  # fmt: skip
    print("|---|---:|---:|")
    for name in SETS:
        median = statistics.median(seconds[name])
        print(f"| {name} | {median:.2f} | {median / none:.3f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
