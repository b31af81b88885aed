"""The DAG checks the data contract first: an error fails `check_inputs` at once (no retry),
nothing is computed, rendered or sent, and the operators' alert names the failed rules."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from etl.warehouse import connect
from tests.dags.test_dag_delivery import REPO, RUN_SCRIPT
from tests.e2e.smtp import SmtpServer

pytestmark = pytest.mark.e2e

RECIPIENTS = """
[sender]
from = "CX Reports <cx-reports@example.com>"
[operators]
to = ["data-ops@example.com"]
[scopes.company]
to = ["ceo@example.com"]
"""
# The survey wave keyed 2026Q3 instead of 2026-Q3 (the warehouse's keys allow the move).
MALFORMED_WAVE = [
    "insert into survey_waves select '2026Q3', '2026Q3', fielded_from, fielded_to, "
    "item_bank_version, invited_count from survey_waves where wave_id = '2026-Q3'",
    "update survey_responses set wave_id = '2026Q3' where wave_id = '2026-Q3'",
    "delete from survey_waves where wave_id = '2026-Q3'",
]


def test_a_contract_error_fails_fast_and_nothing_is_made_or_sent(
    tmp_path: Path, small_demo_url: str
) -> None:
    warehouse = tmp_path / "warehouse.db"
    shutil.copy(small_demo_url.removeprefix("sqlite:///"), warehouse)
    with connect(f"sqlite:///{warehouse}").begin() as conn:
        for statement in MALFORMED_WAVE:
            conn.execute(sa.text(statement))
    (tmp_path / "recipients.toml").write_text(RECIPIENTS, encoding="utf-8")
    (tmp_path / "settings.toml").write_text(
        f'[paths]\nreports = "{tmp_path / "reports"}"\noutbox = "{tmp_path / "outbox"}"\n',
        encoding="utf-8",
    )
    smtp = SmtpServer()
    smtp.start()
    env = os.environ | {
        "AIRFLOW_HOME": str(tmp_path / "airflow"),
        "AIRFLOW__CORE__DAGS_FOLDER": str(REPO / "dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW_CONN_SATISFACTION_WAREHOUSE": f"sqlite:///{warehouse}",
        "AIRFLOW_CONN_SMTP_DEFAULT": smtp.url,
        "SATISFACTION_CONFIG": str(tmp_path / "settings.toml"),
        "SATISFACTION_RECIPIENTS": str(tmp_path / "recipients.toml"),
    }
    airflow = str(Path(sys.executable).with_name("airflow"))
    try:
        subprocess.run([airflow, "db", "migrate"], env=env, capture_output=True, check=True,
                       timeout=300)  # fmt: skip
        result = subprocess.run(
            [sys.executable, "-c", RUN_SCRIPT, str(REPO / "dags"), '{"quarter": "2026-Q3"}',
             "1", "keep"],
            env=env, capture_output=True, text=True, timeout=900, check=False,
        )  # fmt: skip
    finally:
        smtp.stop()
    line = [x for x in result.stdout.splitlines() if x.startswith("RESULT ")]
    assert line, result.stderr[-4000:]
    run = json.loads(line[-1].removeprefix("RESULT "))
    assert run["state"] == "failed"
    # Failed fast, one try and no retry: in check_inputs, or already in resolve_run when the
    # quarter has no responses and the contract's rules say why (the wave keyed 2026Q3).
    failed = {task: state for task, state in run["tasks"].items() if state[0] == "failed"}
    assert list(failed.values()) == [["failed", 1]]
    assert set(failed) <= {"resolve_run", "check_inputs"}
    assert run["tasks"]["compute_indices"][0] == "upstream_failed"
    assert "survey_waves wave_id.form" in result.stdout + result.stderr  # the task log
    assert not list((tmp_path / "reports").rglob("*.pdf"))
    with connect(f"sqlite:///{warehouse}").connect() as conn:
        stored = conn.execute(sa.text("select count(*) from results where quarter = '2026-Q3'"))
        assert stored.scalar() == 0
    assert [m.rcpt_tos for m in smtp.inbox.received] == [["data-ops@example.com"]]
    alert = smtp.inbox.received[0].message
    assert next(iter(failed)) in alert["Subject"]
    body = alert.get_body(("plain",)).get_content()
    assert "ERROR   survey_waves wave_id.form: 1 failed" in body
    assert "ERROR   survey_waves quarter_wave: 1 failed" in body
