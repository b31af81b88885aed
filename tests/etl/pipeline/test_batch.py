"""Under a serial executor the first scope's render task renders the whole run in a process
pool; the later tasks find their reports done; each report keeps one revision."""

from __future__ import annotations

import copy
import dataclasses
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from etl.core import ConfigError, load_settings
from etl.pipeline import compute_quarter, reports, tasks
from etl.pipeline.batch import batch_plan, render_batch
from etl.pipeline.resources import Resources
from etl.warehouse import connect, read_query

ROOT = Path(__file__).resolve().parents[3]

QUARTER = "2026-Q3"
SCOPES = ["company", "BJ", "SH"]


def settings_with(**render: object):
    settings = load_settings()
    raw = copy.deepcopy(settings.raw)
    raw["render"] = {**raw.get("render", {}), **render}
    return dataclasses.replace(settings, raw=raw)


# (batch mode, executor serial, scopes of the run, processes) → (batch?, processes used)
PLANS = [
    ("auto", True, 3, 2, (True, 2)),
    ("auto", False, 3, 2, (False, 1)),  # Celery, LocalExecutor: each task its own scope
    ("always", False, 3, 2, (True, 2)),
    ("never", True, 3, 2, (False, 1)),
    ("auto", True, 3, 1, (False, 1)),  # one process: nothing to share
    ("auto", True, 1, 2, (False, 1)),  # one scope: nothing to share
    ("auto", True, 3, 8, (True, 3)),  # never more processes than scopes
]


@pytest.mark.parametrize(("mode", "serial", "scopes", "processes", "expected"), PLANS)
def test_batch_plan(
    mode: str, serial: bool, scopes: int, processes: int, expected: tuple[bool, int]
) -> None:
    plan = batch_plan(settings_with(batch=mode, processes=processes), scopes, serial)
    assert (plan.batch, plan.processes) == expected


@pytest.mark.parametrize(
    ("render", "message"),
    [({"batch": "sometimes"}, "[render] batch"), ({"processes": -1}, "[render] processes")],
)
def test_a_bad_render_setting_names_itself(render: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace("[", r"\[").replace("]", r"\]")):
        batch_plan(settings_with(**render), len(SCOPES), True)


def fail_on_bj(scope: str) -> list[str]:
    if scope == "BJ":
        raise ValueError("BJ's data are broken")
    return [f"{scope}.pdf"]


def test_a_scope_that_fails_in_the_pool_is_left_to_its_own_task() -> None:
    outcome = render_batch(SCOPES, fail_on_bj, 2)
    assert outcome.rendered == {"company": ["company.pdf"], "SH": ["SH.pdf"]}
    assert outcome.failed == {"BJ": "ValueError: BJ's data are broken"}


def die_on_bj(scope: str) -> list[str]:
    if scope == "BJ":
        os._exit(1)  # a worker killed (or one that could not start) breaks the whole pool
    return [f"{scope}.pdf"]


def test_a_broken_pool_leaves_every_scope_it_did_not_render_to_its_own_task() -> None:
    outcome = render_batch(SCOPES, die_on_bj, 2)
    assert set(outcome.rendered) | set(outcome.failed) == set(SCOPES)
    assert "BJ" in outcome.failed and "pool broke" in outcome.failed["BJ"]
    assert all(paths == [f"{scope}.pdf"] for scope, paths in outcome.rendered.items())


# A main script that notes each time it runs, as Airflow's CLI would run in each worker.
MAIN_SCRIPT = """
import os, sys
with open(os.environ["RUNS"], "a") as runs:
    runs.write(__name__ + "\\n")
from etl.pipeline.batch import render_batch
if __name__ == "__main__":
    outcome = render_batch(["a/company", "b/BJ", "c/SH"], os.path.basename, 2)
    print(sorted(outcome.rendered.values()), outcome.failed)
"""


def test_pool_workers_do_not_run_the_parent_main_script(tmp_path: Path) -> None:
    script, runs = tmp_path / "cli.py", tmp_path / "runs.txt"
    script.write_text(MAIN_SCRIPT)
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, check=True,
        env={**os.environ, "RUNS": str(runs), "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    assert done.stdout.strip() == "['BJ', 'SH', 'company'] {}"
    assert runs.read_text().split() == ["__main__"]  # not once more per worker as __mp_main__


@pytest.fixture
def computed(small_demo_url: str, tmp_path: Path) -> Resources:
    shutil.copy(small_demo_url.removeprefix("sqlite:///"), tmp_path / "warehouse.db")
    url = f"sqlite:///{tmp_path / 'warehouse.db'}"
    compute_quarter(url, QUARTER, "run-1")
    return Resources(warehouse_url=url, smtp=None, settings=settings_with(processes=2))


def test_the_first_task_renders_the_run_and_the_later_tasks_render_nothing(
    computed: Resources, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = {"quarter": QUARTER, "scopes": SCOPES, "language": "zh-CN",
            "reports_dir": str(tmp_path / "reports"), "run_id": "run-1"}  # fmt: skip
    folder = tmp_path / "reports" / QUARTER

    # `airflow dags test` runs the mapped tasks in no set order: here BJ's runs first.
    first = tasks.render("BJ", spec, {}, computed, serial=True)
    assert first == [str(folder / "BJ.zh-CN.pdf")]
    assert sorted(p.name for p in folder.glob("*.pdf")) == sorted(
        f"{scope}.zh-CN.pdf" for scope in SCOPES
    )
    made = {p.name: p.read_bytes() for p in folder.glob("*.pdf")}

    def no_render(*args: object, **kwargs: object) -> None:
        raise AssertionError("a later task rendered a report the batch had made")

    monkeypatch.setattr(reports, "build_context", no_render)
    for scope in SCOPES:  # the later mapped tasks, and a retry of the first
        assert tasks.render(scope, spec, {}, computed, serial=True) == [
            str(folder / f"{scope}.zh-CN.pdf")
        ]
    assert {p.name: p.read_bytes() for p in folder.glob("*.pdf")} == made
    stored = read_query(connect(computed.warehouse_url), "delivery_revisions", {"quarter": QUARTER})
    assert sorted(zip(stored["scope"], stored["revision"], strict=True)) == sorted(
        (scope, 1) for scope in SCOPES
    )


def test_two_processes_on_one_report_make_one_revision(computed: Resources, tmp_path: Path) -> None:
    spec = {"quarter": QUARTER, "scopes": ["SH"], "language": "zh-CN",
            "reports_dir": str(tmp_path / "reports"), "run_id": "run-1"}  # fmt: skip
    job = reports.ScopeRender(spec, None, False, computed.warehouse_url,
                            computed.results_url, computed.settings)  # fmt: skip
    outcome = render_batch(["SH", "SH"], job, 2)  # both at once: the report's lock orders them
    assert outcome.failed == {}
    stored = read_query(connect(computed.warehouse_url), "delivery_revisions", {"quarter": QUARTER})
    assert list(stored["revision"]) == [1]
