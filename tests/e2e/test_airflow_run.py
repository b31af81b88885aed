"""End to end: `airflow dags test` on a demo warehouse leaves PDFs whose text \
matches the results."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from etl.warehouse import connect, read_results

REPO = Path(__file__).resolve().parents[2]
AIRFLOW = str(Path(sys.executable).with_name("airflow"))
pytestmark = pytest.mark.e2e


def pdf_text(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


@pytest.fixture(scope="module")
def airflow_env(tmp_path_factory: pytest.TempPathFactory, demo_url: str) -> dict[str, str]:
    """An isolated Airflow home and a private copy of the default demo warehouse."""
    root = tmp_path_factory.mktemp("e2e")
    warehouse = root / "warehouse.db"
    shutil.copy(demo_url.removeprefix("sqlite:///"), warehouse)
    config = root / "settings.toml"
    config.write_text(f'[paths]\nreports = "{root / "reports"}"\noutbox = "{root / "outbox"}"\n')
    env = os.environ | {
        "AIRFLOW_HOME": str(root / "airflow"),
        "AIRFLOW__CORE__DAGS_FOLDER": str(REPO / "dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW_CONN_SATISFACTION_WAREHOUSE": f"sqlite:///{warehouse}",
        "SATISFACTION_CONFIG": str(config),
    }
    subprocess.run(
        [AIRFLOW, "db", "migrate"], env=env, capture_output=True, check=True, timeout=300
    )
    env["E2E_ROOT"] = str(root)
    return env


def dags_test(env: dict[str, str], conf: dict) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [AIRFLOW, "dags", "test", "quarterly_satisfaction_report", "-c", json.dumps(conf)],
        env=env, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip


def test_dag_run_renders_pdfs_whose_csi_matches_the_results(airflow_env: dict[str, str]) -> None:
    result = dags_test(
        airflow_env, {"quarter": "2026-Q3", "scopes": ["company", "SC", "BJ"], "deliver": False}
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    reports = Path(airflow_env["E2E_ROOT"]) / "reports" / "2026-Q3"
    stored = read_results(connect(airflow_env["AIRFLOW_CONN_SATISFACTION_WAREHOUSE"]), ["2026-Q3"])
    for scope in ("company", "SC", "BJ"):
        text = pdf_text(reports / f"{scope}.zh-CN.pdf")
        assert "客户服务满意度" in text
        csi = stored[(stored["scope"] == scope) & (stored["metric"] == "csi")]["value"].item()
        # The PDF shows CSI to one decimal, exactly as the stored figure rounds.
        assert re.search(rf"(?<![\d.]){csi:.1f}(?![\d])", text), (
            f"{scope}: CSI {csi:.1f} not in PDF"
        )


@pytest.mark.parametrize(
    ("conf", "message"),
    [
        ({"quarter": "2026-Q5"}, "Invalid input for param quarter: '2026-Q5' does not match"),
        ({"quarter": "2026-Q3", "scopes": ["XX"]}, "Invalid input for param scopes"),
        ({"language": "fr"}, "Invalid input for param language"),
    ],
)
def test_bad_params_fail_with_a_clear_message_and_write_nothing(
    airflow_env: dict[str, str], conf: dict, message: str
) -> None:
    reports = Path(airflow_env["E2E_ROOT"]) / "reports"
    before = sorted(reports.rglob("*")) if reports.exists() else []
    result = dags_test(airflow_env, conf)
    assert result.returncode != 0
    assert message in result.stdout + result.stderr
    after = sorted(reports.rglob("*")) if reports.exists() else []
    assert after == before


def test_unreachable_warehouse_fails_with_a_clear_message(
    airflow_env: dict[str, str], tmp_path: Path
) -> None:
    env = airflow_env | {
        "AIRFLOW_CONN_SATISFACTION_WAREHOUSE": "postgres://cx:s3cret@127.0.0.1:9/warehouse"
    }
    result = dags_test(env, {"quarter": "2026-Q3"})
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "warehouse postgresql+psycopg2://cx:***@127.0.0.1:9/warehouse is unreachable" in output
    assert "s3cret" not in output
