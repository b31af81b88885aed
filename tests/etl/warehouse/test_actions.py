"""The action store: a rerun keeps the status a person set and drops unsupported proposals."""

from __future__ import annotations

from dataclasses import asdict

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from etl.core.config import load_settings
from etl.core.periods import Quarter
from etl.core.results import ResultRow
from etl.targets.actions import propose
from etl.targets.grading import Target
from etl.warehouse import read_earlier_actions, store_actions

Q = Quarter(2026, 3)
SETTINGS = load_settings()
TARGETS = [Target("claim_cycle_days_mean", "company", Quarter(2024, 1), 10.0, 15.0, False)]
ROWS = [
    ResultRow("2026-Q3", "company", "drivers.claims.quadrant", 69.9, n=800,
              note="concentrate_here"),
    ResultRow("2026-Q3", "company", "claim_cycle_days_mean", 18.2, n=500),
    ResultRow("2026-Q3", "company", "rag.claim_cycle_days_mean", 10.0, n=500, note="red"),
    ResultRow("2026-Q3", "company", "nps", -5.0, -9.0, -1.0, 900, 850.0),
    ResultRow("2026-Q3", "company", "nps.change_prev", -6.0, n=900, flag="down"),
]  # fmt: skip


def store(engine: Engine, rows: list[ResultRow]) -> None:
    earlier = read_earlier_actions(engine, str(Q), str(Q.shift(-6)))
    actions = propose(Q, "company", rows, earlier, TARGETS, SETTINGS)
    with engine.begin() as conn:
        store_actions(conn, str(Q), [asdict(action) for action in actions])


def test_rerun_keeps_a_status_someone_set_and_drops_unsupported_open_proposals(
    warehouse: Engine,
) -> None:
    store(warehouse, ROWS)
    with warehouse.begin() as conn:
        conn.execute(
            sa.text("update improvement_actions set status = 'in_progress' where subject = 'nps'")
        )
    # Corrected data: the claims dimension is no longer in the concentrate-here quadrant.
    store(warehouse, [r for r in ROWS if r.metric != "drivers.claims.quadrant"])
    with warehouse.connect() as conn:
        stored = dict(
            conn.execute(sa.text("select subject, status from improvement_actions")).all()
        )
    assert stored == {"claim_cycle_days_mean": "open", "nps": "in_progress"}


def test_earlier_actions_are_those_raised_before_the_quarter(warehouse: Engine) -> None:
    store(warehouse, ROWS)
    assert read_earlier_actions(warehouse, str(Q), str(Q.shift(-6))).empty
    later = read_earlier_actions(warehouse, str(Q.next()), str(Q.shift(-5)))
    assert sorted(later["subject"]) == ["claim_cycle_days_mean", "dimension.claims", "nps"]
