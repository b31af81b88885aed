"""With the scheduler: unpausing the DAG the first time e-mails no one.

Airflow creates the scheduled run of the latest quarter as soon as the DAG is first unpaused
(catchup=False still runs the most recent interval). That run starts weeks after its quarter
ended, so it computes, renders and publishes, holds delivery and tells the operators why.
"""

from __future__ import annotations

import email
import email.policy
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.smtp import free_port

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
DAG_ID = "quarterly_satisfaction_report"
BIN = Path(sys.executable).parent


def call(base: str, path: str, token: str | None = None, body: Any = None, method: str = "GET"):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(req, timeout=30) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")
    except (TimeoutError, urllib.error.URLError) as error:
        return 0, str(error)  # a busy api-server on SQLite: the caller polls again


def wait_for(check, seconds: float, what: str):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(3)
    pytest.fail(f"timed out after {seconds:.0f} s waiting for {what}")


@pytest.fixture(scope="module")
def airflow(tmp_path_factory: pytest.TempPathFactory, small_demo_url: str) -> Iterator[dict]:
    """`airflow standalone` (scheduler, dag-processor, api-server) on the small demo warehouse."""
    root = tmp_path_factory.mktemp("first_unpause")
    warehouse = root / "warehouse.db"
    shutil.copy(small_demo_url.removeprefix("sqlite:///"), warehouse)
    (root / "settings.toml").write_text(
        f'[paths]\nreports = "{root / "reports"}"\noutbox = "{root / "outbox"}"\n', encoding="utf-8"
    )
    env = os.environ | {
        "PATH": f"{BIN}:{os.environ['PATH']}",
        "AIRFLOW_HOME": str(root / "airflow"),
        "AIRFLOW__CORE__DAGS_FOLDER": str(REPO / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(REPO / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
        "AIRFLOW_CONN_SATISFACTION_WAREHOUSE": f"sqlite:///{warehouse}",
        "SATISFACTION_CONFIG": str(root / "settings.toml"),
        "UI_DIR": str(root / "ui"),
        "UI_PORT": str(free_port()),
    }
    script = str(REPO / "scripts" / "ui.sh")
    started = subprocess.run(
        [script, "start"], cwd=REPO, env=env, capture_output=True, text=True, timeout=600
    )
    try:
        assert started.returncode == 0, started.stdout + started.stderr
        base = f"http://localhost:{env['UI_PORT']}"
        password = json.loads((root / "ui" / "passwords.json").read_text())["admin"]
        status, body = call(
            base, "/auth/token", body={"username": "admin", "password": password}, method="POST"
        )
        assert status in (200, 201), body
        yield {"base": base, "token": body["access_token"], "root": root}
    finally:
        subprocess.run([script, "stop"], cwd=REPO, env=env, capture_output=True, timeout=120)


def test_the_first_unpause_runs_the_last_quarter_and_delivers_nothing(airflow: dict) -> None:
    base, token, root = airflow["base"], airflow["token"], airflow["root"]

    def registered() -> dict | None:
        status, body = call(base, f"/api/v2/dags/{DAG_ID}", token)
        return body if status == 200 else None

    dag = wait_for(registered, 300, "the dag-processor to register the DAG")
    assert dag["is_paused"] is True  # new DAGs start paused
    assert call(base, f"/api/v2/dags/{DAG_ID}/dagRuns", token)[1]["total_entries"] == 0

    # What the UI's toggle (or "unpause on trigger") does.
    status, _ = call(base, f"/api/v2/dags/{DAG_ID}", token, {"is_paused": False}, "PATCH")
    assert status == 200

    def finished_run() -> dict | None:
        status, body = call(base, f"/api/v2/dags/{DAG_ID}/dagRuns", token)
        runs = body["dag_runs"] if status == 200 else []
        done = [r for r in runs if r["state"] in ("success", "failed")]
        return done[0] if done else None

    run = wait_for(finished_run, 1200, "the scheduled run to finish")
    assert run["run_type"] == "scheduled"  # created by the unpause alone
    assert run["state"] == "success", run
    quarter = "2026-Q3"  # the quarter before the run's 1 October date

    status, xcom = call(
        base,
        f"/api/v2/dags/{DAG_ID}/dagRuns/{run['dag_run_id']}/taskInstances/deliver_reports"
        "/xcomEntries/return_value?deserialize=true",
        token,
    )
    assert status == 200, xcom
    assert "held" in str(xcom["value"]) and "hold_delivery_after_days" in str(xcom["value"])

    # Rendered and published for every scope, e-mailed to no one.
    manifest = json.loads((root / "reports" / quarter / "manifest.json").read_text())
    assert len({f["scope"] for f in manifest["files"]}) >= 2
    assert {f["delivery"]["status"] for f in manifest["files"]} == {"not_sent"}
    outbox = sorted((root / "outbox").rglob("*.eml"))
    messages = [
        email.message_from_bytes(p.read_bytes(), policy=email.policy.default) for p in outbox
    ]
    reports = [m for m in messages if not m["X-Report-Alert"]]
    notices = [m for m in messages if m["X-Report-Alert"]]
    assert reports == []
    assert len(notices) == 1 and "HELD" in notices[0]["Subject"]
    text = notices[0].get_body(("plain",)).get_content()
    assert f"quarter={quarter}, deliver=true" in text  # how to release it
