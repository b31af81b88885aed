"""Targets and the improvement plan: RAG status, the service grade, SMART actions (pure)."""

from etl.targets.actions import Action, ActionPlan, FollowUp, action_results, follow_up_window
from etl.targets.grading import Target, grading_results, parse_targets

__all__ = [
    "Action",
    "ActionPlan",
    "FollowUp",
    "Target",
    "action_results",
    "follow_up_window",
    "grading_results",
    "parse_targets",
]
