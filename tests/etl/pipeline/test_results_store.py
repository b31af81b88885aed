"""A separate results store: the warehouse is read through a PostgreSQL role that may only
SELECT, and every write of a run (results, actions, findings, revisions, delivery log) goes to
the database of the results store."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from etl import demo
from etl.core import load_settings
from etl.core.errors import WarehouseError
from etl.pipeline import Resources, check_inputs, compute_quarter, contract_report, tasks
from etl.warehouse import connect
from tests.conftest import DEMO_THROUGH, _postgres_admin, postgres_database

pytestmark = pytest.mark.postgres
QUARTER = str(DEMO_THROUGH)
STORE_TABLES = ("results", "improvement_actions", "report_revisions", "delivery_log",
                "voc_themes", "action_proposals")  # fmt: skip


@pytest.fixture
def store_url() -> Iterator[str]:
    """A second, empty PostgreSQL database: the results store."""
    with postgres_database("satisfaction_store") as url:
        yield url


@pytest.fixture
def read_only_warehouse(postgres_url: str) -> Iterator[tuple[str, str]]:
    """The small demo on PostgreSQL and a login role with SELECT only: (owner URL, role URL)."""
    demo.build(
        connect(postgres_url), demo.DemoPlan(through=DEMO_THROUGH, size=demo.SCALES["small"])
    )
    role = f"reader_{uuid.uuid4().hex[:10]}"
    owner = sa.create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    database = owner.url.database
    with owner.connect() as conn:
        conn.execute(sa.text(f'create role "{role}" login'))
        conn.execute(sa.text(f'grant connect on database "{database}" to "{role}"'))
        conn.execute(sa.text(f'grant usage on schema public to "{role}"'))
        conn.execute(sa.text(f'grant select on all tables in schema public to "{role}"'))
    reader = owner.url.set(username=role, password=None).render_as_string(hide_password=False)
    try:
        yield postgres_url, reader
    finally:
        sa.create_engine(reader).dispose()
        with owner.connect() as conn:
            conn.execute(
                sa.text(
                    "select pg_terminate_backend(pid) from pg_stat_activity where usename = :r"
                ),
                {"r": role},
            )
            conn.execute(sa.text(f'drop owned by "{role}" cascade'))
        owner.dispose()
        with _postgres_admin().connect() as conn:
            conn.execute(sa.text(f'drop role if exists "{role}"'))


def count(url: str, table: str) -> int:
    with connect(url).connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(sa.table(table))).scalar())


def test_the_role_can_only_read(read_only_warehouse: tuple[str, str]) -> None:
    _, reader = read_only_warehouse
    with (
        pytest.raises(sa.exc.ProgrammingError, match="permission denied"),
        connect(reader).begin() as conn,
    ):
        conn.execute(sa.text("delete from kpi_targets"))


def test_a_run_reads_the_warehouse_read_only_and_writes_only_the_store(
    read_only_warehouse: tuple[str, str], store_url: str, tmp_path: Path
) -> None:
    owner, reader = read_only_warehouse
    before = {table: count(owner, table) for table in STORE_TABLES}
    config = tmp_path / "settings.toml"
    config.write_text(
        f'[paths]\nreports = "{tmp_path / "reports"}"\noutbox = "{tmp_path / "outbox"}"\n'
    )
    settings = load_settings(str(config))
    resources = Resources(warehouse_url=reader, smtp=None, settings=settings, store_url=store_url)
    run = tasks.RunFacts("read-only", "manual", None, None)
    spec = tasks.resolve({"quarter": QUARTER, "scopes": ["company"], "language": "zh-CN"},
                         run, resources)  # fmt: skip

    assert tasks.check(spec, resources)["quarter"] == QUARTER
    assert tasks.compute(spec, resources) == ["company"]
    (pdf,) = tasks.render("company", spec, {"deliver": False}, resources)
    tasks.publish(spec, resources)
    delivered = tasks.deliver(spec, {"deliver": True}, resources)

    assert Path(pdf).is_file()
    assert delivered["quarter"] == QUARTER
    for table in STORE_TABLES:
        assert count(store_url, table) > 0, table
    assert {table: count(owner, table) for table in STORE_TABLES} == before


def test_without_a_store_a_read_only_warehouse_is_a_clear_error(
    read_only_warehouse: tuple[str, str],
) -> None:
    _, reader = read_only_warehouse
    assert contract_report(reader, QUARTER).exit_code == 0  # checking needs only SELECT
    for step in (
        lambda: check_inputs(reader, QUARTER),
        lambda: compute_quarter(reader, QUARTER, "x"),
    ):
        with pytest.raises(WarehouseError, match=r"cannot be written.*satisfaction_results"):
            step()
