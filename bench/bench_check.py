"""Benchmark: the data contract's check of one quarter against computing its KPIs.

    .venv/bin/python bench/bench_check.py [--url URL] [--quarter 2026-Q3] [--repeat N]

On the bench-scale PostgreSQL warehouse of bench_kpis.py (built there when missing: 10M
policies, ~17.7M instalments, 2M claims, 200k complaints, ~1M responses), after one warm-up
pass of each: the whole check (`etl.contract.check_warehouse`, every rule, as
`satisfaction-report check` and the DAG's `check_inputs` run it) and the pipeline's KPI stage
(the family queries read into pandas, then `kpi_results`), per round; then each contract
statement alone (on one connection without JIT, as the check runs them), and the machine's
load average. Target: check ≤ 0.5 × KPIs (medians). Exit status 1 when missed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

from bench_kpis import DEFAULT_URL, apply_indexes, ensure_warehouse, pipeline_round

from etl.contract import ContractSettings, check_warehouse, quarter_params
from etl.contract.checks import ROW_RULE_FILES
from etl.contract.facts import FactLimits, fresh_from
from etl.core import load_item_bank, load_settings
from etl.core.periods import Quarter
from etl.warehouse import connect, read_query, reading

TARGET_RATIO = 0.5
STATEMENTS = (*ROW_RULE_FILES, "quarter_facts", "survey_answer_distribution")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=DEFAULT_URL, help=f"PostgreSQL URL ({DEFAULT_URL})")
    parser.add_argument("--quarter", default="2026-Q3", help="quarter to check (2026-Q3)")
    parser.add_argument("--repeat", type=int, default=3, help="rounds; medians are shown (3)")
    args = parser.parse_args(argv)
    quarter = Quarter.parse(args.quarter, field="--quarter")
    ensure_warehouse(args.url, quarter)
    engine = connect(args.url)
    apply_indexes(engine)
    bank, settings = load_item_bank(), load_settings()

    def check() -> tuple[float, int]:
        started = time.perf_counter()
        report = check_warehouse(engine, quarter, bank, settings)
        return time.perf_counter() - started, len(report.failures)

    check()  # warm-up, as for the KPIs: both timings read memory
    pipeline_round(engine, quarter)
    checks, kpis, failures = [], [], 0
    for _ in range(args.repeat):
        seconds, failures = check()
        checks.append(seconds)
        kpis.append(pipeline_round(engine, quarter)[0])
    limits = ContractSettings.from_settings(settings)
    fresh = fresh_from(quarter, FactLimits(limits.min_answers, limits.freshness_days))
    params = quarter_params(quarter) | {"fresh_from": fresh.isoformat()}
    alone = {}
    with reading(engine) as conn:  # as the check runs them: one connection, no JIT
        for name in STATEMENTS:
            started = time.perf_counter()
            read_query(conn, f"contract/{name}", params)
            alone[name] = time.perf_counter() - started

    check_s, kpi_s = statistics.median(checks), statistics.median(kpis)
    ratio = check_s / kpi_s
    print(f"\nData contract of {quarter} vs its KPIs, median of {args.repeat} rounds")
    print(f"{'step':40} {'seconds':>9}")
    print(f"{'check (every rule, ' + str(failures) + ' failures)':40} {check_s:9.2f}")
    print(f"{'KPIs (kpi_results, all scopes)':40} {kpi_s:9.2f}")
    print(f"{'check ÷ KPIs':40} {ratio:9.2f}  target ≤ {TARGET_RATIO}")
    print(f"\n{'contract statement (one run each)':40} {'seconds':>9}")
    for name, seconds in sorted(alone.items(), key=lambda item: -item[1]):
        print(f"{name:40} {seconds:9.2f}")
    print("\nload average (1, 5, 15 min): " + ", ".join(f"{x:.2f}" for x in os.getloadavg()))
    met = ratio <= TARGET_RATIO
    print(f"\n{'PASS' if met else 'FAIL'}: check {check_s:.2f} s is {ratio:.2f} × the KPIs")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
