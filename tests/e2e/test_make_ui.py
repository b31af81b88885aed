"""`make ui` starts Airflow (standalone) with the DAG and the Reports page; `make stop` ends it."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from tests.e2e.smtp import free_port
from tests.e2e.test_reports_browser import build_reports

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
DAG_ID = "quarterly_satisfaction_report"


def make(target: str, root: Path, port: int) -> subprocess.CompletedProcess[str]:
    env = os.environ | {"SATISFACTION_CONFIG": str(root / "settings.toml")}
    return subprocess.run(
        ["make", "--no-print-directory", target, f"UI_DIR={root / 'ui'}",
         f"AIRFLOW_HOME={root / 'airflow'}", f"UI_PORT={port}"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=900, check=False,
    )  # fmt: skip


def request(url: str, token: str | None = None, body: dict | None = None) -> tuple[int, bytes]:
    headers = {"Content-Type": "application/json"}
    if token:
        headers |= {"Authorization": f"Bearer {token}", "Cookie": f"_token={token}"}
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def port_open(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def test_make_ui_serves_the_dag_and_the_reports_and_make_stop_ends_it(tmp_path: Path) -> None:
    reports = build_reports(tmp_path)
    (tmp_path / "settings.toml").write_text(f'[paths]\nreports = "{reports}"\n', encoding="utf-8")
    port = free_port()
    started = make("ui", tmp_path, port)
    try:
        assert started.returncode == 0, started.stdout[-3000:] + started.stderr[-3000:]
        base = f"http://localhost:{port}"
        assert f"Airflow UI:   {base}/" in started.stdout
        assert f"Reports page: {base}/plugin/satisfaction-reports" in started.stdout
        login = re.search(r"Login:\s+admin / (\S+)", started.stdout)
        assert login, started.stdout

        status, body = request(
            f"{base}/auth/token", body={"username": "admin", "password": login.group(1)}
        )
        assert status in (200, 201), body
        token = json.loads(body)["access_token"]
        status, page = request(f"{base}/reports/", token)
        assert status == 200 and b"2026-Q3" in page
        deadline = time.monotonic() + 240  # the dag-processor parses the DAG after start-up
        while time.monotonic() < deadline:
            status, _ = request(f"{base}/api/v2/dags/{DAG_ID}", token)
            if status == 200:
                break
            time.sleep(2)
        assert status == 200, f"DAG not in the UI: {status}"
        again = make("ui", tmp_path, port)
        assert "already running" in again.stdout  # a second `make ui` starts nothing new
    finally:
        stopped = make("stop", tmp_path, port)
    assert stopped.returncode == 0 and "Airflow UI stopped" in stopped.stdout, stopped.stderr
    assert not port_open(port)
    assert not (tmp_path / "ui" / "airflow.pid").exists()
    assert "is not running" in make("stop", tmp_path, port).stdout
