"""The improvement plan (改进方案): SMART actions proposed from the figures, \
and earlier ones tracked."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import pandas as pd

from etl.core.config import SERVICE_DIMENSIONS, Settings
from etl.core.periods import Quarter
from etl.core.results import ResultRow
from etl.targets.grading import Target, target_for

OPEN_STATUSES = ("open", "in_progress")
HEADLINE_DECLINES = ("csi", "nps", *(f"dimension.{d}" for d in SERVICE_DIMENSIONS))


@dataclass(frozen=True)
class Action:
    """One SMART action: the issue, its evidence, who, by when, and the measurable target."""

    action_id: str
    quarter_raised: str
    scope: str
    subject: str  # a dimension code or a KPI metric
    reason: str  # concentrate_here | red_kpi | significant_decline
    current_value: float
    department: str
    owner: str
    due_on: str
    target_metric: str
    target_value: float
    is_higher_better: bool


def _department(settings: Settings, subject: str) -> tuple[str, str]:
    """Responsible department and owner for a dimension or KPI, from the config mapping."""
    mapping = settings.raw["actions"]["departments"]
    key = subject.removeprefix("dimension.")
    entry = mapping.get(key) or next(
        (value for prefix, value in mapping.items() if key.startswith(prefix)), mapping["default"]
    )
    return entry["department"], entry["owner"]


def _value(rows: Sequence[ResultRow], scope: str, metric: str) -> ResultRow | None:
    return next(
        (r for r in rows if r.scope == scope and r.metric == metric and r.value is not None), None
    )


def propose(
    quarter: Quarter,
    scope: str,
    rows: Sequence[ResultRow],
    earlier: pd.DataFrame,
    targets: Sequence[Target],
    settings: Settings,
) -> list[Action]:
    """Actions for one scope: each 'concentrate here' dimension, red KPI and significant decline.

    `earlier` holds the actions raised before the quarter (see `earlier_actions`).
    """
    config = settings.raw["actions"]
    uplift = float(config["dimension_uplift"])
    # A subject that already has an action still open is followed up, not raised again.
    still_open = set(
        earlier[(earlier["scope"] == scope) & earlier["status"].isin(OPEN_STATUSES)]["subject"]
    )
    due_on = quarter.next().last_day.isoformat()  # end of next quarter (metrics.md §7)
    proposals: dict[str, Action] = {}

    def add(
        subject: str, reason: str, current: float, target_metric: str, target: float, higher: bool
    ) -> None:
        if subject in proposals or subject in still_open:
            return  # one action per subject, the first reason found is the strongest
        department, owner = _department(settings, subject)
        proposals[subject] = Action(
            f"{quarter}-{scope}-{subject}", str(quarter), scope, subject, reason, round(current, 4),
            department, owner, due_on, target_metric, round(target, 4), higher,
        )  # fmt: skip

    for dimension in SERVICE_DIMENSIONS:
        quadrant = next(
            (r for r in rows if r.scope == scope and r.metric == f"drivers.{dimension}.quadrant"),
            None,
        )
        if (
            quadrant is not None
            and quadrant.note == "concentrate_here"
            and quadrant.value is not None
        ):
            metric = f"dimension.{dimension}"
            add(
                metric,
                "concentrate_here",
                quadrant.value,
                metric,
                min(100.0, quadrant.value + uplift),
                True,
            )
    for row in rows:
        if row.scope == scope and row.metric.startswith("rag.") and row.note == "red":
            kpi = row.metric.removeprefix("rag.")
            measured = _value(rows, scope, kpi)
            target = target_for(targets, kpi, scope, quarter)
            if measured is not None and target is not None:
                add(
                    kpi,
                    "red_kpi",
                    float(measured.value),
                    kpi,
                    target.target_value,
                    target.is_higher_better,
                )
    for metric in HEADLINE_DECLINES:
        change = _value(rows, scope, f"{metric}.change_prev")
        measured = _value(rows, scope, metric)
        if change is not None and change.flag == "down" and measured is not None:
            # Target: back to last quarter's level.
            add(
                metric,
                "significant_decline",
                float(measured.value),
                metric,
                float(measured.value) - float(change.value),
                True,
            )
    return list(proposals.values())


def follow_up_window(quarter: Quarter, settings: Settings) -> tuple[str, str]:
    """(first quarter, quarter) of the follow-up: earlier actions raised since the first one,
    and any raised before it that are still open, are followed up in `quarter`."""
    window = int(settings.raw["actions"].get("follow_up_quarters", 6))
    return str(quarter.shift(-window)), str(quarter)


def target_met(value: float | None, target: float, is_higher_better: bool) -> str:
    """met | not_met | no_data for an earlier action's measurable target."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "no_data"
    return "met" if (value >= target if is_higher_better else value <= target) else "not_met"


@dataclass(frozen=True)
class ActionPlan:
    """This quarter's new actions (to store) and the result rows of new and earlier actions."""

    proposed: tuple[Action, ...]
    rows: tuple[ResultRow, ...]


def action_results(
    quarter: Quarter,
    scopes: Sequence[str],
    rows: Sequence[ResultRow],
    earlier: pd.DataFrame,
    targets: Sequence[Target],
    settings: Settings,
) -> ActionPlan:
    """Propose this quarter's actions and follow up earlier ones (raised before the quarter
    within the follow-up window, or still open), from the quarter's figures."""
    out: list[ResultRow] = []
    proposed: list[Action] = []
    for scope in scopes:
        actions = propose(quarter, scope, rows, earlier, targets, settings)
        proposed += actions
        for number, action in enumerate(actions, start=1):
            out.append(
                ResultRow(
                    str(quarter),
                    scope,
                    f"action.new.{number}",
                    action.current_value,
                    n=None,
                    note=json.dumps(asdict(action), ensure_ascii=False),
                )
            )
    in_scope = earlier[earlier["scope"].isin(list(scopes))]
    for record in in_scope.itertuples(index=False):
        measured = _value(rows, record.scope, record.target_metric)
        value = float(measured.value) if measured is not None else None
        status = target_met(value, float(record.target_value), bool(record.is_higher_better))
        note = {
            "action_id": record.action_id,
            "quarter_raised": record.quarter_raised,
            "subject": record.subject,
            "issue": record.issue,
            "department": record.department,
            "owner": record.owner,
            "due_on": str(record.due_on),
            "target_metric": record.target_metric,
            "target_value": float(record.target_value),
            "status": record.status,
        }
        out.append(
            ResultRow(
                str(quarter),
                record.scope,
                f"action.earlier.{record.action_id}",
                value,
                flag=status,
                note=json.dumps(note, ensure_ascii=False),
            )
        )
    return ActionPlan(tuple(proposed), tuple(out))
