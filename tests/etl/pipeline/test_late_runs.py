"""An automatic run long after its quarter ended holds delivery; manual runs never do."""

from __future__ import annotations

import datetime as dt

import pytest

from etl.core import Quarter
from etl.pipeline.runs import late_run_hold

Q3 = Quarter.parse("2026-Q3")
SHANGHAI = "Asia/Shanghai"


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("run_type", "started", "held"),
    [
        ("scheduled", utc(2026, 9, 30, 22, 0), False),  # on time: 06:00 Shanghai, 1 Oct
        ("scheduled", utc(2026, 10, 11, 1, 0), False),  # 10 days late: still the quarter's run
        ("scheduled", utc(2026, 10, 12, 1, 0), True),  # 11 days: a first unpause, an outage
        ("scheduled", utc(2026, 12, 7, 0, 0), True),
        ("manual", utc(2026, 12, 7, 0, 0), False),  # a person asked for it
        ("backfill", utc(2026, 12, 7, 0, 0), False),
        ("asset_triggered", utc(2026, 12, 7, 0, 0), True),  # new survey data, nobody asked
        ("asset_triggered", utc(2026, 10, 3, 0, 0), False),
    ],
)
def test_only_late_scheduled_runs_hold(run_type: str, started: dt.datetime, held: bool) -> None:
    assert (late_run_hold(Q3, run_type, started, SHANGHAI, 10) is not None) is held


def test_the_hold_says_why_and_how_to_release_it() -> None:
    reason = late_run_hold(Q3, "scheduled", utc(2026, 12, 7, 0, 0), SHANGHAI, 10)
    assert reason is not None
    assert "67 days after 2026-Q3 ended" in reason
    assert "schedule.hold_delivery_after_days = 10" in reason
    assert "trigger the DAG with quarter=2026-Q3 and deliver=true" in reason


def test_zero_days_holds_everything_but_the_first_day() -> None:
    assert late_run_hold(Q3, "scheduled", utc(2026, 9, 30, 22, 0), SHANGHAI, 0) is None
    assert late_run_hold(Q3, "scheduled", utc(2026, 10, 1, 17, 0), SHANGHAI, 0) is not None
