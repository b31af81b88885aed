"""A Celery worker lost mid-render: its task is retried on the other, and nothing is doubled.

The native topology of test_topology.py (PostgreSQL metadata, Redis broker, api-server,
scheduler, dag-processor, triggerer) with two Celery workers, one task slot each. While a
render_report task runs on worker A, A's whole process tree is SIGKILLed, as when its machine
or container dies. The settings the platform team runs with make the work move to worker B:

- `[celery] task_acks_late` and `worker_prefetch_multiplier = 1`: a worker holds no message
  it has not started, and a message is acknowledged only when its task ends, so the broker
  never loses one to a dead worker; the Redis `visibility_timeout` (longer than any render)
  decides when an unacknowledged message is handed out again;
- `[scheduler] task_instance_heartbeat_timeout`: the task instance whose heartbeats stopped is
  failed by the scheduler, and render_report's own retries run it again — on B, the only
  worker left.

The run must succeed with every report present once, complete (a valid PDF under its real
name, no temp file left), at revision v1 (no duplicate revision), and every recipient must
receive exactly one message (the local SMTP server counts them).
"""

from __future__ import annotations

import json
import os
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from etl.warehouse import connect, read_query
from tests.e2e.native import (
    DAG_ID,
    Cluster,
    Component,
    dag_ready,
    free_port,
    kill_tree,
    prepare,
    redis_database,
    run_finished,
    task_instances,
    topology_env,
    wait_for,
)
from tests.e2e.smtp import SmtpServer, valid_pdf

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]

QUARTER = "2026-Q3"
SCOPES = ["company", "SC", "BJ", "SH"]
RECIPIENTS = """
[sender]
from = "CX Reports <cx-reports@example.com>"
[operators]
to = ["data-ops@example.com"]
[scopes.company]
to = ["ceo@example.com"]
cc = ["audit@example.com"]
language = "zh-CN"
[scopes.SC]
to = ["sc-gm@example.com"]
language = "zh-CN"
[scopes.BJ]
to = ["bj-gm@example.com"]
language = "zh-CN"
[scopes.SH]
to = ["sh-gm@example.com"]
language = "zh-CN"
"""
EVERYONE = [
    "audit@example.com",
    "bj-gm@example.com",
    "ceo@example.com",
    "sc-gm@example.com",
    "sh-gm@example.com",
]
# Not the topology test's database: its flush at the end would drop this test's messages.
REDIS_URL = os.environ.get("SATISFACTION_TEST_REDIS_URL_WORKER_LOST", "redis://127.0.0.1:6379/6")
HEARTBEAT_TIMEOUT = 30  # seconds without a heartbeat before the scheduler fails the task
# Longer than any render, so a healthy long task is never handed out twice.
VISIBILITY_TIMEOUT = 1800
# Start-up, first run's history, the kill, the heartbeat timeout, render_report's one-minute
# retry delay and the rest of the run, on a loaded two-core machine.
RUN_TIMEOUT = 900


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def broker() -> Iterator[str]:
    yield from redis_database(REDIS_URL)


