"""bench/bench_celery.py's arithmetic: the render stage from task instances, and its table."""

from __future__ import annotations

import datetime as dt
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench" / "bench_celery.py"
T0 = dt.datetime(2026, 12, 7, 8, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_celery", BENCH)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def ti(
    task: str, index: int, host: str, start: float, end: float, state: str = "success",
    queued: float | None = None,
):  # fmt: skip
    return {
        "task_id": task, "map_index": index, "state": state, "hostname": host,
        "start_date": T0 + dt.timedelta(seconds=start), "end_date": T0 + dt.timedelta(seconds=end),
        "queued_dttm": None if queued is None else T0 + dt.timedelta(seconds=queued),
    }  # fmt: skip


def test_the_stage_runs_from_the_first_render_start_to_the_last_render_end(bench) -> None:
    tis = [
        ti("compute_indices", -1, "a", -50, -1),  # not a render: outside the stage
        ti("render_report", 0, "a", 0, 4),
        ti("render_report", 1, "b", 1, 3),
        ti("render_report", 2, "a", 4, 10),
        ti("publish_reports", -1, "b", 11, 12),
    ]
    stage = bench.render_stage(tis)
    assert (stage.renders, stage.seconds, stage.busy_seconds) == (3, 10.0, 12.0)
    assert stage.median_render == 4.0
    assert stage.by_host == {"a": 2, "b": 1}


@pytest.mark.parametrize(
    ("renders", "gap", "queued_to_start"),
    [
        # queued 1 s after the last render ended, started 0.5 s later
        ([("a", 0, 4, None), ("a", 5.5, 8, 5)], 1.5, 0.5),
        # queued while the last one ran (ahead of it): all of the wait is the worker's
        ([("a", 0, 4, None), ("a", 4.25, 8, 2)], 0.25, 0.25),
        # per worker: b's first render does not follow a's
        ([("a", 0, 4, None), ("b", 1, 3, 0.5), ("a", 6, 8, 5), ("b", 4, 5, 3.5)], 1.5, 0.75),
        ([("a", 0, 4, None)], 0.0, 0.0),  # a single render has no wait
    ],
)
def test_the_wait_between_a_workers_renders_is_split_at_the_queueing(
    bench, renders, gap: float, queued_to_start: float
) -> None:
    tis = [
        ti("render_report", i, host, start, end, queued=queued)
        for i, (host, start, end, queued) in enumerate(renders)
    ]
    stage = bench.render_stage(tis)
    assert (stage.mean_gap, stage.mean_queued_to_start) == (gap, queued_to_start)


@pytest.mark.parametrize(
    ("tis", "message"),
    [
        ([ti("compute_indices", -1, "a", 0, 1)], "no render_report task instances"),
        ([ti("render_report", 7, "a", 0, 1, "failed")], r"render_report\[7\] is failed"),
    ],
)
def test_an_incomplete_stage_is_named(bench, tis, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        bench.render_stage(tis)


def test_the_table_gives_each_run_and_the_ratio_against_one_worker(bench) -> None:
    one = bench.render_stage([ti("render_report", i, "h-w1", 2 * i, 2 * i + 2) for i in range(5)])
    two = bench.render_stage(
        [ti("render_report", i, f"h-w{1 + i % 2}", i, i + 2) for i in range(5)]
    )
    table = bench.stage_table([(1, one, "1.0 → 1.2"), (2, two, "1.2 → 1.1")])
    assert "| 1 | 5 | 10.0 | 2.00 | 10.0 | 0.00 (0.00) | h-w1: 5 | 1.0 → 1.2 |" in table
    assert "| 2 | 5 | 6.0 | 2.00 | 10.0 | 0.00 (0.00) | h-w1: 3, h-w2: 2 | 1.2 → 1.1 |" in table
    assert "2 workers ÷ 1: 0.60 (target ≤ 0.60: met)" in table


def test_the_wide_demo_scopes_become_the_trigger_forms_choices(bench) -> None:
    import tomllib

    from etl.core.config import configured_scopes

    office = ("SC01", "四川分公司第1营销服务部", "Sichuan Branch Sales Office 1", "西南", "SW", 0.2)
    text = bench.scope_settings([office])
    scopes = configured_scopes(tomllib.loads(text)["scopes"])
    assert [(s.code, s.kind, s.name_en) for s in scopes] == [
        ("company", "company", "Company"),
        ("SC01", "branch", "Sichuan Branch Sales Office 1"),
    ]
