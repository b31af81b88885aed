"""Topology proof: the DAG runs on CeleryExecutor with the processes docker-compose.yml starts.

PostgreSQL holds the Airflow metadata (a fresh database) and the Celery results, Redis (its
own database number) is the broker, and `airflow api-server`, `scheduler`, `dag-processor`
and `celery worker` run as separate native processes sharing one reports folder, exactly
as the compose services share the `reports` volume. The run is triggered the way an
operator would (`airflow dags unpause` / `airflow dags trigger`) and watched through the
REST API; afterwards every task instance must carry the Celery task id the worker logged,
and the api-server must serve the PDF the worker wrote.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.e2e.native import (
    DAG_ID,
    Cluster,
    dag_ready,
    free_port,
    prepare,
    redis_database,
    run_finished,
    task_instances,
    topology_env,
    wait_for,
)

CONF = {"quarter": "2026-Q3", "scopes": ["company", "SC"], "deliver": False}
EXPECTED_PDFS = ("company.zh-CN.pdf", "SC.zh-CN.pdf")
# A database number of its own, so the test never touches a broker another service uses.
REDIS_URL = os.environ.get("SATISFACTION_TEST_REDIS_URL", "redis://127.0.0.1:6379/5")
RUN_TIMEOUT = 420
WORKER_LOG_TIMEOUT = 60
TASKS_WITH_CELERY_WORK = {"resolve_run", "compute_indices", "render_report"}

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]


@pytest.fixture
def broker() -> Iterator[str]:
    """The Redis database the broker uses, flushed afterwards; fails if Redis is down."""
    yield from redis_database(REDIS_URL)


@pytest.fixture
def cluster(
    tmp_path: Path, postgres_url: str, broker: str, small_demo_url: str
) -> Iterator[Cluster]:
    """Migrated metadata, then api-server, scheduler, dag-processor and one Celery worker."""
    port, queue = free_port(), f"topology_{uuid.uuid4().hex[:8]}"
    env = topology_env(tmp_path, postgres_url, broker, small_demo_url, port, queue)
    running = Cluster(root=tmp_path, env=env, api=f"http://127.0.0.1:{port}", queue=queue)
    try:
        prepare(running)
        running.start("api-server")
        running.start("scheduler")
        running.start("dag-processor")
        running.start("celery-worker", "celery", "worker", "-H", f"{queue}@%h")
        yield running
    finally:
        running.stop()


def test_celery_topology_runs_the_dag_and_shares_the_reports(cluster: Cluster) -> None:
    started = time.monotonic()
    run_id = f"topology__{uuid.uuid4().hex[:8]}"
    with httpx.Client(base_url=cluster.api, timeout=30) as client:
        dag_ready(cluster, client)
        cluster.cli("dags", "unpause", DAG_ID)
        cluster.cli("dags", "trigger", DAG_ID, "--run-id", run_id, "--conf", json.dumps(CONF))
        state = wait_for(
            cluster, f"run {run_id} to finish", RUN_TIMEOUT, run_finished(client, run_id)
        )
        metadata_url = cluster.env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]
        tis = task_instances(metadata_url, run_id)
        assert state == "success", f"run {run_id} ended {state}: {tis}\n{cluster.tails()}"

        # Every task ran as a Celery task on the worker: the scheduler routed it to the
        # test's queue, and the worker logged the id Celery gave it as received and, once
        # the task process has exited (a moment after the run turns success), succeeded.
        assert {ti["task_id"] for ti in tis} >= TASKS_WITH_CELERY_WORK, tis
        for ti in tis:
            where = f"{ti['task_id']}[{ti['map_index']}]"
            assert ti["state"] in {"success", "skipped"}, f"{where}: {ti}"
            assert ti["queue"] == cluster.queue, f"{where} was queued on {ti['queue']!r}"
        celery_ids = {str(ti["external_executor_id"]) for ti in tis if ti["state"] == "success"}
        assert "None" not in celery_ids, f"a task instance has no Celery task id: {tis}"
        worker_log = next(c for c in cluster.components if c.name == "celery-worker").log

        def unfinished() -> set[str]:
            logged = worker_log.read_text(errors="replace")
            return {i for i in celery_ids if f"[{i}] succeeded" not in logged}

        wait_for(
            cluster,
            f"the worker to log the Celery tasks {sorted(celery_ids)} as succeeded",
            WORKER_LOG_TIMEOUT,
            lambda: not unfinished(),
        )
        rendered = [ti for ti in tis if ti["task_id"] == "render_report"]
        assert len(rendered) == len(CONF["scopes"]), rendered  # one mapped task per scope

        # The worker wrote the PDFs into the shared folder, and the api-server (another
        # process, as another container in compose) serves them from it.
        reports = cluster.root / "reports" / str(CONF["quarter"])
        for name in EXPECTED_PDFS:
            pdf = reports / name
            assert pdf.is_file(), f"{pdf} missing; reports folder has {sorted(reports.rglob('*'))}"
            body = pdf.read_bytes()
            assert body.startswith(b"%PDF-"), f"{pdf} is not a PDF"
            served = client.get(f"/reports/files/{CONF['quarter']}/{name}")
            assert served.status_code == 200, f"api-server: {served.status_code} {served.text}"
            assert served.content == body, f"api-server served different bytes for {name}"
        text = subprocess.run(
            ["pdftotext", "-layout", str(reports / "SC.zh-CN.pdf"), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        assert "客户服务满意度" in text

    # deliver=false: nothing was e-mailed, so nothing reached the outbox either.
    mailed = sorted((cluster.root / "outbox").rglob("*.eml"))
    assert not mailed, f"deliver=false, yet the outbox holds {mailed}"
    print(f"topology run {run_id}: {state} in {time.monotonic() - started:.0f}s after start-up")