@pytest.fixture
def two_workers(
    tmp_path: Path,
    postgres_url: str,
    broker: str,
    small_demo_url: str,
    smtp: SmtpServer,
) -> Iterator[Cluster]:
    """The topology with a triggerer and two one-slot Celery workers, delivering by SMTP."""
    port, queue = free_port(), f"workerlost_{uuid.uuid4().hex[:8]}"
    env = topology_env(tmp_path, postgres_url, broker, small_demo_url, port, queue)
    recipients = tmp_path / "recipients.toml"
    recipients.write_text(RECIPIENTS, encoding="utf-8")
    env |= {
        "AIRFLOW_CONN_SMTP_DEFAULT": smtp.url,
        "SATISFACTION_RECIPIENTS": str(recipients),
        "AIRFLOW__CELERY__WORKER_CONCURRENCY": "1",
        "AIRFLOW__CELERY__TASK_ACKS_LATE": "True",
        "AIRFLOW__CELERY__WORKER_PREFETCH_MULTIPLIER": "1",
        "AIRFLOW__CELERY_BROKER_TRANSPORT_OPTIONS__VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
        "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT": str(HEARTBEAT_TIMEOUT),
        "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT_DETECTION_INTERVAL": "5",
    }
    running = Cluster(root=tmp_path, env=env, api=f"http://127.0.0.1:{port}", queue=queue)
    try:
        prepare(running)
        for name in ("api-server", "scheduler", "dag-processor", "triggerer"):
            running.start(name)
        for worker in ("a", "b"):
            running.start(
                f"worker-{worker}",
                *("celery", "worker", "-H", f"{queue}-{worker}@%h"),
                extra={"AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(free_port())},
            )
        yield running
    finally:
        running.stop()


def received_by(worker: Component, celery_id: object) -> bool:
    """The worker's log shows it received the Celery task (so it ran, or was running, there)."""
    log = worker.log.read_text(errors="replace") if worker.log.exists() else ""
    return f"[{celery_id}] received" in log


def test_a_worker_killed_mid_render_loses_nothing_and_doubles_nothing(
    two_workers: Cluster, smtp: SmtpServer
) -> None:
    cluster = two_workers
    worker_a, worker_b = (c for c in cluster.components if c.name.startswith("worker-"))
    metadata_url = cluster.env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]
    run_id = f"workerlost__{uuid.uuid4().hex[:8]}"
    with httpx.Client(base_url=cluster.api, timeout=30) as client:
        dag_ready(cluster, client)
        cluster.cli("dags", "unpause", DAG_ID)
        conf = {"quarter": QUARTER, "scopes": SCOPES, "deliver": True}
        cluster.cli("dags", "trigger", DAG_ID, "--run-id", run_id, "--conf", json.dumps(conf))

        def rendering_on_a() -> dict[str, object] | None:
            running = (
                ti
                for ti in task_instances(metadata_url, run_id)
                if ti["task_id"] == "render_report" and ti["state"] == "running"
            )
            return next(
                (ti for ti in running if received_by(worker_a, ti["external_executor_id"])), None
            )

        victim = wait_for(cluster, "a render running on worker A", 600, rendering_on_a)
        assert isinstance(victim, dict)
        kill_tree(cluster, worker_a)
        killed_at = time.monotonic()

        state = wait_for(
            cluster, f"run {run_id} to finish", RUN_TIMEOUT, run_finished(client, run_id)
        )
    tis = task_instances(metadata_url, run_id)
    assert state == "success", f"run ended {state}: {tis}\n{cluster.tails()}"
    print(f"run {run_id} succeeded {time.monotonic() - killed_at:.0f}s after the kill")

    # The killed render was tried again, and its last try ran on worker B.
    renders = {ti["map_index"]: ti for ti in tis if ti["task_id"] == "render_report"}
    assert len(renders) == len(SCOPES), renders
    again = renders[victim["map_index"]]
    assert again["state"] == "success" and int(again["try_number"]) >= 2, again
    assert again["external_executor_id"] != victim["external_executor_id"], again
    assert received_by(worker_b, again["external_executor_id"]), again
    assert not received_by(worker_a, again["external_executor_id"]), again
    assert {ti["state"] for ti in tis} <= {"success", "skipped"}, tis

    # Every report once, complete, at v1; no temp file of the killed render left behind.
    folder = cluster.root / "reports" / QUARTER
    expected = sorted(f"{scope}.zh-CN.pdf" for scope in SCOPES)
    assert sorted(p.name for p in folder.glob("*.pdf")) == expected
    for name in expected:
        assert valid_pdf((folder / name).read_bytes()) >= 1, name
    leftovers = [p for p in folder.rglob("*") if p.name.startswith(".") or p.suffix == ".part"]
    assert not leftovers, leftovers
    assert not (folder / "archive").exists()  # no second revision was made
    manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
    assert sorted(entry["path"] for entry in manifest["files"]) == expected
    assert {entry["revision_label"] for entry in manifest["files"]} == {"v1"}
    warehouse = connect(cluster.env["AIRFLOW_CONN_SATISFACTION_WAREHOUSE"])
    revisions = read_query(warehouse, "delivery_revisions", {"quarter": QUARTER})
    assert sorted(revisions["scope"]) == sorted(SCOPES)
    assert set(revisions["revision"]) == {1}

    # Every recipient got exactly one report message, each carrying a valid PDF.
    assert smtp.inbox.per_recipient() == dict.fromkeys(EVERYONE, 1)
    reports = [m for m in smtp.inbox.received if not m.message["X-Report-Alert"]]
    assert len(reports) == len(EVERYONE)  # one message per recipient (cc included)
    for received in reports:
        ((_, data),) = received.pdf_attachments()
        assert valid_pdf(data) >= 1
    log = read_query(warehouse, "delivery_log", {"quarter": QUARTER})
    assert set(log["status"]) == {"delivered"} and set(log["times_sent"]) == {1}
