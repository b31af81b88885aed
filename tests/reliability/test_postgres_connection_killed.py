"""PostgreSQL kills the job's connection (pg_terminate_backend, as an administrator or a
failover would) in the middle of computing and inside the results transaction: the run fails
in words, the results stay as they were (all of the earlier run, none of this one), and the
next run completes."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pandas as pd
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from etl import demo
from etl.core.periods import Quarter
from etl.pipeline import compute
from etl.warehouse import connect
from tests.conftest import _postgres_admin

pytestmark = pytest.mark.postgres

QUARTER = "2026-Q3"


@pytest.fixture
def warehouse(postgres_url: str) -> Iterator[str]:
    """The small demo on PostgreSQL, with 2026-Q2 computed (the earlier run to keep)."""
    demo.build(connect(postgres_url), demo.DemoPlan(through=Quarter(2026, 3),
                                                    size=demo.SCALES["small"]))  # fmt: skip
    compute.compute_quarter(postgres_url, "2026-Q2", "earlier")
    yield postgres_url


def snapshot(url: str) -> pd.DataFrame:
    with connect(url).connect() as conn:
        return pd.read_sql(sa.text("select * from results order by quarter, scope, metric"), conn)


def kill(conn: Connection) -> None:
    """Terminate this connection's server process from another session."""
    pid = conn.execute(sa.text("select pg_backend_pid()")).scalar()
    with _postgres_admin().connect() as admin:
        admin.execute(sa.text("select pg_terminate_backend(:pid)"), {"pid": pid})


def killed_while_reading(monkeypatch: pytest.MonkeyPatch) -> None:
    """The connection dies while the quarter's KPI families are being read."""
    real = compute.read_query

    def read_query(engine, name, *args, **kwargs):  # type: ignore[no-untyped-def]
        if name == "kpi_complaint_volume":
            with engine.connect() as conn:
                kill(conn)
                conn.execute(sa.text("select 1"))
        return real(engine, name, *args, **kwargs)

    monkeypatch.setattr(compute, "read_query", read_query)


def killed_in_the_results_transaction(monkeypatch: pytest.MonkeyPatch) -> None:
    """The results are written in the transaction when its connection dies."""
    real = compute.store_actions

    def store_actions(conn, *args, **kwargs):  # type: ignore[no-untyped-def]
        kill(conn)
        return real(conn, *args, **kwargs)

    monkeypatch.setattr(compute, "store_actions", store_actions)


FAULTS: list[tuple[str, Callable[[pytest.MonkeyPatch], None]]] = [
    ("mid-compute", killed_while_reading),
    ("inside the results transaction", killed_in_the_results_transaction),
]


@pytest.mark.parametrize(("moment", "fault"), FAULTS, ids=[m for m, _ in FAULTS])
def test_a_killed_connection_leaves_the_results_consistent_and_the_rerun_completes(
    warehouse: str,
    monkeypatch: pytest.MonkeyPatch,
    moment: str,
    fault: Callable[[pytest.MonkeyPatch], None],
) -> None:
    before = snapshot(warehouse)
    fault(monkeypatch)
    with pytest.raises(sa.exc.OperationalError, match="terminat"):
        compute.compute_one_quarter(warehouse, QUARTER, "killed")
    after = snapshot(warehouse)
    assert not (after["quarter"] == QUARTER).any(), moment
    pd.testing.assert_frame_equal(after, before)

    monkeypatch.undo()
    compute.compute_one_quarter(warehouse, QUARTER, "rerun")
    rerun = snapshot(warehouse)
    assert set(rerun.loc[rerun["quarter"] == QUARTER, "run_id"]) == {"rerun"}
    pd.testing.assert_frame_equal(rerun[rerun["quarter"] != QUARTER].reset_index(drop=True), before)
