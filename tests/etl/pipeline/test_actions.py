"""`satisfaction-report actions list|show|update|close`: changes kept, bad input named."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from etl.cli import main
from etl.warehouse import apply_store_schema, connect, store_actions

ACTION = {
    "action_id": "2026-Q2-SC-nps", "quarter_raised": "2026-Q2", "scope": "SC", "subject": "nps",
    "reason": "significant_decline", "current_value": 12.5,
    "department": "客户服务部 / Customer Service", "owner": "客服总监 / Head of Customer Service",
    "due_on": "2026-09-30", "target_metric": "nps", "target_value": 18.0, "is_higher_better": True,
}  # fmt: skip


@pytest.fixture
def store(tmp_path: Path) -> str:
    (tmp_path / "results.db").touch()
    url = f"sqlite:///{tmp_path / 'results.db'}"
    engine = connect(url)
    apply_store_schema(engine)
    with engine.begin() as conn:
        store_actions(conn, "2026-Q2", [ACTION])
    return url


def cli(capsys: pytest.CaptureFixture[str], store: str, *args: str) -> tuple[int, str, str]:
    code = main(["actions", *args, "--results", store])
    out, err = capsys.readouterr()
    return code, out, err


def test_accept_reassign_and_close_are_kept_with_their_history(
    store: str, capsys: pytest.CaptureFixture[str]
) -> None:
    steps = [
        (["update", "2026-Q2-SC-nps", "--status", "in_progress", "--by", "li.wei",
          "--on", "2026-07-10", "--note", "accepted"], "status: open → in_progress"),
        (["update", "2026-Q2-SC-nps", "--owner", "王芳 / Wang Fang", "--due", "2026-08-31",
          "--by", "li.wei", "--on", "2026-07-20"],
         "owner: 客服总监 / Head of Customer Service → 王芳 / Wang Fang; "
         "due_on: 2026-09-30 → 2026-08-31"),
        (["close", "2026-Q2-SC-nps", "--note", "call-back within 24 h in place", "--by", "wang",
          "--on", "2026-09-15"], "status: in_progress → done"),
    ]  # fmt: skip
    for args, printed in steps:
        code, out, err = cli(capsys, store, *args)
        assert (code, err) == (0, "")
        assert printed in out
    code, out, _ = cli(capsys, store, "show", "2026-Q2-SC-nps")
    assert code == 0
    assert "status: done" in out and "owner: 王芳 / Wang Fang" in out
    assert "history (3 change(s) by people):" in out
    assert "#3 2026-09-15 wang: status: in_progress → done — call-back within 24 h in place" in out


@pytest.mark.parametrize(
    ("on", "status_filter", "row"),
    [
        ("2026-09-30", [], ["2026-Q2-SC-nps", "SC", "open", "客服总监 / Head of Customer Service",
                            "2026-09-30", "—", "—"]),
        ("2026-10-31", [], ["2026-Q2-SC-nps", "SC", "open", "客服总监 / Head of Customer Service",
                            "2026-09-30", "31 d", "—"]),
        ("2026-12-31", ["--status", "open"],
         ["2026-Q2-SC-nps", "SC", "open", "客服总监 / Head of Customer Service", "2026-09-30",
          "92 d", "首席客户官 / Chief Customer Officer"]),
    ],
)  # fmt: skip
def test_list_flags_overdue_and_escalated_actions(
    store: str, capsys: pytest.CaptureFixture[str], on: str, status_filter: list[str],
    row: list[str],
) -> None:  # fmt: skip
    code, out, _ = cli(capsys, store, "list", "--on", on, *status_filter)
    lines = out.splitlines()
    assert code == 0 and lines[0].split()[:3] == ["action", "scope", "status"]
    assert [cell.strip() for cell in lines[1].split("  ") if cell.strip()] == row


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["show", "2026-Q9-SC-nps"], "action '2026-Q9-SC-nps' is not in the results store"),
        (["update", "nope", "--owner", "x"], "action 'nope' is not in the results store"),
        (["update", "2026-Q2-SC-nps"], "nothing to change; give a new value or a --note"),
        (["update", "2026-Q2-SC-nps", "--due", "31.12.2026"], "--due='31.12.2026': not a date"),
        (["update", "2026-Q2-SC-nps", "--owner", " "], "--owner is empty"),
        (["close", "2026-Q2-SC-nps"], "closing as done needs --note"),
        (["list", "--on", "yesterday"], "--on='yesterday': not a date"),
    ],
)
def test_bad_input_exits_2_with_a_clear_message_and_changes_nothing(
    store: str, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code, out, err = cli(capsys, store, *args)
    assert code == 2 and out == ""
    assert err.startswith("error: ") and message in err and "Traceback" not in err
    with connect(store).connect() as conn:
        assert conn.execute(sa.text("select count(*) from action_events")).scalar() == 0


@pytest.mark.parametrize(
    "args",
    [["update", "2026-Q2-SC-nps", "--status", "done"], ["close", "2026-Q2-SC-nps", "--as", "x"],
     ["list", "--status", "closed"], ["frobnicate"]],
)  # fmt: skip
def test_argument_errors_exit_2(store: str, args: list[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["actions", *args, "--results", store])
    assert exited.value.code == 2


def test_a_rerun_leaves_an_action_a_person_changed_as_they_left_it(
    store: str, capsys: pytest.CaptureFixture[str]
) -> None:
    cli(
        capsys,
        store,
        "update",
        "2026-Q2-SC-nps",
        "--owner",
        "王芳 / Wang Fang",
        "--on",
        "2026-07-01",
    )
    engine = connect(store)
    with engine.begin() as conn:  # the rerun of 2026-Q2 proposes the action again, as it was
        store_actions(conn, "2026-Q2", [ACTION])
    with engine.begin() as conn:  # and with corrected data no longer proposes it at all
        store_actions(conn, "2026-Q2", [])
    with engine.connect() as conn:
        owner = conn.execute(sa.text("select owner from improvement_actions")).scalar()
    assert owner == "王芳 / Wang Fang"
