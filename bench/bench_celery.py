"""Benchmark: Celery scale-out of the render stage, one worker against two (same data).

    .venv/bin/python bench/bench_celery.py [--quarters 4] [--workers 1 2] [--port 8300]

Builds the `wide` demo warehouse (127 branches and sales offices + the company = 128 report
scopes, through 2026-Q3) in a temporary folder and computes its history once in this process,
so every measured run starts from the same stored results. Then, for each worker count, it
starts the native topology of docker-compose.yml (tests/e2e/native.py: api-server,
scheduler, dag-processor, triggerer and N Celery workers on a fresh PostgreSQL metadata
database and a Redis broker database, one reports folder, a fresh copy of the warehouse),
creates the render pool with N × --renders-per-worker slots, triggers the DAG for 2026-Q3
with every scope in zh-CN (deliver=false) and waits for it. From the task instances it takes
the render stage (first render_report start → last render_report end), the median render
task, and how many renders each worker ran (`hostname`). Prints a table and the ratio of the
two-worker stage to the one-worker stage (target ≤ 0.60).

Needs PostgreSQL at SATISFACTION_TEST_POSTGRES_URL, as the tests (creates and drops
`<--database>_w<N>_<hex>`), and Redis at --redis (the database is flushed afterwards). Each
worker runs --renders-per-worker task slots (Celery concurrency), as each worker machine of a
deployment would.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterable, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # the shared topology set-up lives with the e2e tests

QUARTER = "2026-Q3"
TARGET_RATIO = 0.60
# The bench measures the render stage, not the indices: fewer bootstrap replicates keep the
# one-off history computation of 128 scopes short. A sales office's sample (about 75 a
# quarter) is suppressed below 200 responses, so its report leaves out the survey sections and
# the league tables list the branches only: 11 CPU s per report instead of 29 (35 pages).
BENCH_SETTINGS = (
    "[drivers]\nbootstrap = 100\n[ranks]\nbootstrap = 100\n"
    "[suppression]\nsuppress_below = 200\nlow_base_below = 300\n"
)


@dataclass(frozen=True)
class RenderStage:
    """The render stage of one run, from its render_report task instances."""

    renders: int
    seconds: float  # first render's start to the last render's end
    median_render: float
    busy_seconds: float  # the renders' durations added up
    by_host: dict[str, int]
    # Between one render's end and the next render's start on the same worker, on average:
    # the whole wait, and the part after the next one was queued (the broker, the worker and
    # its task process starting); the rest is the scheduler seeing a pool slot free.
    mean_gap: float
    mean_queued_to_start: float


def render_stage(task_instances: Iterable[Mapping[str, Any]]) -> RenderStage:
    """Times and hosts of the run's renders; a render that did not succeed is named."""
    renders = [ti for ti in task_instances if ti["task_id"] == "render_report"]
    if not renders:
        raise ValueError("the run has no render_report task instances")
    for ti in renders:
        if ti["state"] != "success" or ti["start_date"] is None or ti["end_date"] is None:
            raise ValueError(
                f"render_report[{ti['map_index']}] is {ti['state']} "
                f"(start {ti['start_date']}, end {ti['end_date']}): the stage is incomplete"
            )
    durations = [(ti["end_date"] - ti["start_date"]).total_seconds() for ti in renders]
    first = min(ti["start_date"] for ti in renders)
    last = max(ti["end_date"] for ti in renders)
    hosts: dict[str, list[Mapping[str, Any]]] = {}
    for ti in renders:
        hosts.setdefault(str(ti["hostname"]), []).append(ti)
    gaps, queued_waits = [], []
    for ran in hosts.values():
        ran = sorted(ran, key=lambda ti: ti["start_date"])
        for before, after in itertools.pairwise(ran):
            gaps.append((after["start_date"] - before["end_date"]).total_seconds())
            queued = max(after.get("queued_dttm") or before["end_date"], before["end_date"])
            queued_waits.append((after["start_date"] - queued).total_seconds())
    return RenderStage(
        renders=len(renders),
        seconds=(last - first).total_seconds(),
        median_render=statistics.median(durations),
        busy_seconds=sum(durations),
        by_host={host: len(ran) for host, ran in sorted(hosts.items())},
        mean_gap=statistics.fmean(gaps) if gaps else 0.0,
        mean_queued_to_start=statistics.fmean(queued_waits) if queued_waits else 0.0,
    )


