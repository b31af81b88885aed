"""A real scheduler is a party to delivery like any other: against a slow SMTP server, a DAG
run it executes and a `satisfaction-report deliver` of the same quarter send each message
exactly once; and a run left `running` by a scheduler killed inside an SMTP transaction,
resumed by a new scheduler while a CLI delivery runs, sends every message once — except the
interrupted one, sent once more under the same Message-ID and recorded as interrupted.

The native topology of tests/e2e/native.py (PostgreSQL metadata, api-server, scheduler,
dag-processor) with LocalExecutor: the tasks run under the scheduler, so killing its process
tree kills the delivery in the middle of its message, as a lost scheduler host would.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pandas as pd
import pytest

from etl.warehouse import connect, read_query
from tests.dags.test_dag_delivery import EVERYONE, QUARTER, RECIPIENTS, SCOPES
from tests.e2e.native import (
    DAG_ID,
    Cluster,
    dag_ready,
    free_port,
    kill_tree,
    native_env,
    prepare,
    run_finished,
    task_instances,
    wait_for,
)
from tests.e2e.site import CliDelivery, Site, airflow_uri, make_site, private_demo
from tests.e2e.smtp import SmtpServer
from tests.reliability.helpers import copies_by_message_id

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]

# A killed delivery's lock runs out after this; the default (5 min) would only slow the test.
LEASE_SECONDS = 20
# A scheduler silent this long is dead to the next one, which then resets the tasks it left
# running (they run again at once, no retry delay); it looks every ORPHAN_CHECK seconds.
SCHEDULER_DEAD_AFTER = 30
ORPHAN_CHECK = 5
RUN_TIMEOUT = 600


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    server.inbox.data_delay = 1.0  # a slow server
    server.inbox.hold = threading.Event()  # and the first message's reply held, see below
    try:
        yield server
    finally:
        server.inbox.hold.set()
        server.stop()


@pytest.fixture
def party(
    tmp_path: Path, postgres_url: str, small_demo_url: str, smtp: SmtpServer
) -> Iterator[tuple[Cluster, Site]]:
    """The scheduler's cluster, and the site the CLI delivers from: one warehouse, one
    reports folder, one distribution list, one mail server."""
    settings = f"[delivery]\nlease_seconds = {LEASE_SECONDS}\n"
    site = make_site(tmp_path, private_demo(small_demo_url, tmp_path), RECIPIENTS, smtp, settings)
    port = free_port()
    env = native_env(tmp_path, postgres_url, airflow_uri(site.url), port) | {
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        "AIRFLOW_CONN_SMTP_DEFAULT": smtp.url,
        "SATISFACTION_CONFIG": site.env["SATISFACTION_CONFIG"],
        "SATISFACTION_RECIPIENTS": site.env["SATISFACTION_RECIPIENTS"],
        "AIRFLOW__SCHEDULER__SCHEDULER_HEALTH_CHECK_THRESHOLD": str(SCHEDULER_DEAD_AFTER),
        "AIRFLOW__SCHEDULER__ORPHANED_TASKS_CHECK_INTERVAL": str(ORPHAN_CHECK),
    }
    cluster = Cluster(root=tmp_path, env=env, api=f"http://127.0.0.1:{port}")
    try:
        prepare(cluster)
        for name in ("api-server", "scheduler", "dag-processor"):
            cluster.start(name)
        yield cluster, site
    finally:
        cluster.stop()


def trigger_and_wait_for_the_first_message(
    cluster: Cluster, client: httpx.Client, smtp: SmtpServer
) -> str:
    """Trigger a run of the quarter; return its id once its delivery is inside a message."""
    run_id = f"scheduler_party__{uuid.uuid4().hex[:8]}"
    dag_ready(cluster, client)
    cluster.cli("dags", "unpause", DAG_ID)
    conf = json.dumps({"quarter": QUARTER, "scopes": SCOPES})
    cluster.cli("dags", "trigger", DAG_ID, "--run-id", run_id, "--conf", conf)
    wait_for(cluster, "the run's first message", RUN_TIMEOUT, lambda: smtp.inbox.data_begun, 0.2)
    return run_id


def test_a_scheduled_run_and_a_cli_delivery_of_one_quarter_send_each_message_once(
    party: tuple[Cluster, Site], smtp: SmtpServer
) -> None:
    cluster, site = party
    assert smtp.inbox.hold is not None
    with httpx.Client(base_url=cluster.api, timeout=30) as client:
        run_id = trigger_and_wait_for_the_first_message(cluster, client, smtp)
        # The scheduler's task holds the quarter's lock, inside its first message; the server
        # holds the reply until the CLI says it waits at that lock.
        cli = CliDelivery(site.env, "--quarter", QUARTER, "--run-id", "cli-beside-scheduler")
        waited = cli.waited_at_the_lock()
        smtp.inbox.hold.set()
        state = wait_for(cluster, f"run {run_id}", RUN_TIMEOUT, run_finished(client, run_id))
    code, said, log = cli.finish()
    metadata_url = cluster.env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]
    assert state == "success", f"{task_instances(metadata_url, run_id)}\n{cluster.tails()}"
    assert waited and f"is held by {run_id}#" in log, log[-3000:]
    assert code == 0 and said.strip() == f"{QUARTER} via smtp: 4 skipped", log[-3000:]
    assert smtp.inbox.per_recipient() == dict.fromkeys(EVERYONE, 1)
    rows = delivery_log(site)
    assert set(rows["status"]) == {"delivered"} and set(rows["times_sent"]) == {1}
    assert set(rows["interrupted"]) == {0} and set(rows["revision"]) == {1}


def test_a_run_left_running_by_a_killed_scheduler_resumes_beside_a_cli_delivery(
    party: tuple[Cluster, Site], smtp: SmtpServer
) -> None:
    cluster, site = party
    assert smtp.inbox.hold is not None
    metadata_url = cluster.env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]
    with httpx.Client(base_url=cluster.api, timeout=30) as client:
        run_id = trigger_and_wait_for_the_first_message(cluster, client, smtp)
        cli = CliDelivery(site.env, "--quarter", QUARTER, "--run-id", "cli-beside-a-dead-one")
        waited = cli.waited_at_the_lock()
        # The scheduler host is lost with its task inside the SMTP transaction: the server
        # has the message, the task never heard so. The run stays `running`.
        scheduler = next(c for c in cluster.components if c.name == "scheduler")
        kill_tree(cluster, scheduler)
        interrupted = smtp.inbox.received[0].rcpt_tos[0].lower()
        smtp.inbox.hold.set()
        left = {ti["task_id"]: ti["state"] for ti in task_instances(metadata_url, run_id)}
        assert left["deliver_reports"] == "running", left
        cluster.start("scheduler-after", "scheduler")
        state = wait_for(cluster, f"run {run_id}", RUN_TIMEOUT, run_finished(client, run_id))
    code, said, log = cli.finish()
    tis = {ti["task_id"]: ti for ti in task_instances(metadata_url, run_id)}
    assert state == "success", f"{tis}\n{cluster.tails()}"
    # The new scheduler reset the task the dead one left running and ran it again.
    after = next(c for c in cluster.components if c.name == "scheduler-after")
    assert (
        "deliver_reports" in after.log.read_text(errors="replace").split("Reset the following")[-1]
    )
    assert (
        tis["deliver_reports"]["state"] == "success" and tis["deliver_reports"]["try_number"] >= 2
    )
    # The CLI waited for the dead task's lease, then sent (or found sent by the resumed task).
    assert waited and code == 0 and said.startswith(f"{QUARTER} via smtp: "), log[-3000:]

    # Every recipient once; the one whose message was interrupted once more, under the same
    # Message-ID, and the log and the manifest say so.
    assert smtp.inbox.per_recipient() == {**dict.fromkeys(EVERYONE, 1), interrupted: 2}
    copies = copies_by_message_id(smtp)
    assert sorted(copies.values()) == [1, 1, 1, 2], copies
    rows = delivery_log(site).set_index("recipient")
    assert set(rows["status"]) == {"delivered"} and set(rows["times_sent"]) == {1}
    assert rows["interrupted"].to_dict() == {**dict.fromkeys(EVERYONE, 0), interrupted: 1}
    manifest = json.loads((site.reports / QUARTER / "manifest.json").read_text("utf-8"))
    recorded = {
        person["address"].lower(): person["interrupted"]
        for entry in manifest["files"]
        for person in entry.get("delivery", {}).get("recipients", [])
    }
    assert recorded == {**dict.fromkeys(EVERYONE, 0), interrupted: 1}


def delivery_log(site: Site) -> pd.DataFrame:
    rows = read_query(connect(site.url), "delivery_log", {"quarter": QUARTER})
    rows["recipient"] = rows["recipient"].str.lower()
    return rows
