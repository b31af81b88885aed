"""docker-compose.yml read as data: the production topology holds together without a Docker engine.

tests/e2e/test_topology.py runs the same topology as native processes; this file checks the
compose file itself: services, one image and environment for every Airflow service, URLs that
point at the compose services, shared volumes where etl writes, no literal secrets, health
checks and start-up order, and the Dockerfile and .env.example that go with it.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from etl.core.config import DEFAULTS_DIR

REPO = Path(__file__).resolve().parents[1]
COMPOSE_FILE = REPO / "docker-compose.yml"
COMPOSE: dict[str, Any] = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))
SERVICES: dict[str, dict[str, Any]] = COMPOSE["services"]
COMMON: dict[str, Any] = COMPOSE["x-airflow-common"]
COMMON_ENV: dict[str, str] = COMMON["environment"]
ENV_EXAMPLE = (REPO / ".env.example").read_text(encoding="utf-8")
DOCKERFILE = (REPO / "Dockerfile").read_text(encoding="utf-8")
LOCK = (REPO / "requirements.lock").read_text(encoding="utf-8").splitlines()
DEFAULT_PATHS = tomllib.loads((DEFAULTS_DIR / "settings.toml").read_text())["paths"]

# ${NAME}, ${NAME:-default}, ${NAME:?message} (and the forms without the colon); $$ escapes.
PLACEHOLDER = re.compile(
    r"(?<!\$)\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}"
)
SECRET_NAME = re.compile(r"PASSWORD|SECRET|FERNET_KEY|^AIRFLOW_CONN_|REDISCLI_AUTH")

# Every Airflow process of the topology, and what it is for.
AIRFLOW_SERVICES = {
    "airflow-init": "migrates the metadata database, writes the admin's password",
    "airflow-apiserver": "UI, REST API, execution API for the workers, the Reports page",
    "airflow-scheduler": "schedules runs and queues task instances on Celery",
    "airflow-dag-processor": "parses dags/ into serialized DAGs",
    "airflow-triggerer": "runs deferred tasks",
    "airflow-worker": "Celery worker: runs the tasks, writes the PDFs",
}
LONG_RUNNING = [name for name in AIRFLOW_SERVICES if name != "airflow-init"]
# Commands that run once and exit: nothing to health-check.
ONE_SHOT = {"airflow-init", "airflow-cli", "warehouse-demo"}


def walk_strings(node: object) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from walk_strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from walk_strings(value)


def env_example() -> dict[str, str]:
    """The uncommented NAME=value lines of .env.example."""
    pairs = (line.split("=", 1) for line in ENV_EXAMPLE.splitlines() if re.match(r"\w+=", line))
    return {name: value for name, value in pairs}


def interpolate(text: str) -> str:
    """What `docker compose` makes of `text` with a .env holding `<NAME>-value` for each secret."""
    example = env_example()

    def value(match: re.Match[str]) -> str:
        name, op, arg = match["name"], match["op"] or "", match["arg"] or ""
        if example.get(name):
            return example[name]
        if name in example or op.endswith("?"):
            return f"{name.lower()}-value"
        return arg if op.endswith("-") else ""

    return PLACEHOLDER.sub(value, text).replace("$$", "$")


def volumes_of(service: str) -> dict[str, str]:
    """Mount target → source (a named volume or a host path) of one service."""
    mounts = [str(m).rsplit(":ro", 1)[0] for m in SERVICES[service].get("volumes", [])]
    return {mount.split(":")[1]: mount.split(":")[0] for mount in map(interpolate, mounts)}


def workers() -> list[str]:
    return [
        name
        for name, service in SERVICES.items()
        if str(service.get("command", "")).startswith("celery worker")
    ]


@pytest.mark.parametrize(
    ("service", "role"),
    [
        ("postgres", "Airflow metadata, Celery results, the trial warehouse database"),
        ("redis", "Celery broker"),
        *AIRFLOW_SERVICES.items(),
    ],
)
def test_the_topology_has_the_service(service: str, role: str) -> None:
    assert service in SERVICES, f"docker-compose.yml has no `{service}` ({role})"


def test_there_is_a_celery_worker() -> None:
    assert workers() == ["airflow-worker"]


@pytest.mark.parametrize("service", list(AIRFLOW_SERVICES))
def test_every_airflow_service_runs_the_one_image_with_the_common_environment(
    service: str,
) -> None:
    spec = SERVICES[service]
    assert spec["image"] == COMMON["image"]
    assert spec["build"] == {"context": ".", "dockerfile": "Dockerfile"}
    assert spec["user"] in {COMMON["user"], "0:0"}  # airflow-init chowns the volumes as root
    env = spec["environment"]
    differing = {key for key, value in COMMON_ENV.items() if env.get(key) != value}
    assert not differing, f"{service} overrides or drops common settings {sorted(differing)}"
    assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"


def native_topology_env(tmp_path: Path) -> dict[str, str]:
    from tests.e2e.native import native_env

    return native_env(tmp_path, "postgresql://metadata", "sqlite:///warehouse.db", 8080)


def makefile_exports() -> dict[str, str]:
    text = (REPO / "Makefile").read_text(encoding="utf-8")
    return dict(re.findall(r"^export (AIRFLOW__\w+) := (.*)$", text, re.M))


# A task's supervisor waits for its process in a select() of at most min_heartbeat_interval
# seconds and, when the process's sockets close before it can be reaped, sleeps all of it
# before the worker starts its next task (bench/README.md "Celery scale-out"): 1 s, not 5,
# wherever tasks run under a supervisor.
@pytest.mark.parametrize(
    ("where", "environment"),
    [
        ("docker-compose.yml x-airflow-common", lambda _: COMMON_ENV),
        ("Makefile (scripts/ui.sh's scheduler)", lambda _: makefile_exports()),
        ("tests/e2e/native.py (e2e tests, benches)", native_topology_env),
    ],
)
def test_a_task_supervisor_notices_its_process_ended_within_a_second(
    where: str, environment, tmp_path: Path
) -> None:
    env = environment(tmp_path)
    assert env.get("AIRFLOW__WORKERS__MIN_HEARTBEAT_INTERVAL") == "1", where


@pytest.mark.parametrize(
    ("key", "scheme", "host", "port", "path"),
    [
        # Metadata and Celery results in the postgres service's `airflow` database.
        (
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN",
            "postgresql+psycopg2",
            "postgres",
            5432,
            "/airflow",
        ),
        ("AIRFLOW__CELERY__RESULT_BACKEND", "db+postgresql+psycopg2", "postgres", 5432, "/airflow"),
        # Broker: database 0 of the redis service.
        ("AIRFLOW__CELERY__BROKER_URL", "redis", "redis", 6379, "/0"),
        # Workers reach the execution API on the api-server's container port.
        (
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL",
            "http",
            "airflow-apiserver",
            8080,
            "/execution/",
        ),
    ],
)
def test_urls_point_at_the_compose_services(
    key: str, scheme: str, host: str, port: int, path: str
) -> None:
    url = urlsplit(interpolate(COMMON_ENV[key]))
    assert (url.scheme, url.hostname, url.port, url.path) == (scheme, host, port, path)
    assert url.hostname in SERVICES


@pytest.mark.parametrize(
    "key", ["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", "AIRFLOW__CELERY__RESULT_BACKEND"]
)
def test_metadata_urls_use_the_postgres_service_role_and_password(key: str) -> None:
    postgres = SERVICES["postgres"]["environment"]
    url = urlsplit(interpolate(COMMON_ENV[key]))
    assert url.username == postgres["POSTGRES_USER"]
    assert url.path == f"/{postgres['POSTGRES_DB']}"
    assert url.password == interpolate(postgres["POSTGRES_PASSWORD"])


def test_the_broker_url_carries_the_password_redis_requires() -> None:
    command = SERVICES["redis"]["command"]
    required = command[command.index("--requirepass") + 1]
    assert urlsplit(interpolate(COMMON_ENV["AIRFLOW__CELERY__BROKER_URL"])).password == interpolate(
        required
    )


def test_the_api_server_publishes_the_port_the_workers_call() -> None:
    execution = urlsplit(COMMON_ENV["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"])
    published = [interpolate(p).rsplit(":", 1)[1] for p in SERVICES["airflow-apiserver"]["ports"]]
    assert str(execution.port) in published


@pytest.mark.parametrize(
    ("volume", "setting"), [("reports", "reports"), ("outbox", "outbox"), ("inbox", "inbox")]
)
@pytest.mark.parametrize("service", ["airflow-apiserver", *workers()])
def test_reports_and_outbox_are_one_named_volume_where_etl_writes(
    service: str, volume: str, setting: str
) -> None:
    # etl resolves the default relative paths under SATISFACTION_HOME: reports → <home>/reports,
    # outbox → <home>/var/outbox; the volume must be mounted exactly there.
    expected = str(PurePosixPath(COMMON_ENV["SATISFACTION_HOME"]) / DEFAULT_PATHS[setting])
    assert volumes_of(service).get(expected) == volume, (
        f"{service} does not mount the `{volume}` volume at {expected}"
    )
    assert volume in COMPOSE["volumes"], f"`{volume}` must be a named volume, not a host path"


@pytest.mark.parametrize("service", workers())
def test_workers_scale_without_clashes(service: str) -> None:
    # `docker compose up --scale` fails on a fixed container name or host port.
    assert "container_name" not in SERVICES[service]
    assert "ports" not in SERVICES[service]


@pytest.mark.parametrize(
    ("service", "mounted"),
    [("airflow-init", True), ("airflow-apiserver", True), ("airflow-worker", False)],
)
def test_only_init_and_the_api_server_see_the_password_file(service: str, mounted: bool) -> None:
    folder = str(
        PurePosixPath(COMMON_ENV["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE"]).parent
    )
    assert (folder in volumes_of(service)) is mounted


@pytest.mark.parametrize(
    "step",
    [
        "/entrypoint airflow db migrate",
        "> " + COMMON_ENV["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE"],
        'os.environ["AIRFLOW_ADMIN_PASSWORD"]',
    ],
)
def test_airflow_init_migrates_and_writes_the_admin_password(step: str) -> None:
    script = "\n".join(SERVICES["airflow-init"]["command"])
    assert step in script


def test_airflow_init_creates_the_render_pool_from_the_settings_after_migrating() -> None:
    script = "\n".join(SERVICES["airflow-init"]["command"])
    migrate = script.index("/entrypoint airflow db migrate")
    reads = script.index("load_settings().render_pool")
    creates = script.index('/entrypoint airflow pools set "$$pool" "$$slots"')
    assert migrate < reads < creates  # compose turns $$ into the shell's $


@pytest.mark.parametrize(
    ("service", "dependency", "condition"),
    [
        *[(s, "postgres", "service_healthy") for s in AIRFLOW_SERVICES],
        *[(s, "redis", "service_healthy") for s in AIRFLOW_SERVICES],
        *[(s, "airflow-init", "service_completed_successfully") for s in LONG_RUNNING],
        # Workers run tasks through the api-server's execution API.
        ("airflow-worker", "airflow-apiserver", "service_healthy"),
    ],
)
def test_services_start_in_order(service: str, dependency: str, condition: str) -> None:
    assert SERVICES[service]["depends_on"][dependency] == {"condition": condition}


@pytest.mark.parametrize("service", [name for name in SERVICES if name not in ONE_SHOT])
def test_every_long_running_service_has_a_healthcheck(service: str) -> None:
    test = SERVICES[service]["healthcheck"]["test"]
    assert test[0] in {"CMD", "CMD-SHELL"} and len(test) >= 2


def test_no_literal_secrets_in_the_compose_file() -> None:
    # Secret-named variables are exactly a required placeholder; URLs carry no literal password.
    leaks: list[str] = []
    for name, spec in {"x-airflow-common": COMMON, **SERVICES}.items():
        for key, value in (spec.get("environment") or {}).items():
            if SECRET_NAME.search(key) and not key.endswith("_FILE"):
                match = PLACEHOLDER.fullmatch(str(value))
                if not (match and match["op"] == ":?"):
                    leaks.append(f"{name}.{key}={value!r}")
    for text in walk_strings(COMPOSE):
        for url in re.findall(r"[a-z0-9+]+://[^\s\"']+", text):
            password = urlsplit(url.replace("$$", "$")).password
            if password and not PLACEHOLDER.fullmatch(password):
                leaks.append(url)
    assert not leaks, f"literal secrets in docker-compose.yml: {leaks}"


def test_redis_is_password_protected_with_a_required_placeholder() -> None:
    command = SERVICES["redis"]["command"]
    match = PLACEHOLDER.fullmatch(command[command.index("--requirepass") + 1])
    assert match and match["op"] == ":?"


REQUIRED = sorted(
    {
        m["name"]
        for text in walk_strings(COMPOSE)
        for m in PLACEHOLDER.finditer(text)
        if m["op"] == ":?"
    }
)
OPTIONAL = sorted(
    {m["name"] for text in walk_strings(COMPOSE) for m in PLACEHOLDER.finditer(text)}
    - set(REQUIRED)
)


@pytest.mark.parametrize("name", REQUIRED)
def test_env_example_lists_each_required_variable(name: str) -> None:
    example = env_example()
    assert name in example, f".env.example has no `{name}=` line"
    if SECRET_NAME.search(name) and name != "AIRFLOW_ADMIN_USER":
        # Empty, so compose refuses to start until the operator sets a real value.
        assert example[name] == "", f".env.example ships a value for the secret {name}"


@pytest.mark.parametrize("name", OPTIONAL)
def test_env_example_documents_each_optional_variable(name: str) -> None:
    assert re.search(rf"^#? ?{name}=", ENV_EXAMPLE, re.MULTILINE), f".env.example omits {name}"


def test_the_env_file_with_the_secrets_is_git_ignored() -> None:
    ignored = (REPO / ".gitignore").read_text().splitlines()
    assert ".env" in ignored


def test_the_image_is_the_locked_airflow_on_python_3_11() -> None:
    airflow = next(line.split("==")[1] for line in LOCK if line.startswith("apache-airflow=="))
    assert f"ARG AIRFLOW_IMAGE=apache/airflow:{airflow}-python3.11\n" in DOCKERFILE
    assert "FROM ${AIRFLOW_IMAGE}" in DOCKERFILE


@pytest.mark.parametrize(
    ("package", "why"),
    [
        ("fonts-noto-cjk", "CJK glyphs"),
        ("libharfbuzz-subset0", "fast font subsetting"),
        ("libpango-1.0-0", "WeasyPrint text layout"),
        ("libpangoft2-1.0-0", "WeasyPrint fonts"),
        ("poppler-utils", "pdftotext"),
    ],
)
def test_the_image_installs_the_system_packages_the_pdfs_need(package: str, why: str) -> None:
    apt = re.search(r"apt-get install[^&]*", DOCKERFILE)
    assert apt and package in apt.group(0).split(), f"Dockerfile does not install {package} ({why})"


@pytest.mark.parametrize(
    "pin",
    ["apache-airflow-providers-celery==", "celery==", "redis==", "asyncpg==", "psycopg2-binary=="],
)
def test_the_lock_has_what_the_celery_topology_imports(pin: str) -> None:
    # asyncpg: Airflow's async metadata engine on PostgreSQL; redis: the broker client.
    assert any(line.startswith(pin) for line in LOCK), f"requirements.lock lacks {pin}"
    assert "pip install --no-cache-dir -r /opt/satisfaction/requirements.lock" in DOCKERFILE
