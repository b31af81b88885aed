"""Overdue and escalation: days past the deadline at a quarter's end, and the configured rule."""

from __future__ import annotations

import datetime as dt

import pytest

from etl.core.actions import Escalation, escalation
from etl.core.config import load_settings

SETTINGS = load_settings()  # [actions.escalation] after_days = 90
CCO = "首席客户官 / Chief Customer Officer"


@pytest.mark.parametrize(
    ("due_on", "status", "on", "expected"),
    [
        ("2026-09-30", "open", dt.date(2026, 9, 30), Escalation(0, None)),
        ("2026-09-30", "open", dt.date(2026, 12, 31), Escalation(92, CCO)),
        ("2026-09-30", "in_progress", dt.date(2026, 10, 31), Escalation(31, None)),
        ("2026-06-30", "in_progress", dt.date(2026, 9, 28), Escalation(90, CCO)),
        ("2026-03-31", "done", dt.date(2026, 12, 31), Escalation(0, None)),
        ("2026-03-31", "dropped", dt.date(2026, 12, 31), Escalation(0, None)),
        (dt.date(2026, 10, 15), "open", dt.date(2026, 10, 1), Escalation(0, None)),
    ],
)
def test_overdue_days_and_escalation(
    due_on: str | dt.date, status: str, on: dt.date, expected: Escalation
) -> None:
    assert escalation(due_on, status, on, SETTINGS) == expected
