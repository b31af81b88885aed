"""Real concurrent parties deliver one quarter against a slow SMTP server, and each message
arrives exactly once: two `airflow dags test` processes started at once, and a
`satisfaction-report deliver` started while an `airflow dags test` run is sending.

tests/reliability/test_concurrent_delivery.py races `deliver_quarter` itself (threads and two
processes); here the parties are the product's own entry points, each DAG run with its whole
chain (check, compute, render, publish, deliver) overlapping the other party.
tests/reliability/test_scheduler_party.py races a real scheduler.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from etl.warehouse import connect, read_query
from tests.dags.test_dag_delivery import EVERYONE, QUARTER, RECIPIENTS, SCOPES
from tests.e2e.site import (
    AIRFLOW,
    DAG_ID,
    CliDelivery,
    Site,
    make_site,
    migrate,
    private_demo,
)
from tests.e2e.smtp import SmtpServer

pytestmark = pytest.mark.e2e

CONF = json.dumps({"quarter": QUARTER, "scopes": SCOPES})


@pytest.fixture
def site(tmp_path: Path, small_demo_url: str) -> Iterator[Site]:
    """Airflow home, a private copy of the small demo, the distribution list, a slow server."""
    smtp = SmtpServer().start()
    smtp.inbox.data_delay = 0.4  # a slow server: the two parties' deliveries overlap
    yield migrate(make_site(tmp_path, private_demo(small_demo_url, tmp_path), RECIPIENTS, smtp))
    smtp.stop()


def dags_test(site: Site, home: Path) -> subprocess.Popen[bytes]:
    """`airflow dags test` of the quarter in the background, with its own Airflow home.

    Its output goes to <home>/dags-test.log, not a pipe: a pipe nobody reads yet fills up,
    and a run blocked writing its log while it holds a lock stalls the other party too."""
    with (home / "dags-test.log").open("wb") as log:
        return subprocess.Popen(
            [AIRFLOW, "dags", "test", DAG_ID, "-c", CONF],
            env=site.env
            | {
                "AIRFLOW_HOME": str(home),
                # airflow.cfg of a copied home still names the first home's database: say which.
                "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
            },
            stdout=log,
            stderr=subprocess.STDOUT,
        )


def finished(run: subprocess.Popen[bytes], home: Path, timeout: float = 900) -> str:
    """Wait for a `dags test` run; its output."""
    try:
        run.wait(timeout=timeout)
    finally:
        if run.poll() is None:
            run.kill()
    return (home / "dags-test.log").read_text(encoding="utf-8", errors="replace")


def test_two_airflow_dags_test_runs_at_once_send_each_message_exactly_once(site: Site) -> None:
    # Two operators' shells: each its own Airflow home (metadata database), one warehouse,
    # one reports folder, one mail server. Only the warehouse's delivery lock is shared. (Two
    # `dags test` on one SQLite metadata database race in Airflow itself, writing the DAG's
    # asset row at start-up: UNIQUE constraint failed: asset.name, asset.uri.)
    homes = [site.root / "airflow", site.root / "airflow-second"]
    shutil.copytree(homes[0], homes[1])
    runs = [dags_test(site, home) for home in homes]
    outputs = [finished(run, home) for run, home in zip(runs, homes, strict=True)]
    assert [run.returncode for run in runs] == [0, 0], [failure(o) for o in outputs]
    delivered_once(site)


def test_a_cli_delivery_started_while_airflow_dags_test_sends_sends_nothing_twice(
    site: Site,
) -> None:
    # The server keeps the DAG run's first message and holds its reply until the CLI has
    # said that it waits at the quarter's lock: the two deliveries overlap on any machine.
    site.smtp.inbox.hold = threading.Event()
    run = dags_test(site, site.root / "airflow")
    cli = None
    try:
        deadline = time.monotonic() + 900
        while site.smtp.inbox.data_begun == 0 and run.poll() is None:
            assert time.monotonic() < deadline, "the DAG run never began to send"
            time.sleep(0.1)
        cli = CliDelivery(site.env, "--quarter", QUARTER, "--run-id", "cli-race")
        waited = cli.waited_at_the_lock()
        site.smtp.inbox.hold.set()
        output = finished(run, site.root / "airflow")
        code, said, log = cli.finish()
    finally:
        site.smtp.inbox.hold.set()
        if run.poll() is None:
            run.kill()
        if cli is not None and cli.process.poll() is None:
            cli.process.kill()
    assert run.returncode == 0, failure(output)
    assert waited and "delivery of 2026-Q3 is held by manual__" in log, log[-3000:]
    # Once the DAG run let go of the lock, the CLI found every recipient delivered.
    assert code == 0 and said.strip() == f"{QUARTER} via smtp: 4 skipped", log[-3000:]
    delivered_once(site)


def delivered_once(site: Site) -> pd.DataFrame:
    """Each recipient got one message, and the log says each was delivered and sent once."""
    assert site.smtp.inbox.per_recipient() == dict.fromkeys(EVERYONE, 1)
    log = read_query(connect(site.url), "delivery_log", {"quarter": QUARTER})
    shown = log[["scope", "recipient", "revision", "status", "times_sent"]].to_string()
    delivered = log[log["status"] == "delivered"]
    assert sorted(delivered["recipient"].str.lower()) == EVERYONE, shown
    assert set(delivered["times_sent"]) == {1}, shown
    assert set(log["interrupted"]) == {0}, shown
    # One revision per report, whichever party rendered it: the other found it in place.
    assert set(log["revision"]) == {1}, shown
    assert set(log["status"]) == {"delivered"}, shown
    return log


def failure(output: str) -> str:
    """The lines of a run's output that say what failed (its tail alone is the teardown)."""
    said = [line for line in output.splitlines() if "Error" in line or "FAILED" in line]
    return "\n".join(said[:20]) + "\n…\n" + output[-1500:]
