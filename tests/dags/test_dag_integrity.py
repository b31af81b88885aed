"""DAG integrity: every DAG parses, imports cleanly and touches no database or connection."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

DAGS_DIR = Path(__file__).resolve().parents[2] / "dags"
DAG_ID = "quarterly_satisfaction_report"

# Parse in a child process with the database and connection entry points booby-trapped:
# anything that opens a database or reads a connection at parse time fails the parse.
PARSE_SCRIPT = textwrap.dedent(
    """
    import json, sys
    import sqlalchemy
    from airflow.sdk import BaseHook

    def forbidden(*args, **kwargs):
        raise RuntimeError("database or connection access at DAG parse time")

    sqlalchemy.create_engine = forbidden
    BaseHook.get_connection = classmethod(forbidden)
    import etl.warehouse
    etl.warehouse.connect = forbidden

    from airflow.dag_processing.dagbag import DagBag
    bag = DagBag(dag_folder=sys.argv[1], safe_mode=False)
    dag = bag.dags.get("quarterly_satisfaction_report")

    def submit(conf):
        # The trigger form's conf against the Params, as Airflow checks a new run's conf.
        import copy
        params = copy.deepcopy(dag.params)
        try:
            for key, value in conf.items():
                params[key] = value  # checks the value against the Param's schema
            return {"ok": params.validate()}
        except Exception as exc:
            return {"error": f"{type(exc).__name__}: {exc}"}

    forms = json.loads(sys.argv[2]) if len(sys.argv) > 2 else {}
    print(json.dumps({
        "form": {k: dag.params.get_param(k).schema | {"default": dag.params.get_param(k).value,
                 "description": dag.params.get_param(k).description} for k in dag.params}
                if dag else {},
        "submitted": {name: submit(conf) for name, conf in forms.items()} if dag else {},
        "import_errors": {str(k): str(v) for k, v in bag.import_errors.items()},
        "dag_ids": sorted(bag.dags),
        "tasks": sorted(dag.task_ids) if dag else [],
        "params": sorted(dag.params.keys()) if dag else [],
        "schedule": (
            f"{getattr(dag.timetable, 'timetable', dag.timetable).expression} "
            f"{getattr(dag.timetable, 'timetable', dag.timetable).timezone}"
        ) if dag else None,
        "assets": [dag.timetable.asset_condition.name]
        if dag and hasattr(dag.timetable, "asset_condition") else [],
        "ingest_downstream": sorted(dag.get_task("ingest_inbox").downstream_task_ids)
        if dag and "ingest_inbox" in dag.task_ids else [],
        "tags": sorted(dag.tags) if dag else [],
        "has_doc": bool(dag and dag.doc_md),
        "pools": {t.task_id: [t.pool, t.pool_slots] for t in dag.tasks} if dag else {},
        "timeouts": {t.task_id: (t.execution_timeout.total_seconds() if t.execution_timeout
                                 else None) for t in dag.tasks} if dag else {},
    }))
    """
)


def parse_folder(
    folder: Path, home: Path, forms: dict[str, dict[str, object]] | None = None
) -> dict[str, object]:
    """Parse a DAG folder in a child process with database and connection access trapped."""
    import json

    env = os.environ | {
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__DAGS_FOLDER": str(folder),
    }
    result = subprocess.run(
        [sys.executable, "-c", PARSE_SCRIPT, str(folder), json.dumps(forms or {})],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


# Trigger-form submissions, as the UI sends them: its defaults untouched (cleared fields are
# null), a chosen quarter and scopes, an empty multi-select, and a scope not configured.
FORMS: dict[str, dict[str, object]] = {
    "untouched": {},
    "as_the_form_sends_defaults": {
        "quarter": None, "scopes": None, "language": "zh-CN", "deliver": True,
        "resend": False, "reason": None,
    },
    "chosen": {"quarter": "2026-Q3", "scopes": ["SC", "BJ"], "deliver": False},
    "emptied_scopes": {"scopes": []},
    "unknown_scope": {"scopes": ["XX"]},
    "bad_quarter": {"quarter": "2026-Q5"},
}  # fmt: skip


@pytest.fixture(scope="module")
def parsed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    return parse_folder(DAGS_DIR, tmp_path_factory.mktemp("airflow_home"), FORMS)


@pytest.mark.parametrize(
    "offending_line",
    [
        "sqlalchemy.create_engine('sqlite://')",
        "BaseHook.get_connection('satisfaction_warehouse')",
    ],
)
def test_the_trap_catches_parse_time_access(tmp_path: Path, offending_line: str) -> None:
    folder = tmp_path / "dags"
    folder.mkdir()
    (folder / "bad_dag.py").write_text(
        "import sqlalchemy\nfrom airflow.sdk import BaseHook, dag\n"
        f"{offending_line}\n@dag(dag_id='bad', schedule=None)\ndef bad():\n    pass\nbad()\n"
    )
    result = parse_folder(folder, tmp_path / "home")
    assert "database or connection access at DAG parse time" in " ".join(
        result["import_errors"].values()
    )


def test_dags_import_without_errors(parsed: dict[str, object]) -> None:
    assert parsed["import_errors"] == {}
    assert DAG_ID in parsed["dag_ids"]


def test_dag_has_the_params_a_manual_run_needs(parsed: dict[str, object]) -> None:
    assert {"quarter", "scopes", "language", "deliver", "resend", "reason"} <= set(parsed["params"])


def test_dag_is_documented_tagged_and_quarterly(parsed: dict[str, object]) -> None:
    assert parsed["has_doc"]
    assert parsed["tags"]
    assert "0 6 1 1,4,7,10 *" in str(parsed["schedule"])


def test_dag_wires_resolve_compute_render(parsed: dict[str, object]) -> None:
    assert {"resolve_run", "compute_indices", "render_report"} <= set(parsed["tasks"])


def test_inbox_is_ingested_before_the_run_and_new_data_schedules_one(parsed) -> None:
    assert parsed["ingest_downstream"] == ["resolve_run"]
    assert parsed["assets"] == ["satisfaction_survey_data"]


def test_dag_file_imports_only_the_sdk_and_the_project_at_top_level() -> None:
    import ast

    for path in DAGS_DIR.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            for name in names:
                root = name.split(".")[0]
                assert root in {"__future__", "airflow", "etl", "pendulum", "datetime"}, (
                    f"{path.name} imports {name} at top level: heavy imports belong inside tasks"
                )
                if root == "airflow":
                    assert name.startswith("airflow.sdk"), (
                        f"{path.name}: use airflow.sdk, not {name}"
                    )


def test_schedule_fires_at_six_shanghai_on_quarter_starts() -> None:
    import pendulum
    from airflow.timetables.base import TimeRestriction
    from airflow.timetables.trigger import CronTriggerTimetable

    timetable = CronTriggerTimetable("0 6 1 1,4,7,10 *", timezone="Asia/Shanghai")
    restriction = TimeRestriction(
        earliest=pendulum.datetime(2026, 7, 2, tz="UTC"), latest=None, catchup=False
    )
    info = timetable.next_dagrun_info(last_automated_data_interval=None, restriction=restriction)
    assert info is not None
    # 2026-10-01 06:00 Shanghai = 2026-09-30 22:00 UTC, and the data interval is zero-length,
    # which is why the quarter is never derived from it.
    assert info.run_after == dt.datetime(2026, 9, 30, 22, 0, tzinfo=dt.UTC)
    assert info.data_interval.start == info.data_interval.end


def test_every_task_has_an_execution_timeout(parsed: dict[str, object]) -> None:
    timeouts = parsed["timeouts"]
    assert isinstance(timeouts, dict) and timeouts
    assert all(seconds and seconds <= 2 * 3600 for seconds in timeouts.values()), timeouts


def test_renders_run_in_the_configured_pool_and_nothing_else_does(
    parsed: dict[str, object],
) -> None:
    from etl.core.config import load_settings

    pools = parsed["pools"]
    assert pools["render_report"] == [load_settings().render_pool.name, 1]  # type: ignore[index]
    others = {task: pool for task, (pool, _) in pools.items() if task != "render_report"}  # type: ignore[union-attr]
    assert set(others.values()) == {"default_pool"}, others


@pytest.mark.parametrize(
    ("form", "outcome"),
    [
        ("untouched", None),
        ("as_the_form_sends_defaults", None),
        ("chosen", None),
        ("emptied_scopes", None),
        ("unknown_scope", "Invalid input for param scopes"),
        ("bad_quarter", "Invalid input for param quarter"),
    ],
)
def test_the_trigger_form_submits_its_defaults_and_refuses_what_is_not_configured(
    parsed: dict[str, object], form: str, outcome: str | None
) -> None:
    result = parsed["submitted"][form]  # type: ignore[index]
    if outcome is None:
        assert "ok" in result, result
    else:
        assert outcome in result.get("error", ""), result


def test_scopes_offer_the_configured_scopes_with_their_names(parsed: dict[str, object]) -> None:
    from etl.core.config import load_settings

    scopes = parsed["form"]["scopes"]  # type: ignore[index]
    configured = load_settings().scopes
    assert scopes["examples"] == [scope.code for scope in configured]  # the multi-select
    assert scopes["examples"][0] == "company" and len(configured) == 13
    assert scopes["values_display"]["SC"] == "SC · 四川分公司 Sichuan Branch"
    assert "null" in scopes["type"] and scopes["default"] is None  # empty = all, not required


def test_every_param_has_a_title_a_section_and_help_in_both_languages(
    parsed: dict[str, object],
) -> None:
    import re

    form = parsed["form"]
    assert set(form) == {"quarter", "scopes", "language", "deliver", "resend", "reason"}
    for name, field in form.items():  # type: ignore[union-attr]
        assert field["title"] and field["section"], name
        assert re.search(r"[\u4e00-\u9fff]", field["description"]), f"{name}: no Chinese help"
        assert re.search(r"[A-Za-z]{4,} [a-z]+", field["description"]), f"{name}: no English help"
    assert "null" in form["reason"]["type"] and form["reason"]["default"] is None  # optional
    quarters = form["quarter"]["examples"]
    assert len(quarters) == 8 and all(re.fullmatch(r"\d{4}-Q[1-4]", q) for q in quarters)
