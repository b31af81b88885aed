"""What a person may do to an action: the workflow's allowed moves and its refusals."""

from __future__ import annotations

import datetime as dt

import pytest

from etl.targets.workflow import ActionChange, ActionChangeError, apply_change, parse_day

DAY = dt.date(2026, 8, 1)
CURRENT = {
    "action_id": "2026-Q2-company-nps", "quarter_raised": "2026-Q2", "status": "open",
    "department": "客户服务部 / Customer Service", "owner": "客服总监 / Head of Customer Service",
    "due_on": "2026-09-30", "target_value": 20.0,
}  # fmt: skip


def change(**fields: object) -> ActionChange:
    return ActionChange("2026-Q2-company-nps", DAY, "li.wei", str(fields.pop("note", "")), **fields)


@pytest.mark.parametrize(
    ("status", "fields", "expected_status", "expected_changes"),
    [
        ("open", {"status": "in_progress"}, "in_progress", "status: open → in_progress"),
        ("open", {"owner": "王芳 / Wang Fang"}, "open",
         "owner: 客服总监 / Head of Customer Service → 王芳 / Wang Fang"),
        ("open", {"due_on": dt.date(2026, 6, 30)}, "open", "due_on: 2026-09-30 → 2026-06-30"),
        ("open", {"target_value": 25.0}, "open", "target_value: 20.0 → 25.0"),
        ("in_progress", {"status": "done", "note": "call-back within 24 h"}, "done",
         "status: in_progress → done"),
        ("open", {"status": "dropped", "note": "merged into the claims action"}, "dropped",
         "status: open → dropped"),
        ("in_progress", {"note": "vendor chosen"}, "in_progress", ""),
    ],
)  # fmt: skip
def test_allowed_changes_give_the_new_state_and_what_moved(
    status: str, fields: dict[str, object], expected_status: str, expected_changes: str
) -> None:
    state = apply_change(CURRENT | {"status": status}, change(**fields))
    assert (state["status"], state["changes"]) == (expected_status, expected_changes)


@pytest.mark.parametrize(
    ("status", "fields", "message"),
    [
        ("done", {"owner": "x"}, "is already done: a closed action is not changed"),
        ("dropped", {"status": "open"}, "is already dropped"),
        ("in_progress", {"status": "open"}, "cannot go from in_progress to open"),
        ("open", {"status": "finished"}, "--status='finished' is not a status"),
        ("open", {"status": "done"}, "closing as done needs --note"),
        ("open", {"owner": "  "}, "--owner is empty"),
        ("open", {}, "nothing to change"),
        ("open", {"due_on": dt.date(2019, 1, 1)}, "before the year the action was raised"),
    ],
)
def test_refused_changes_name_the_action_and_the_rule(
    status: str, fields: dict[str, object], message: str
) -> None:
    with pytest.raises(ActionChangeError, match="2026-Q2-company-nps") as refused:
        apply_change(CURRENT | {"status": status}, change(**fields))
    assert message in str(refused.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2026-06-30", dt.date(2026, 6, 30)), ("30/06/2026", None), ("2026-02-30", None)],
)
def test_dates_on_the_command_line(text: str, expected: dt.date | None) -> None:
    if expected is None:
        with pytest.raises(ActionChangeError, match=f"--due={text!r}: not a date"):
            parse_day(text, "--due")
    else:
        assert parse_day(text, "--due") == expected
