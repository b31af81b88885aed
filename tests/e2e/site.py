"""An operator's site for end-to-end runs: a private warehouse, settings, the distribution
list, a mail server, and the environment the DAG (`airflow dags test`, `dag.test()`) and the
CLI (`satisfaction-report deliver`) read. Shared by tests/dags and tests/reliability."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from tests.e2e.smtp import SmtpServer

REPO = Path(__file__).resolve().parents[2]
AIRFLOW = str(Path(sys.executable).with_name("airflow"))
DAG_ID = "quarterly_satisfaction_report"
# Runs one DAG run in-process with dag.test(), as `airflow dags test` does, after shortening
# the retry delays (minutes in the DAG) to seconds so a retry happens within the test.
RUN_SCRIPT = """
import datetime as dt, json, sys
from airflow.dag_processing.dagbag import DagBag

conf, retry_seconds, retries = json.loads(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
dag = DagBag(dag_folder=sys.argv[1]).dags["quarterly_satisfaction_report"]
for task in dag.tasks:
    task.retry_delay = dt.timedelta(seconds=retry_seconds)
    task.retry_exponential_backoff = 0
    if retries != "keep":
        task.retries = int(retries)
run = dag.test(run_conf=conf)
tries = {}
for ti in run.get_task_instances():
    name = ti.task_id if ti.map_index < 0 else f"{ti.task_id}[{ti.map_index}]"
    tries[name] = [str(ti.state), ti.try_number]
print("RESULT " + json.dumps({"state": str(run.state), "run_id": run.run_id, "tasks": tries}))
"""


@dataclass
class Site:
    """Where one test's runs keep their files, and what they are told through the environment."""

    root: Path
    env: dict[str, str]
    url: str  # the warehouse (and results store), as SQLAlchemy reads it
    smtp: SmtpServer

    @property
    def reports(self) -> Path:
        return self.root / "reports"


def private_demo(small_demo_url: str, root: Path) -> str:
    """A copy of the session's small SQLite demo that this test alone writes to."""
    warehouse = root / "warehouse.db"
    shutil.copy(small_demo_url.removeprefix("sqlite:///"), warehouse)
    return f"sqlite:///{warehouse}"


def airflow_uri(url: str) -> str:
    """The Airflow connection URI of a warehouse URL (Airflow knows `postgres`, not drivers)."""
    parsed = sa.make_url(url)
    if parsed.get_backend_name() == "postgresql":
        return parsed.set(drivername="postgres").render_as_string(hide_password=False)
    return url


def make_site(root: Path, url: str, recipients: str, smtp: SmtpServer, settings: str = "") -> Site:
    """Settings (`settings` first, then the site's paths), the list, the environment.

    The DAG reads the warehouse from AIRFLOW_CONN_SATISFACTION_WAREHOUSE and the CLI from
    SATISFACTION_WAREHOUSE_URL: both name the same one, which is also the results store.
    """
    (root / "recipients.toml").write_text(recipients, encoding="utf-8")
    (root / "settings.toml").write_text(
        f'{settings}[paths]\nreports = "{root / "reports"}"\noutbox = "{root / "outbox"}"\n',
        encoding="utf-8",
    )
    env = os.environ | {
        "AIRFLOW_HOME": str(root / "airflow"),
        "AIRFLOW__CORE__DAGS_FOLDER": str(REPO / "dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW_CONN_SATISFACTION_WAREHOUSE": airflow_uri(url),
        "AIRFLOW_CONN_SMTP_DEFAULT": smtp.url,
        "SATISFACTION_WAREHOUSE_URL": url,
        "SATISFACTION_CONFIG": str(root / "settings.toml"),
        "SATISFACTION_RECIPIENTS": str(root / "recipients.toml"),
    }
    env.pop("SATISFACTION_RESULTS_URL", None)
    return Site(root=root, env=env, url=url, smtp=smtp)


def migrate(site: Site) -> Site:
    """A fresh Airflow metadata database (SQLite) in the site's Airflow home."""
    subprocess.run([AIRFLOW, "db", "migrate"], env=site.env, capture_output=True, check=True,
                   timeout=300)  # fmt: skip
    return site


@dataclass(frozen=True)
class DagRunResult:
    """How a dag.test() run ended: its state, each task's [state, try number], its log."""

    state: str
    tasks: dict[str, list[Any]]
    output: str


def run_dag(
    site: Site, conf: dict[str, Any], retries: str = "keep", retry_seconds: float = 2
) -> DagRunResult:
    """One DAG run with dag.test() in its own process, against the site."""
    command = [
        sys.executable, "-c", RUN_SCRIPT, str(REPO / "dags"), json.dumps(conf),
        str(retry_seconds), retries,
    ]  # fmt: skip
    result = subprocess.run(
        command, env=site.env, capture_output=True, text=True, timeout=900, check=False
    )
    lines = [line for line in result.stdout.splitlines() if line.startswith("RESULT ")]
    assert lines, f"no result:\n{result.stdout[-3000:]}\n{result.stderr[-5000:]}"
    said = json.loads(lines[-1].removeprefix("RESULT "))
    return DagRunResult(said["state"], said["tasks"], result.stdout + result.stderr)


def deliver_cli(env: dict[str, str], *args: str, verbose: bool = False) -> subprocess.Popen[str]:
    """`satisfaction-report [-v] deliver …` in the background with this environment."""
    return subprocess.Popen(
        [sys.executable, "-m", "etl.cli", *(["-v"] if verbose else []), "deliver", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


class CliDelivery:
    """A `satisfaction-report -v deliver` running in the background, its log read as it goes
    (so a test can see it waiting at the quarter's lock before it lets the other party on)."""

    def __init__(self, env: dict[str, str], *args: str) -> None:
        self.process = deliver_cli(env, *args, verbose=True)
        self.log: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.log.append(line)

    def said(self, text: str) -> bool:
        return any(text in line for line in list(self.log))

    def waited_at_the_lock(self, timeout: float = 180) -> bool:
        """Whether it says, within `timeout` s, that another attempt holds the lock."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.process.poll() is None:
            if self.said("is held by"):
                return True
            time.sleep(0.1)
        return self.said("is held by")

    def finish(self, timeout: float = 600) -> tuple[int, str, str]:
        """Its exit code, what it printed, and its log."""
        try:
            self.process.wait(timeout=timeout)
        finally:
            if self.process.poll() is None:
                self.process.kill()
        self._reader.join(timeout=10)
        assert self.process.stdout is not None
        return self.process.returncode, self.process.stdout.read(), "".join(self.log)
