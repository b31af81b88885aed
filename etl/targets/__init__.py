"""Targets and the improvement plan: RAG status, the service grade, SMART actions (pure)."""

from etl.core.actions import OPEN_STATUSES, Escalation, escalation
from etl.targets.actions import (
    Action,
    ActionPlan,
    Coverage,
    FollowUp,
    action_results,
    follow_up_window,
)
from etl.targets.grading import Target, grading_results, parse_targets

__all__ = [
    "OPEN_STATUSES",
    "Action",
    "ActionPlan",
    "Coverage",
    "Escalation",
    "FollowUp",
    "Target",
    "action_results",
    "escalation",
    "follow_up_window",
    "grading_results",
    "parse_targets",
]
