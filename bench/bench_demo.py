"""Benchmark: a run's 13 reports in 1 and 2 processes, an unchanged rerun, and `make demo` twice.

    .venv/bin/python bench/bench_demo.py [--warehouse URL] [--processes 2]
    .venv/bin/python bench/bench_demo.py --make-demo --fresh   # also times `make demo` twice

Without --warehouse it builds the demo warehouse (demo scale, through 2026-Q3) in a temporary
folder and computes 2026-Q3 with its history (timed: the first run's compute). Each render
measurement starts from a fresh copy of that warehouse (the results store, with no report
revisions) and an empty reports folder, and renders every scope's zh-CN report through the
archive exactly as the DAG's render tasks do (etl.pipeline.reports.ScopeRender: sources
fingerprint, HTML fingerprint, revision, atomic write, manifest refresh):

- 1 process: the scopes one after another in this process;
- N processes: etl.pipeline.batch.render_batch, the pool the first render task of
  `airflow dags test` uses (fresh spawned processes, imports included);
- unchanged rerun: every scope again, nothing changed (the second `make demo`'s render stage);
- compute, unchanged rerun: compute_quarter again over unchanged inputs.

`--make-demo` times `make demo` in this checkout twice (`--fresh` first removes var/,
reports/ and .airflow/airflow.db so the first is a first run on a set-up machine; without it
the checkout must have none of them) and prints each task's time in the second run's
`airflow dags test` (from .airflow.last-run.log). Targets (issue 17): 13 reports < 20 s with
2 processes; the second `make demo` < 25 s.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench_render import QUARTER, build_warehouse, interpreter

from etl.core.config import REPOSITORY_ROOT, load_settings
from etl.pipeline import compute_quarter
from etl.pipeline.batch import render_batch
from etl.pipeline.reports import ScopeRender
from etl.warehouse import available_scopes, connect

TARGET_TWO_PROCESSES = 20.0
TARGET_SECOND_DEMO = 25.0
TASK_LINE = re.compile(
    r"^(\S+Z) .*\[DAG TEST\] (starting|end task) task_id=(\S+) map_index=(-?\d+)"
)


def fresh_copy(url: str, folder: Path) -> str:
    """A private copy of the SQLite warehouse (with its results store) in `folder`."""
    folder.mkdir(parents=True)
    shutil.copy(url.removeprefix("sqlite:///"), folder / "warehouse.db")
    return f"sqlite:///{folder / 'warehouse.db'}"


def job_for(url: str, reports: Path) -> ScopeRender:
    spec = {"quarter": str(QUARTER), "language": "zh-CN", "reports_dir": str(reports),
            "run_id": "bench"}  # fmt: skip
    return ScopeRender(spec, None, False, url, url, load_settings())


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def cpu_seconds() -> float:
    """CPU seconds (user + system) of this process and of its children that have ended."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    ended = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + ended.ru_utime + ended.ru_stime


def render_rows(url: str, folder: Path, processes: int) -> list[tuple[str, str, str, str]]:
    codes = [scope.code for scope in available_scopes(connect(url))]
    one_url = fresh_copy(url, folder / "one")
    one = job_for(one_url, folder / "one" / "reports")
    cpu = cpu_seconds()
    sequential = timed(lambda: [one(code) for code in codes])
    sequential_cpu, cpu = cpu_seconds() - cpu, cpu_seconds()
    many_url = fresh_copy(url, folder / "many")
    many = job_for(many_url, folder / "many" / "reports")
    outcome = None

    def pooled() -> None:
        nonlocal outcome
        outcome = render_batch(codes, many, processes)

    parallel = timed(pooled)
    parallel_cpu = cpu_seconds() - cpu  # the pool's workers have ended: counted
    if outcome is None or outcome.failed:
        raise SystemExit(f"batch render failed: {outcome.failed if outcome else 'no outcome'}")
    unchanged = timed(lambda: [many(code) for code in codes])
    recompute = timed(lambda: compute_quarter(many_url, str(QUARTER), "bench-again"))
    n = len(codes)
    return [
        (f"{n} reports zh-CN, 1 process (wall / CPU)",
         f"{sequential:.1f} s / {sequential_cpu:.1f} s", "", ""),
        (f"{n} reports zh-CN, {processes} processes, batch pool (wall / CPU)",
         f"{parallel:.1f} s / {parallel_cpu:.1f} s", f"< {TARGET_TWO_PROCESSES:.0f} s",
         _ok(parallel < TARGET_TWO_PROCESSES)),
        (f"{n} reports again, sources unchanged (nothing rendered)", f"{unchanged:.1f} s",
         "", ""),
        ("compute 2026-Q3 again, inputs unchanged (nothing computed)", f"{recompute:.1f} s",
         "", ""),
    ]  # fmt: skip


