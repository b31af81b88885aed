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
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psutil
import pytest
import redis
import sqlalchemy as sa
from cryptography.fernet import Fernet

REPO = Path(__file__).resolve().parents[2]
AIRFLOW = str(Path(sys.executable).with_name("airflow"))
DAG_ID = "quarterly_satisfaction_report"
CONF = {"quarter": "2026-Q3", "scopes": ["company", "SC"], "deliver": False}
EXPECTED_PDFS = ("company.zh-CN.pdf", "SC.zh-CN.pdf")
# A database number of its own, so the test never touches a broker another service uses.
REDIS_URL = os.environ.get("SATISFACTION_TEST_REDIS_URL", "redis://127.0.0.1:6379/5")
ADMIN_PASSWORD = secrets.token_urlsafe(16)
# Generous: two cores run four Airflow processes and the task processes, and the first run
# computes the eight quarters of history the trends need.
STARTUP_TIMEOUT = 240
RUN_TIMEOUT = 420
CLI_TIMEOUT = 180
WORKER_LOG_TIMEOUT = 60
TASKS_WITH_CELERY_WORK = {"resolve_run", "compute_indices", "render_report"}

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Component:
    """One Airflow process, started in its own session so its whole tree can be stopped."""

    name: str
    log: Path
    process: subprocess.Popen[bytes] | None = None
    children: set[int] = field(default_factory=set)

    def tail(self, lines: int = 40) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else "(no log)"
        return f"----- {self.name} ({self.log}) -----\n" + "\n".join(text.splitlines()[-lines:])


@dataclass
class Cluster:
    """The running processes, their environment, and where they keep their files."""

    root: Path
    env: dict[str, str]
    api: str
    queue: str
    components: list[Component] = field(default_factory=list)

    def start(self, name: str, *command: str, extra: dict[str, str] | None = None) -> Component:
        """`airflow <command>` (default: `airflow <name>`) in the background, logging to a file.

        `extra`: environment of this process only (e.g. a second worker's log-server port)."""
        component = Component(name, self.root / "logs" / f"{name}.log")
        component.log.parent.mkdir(parents=True, exist_ok=True)
        with component.log.open("wb") as out:
            component.process = subprocess.Popen(
                [AIRFLOW, *(command or (name,))],
                env=self.env | (extra or {}),
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                cwd=self.root,
                start_new_session=True,
            )
        self.components.append(component)
        return component

    def tails(self) -> str:
        return "\n".join(component.tail() for component in self.components)

    def check_alive(self) -> None:
        for component in self.components:
            assert component.process is not None
            code = component.process.poll()
            if code is not None:
                pytest.fail(f"`airflow {component.name}` exited with {code}\n{self.tails()}")

    def cli(self, *args: str) -> str:
        """An `airflow` command against the cluster's metadata database; fails with its output."""
        result = subprocess.run(
            [AIRFLOW, *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=CLI_TIMEOUT,
            cwd=self.root,
            check=False,
        )
        if result.returncode != 0:
            pytest.fail(
                f"`airflow {' '.join(args)}` exited with {result.returncode}\n"
                f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}\n{self.tails()}"
            )
        return result.stdout

    def stop(self) -> None:
        """SIGTERM every process group and every descendant, then SIGKILL what is left."""
        procs: list[psutil.Process] = []
        for component in self.components:
            if component.process is None:
                continue
            try:
                parent = psutil.Process(component.process.pid)
                procs += [parent, *parent.children(recursive=True)]
            except psutil.NoSuchProcess:
                pass
            with _quietly():
                os.killpg(component.process.pid, signal.SIGTERM)
        for proc in procs:
            with _quietly():
                proc.terminate()
        _, alive = psutil.wait_procs(procs, timeout=30)
        for component in self.components:
            if component.process is not None:
                with _quietly():
                    os.killpg(component.process.pid, signal.SIGKILL)
        for proc in alive:
            with _quietly():
                proc.kill()
        psutil.wait_procs(alive, timeout=10)
        for component in self.components:
            if component.process is not None:
                with _quietly():
                    component.process.wait(timeout=10)


