"""The improvement plan: which figures raise an action, and how earlier actions are tracked."""

from __future__ import annotations

from dataclasses import replace

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from etl.core.config import load_settings
from etl.core.periods import Quarter
from etl.core.results import ResultRow
from etl.targets.actions import action_results, propose, store, target_met

Q = Quarter(2026, 3)
SETTINGS = load_settings()


def seed_targets(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "insert into kpi_targets values "
                "('claim_cycle_days_mean', 'company', '2024-Q1', 10.0, 15.0, 0)"
            )
        )


ROWS = [
    ResultRow(
        "2026-Q3", "company", "drivers.claims.quadrant", 69.9, n=800, note="concentrate_here"
    ),
    ResultRow("2026-Q3", "company", "drivers.presale.quadrant", 74.0, n=800, note="keep_up"),
    ResultRow("2026-Q3", "company", "dimension.claims", 69.9, 68.0, 71.8, 800, 760.0),
    ResultRow("2026-Q3", "company", "claim_cycle_days_mean", 18.2, n=500),
    ResultRow("2026-Q3", "company", "rag.claim_cycle_days_mean", 10.0, n=500, note="red"),
    ResultRow("2026-Q3", "company", "nps", -5.0, -9.0, -1.0, 900, 850.0),
    ResultRow("2026-Q3", "company", "nps.change_prev", -6.0, n=900, flag="down"),
    ResultRow("2026-Q3", "company", "csi", 71.0, 70.0, 72.0, 900, 850.0),
    ResultRow("2026-Q3", "company", "csi.change_prev", -0.4, n=900, flag="no_change"),
]


def test_each_trigger_raises_one_smart_action(warehouse: Engine) -> None:
    seed_targets(warehouse)
    actions = {a.subject: a for a in propose(Q, "company", ROWS, warehouse, SETTINGS)}
    assert set(actions) == {
        "dimension.claims",
        "claim_cycle_days_mean",
        "nps",
    }  # not presale, not csi
    claims = actions["dimension.claims"]
    # concentrate here → target = score + 3 points (config), due end of next quarter
    assert (claims.reason, claims.target_value, claims.due_on) == (
        "concentrate_here",
        72.9,
        "2026-12-31",
    )
    assert claims.department.startswith("理赔管理部")
    kpi = actions["claim_cycle_days_mean"]
    assert (kpi.reason, kpi.target_value, kpi.is_higher_better) == ("red_kpi", 10.0, False)
    # significant decline → back to last quarter's level: −5 − (−6) = 1
    assert (actions["nps"].reason, actions["nps"].target_value) == ("significant_decline", 1.0)


def test_rerun_keeps_a_status_someone_set_and_drops_unsupported_open_proposals(
    warehouse: Engine,
) -> None:
    seed_targets(warehouse)
    store(warehouse, Q, propose(Q, "company", ROWS, warehouse, SETTINGS))
    with warehouse.begin() as conn:
        conn.execute(
            sa.text("update improvement_actions set status = 'in_progress' where subject = 'nps'")
        )
    # Corrected data: the claims dimension is no longer in the concentrate-here quadrant.
    corrected = [r for r in ROWS if r.metric != "drivers.claims.quadrant"]
    store(warehouse, Q, propose(Q, "company", corrected, warehouse, SETTINGS))
    with warehouse.connect() as conn:
        stored = dict(
            conn.execute(sa.text("select subject, status from improvement_actions")).all()
        )
    assert stored == {"claim_cycle_days_mean": "open", "nps": "in_progress"}


def test_open_subject_is_followed_up_not_raised_again(warehouse: Engine) -> None:
    seed_targets(warehouse)
    earlier = Quarter(2026, 2)
    last_quarter_rows = [replace(row, quarter="2026-Q2") for row in ROWS]
    store(warehouse, earlier, propose(earlier, "company", last_quarter_rows, warehouse, SETTINGS))
    rows = action_results(warehouse, Q, ["company"], ROWS, SETTINGS)
    new = [r for r in rows if r.metric.startswith("action.new.")]
    followed = {r.metric: r.flag for r in rows if r.metric.startswith("action.earlier.")}
    assert new == []  # every subject already has an open action from 2026-Q2
    assert followed == {
        "action.earlier.2026-Q2-company-claim_cycle_days_mean": "not_met",  # 18.2 days vs ≤ 10
        "action.earlier.2026-Q2-company-dimension.claims": "not_met",  # 69.9 vs ≥ 72.9
        "action.earlier.2026-Q2-company-nps": "not_met",  # −5 vs ≥ 1
    }


@pytest.mark.parametrize(
    ("value", "target", "higher", "status"),
    [(75.0, 72.9, True, "met"), (70.0, 72.9, True, "not_met"), (9.5, 10.0, False, "met"),
     (18.2, 10.0, False, "not_met"), (None, 10.0, False, "no_data")],
)  # fmt: skip
def test_target_met(value: float | None, target: float, higher: bool, status: str) -> None:
    assert target_met(value, target, higher) == status
