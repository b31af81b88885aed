"""The native Airflow topology of the e2e tests: the processes docker-compose.yml starts
(api-server, scheduler, dag-processor, workers) run as separate local processes on one
PostgreSQL metadata database, each in its own session so a test can stop or kill it whole.

test_topology.py and test_worker_lost.py run it with CeleryExecutor (Redis the broker);
tests/reliability/test_scheduler_party.py with LocalExecutor (tasks run under the scheduler).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psutil
import pytest
import redis
import sqlalchemy as sa
from cryptography.fernet import Fernet

from tests.e2e.site import AIRFLOW, DAG_ID, REPO
from tests.e2e.smtp import free_port

ADMIN_PASSWORD = secrets.token_urlsafe(16)
# Generous: two cores run four Airflow processes and the task processes, and the first run
# computes the eight quarters of history the trends need.
STARTUP_TIMEOUT = 240
CLI_TIMEOUT = 180

__all__ = ["AIRFLOW", "DAG_ID", "REPO", "free_port"]


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
    queue: str = "default"
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


def kill_tree(cluster: Cluster, component: Component) -> None:
    """SIGKILL a component and every process under it, as a lost machine; no cleanup runs."""
    assert component.process is not None
    parent = psutil.Process(component.process.pid)
    procs = [parent, *parent.children(recursive=True)]
    for proc in procs:
        with _quietly():
            proc.kill()
    psutil.wait_procs(procs, timeout=30)
    with _quietly():
        component.process.wait(timeout=10)
    cluster.components.remove(component)  # dead on purpose: no longer checked for being alive


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


def native_env(root: Path, postgres_url: str, warehouse_url: str, port: int) -> dict[str, str]:
    """What every component gets whatever the executor: metadata, api-server, auth, warehouse."""
    passwords = root / "auth" / "passwords.json"
    passwords.parent.mkdir()
    # airflow-init writes this file in compose: the admin's password, known in advance.
    passwords.write_text(json.dumps({"admin": ADMIN_PASSWORD}) + "\n")
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
        "AIRFLOW__CORE__FERNET_KEY": Fernet.generate_key().decode(),
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "admin:admin",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(passwords),
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{port}/execution/",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": postgres_url,
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
        # As the compose file and the Makefile have it (docs/deployment.md): a task's
        # supervisor notices its process has ended within 1 s, not 5.
        "AIRFLOW__WORKERS__MIN_HEARTBEAT_INTERVAL": "1",
        "AIRFLOW_CONN_SATISFACTION_WAREHOUSE": warehouse_url,
    }


def topology_env(
    root: Path,
    postgres_url: str,
    broker: str,
    small_demo_url: str,
    port: int,
    queue: str,
    settings_toml: str = "",
) -> dict[str, str]:
    """The Celery topology's environment: a private warehouse copy, Redis the broker.

    `settings_toml`: further settings (top-level keys, then tables) for the settings file."""
    warehouse = root / "warehouse.db"
    shutil.copy(small_demo_url.removeprefix("sqlite:///"), warehouse)
    # The compose file points reports and outbox at shared volumes; here a shared folder.
    settings = root / "settings.toml"
    paths = f'[paths]\nreports = "{root / "reports"}"\noutbox = "{root / "outbox"}"\n'
    settings.write_text(settings_toml + "\n" + paths, encoding="utf-8")
    database = sa.engine.make_url(postgres_url)
    # The driver named: SQLAlchemy 2.1 maps a bare postgresql:// to psycopg 3, not installed.
    result_backend = "db+" + database.set(drivername="postgresql+psycopg2").render_as_string(
        hide_password=False
    )
    return native_env(root, postgres_url, f"sqlite:///{warehouse}", port) | {
        "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
        "AIRFLOW__CELERY__BROKER_URL": broker,
        "AIRFLOW__CELERY__RESULT_BACKEND": result_backend,
        "AIRFLOW__CELERY__WORKER_CONCURRENCY": "2",
        # A queue of this test's own: a concurrent run on the same Redis cannot steal its tasks.
        "AIRFLOW__OPERATORS__DEFAULT_QUEUE": queue,
        "SATISFACTION_CONFIG": str(settings),
    }


def wait_for(
    cluster: Cluster, what: str, timeout: float, probe: Callable[[], object], every: float = 3
) -> object:
    """Poll `probe` every `every` s until it returns something truthy; fail with every log
    tail on timeout."""
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
        time.sleep(every)
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
                    "select task_id, map_index, state, try_number, queue, external_executor_id, "
                    "pool, hostname, queued_dttm, start_date, end_date "
                    "from task_instance where dag_id = :dag and run_id = :run "
                    "order by task_id, map_index"
                ),
                {"dag": DAG_ID, "run": run_id},
            )
            return [dict(row._mapping) for row in rows]
    finally:
        engine.dispose()


def dag_ready(cluster: Cluster, client: httpx.Client) -> None:
    """Wait for the api-server, log in as the admin, wait until the DAG is registered."""
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


def run_finished(client: httpx.Client, run_id: str) -> Callable[[], str | None]:
    """A probe for wait_for: the run's final state (success, failed), None while it runs."""

    def probe() -> str | None:
        response = client.get(f"/api/v2/dags/{DAG_ID}/dagRuns/{run_id}")
        response.raise_for_status()
        state = response.json()["state"]
        return state if state in {"success", "failed"} else None

    return probe


def prepare(cluster: Cluster, render_slots: int | None = None) -> None:
    """What airflow-init does in compose: migrate the metadata, create the render pool.

    The render task runs in the pool named by `[render] pool`; the scheduler queues no task
    of a pool that does not exist (`render_slots`: its size, else `[render] pool_slots`)."""
    cluster.cli("db", "migrate")
    resize_render_pool(cluster, render_slots)


def resize_render_pool(cluster: Cluster, slots: int | None = None) -> None:
    """`airflow pools set` for the render pool of the cluster's settings."""
    from etl.core.config import load_settings

    pool = load_settings(cluster.env.get("SATISFACTION_CONFIG")).render_pool
    size = pool.slots if slots is None else slots
    cluster.cli("pools", "set", pool.name, str(size), pool.description)


def start_worker(cluster: Cluster, name: str, queue: str, port: int | None = None) -> Component:
    """A Celery worker named `name`: its own Celery node name, log-server port (`port`, else a
    free one) and the host name its task instances record (tests/e2e/hostname.py)."""
    return cluster.start(
        f"worker-{name}",
        *("celery", "worker", "-H", f"{queue}-{name}@%h"),
        extra={
            "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(port or free_port()),
            "AIRFLOW__CORE__HOSTNAME_CALLABLE": "tests.e2e.hostname.worker_hostname",
            "SATISFACTION_WORKER_HOSTNAME": f"{socket.gethostname()}-{name}",
            "PYTHONPATH": str(REPO),
        },
    )