def stage_table(results: Sequence[tuple[int, RenderStage, str]]) -> str:
    """The printed table: one row per worker count, then the ratio against the first row."""
    lines = [
        "| workers | renders | render stage s | median render s | renders summed s | "
        "between a worker's renders s (of which queued → start) | "
        "renders per worker (hostname) | load average before → after |",
        "|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for workers, stage, load in results:
        hosts = ", ".join(f"{host}: {count}" for host, count in stage.by_host.items())
        lines.append(
            f"| {workers} | {stage.renders} | {stage.seconds:.1f} | {stage.median_render:.2f} | "
            f"{stage.busy_seconds:.1f} | {stage.mean_gap:.2f} ({stage.mean_queued_to_start:.2f}) | "
            f"{hosts} | {load} |"
        )
    base = results[0][1].seconds
    for workers, stage, _ in results[1:]:
        verdict = "met" if stage.seconds / base <= TARGET_RATIO else "missed"
        lines.append(
            f"\n{workers} workers ÷ {results[0][0]}: {stage.seconds / base:.2f} "
            f"(target ≤ {TARGET_RATIO:.2f}: {verdict})"
        )
    return "\n".join(lines)


def load_average() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def scope_settings(branches: Sequence[tuple[str, str, str, str, str, float]]) -> str:
    """`scopes = [...]` for the wide demo: the trigger form offers every scope it has."""
    entries = ['{ code = "company", zh = "全公司", en = "Company" }'] + [
        f'{{ code = "{code}", zh = "{zh}", en = "{en}" }}' for code, zh, en, *_ in branches
    ]
    return "scopes = [\n  " + ",\n  ".join(entries) + ",\n]\n"


def all_scopes(settings_toml: str) -> list[str]:
    """The scope codes of the bench's settings, company first."""
    import tomllib

    return [entry["code"] for entry in tomllib.loads(settings_toml)["scopes"]]


def build_warehouse(root: Path, quarters: int, reuse: Path | None) -> tuple[str, str]:
    """The wide demo warehouse with its history computed (or `reuse`, one this bench built and
    kept); returns its URL and the settings every run gets."""
    from etl import demo
    from etl.core.config import load_settings
    from etl.core.periods import Quarter
    from etl.pipeline import compute_quarter

    plan = demo.DemoPlan(through=Quarter.parse(QUARTER), size=demo.SCALES["wide"])
    settings_toml = scope_settings(plan.branches) + BENCH_SETTINGS
    if reuse:
        return f"sqlite:///{reuse.resolve()}", settings_toml
    url = f"sqlite:///{root / 'warehouse.db'}"
    cli = str(Path(sys.executable).with_name("satisfaction-report"))
    started = time.perf_counter()
    subprocess.run(
        [cli, "demo", "--scale", "wide", "--quarters", str(quarters), "--through", QUARTER,
         "--warehouse", url],
        check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    settings_file = root / "settings.toml"
    reports = root / "precompute-reports"
    settings_file.write_text(f'{settings_toml}[paths]\nreports = "{reports}"\n', encoding="utf-8")
    built = time.perf_counter()
    compute_quarter(url, QUARTER, "bench__history", load_settings(str(settings_file)), None)
    print(
        f"wide demo ({len(plan.branches) + 1} scopes, {quarters} quarters): built in "
        f"{built - started:.0f} s, history computed in {time.perf_counter() - built:.0f} s "
        f"(load {load_average()})",
        flush=True,
    )
    return url, settings_toml


# One render in a fresh interpreter, as a task process does; prints seconds and peak RSS.
# The peak is VmHWM, this process's own: Linux carries ru_maxrss across exec, so after a fork
# from the bench (which has just computed the history) it printed the bench's 682-697 MB.
RENDER_PROBE = """
import sys, time
from etl.core.config import load_settings
from etl.pipeline import render_scope
url, scope, folder, settings = sys.argv[1:]
started = time.perf_counter()
pdf = render_scope(url, "2026-Q3", scope, "zh-CN", folder, "bench__probe", load_settings(settings))
seconds = time.perf_counter() - started
with open("/proc/self/status") as status:
    peak_kb = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
print(seconds, peak_kb / 1024)
"""


def render_probe(root: Path, data: tuple[str, str], scope: str) -> tuple[float, float]:
    """Seconds and peak RSS (MB) of one render of `scope` in a fresh process (sizing input)."""
    probe = root / f"probe-{scope}"
    probe.mkdir()
    settings = probe / "settings.toml"
    settings.write_text(f'{data[1]}[paths]\nreports = "{probe}"\n', encoding="utf-8")
    warehouse = probe / "warehouse.db"  # a copy: the probe's revision stays out of the runs
    shutil.copy(data[0].removeprefix("sqlite:///"), warehouse)
    result = subprocess.run(
        [sys.executable, "-c", RENDER_PROBE, f"sqlite:///{warehouse}", scope, str(probe / "r"),
         str(settings)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    seconds, rss = result.stdout.split()[-2:]
    return float(seconds), float(rss)


def measure(args: argparse.Namespace, root: Path, workers: int, data: tuple[str, str]) -> Any:
    """One run of the DAG on the topology with `workers` Celery workers; its task instances."""
    import httpx

    from tests.conftest import postgres_database
    from tests.e2e import native as topology

    warehouse_url, settings_toml = data
    with (
        postgres_database(f"{args.database}_w{workers}") as metadata_url,
        contextmanager(topology.redis_database)(args.redis) as broker,
    ):
        queue = f"bench_{uuid.uuid4().hex[:8]}"
        home = root / f"w{workers}"
        home.mkdir()
        env = topology.topology_env(
            home, metadata_url, broker, warehouse_url, args.port, queue, settings_toml
        )
        env |= {
            "AIRFLOW__CELERY__WORKER_CONCURRENCY": str(args.renders_per_worker),
            # As the compose file runs them (docs/deployment.md "A worker lost").
            "AIRFLOW__CELERY__TASK_ACKS_LATE": "True",
            "AIRFLOW__CELERY__WORKER_PREFETCH_MULTIPLIER": "1",
        }
        cluster = topology.Cluster(home, env, f"http://127.0.0.1:{args.port}", queue)
        try:
            topology.prepare(cluster, render_slots=workers * args.renders_per_worker)
            for name in ("api-server", "scheduler", "dag-processor", "triggerer"):
                cluster.start(name)
            for number in range(1, workers + 1):
                topology.start_worker(cluster, f"w{number}", queue, port=args.port + number)
            run_id = f"bench_celery__w{workers}_{uuid.uuid4().hex[:6]}"
            scopes = None if args.scopes is None else all_scopes(settings_toml)[: args.scopes]
            conf = {"quarter": QUARTER, "scopes": scopes, "language": "zh-CN", "deliver": False}
            with httpx.Client(base_url=cluster.api, timeout=30) as client:
                topology.dag_ready(cluster, client)
                cluster.cli("dags", "unpause", topology.DAG_ID)
                cluster.cli("dags", "trigger", topology.DAG_ID, "--run-id", run_id,
                            "--conf", json.dumps(conf))  # fmt: skip
                before = load_average()
                state = topology.wait_for(
                    cluster, f"run {run_id}", args.timeout,
                    topology.run_finished(client, run_id),
                )  # fmt: skip
            tis = topology.task_instances(metadata_url, run_id)
            if state != "success":
                failed = [
                    f"{t['task_id']}[{t['map_index']}]" for t in tis if t["state"] != "success"
                ]
                raise SystemExit(f"run {run_id} ended {state}; not successful: {failed}")
            return tis, f"{before} → {load_average()}"
        finally:
            cluster.stop()


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    top.add_argument("--quarters", type=int, default=4, help="quarters of demo history")
    top.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    top.add_argument("--scopes", type=int, help="render the first N scopes only (default all)")
    top.add_argument(
        "--warehouse", type=Path, help="reuse this wide demo SQLite file, history computed"
    )
    top.add_argument("--keep", type=Path, help="copy the computed warehouse here for --warehouse")
    top.add_argument("--renders-per-worker", type=int, default=1, help="Celery concurrency")
    top.add_argument("--port", type=int, default=8300, help="api-server; workers' logs above")
    top.add_argument("--database", default="celery_bench", help="metadata database prefix")
    top.add_argument("--redis", default="redis://127.0.0.1:6379/5", help="broker database")
    top.add_argument("--timeout", type=float, default=3 * 3600, help="seconds per run")
    return top


def main(argv: Sequence[str] | None = None) -> int:
    import pytest

    args = parser().parse_args(argv)
    # SIGTERM (a `kill` of the bench) unwinds like Ctrl-C: the cluster is stopped, the database
    # dropped, Redis flushed and the temporary folder removed.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    results = []
    with tempfile.TemporaryDirectory(prefix="bench_celery_") as folder:
        root = Path(folder)
        try:
            data = build_warehouse(root, args.quarters, args.warehouse)
            if args.keep:
                shutil.copy(data[0].removeprefix("sqlite:///"), args.keep)
            for scope in ("company", "SC01"):
                seconds, rss = render_probe(root, data, scope)
                print(f"one render of {scope}: {seconds:.1f} s, peak RSS {rss:.0f} MB "
                      f"(load {load_average()})", flush=True)  # fmt: skip
            for workers in args.workers:
                tis, load = measure(args, root, workers, data)
                stage = render_stage(tis)
                print(f"{workers} worker(s): render stage {stage.seconds:.1f} s", flush=True)
                results.append((workers, stage, load))
        except pytest.fail.Exception as exc:  # the topology's failure, with the log tails
            print(f"bench_celery: {exc}", file=sys.stderr)
            return 1
    print(f"\nuptime: {subprocess.run(['uptime'], capture_output=True, text=True).stdout}")
    print(stage_table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