def make_demo(fresh: bool) -> list[tuple[str, str, str, str]]:
    """`make demo` twice in this checkout; the second run's task times from its log."""
    leftovers = [REPOSITORY_ROOT / "var", REPOSITORY_ROOT / "reports",
                 REPOSITORY_ROOT / ".airflow" / "airflow.db"]  # fmt: skip
    present = [path for path in leftovers if path.exists()]
    if present and not fresh:
        raise SystemExit(f"--make-demo needs a checkout without {present} (or --fresh)")
    for path in present:
        shutil.rmtree(path) if path.is_dir() else path.unlink()
    walls = []
    for _ in range(2):
        started = time.perf_counter()
        subprocess.run(["make", "demo"], cwd=REPOSITORY_ROOT, check=True,
                       stdout=subprocess.DEVNULL)  # fmt: skip
        walls.append(time.perf_counter() - started)
    rows = [
        ("first `make demo` (set-up machine, no var/)", f"{walls[0]:.1f} s", "", ""),
        ("second `make demo`", f"{walls[1]:.1f} s", f"< {TARGET_SECOND_DEMO:.0f} s",
         _ok(walls[1] < TARGET_SECOND_DEMO)),
    ]  # fmt: skip
    log = (REPOSITORY_ROOT / ".airflow.last-run.log").read_text(encoding="utf-8")
    return rows + [(f"  second run: {name}", f"{secs:.1f} s", "", "") for name, secs in
                   task_times(log)]  # fmt: skip


def task_times(log: str) -> list[tuple[str, float]]:
    """(task, seconds) from `airflow dags test` output, mapped tasks summed with a count."""
    from datetime import datetime

    started: dict[tuple[str, str], datetime] = {}
    totals: dict[str, list[float]] = {}
    for line in log.splitlines():
        match = TASK_LINE.match(line)
        if not match:
            continue
        at = datetime.fromisoformat(match[1].replace("Z", "+00:00"))
        key = (match[3], match[4])
        if match[2] == "starting":
            started[key] = at
        elif key in started:
            totals.setdefault(match[3], []).append((at - started.pop(key)).total_seconds())
    return [
        (f"{task} ×{len(times)}" if len(times) > 1 else task, sum(times))
        for task, times in totals.items()
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", help="SQLite URL of a demo warehouse through 2026-Q3 "
                        "with its quarters computed (default: build and compute one)")  # fmt: skip
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--make-demo", action="store_true", help="also time `make demo` twice")
    parser.add_argument(
        "--fresh", action="store_true", help="with --make-demo: remove var/, reports/, airflow.db"
    )
    args = parser.parse_args(argv)
    load_before = os.getloadavg()[0]
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-demo-") as temporary:
        folder = Path(temporary)
        if args.warehouse:
            url = args.warehouse
        else:
            started = time.perf_counter()
            url = build_warehouse(folder)
            built = time.perf_counter() - started
            rows.append(("build the demo, compute its quarters", f"{built:.1f} s", "", ""))
        rows += render_rows(url, folder, args.processes)
    if args.make_demo:
        rows += make_demo(args.fresh)
    load_after = os.getloadavg()[0]
    print_table(rows)
    print(f"\n{os.cpu_count()} CPUs; 1-minute load average {load_before:.2f} before, "
          f"{load_after:.2f} after; {interpreter()}")  # fmt: skip
    return 0


def print_table(rows: list[tuple[str, str, str, str]]) -> None:
    header = ("measure", "value", "target", "met")
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(header)]
    print("| " + " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in rows:
        print("| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |")


def _ok(met: bool) -> str:
    return "yes" if met else "NO"


if __name__ == "__main__":
    sys.exit(main())
