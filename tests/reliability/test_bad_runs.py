"""Bad Params and bad data stop a run before anything is written, with one line, no traceback."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from etl import cli
from etl.core.errors import UserError
from etl.core.periods import QuarterError
from etl.pipeline import compute_quarter, resolve_run
from etl.warehouse import WarehouseError, connect, read_results

NOW = dt.datetime(2026, 12, 7, tzinfo=dt.UTC)


@pytest.fixture
def warehouse_copy(small_demo_url: str, tmp_path: Path) -> str:
    copy = tmp_path / "warehouse.db"
    shutil.copy(small_demo_url.removeprefix("sqlite:///"), copy)
    return f"sqlite:///{copy}"


@pytest.mark.parametrize(
    ("quarter", "error", "message"),
    [
        ("2030-Q1", QuarterError, "is in the future"),
        ("2026-Q4", QuarterError, "is still in progress"),
        # No wave for the quarter: the data contract names the rules that explain it.
        ("2019-Q1", UserError, "no survey responses|breaks the data contract"),
    ],
    ids=["future", "in-progress", "data-less"],
)
def test_future_unfinished_and_empty_quarters_are_refused_before_anything_is_written(
    warehouse_copy: str, quarter: str, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        resolve_run(quarter_param=quarter, scopes_param=None, language="zh-CN", run_after=NOW,
                    warehouse_url=warehouse_copy, run_id="bad")  # fmt: skip
    if error is UserError:
        with pytest.raises(WarehouseError, match="no survey responses"):
            compute_quarter(warehouse_copy, quarter, "bad")
    assert read_results(connect(warehouse_copy), [quarter]).empty


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["run", "--quarter", "2030-Q1"], "is in the future"),
        (["run", "--quarter", "2019-Q1"], "breaks the data contract for 2019-Q1"),
        (["run", "--quarter", "2026-Q3", "--warehouse", "postgresql://u:s3cret@/"], "error:"),
        (["run", "--quarter", "2026-Q3", "--warehouse", "nonsense://x:s3cret@h/db"], "error:"),
    ],
    ids=["future", "data-less", "unreachable", "malformed-url"],
)
def test_the_cli_prints_one_error_line_and_no_traceback_or_password(
    warehouse_copy: str,
    argv: list[str],
    expected: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if "--warehouse" not in argv:
        argv = [*argv, "--warehouse", warehouse_copy]
    monkeypatch.setenv(
        "SATISFACTION_HOME", str(Path(warehouse_copy.removeprefix("sqlite:///")).parent)
    )
    assert cli.main(argv) in {1, 2}
    err = capsys.readouterr().err
    assert expected in err and "Traceback" not in err and "s3cret" not in err
