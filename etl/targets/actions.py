"""The improvement plan (改进方案): SMART actions proposed from the figures, \
and earlier ones tracked."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from etl.core.actions import OPEN_STATUSES
from etl.core.config import SERVICE_DIMENSIONS, Settings
from etl.core.periods import Quarter
from etl.core.results import ResultRow
from etl.targets.grading import Target, target_for

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


# A trigger: (subject, reason, current value, target metric, target value, higher is better).
Trigger = tuple[str, str, float, str, float, bool]


def concentrate_here(rows: Sequence[ResultRow], scope: str, uplift: float) -> list[Trigger]:
    """Dimensions in the 'concentrate here' quadrant; target: the score plus the uplift."""
    triggers = []
    for dimension in SERVICE_DIMENSIONS:
        quadrant = next(
            (r for r in rows if r.scope == scope and r.metric == f"drivers.{dimension}.quadrant"),
            None,
        )
        if quadrant is None or quadrant.note != "concentrate_here" or quadrant.value is None:
            continue
        metric = f"dimension.{dimension}"
        target = min(100.0, quadrant.value + uplift)
        triggers.append((metric, "concentrate_here", quadrant.value, metric, target, True))
    return triggers


def red_kpis(
    rows: Sequence[ResultRow], scope: str, targets: Sequence[Target], quarter: Quarter
) -> list[Trigger]:
    """KPIs whose status is red; target: the KPI's own target."""
    triggers = []
    for row in rows:
        if not (row.scope == scope and row.metric.startswith("rag.") and row.note == "red"):
            continue
        kpi = row.metric.removeprefix("rag.")
        measured = _value(rows, scope, kpi)
        target = target_for(targets, kpi, scope, quarter)
        if measured is not None and target is not None:
            triggers.append(
                (kpi, "red_kpi", float(measured.value), kpi, target.target_value,
                 target.is_higher_better)
            )  # fmt: skip
    return triggers


def significant_declines(rows: Sequence[ResultRow], scope: str) -> list[Trigger]:
    """Headline figures that fell significantly; target: back to last quarter's level."""
    triggers = []
    for metric in HEADLINE_DECLINES:
        change = _value(rows, scope, f"{metric}.change_prev")
        measured = _value(rows, scope, metric)
        if change is not None and change.flag == "down" and measured is not None:
            current = float(measured.value)
            target = current - float(change.value)
            triggers.append((metric, "significant_decline", current, metric, target, True))
    return triggers


def triggers(
    quarter: Quarter,
    scope: str,
    rows: Sequence[ResultRow],
    targets: Sequence[Target],
    settings: Settings,
) -> list[Trigger]:
    """Every trigger of the quarter for a scope, one per subject, the strongest reason first."""
    uplift = float(settings.raw["actions"]["dimension_uplift"])
    found: dict[str, Trigger] = {}
    for trigger in [
        *concentrate_here(rows, scope, uplift),
        *red_kpis(rows, scope, targets, quarter),
        *significant_declines(rows, scope),
    ]:
        found.setdefault(trigger[0], trigger)
    return list(found.values())


def open_actions(earlier: pd.DataFrame, scope: str) -> dict[str, str]:
    """The action still open (open or in progress) per subject of a scope: the latest raised."""
    mine = earlier[(earlier["scope"] == scope) & earlier["status"].isin(OPEN_STATUSES)]
    ordered = mine.sort_values(["quarter_raised", "action_id"])
    return dict(zip(ordered["subject"], ordered["action_id"], strict=True))


def propose(
    quarter: Quarter,
    scope: str,
    rows: Sequence[ResultRow],
    earlier: pd.DataFrame,
    targets: Sequence[Target],
    settings: Settings,
) -> list[Action]:
    """Actions for one scope: each 'concentrate here' dimension, red KPI and significant decline.

    `earlier` holds the actions raised before the quarter (see `earlier_actions`). One action
    per subject, the first reason found being the strongest; a subject that already has an
    action still open is covered by it (see `coverage`), not raised again.
    """
    still_open = open_actions(earlier, scope)
    due_on = quarter.next().last_day.isoformat()  # end of next quarter (docs/metrics.md §7)
    proposals = []
    for subject, reason, current, target_metric, target, higher in triggers(
        quarter, scope, rows, targets, settings
    ):
        if subject in still_open:
            continue
        department, owner = _department(settings, subject)
        proposals.append(Action(
            f"{quarter}-{scope}-{subject}", str(quarter), scope, subject, reason, round(current, 4),
            department, owner, due_on, target_metric, round(target, 4), higher,
        ))  # fmt: skip
    return proposals


@dataclass(frozen=True)
class Coverage:
    """A trigger of the quarter that an earlier action, still open, already covers."""

    scope: str
    subject: str
    reason: str
    current_value: float
    action_id: str


def coverage(
    quarter: Quarter,
    scope: str,
    rows: Sequence[ResultRow],
    earlier: pd.DataFrame,
    targets: Sequence[Target],
    settings: Settings,
) -> list[Coverage]:
    """The quarter's triggers not raised again because an open action covers each, and which."""
    still_open = open_actions(earlier, scope)
    return [
        Coverage(scope, subject, reason, round(current, 4), still_open[subject])
        for subject, reason, current, *_ in triggers(quarter, scope, rows, targets, settings)
        if subject in still_open
    ]


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
class FollowUp:
    """An earlier action's measurable target checked against the quarter's figure."""

    scope: str
    action_id: str
    measured_value: float | None
    target_status: str  # met | not_met | no_data


@dataclass(frozen=True)
class ActionPlan:
    """This quarter's new actions and the follow-up of earlier ones (both stored as tables)."""

    proposed: tuple[Action, ...]
    follow_ups: tuple[FollowUp, ...]
    covered: tuple[Coverage, ...] = ()


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
    # Every look-up is within one scope: each scope scans its own rows, not the quarter's
    # (with 128 scopes, scanning all rows per look-up took minutes).
    by_scope: dict[str, list[ResultRow]] = {}
    for row in rows:
        by_scope.setdefault(row.scope, []).append(row)
    proposed = [
        action
        for scope in scopes
        for action in propose(quarter, scope, by_scope.get(scope, []), earlier, targets, settings)
    ]
    covered = [
        covers
        for scope in scopes
        for covers in coverage(quarter, scope, by_scope.get(scope, []), earlier, targets, settings)
    ]
    follow_ups = []
    for record in earlier[earlier["scope"].isin(list(scopes))].itertuples(index=False):
        measured = _value(by_scope.get(record.scope, []), record.scope, record.target_metric)
        value = float(measured.value) if measured is not None else None
        status = target_met(value, float(record.target_value), bool(record.is_higher_better))
        follow_ups.append(FollowUp(record.scope, record.action_id, value, status))
    return ActionPlan(tuple(proposed), tuple(follow_ups), tuple(covered))
