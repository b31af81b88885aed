"""Benchmark: every KPI for every scope of one quarter on a bench-scale PostgreSQL warehouse.

    .venv/bin/python bench/bench_kpis.py [--url URL] [--quarter 2026-Q3] [--repeat N]

Builds the warehouse with `satisfaction-report demo --scale bench` when the database is missing
or empty (10M policies, 2M claims, 200k complaints, 1M responses; in a child process, so the
generator's memory is not this process's), applies sql/schema (the indexes of 08_indexes.sql),
then in one run: the pipeline's KPI stage (etl.operations.kpis.kpi_results, wall time per
family query and in total) against PostgreSQL's own execution time of the same queries with
the same parameters
(EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) → "Execution Time", summed). Prints a table and
the Python process's peak RSS. Targets: stage < 60 s, pipeline ≤ 1.5 × PostgreSQL, RSS < 1 GB.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url

from etl.core.periods import Quarter
from etl.operations import kpis
from etl.warehouse import (
    apply_schema,
    connect,
    query_text,
    read_query,
    segment_scopes,
    sources_dir,
    with_sources,
)

DEFAULT_URL = "postgresql+psycopg2://postgres@127.0.0.1:5432/satisfaction_bench"
TARGET_SECONDS = 60.0
TARGET_RATIO = 1.5
TARGET_RSS_MB = 1024.0
LINKAGE_QUERIES = ("linkage_claim_cycle_band", "linkage_complaint")


def ensure_warehouse(url: str, through: Quarter) -> None:
    """Create the database and fill it with the bench-scale demo unless it already holds one."""
    parsed = make_url(url)
    admin = sa.create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.execute(
            sa.text("select 1 from pg_database where datname = :name"), {"name": parsed.database}
        ).scalar()
        if not exists:
            conn.execute(sa.text(f'create database "{parsed.database}"'))
    admin.dispose()
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        has_policies = conn.execute(sa.text("select to_regclass('policies')")).scalar()
        filled = has_policies and conn.execute(sa.text("select count(*) from policies")).scalar()
    engine.dispose()
    if filled:
        print(f"reusing {parsed.render_as_string(hide_password=True)}: {filled:,} policies")
        return
    command = [
        str(Path(sys.executable).with_name("satisfaction-report")),
        "demo",
        "--scale",
        "bench",
        "--through",
        str(through),
        "--warehouse",
        url,
    ]
    print("building:", " ".join(command))
    started = time.perf_counter()
    subprocess.run(command, check=True)
    print(f"built in {time.perf_counter() - started:.0f} s")
    # A bulk load leaves no visibility map and unset hint bits: vacuum once, as after any
    # load, so the first timed reads do not rewrite pages (or race autovacuum for the CPU).
    started = time.perf_counter()
    vacuum = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with vacuum.connect() as conn:
        conn.execute(sa.text("vacuum (analyze)"))
    vacuum.dispose()
    print(f"vacuum (analyze) in {time.perf_counter() - started:.0f} s")


def apply_indexes(engine: Engine) -> None:
    """Create what sql/schema lacks in an older warehouse, and refresh statistics if so."""
    with engine.connect() as conn:
        before = conn.execute(sa.text("select count(*) from pg_indexes")).scalar()
    apply_schema(engine)
    with engine.connect() as conn:
        after = conn.execute(sa.text("select count(*) from pg_indexes")).scalar()
    if after != before:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text("analyze"))


def pipeline_round(engine: Engine, quarter: Quarter) -> tuple[float, dict[str, float], int]:
    """The pipeline's KPI stage as it runs: each family query read into pandas (timed), then
    the pure stage turns the frames into result rows. Returns total, per query, rows."""
    timings: dict[str, float] = {}
    started = time.perf_counter()
    families = {}
    for name, params in kpis.family_params(quarter).items():
        began = time.perf_counter()
        families[name] = read_query(engine, name, params)
        timings[name] = time.perf_counter() - began
    segments = [scope.code for scope in segment_scopes(engine)]
    rows = kpis.kpi_results(families, quarter, scopes_of(engine), segments)
    return time.perf_counter() - started, timings, len(rows)


def scopes_of(engine: Engine) -> list[str]:
    """The company and every branch (kpi_results adds the channel and product scopes)."""
    with engine.connect() as conn:
        branches = conn.execute(sa.text("select branch_code from branches order by 1")).scalars()
        return ["company", *branches]


def postgres_time(engine: Engine, name: str, params: dict[str, Any]) -> float:
    """PostgreSQL's Execution Time of one query, in seconds."""
    text = with_sources(query_text(name), sources_dir())  # the source views in front
    statement = sa.text("explain (analyze, timing off, format json) " + text)
    with engine.connect() as conn:
        plan = conn.execute(statement, params).scalar_one()
    return float(plan[0]["Execution Time"]) / 1000.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=DEFAULT_URL, help=f"PostgreSQL URL ({DEFAULT_URL})")
    parser.add_argument("--quarter", default="2026-Q3", help="quarter to compute (2026-Q3)")
    parser.add_argument("--repeat", type=int, default=1, help="rounds; medians are shown (1)")
    args = parser.parse_args(argv)
    quarter = Quarter.parse(args.quarter, field="--quarter")
    ensure_warehouse(args.url, quarter)
    engine = connect(args.url)
    apply_indexes(engine)
    params = kpis.family_params(quarter)
    linkage_params = {"wave_id": str(quarter), "lookback_days": 365}

    # Warm-up: the first read of each table comes from disk; both timings below read memory.
    pipeline_round(engine, quarter)

    totals: list[float] = []
    per_query: dict[str, list[float]] = {name: [] for name in params}
    pg: dict[str, list[float]] = {name: [] for name in (*params, *LINKAGE_QUERIES)}
    rows = 0
    for _ in range(args.repeat):
        total, timings, rows = pipeline_round(engine, quarter)
        totals.append(total)
        for name in params:
            per_query[name].append(timings[name])
            pg[name].append(postgres_time(engine, name, params[name]))
        for name in LINKAGE_QUERIES:
            pg[name].append(postgres_time(engine, name, linkage_params))

    median = statistics.median
    pipeline_total = median(totals)
    pg_total = sum(median(pg[name]) for name in params)
    print(f"\nKPIs for all scopes of {quarter}: {rows} result rows; median of {args.repeat}")
    print(f"{'query':28} {'pipeline s':>11} {'PostgreSQL s':>13} {'ratio':>7}")
    for name in params:
        wall, own = median(per_query[name]), median(pg[name])
        print(f"{name:28} {wall:11.2f} {own:13.2f} {wall / own:7.2f}")
    ratio = pipeline_total / pg_total
    print(f"{'total (kpi_results)':28} {pipeline_total:11.2f} {pg_total:13.2f} {ratio:7.2f}")
    for name in LINKAGE_QUERIES:
        print(f"{name:28} {'—':>11} {median(pg[name]):13.2f}   (linkage, for reference)")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print(f"\npeak RSS of this Python process: {peak_mb:.0f} MB")
    # Other work on the machine slows both timings; the load average says how quiet it was.
    print("load average (1, 5, 15 min): {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    checks = [
        (f"stage < {TARGET_SECONDS:.0f} s", pipeline_total < TARGET_SECONDS),
        (f"pipeline ≤ {TARGET_RATIO} × PostgreSQL", ratio <= TARGET_RATIO),
        (f"peak RSS < {TARGET_RSS_MB:.0f} MB", peak_mb < TARGET_RSS_MB),
    ]
    for label, passed in checks:
        print(f"{'PASS' if passed else 'FAIL'}  {label}")
    return 0 if all(passed for _, passed in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
