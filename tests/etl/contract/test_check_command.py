"""`satisfaction-report check` and `run` on warehouses that break the contract: one line per
failed rule, exit 0/1/2, and a run that stops before any result, PDF or e-mail exists."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from etl.contract import Severity, check_warehouse
from etl.core import Quarter, load_item_bank, load_settings
from tests.etl.contract.conftest import break_warehouse
from tests.etl.contract.test_checks import CASES, WARNING_CASES
from tests.etl.test_cli import run_cli

# The four cases of issue 11 a new user met, each stopping `run` before anything is made.
STOPPING = [
    "wave id 2026Q3 instead of 2026-Q3",
    "5-point answers on 10-point items",
    "a CSI from one claims item",
    "claim paid before it was reported",
]


def test_an_empty_warehouse_is_an_error_on_every_required_relation(warehouse: Engine) -> None:
    report = check_warehouse(warehouse, Quarter(2026, 3), load_item_bank(), load_settings())
    errors = {(f.relation, f.rule) for f in report.errors}
    assert {
        ("branches", "min_rows"),
        ("channels", "min_rows"),
        ("product_lines", "min_rows"),
        ("policies", "in_force"),
        ("survey_waves", "quarter_wave"),
        ("claims", "fresh"),
        ("complaints", "fresh"),
    } <= errors
    assert report.exit_code == 2


def test_check_prints_one_line_per_failed_rule_and_a_summary(
    tmp_path: Path, clean_url: str
) -> None:
    break_warehouse(clean_url, CASES["wave id 2026Q3 instead of 2026-Q3"][0])
    result = run_cli("check", "--quarter", "2026-Q3", "--warehouse", clean_url, tmp_path=tmp_path)
    lines = result.stdout.splitlines()
    assert result.returncode == 2, result.stderr
    assert lines[0].startswith("ERROR   survey_waves quarter_wave: 1 failed")
    assert lines[1].startswith("ERROR   survey_waves wave_id.form: 1 failed")
    assert "e.g. 2026Q3" in lines[1]
    assert lines[-1].startswith("data contract, 2026-Q3:")
    assert lines[-1].endswith("2 error(s), 0 warning(s)")


def test_check_exits_one_on_warnings_and_zero_when_clean(tmp_path: Path, clean_url: str) -> None:
    clean = run_cli("check", "--quarter", "2026-Q3", "--warehouse", clean_url, tmp_path=tmp_path)
    assert clean.returncode == 0
    assert clean.stdout.splitlines()[-1].endswith(" 0 error(s), 0 warning(s)")
    break_warehouse(clean_url, WARNING_CASES["no KPI targets"][0])
    warned = run_cli("check", "--quarter", "2026-Q3", "--warehouse", clean_url, tmp_path=tmp_path)
    assert warned.returncode == 1
    assert warned.stdout.startswith("WARNING kpi_targets min_rows: 1 failed")


def test_check_of_an_unreachable_warehouse_is_one_line(tmp_path: Path) -> None:
    result = run_cli("check", "--warehouse", f"sqlite:///{tmp_path / 'none.db'}", tmp_path=tmp_path)
    assert result.returncode == 2
    assert "is unreachable" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("case", STOPPING)
def test_run_stops_before_anything_is_computed_or_rendered(
    tmp_path: Path, clean_url: str, case: str
) -> None:
    engine = break_warehouse(clean_url, CASES[case][0])
    result = run_cli("run", "--quarter", "2026-Q3", "--warehouse", clean_url, tmp_path=tmp_path)
    assert result.returncode == 2
    assert "breaks the data contract for 2026-Q3" in result.stderr
    for relation, rule in CASES[case][1]:
        assert f"ERROR   {relation} {rule}:" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "reports").exists()
    tables = set(sa.inspect(engine).get_table_names())
    assert "results" not in tables or not _rows(engine, "results")


def _rows(engine: Engine, table: str) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(sa.table(table))).scalar())


def test_severity_can_be_changed_per_installation(tmp_path: Path, clean_url: str) -> None:
    config = tmp_path / "settings.toml"
    config.write_text('[contract.severity]\n"kpi_targets.min_rows" = "error"\n')
    settings = load_settings(str(config))
    engine = break_warehouse(clean_url, WARNING_CASES["no KPI targets"][0])
    report = check_warehouse(engine, Quarter(2026, 3), load_item_bank(), settings)
    assert [(f.rule, f.severity) for f in report.failures] == [("min_rows", Severity.ERROR)]