class _quietly:
    """Ignore a process that is already gone while stopping the cluster."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> bool:
        return kind is not None and issubclass(
            kind, ProcessLookupError | psutil.NoSuchProcess | subprocess.TimeoutExpired
        )


@pytest.fixture
def broker() -> Iterator[str]:
    """The Redis database the broker uses, flushed afterwards; fails if Redis is down."""
    yield from redis_database(REDIS_URL)


def redis_database(url: str) -> Iterator[str]:
    """Yield `url` once Redis answers there, and flush that database afterwards.

    Each e2e test module that starts workers has a database number of its own: the flush
    at the end of one must not delete the messages of another running at the same time."""
    client = redis.Redis.from_url(url)
    try:
        client.ping()
    except redis.RedisError as exc:
        pytest.fail(
            f"Redis at {url} is not reachable ({exc}); start it with "
            "`redis-server --daemonize yes --bind 127.0.0.1` — the topology test never skips"
        )
    try:
        yield url
    finally:
        client.flushdb()
        client.close()


def topology_env(
    root: Path, postgres_url: str, broker: str, small_demo_url: str, port: int, queue: str
) -> dict[str, str]:
    """The environment every component gets: metadata, broker, a private warehouse copy."""
    warehouse = root / "warehouse.db"
    shutil.copy(small_demo_url.removeprefix("sqlite:///"), warehouse)
    # The compose file points reports and outbox at shared volumes; here a shared folder.
    settings = root / "settings.toml"
    settings.write_text(f'[paths]\nreports = "{root / "reports"}"\noutbox = "{root / "outbox"}"\n')
    passwords = root / "auth" / "passwords.json"
    passwords.parent.mkdir()
    # airflow-init writes this file in compose: the admin's password, known in advance.
    passwords.write_text(json.dumps({"admin": ADMIN_PASSWORD}) + "\n")
    database = sa.engine.make_url(postgres_url)
    # The driver named: SQLAlchemy 2.1 maps a bare postgresql:// to psycopg 3, not installed.
    result_backend = "db+" + database.set(drivername="postgresql+psycopg2").render_as_string(
        hide_password=False
    )
    inherited = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("AIRFLOW", "SATISFACTION_"))
    }
    return inherited | {
        "AIRFLOW_HOME": str(root / "airflow"),
        "AIRFLOW__CORE__DAGS_FOLDER": str(REPO / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(REPO / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
        "AIRFLOW__CORE__FERNET_KEY": Fernet.generate_key().decode(),
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "admin:admin",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(passwords),
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{port}/execution/",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": postgres_url,
        "AIRFLOW__CELERY__BROKER_URL": broker,
        "AIRFLOW__CELERY__RESULT_BACKEND": result_backend,
        "AIRFLOW__CELERY__WORKER_CONCURRENCY": "2",
        # A queue of this test's own: a concurrent run on the same Redis cannot steal its tasks.
        "AIRFLOW__OPERATORS__DEFAULT_QUEUE": queue,
        "AIRFLOW__API__HOST": "127.0.0.1",
        "AIRFLOW__API__PORT": str(port),
        "AIRFLOW__API__BASE_URL": f"http://127.0.0.1:{port}",
        "AIRFLOW__API__WORKERS": "1",
        "AIRFLOW__API__SECRET_KEY": secrets.token_urlsafe(32),
        # One signing secret for every component, as the compose env anchor gives them.
        "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_hex(64),
        "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(free_port()),
        # Only the triggered run: a scheduled run for the last quarter would queue ahead of it.
        "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "False",
        "AIRFLOW_CONN_SATISFACTION_WAREHOUSE": f"sqlite:///{warehouse}",
        "SATISFACTION_CONFIG": str(settings),
    }


@pytest.fixture
def cluster(
    tmp_path: Path, postgres_url: str, broker: str, small_demo_url: str
) -> Iterator[Cluster]:
    """Migrated metadata, then api-server, scheduler, dag-processor and one Celery worker."""
    port, queue = free_port(), f"topology_{uuid.uuid4().hex[:8]}"
    env = topology_env(tmp_path, postgres_url, broker, small_demo_url, port, queue)
    running = Cluster(root=tmp_path, env=env, api=f"http://127.0.0.1:{port}", queue=queue)
    try:
        running.cli("db", "migrate")
        running.start("api-server")
        running.start("scheduler")
        running.start("dag-processor")
        running.start("celery-worker", "celery", "worker", "-H", f"{queue}@%h")
        yield running
    finally:
        running.stop()


def wait_for(cluster: Cluster, what: str, timeout: float, probe: Callable[[], object]) -> object:
    """Poll `probe` until it returns something truthy; fail with every log tail on timeout."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        cluster.check_alive()
        try:
            last = probe()
        except httpx.HTTPError as exc:
            last = exc
        else:
            if last:
                return last
        time.sleep(3)
    pytest.fail(
        f"timed out after {timeout:.0f}s waiting for {what} (last: {last!r})\n{cluster.tails()}"
    )


def login(client: httpx.Client) -> None:
    response = client.post("/auth/token", json={"username": "admin", "password": ADMIN_PASSWORD})
    response.raise_for_status()
    client.headers["Authorization"] = f"Bearer {response.json()['access_token']}"


def task_instances(metadata_url: str, run_id: str) -> list[dict[str, object]]:
    engine = sa.create_engine(metadata_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                sa.text(
                    "select task_id, map_index, state, queue, external_executor_id "
                    "from task_instance where dag_id = :dag and run_id = :run "
                    "order by task_id, map_index"
                ),
                {"dag": DAG_ID, "run": run_id},
            )
            return [dict(row._mapping) for row in rows]
    finally:
        engine.dispose()


def test_celery_topology_runs_the_dag_and_shares_the_reports(cluster: Cluster) -> None:
    started = time.monotonic()
    run_id = f"topology__{uuid.uuid4().hex[:8]}"
    with httpx.Client(base_url=cluster.api, timeout=30) as client:
        wait_for(
            cluster,
            "the api-server's health endpoint",
            STARTUP_TIMEOUT,
            lambda: client.get("/api/v2/monitor/health").status_code == 200,
        )
        login(client)
        wait_for(
            cluster,
            f"the dag-processor to register {DAG_ID}",
            STARTUP_TIMEOUT,
            lambda: client.get(f"/api/v2/dags/{DAG_ID}").status_code == 200,
        )
        cluster.cli("dags", "unpause", DAG_ID)
        cluster.cli("dags", "trigger", DAG_ID, "--run-id", run_id, "--conf", json.dumps(CONF))

        def finished() -> str | None:
            response = client.get(f"/api/v2/dags/{DAG_ID}/dagRuns/{run_id}")
            response.raise_for_status()
            state = response.json()["state"]
            return state if state in {"success", "failed"} else None

        state = wait_for(cluster, f"run {run_id} to finish", RUN_TIMEOUT, finished)
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
