"""Real concurrent parties deliver one quarter: two `airflow dags test` processes started at
once, against a slow SMTP server (0.4 s per DATA), send each message exactly once.

tests/reliability/test_concurrent_delivery.py races `deliver_quarter` itself (threads and two
processes); here the parties are the product's own entry points, each with its whole DAG run
(check, compute, render, publish, deliver) overlapping the other's.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from etl.warehouse import connect, read_query
from tests.dags.test_dag_delivery import EVERYONE, QUARTER, RECIPIENTS, SCOPES
from tests.e2e.smtp import SmtpServer

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
AIRFLOW = str(Path(sys.executable).with_name("airflow"))


@pytest.fixture
def site(tmp_path: Path, small_demo_url: str) -> Iterator[dict[str, Any]]:
    """Airflow home, a private copy of the small demo, the distribution list, a slow server."""
    warehouse = tmp_path / "warehouse.db"
    shutil.copy(small_demo_url.removeprefix("sqlite:///"), warehouse)
    (tmp_path / "recipients.toml").write_text(RECIPIENTS, encoding="utf-8")
    (tmp_path / "settings.toml").write_text(
        f'[paths]\nreports = "{tmp_path / "reports"}"\noutbox = "{tmp_path / "outbox"}"\n',
        encoding="utf-8",
    )
    smtp = SmtpServer().start()
    smtp.inbox.data_delay = 0.4  # a slow server: the two runs' deliveries overlap
    env = os.environ | {
        "AIRFLOW_HOME": str(tmp_path / "airflow"),
        "AIRFLOW__CORE__DAGS_FOLDER": str(REPO / "dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW_CONN_SATISFACTION_WAREHOUSE": f"sqlite:///{warehouse}",
        "AIRFLOW_CONN_SMTP_DEFAULT": smtp.url,
        "SATISFACTION_CONFIG": str(tmp_path / "settings.toml"),
        "SATISFACTION_RECIPIENTS": str(tmp_path / "recipients.toml"),
    }
    subprocess.run([AIRFLOW, "db", "migrate"], env=env, capture_output=True, check=True,
                   timeout=300)  # fmt: skip
    yield {"root": tmp_path, "env": env, "smtp": smtp, "url": f"sqlite:///{warehouse}"}
    smtp.stop()


def test_two_airflow_dags_test_runs_at_once_send_each_message_exactly_once(
    site: dict[str, Any],
) -> None:
    conf = json.dumps({"quarter": QUARTER, "scopes": SCOPES})
    # Two operators' shells: each its own Airflow home (metadata database), one warehouse,
    # one reports folder, one mail server. Only the warehouse's delivery lock is shared. (Two
    # `dags test` on one SQLite metadata database race in Airflow itself, writing the DAG's
    # asset row at start-up: UNIQUE constraint failed: asset.name, asset.uri.)
    homes = [site["root"] / "airflow", site["root"] / "airflow-second"]
    shutil.copytree(homes[0], homes[1])
    runs = [
        subprocess.Popen(
            [AIRFLOW, "dags", "test", "quarterly_satisfaction_report", "-c", conf],
            env=site["env"]
            | {
                "AIRFLOW_HOME": str(home),
                # airflow.cfg of the copy still names the first home's database: say which.
                "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
            },
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for home in homes
    ]
    outputs = [run.communicate(timeout=1500)[0] for run in runs]
    for home, output in zip(homes, outputs, strict=True):
        (home / "dags-test.log").write_text(output, encoding="utf-8")
    assert [run.returncode for run in runs] == [0, 0], [failure(o) for o in outputs]

    smtp: SmtpServer = site["smtp"]
    assert smtp.inbox.per_recipient() == dict.fromkeys(EVERYONE, 1)
    log = read_query(connect(site["url"]), "delivery_log", {"quarter": QUARTER})
    shown = log[["scope", "recipient", "revision", "status", "times_sent"]].to_string()
    delivered = log[log["status"] == "delivered"]
    assert sorted(delivered["recipient"].str.lower()) == EVERYONE, shown
    assert set(delivered["times_sent"]) == {1}, shown
    # A run that rendered after the other had delivered may have made a revision of the same
    # figures; a new revision is held until a run asks to resend: recorded, never sent.
    others = log[log["status"] != "delivered"]
    assert set(others["status"]) <= {"held"} and set(others["times_sent"]) <= {0}, shown


def failure(output: str) -> str:
    """The lines of a run's output that say what failed (its tail alone is the teardown)."""
    said = [line for line in output.splitlines() if "Error" in line or "FAILED" in line]
    return "\n".join(said[:20]) + "\n…\n" + output[-1500:]
