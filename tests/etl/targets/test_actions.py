"""The improvement plan: which figures raise an action, and how earlier actions are tracked."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pytest

from etl.core.config import load_settings
from etl.core.periods import Quarter
from etl.core.results import ResultRow
from etl.targets.actions import Action, action_results, propose, target_met
from etl.targets.grading import Target

Q = Quarter(2026, 3)
SETTINGS = load_settings()


TARGETS = [Target("claim_cycle_days_mean", "company", Quarter(2024, 1), 10.0, 15.0, False)]
NO_EARLIER = pd.DataFrame(
    columns=["action_id", "quarter_raised", "scope", "subject", "issue", "department", "owner",
             "due_on", "target_metric", "target_value", "is_higher_better", "status"]
)  # fmt: skip


def as_stored(actions: list[Action], status: str = "open") -> pd.DataFrame:
    """Actions as the store returns them (improvement_actions rows)."""
    return pd.DataFrame(
        [
            {"action_id": a.action_id, "quarter_raised": a.quarter_raised, "scope": a.scope,
             "subject": a.subject, "issue": a.reason, "department": a.department,
             "owner": a.owner, "due_on": a.due_on, "target_metric": a.target_metric,
             "target_value": a.target_value, "is_higher_better": int(a.is_higher_better),
             "status": status}
            for a in actions
        ]
    )  # fmt: skip


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


def test_each_trigger_raises_one_smart_action() -> None:
    actions = {a.subject: a for a in propose(Q, "company", ROWS, NO_EARLIER, TARGETS, SETTINGS)}
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


def test_open_subject_is_followed_up_not_raised_again() -> None:
    earlier = Quarter(2026, 2)
    last_quarter_rows = [replace(row, quarter="2026-Q2") for row in ROWS]
    raised = propose(earlier, "company", last_quarter_rows, NO_EARLIER, TARGETS, SETTINGS)
    plan = action_results(Q, ["company"], ROWS, as_stored(raised), TARGETS, SETTINGS)
    followed = {f.action_id: f.target_status for f in plan.follow_ups}
    assert plan.proposed == ()  # every subject already has an open action from 2026-Q2
    assert followed == {
        "2026-Q2-company-claim_cycle_days_mean": "not_met",  # 18.2 days vs ≤ 10
        "2026-Q2-company-dimension.claims": "not_met",  # 69.9 vs ≥ 72.9
        "2026-Q2-company-nps": "not_met",  # −5 vs ≥ 1
    }


def test_a_closed_subject_may_be_raised_again() -> None:
    earlier = Quarter(2026, 2)
    last_quarter_rows = [replace(row, quarter="2026-Q2") for row in ROWS]
    raised = propose(earlier, "company", last_quarter_rows, NO_EARLIER, TARGETS, SETTINGS)
    plan = action_results(Q, ["company"], ROWS, as_stored(raised, "done"), TARGETS, SETTINGS)
    assert {a.subject for a in plan.proposed} == {
        "dimension.claims",
        "claim_cycle_days_mean",
        "nps",
    }


@pytest.mark.parametrize(
    ("value", "target", "higher", "status"),
    [(75.0, 72.9, True, "met"), (70.0, 72.9, True, "not_met"), (9.5, 10.0, False, "met"),
     (18.2, 10.0, False, "not_met"), (None, 10.0, False, "no_data")],
)  # fmt: skip
def test_target_met(value: float | None, target: float, higher: bool, status: str) -> None:
    assert target_met(value, target, higher) == status


def test_a_trigger_already_covered_by_an_open_action_names_it_instead_of_raising_another() -> None:
    from etl.targets.actions import Coverage, coverage, triggers

    rows = [
        ResultRow("2026-Q3", "company", "nps", -5.0, -9.0, -1.0, 900, 850.0),
        ResultRow("2026-Q3", "company", "nps.change_prev", -6.0, n=900, flag="down"),
        ResultRow("2026-Q3", "company", "csi", 70.0, n=900),
        ResultRow("2026-Q3", "company", "csi.change_prev", -2.0, n=900, flag="down"),
    ]
    earlier = as_stored(propose(Q.previous(), "company", rows, NO_EARLIER, TARGETS, SETTINGS))
    earlier = earlier[earlier["subject"] == "nps"]
    assert [t[0] for t in triggers(Q, "company", rows, TARGETS, SETTINGS)] == ["csi", "nps"]
    assert [a.subject for a in propose(Q, "company", rows, earlier, TARGETS, SETTINGS)] == ["csi"]
    assert coverage(Q, "company", rows, earlier, TARGETS, SETTINGS) == [
        Coverage("company", "nps", "significant_decline", -5.0, "2026-Q2-company-nps")
    ]
    closed = earlier.assign(status="done")
    assert coverage(Q, "company", rows, closed, TARGETS, SETTINGS) == []
    plan = action_results(Q, ["company"], rows, earlier, TARGETS, SETTINGS)
    assert [c.action_id for c in plan.covered] == ["2026-Q2-company-nps"]
