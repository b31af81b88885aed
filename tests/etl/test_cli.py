"""The command line: bad input is a one-line error naming what is wrong, and writes nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from etl.cli import main

CLI = str(Path(sys.executable).with_name("satisfaction-report"))


def run_cli(
    *args: str, tmp_path: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    config = tmp_path / "settings.toml"
    config.write_text(
        f'[paths]\nreports = "{tmp_path / "reports"}"\nwarehouse = "{tmp_path / "w.db"}"\n'
    )
    return subprocess.run(
        [CLI, *args], capture_output=True, text=True, timeout=300, check=False,
        env=os.environ | {"SATISFACTION_CONFIG": str(config)} | (env or {}),
    )  # fmt: skip


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["run", "--quarter", "2026-Q5"],
            "error: quarter='2026-Q5' is not a quarter: expected YYYY-QN",
        ),
        (
            [
                "run",
                "--quarter",
                "2026-Q3",
                "--warehouse",
                "postgresql+psycopg2://x:pw@127.0.0.1:9/none?connect_timeout=2",
            ],
            "error: warehouse postgresql+psycopg2://x:***@127.0.0.1:9/none?connect_timeout=2 "
            "is unreachable",
        ),
        (["run", "--quarter", "2026-Q3"], "is unreachable: the SQLite file"),
    ],
)
def test_bad_input_is_one_clear_line_and_nothing_is_written(
    tmp_path: Path, args: list[str], message: str
) -> None:
    result = run_cli(*args, tmp_path=tmp_path)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "reports").exists()


def test_unknown_scope_names_the_known_ones(tmp_path: Path, small_demo_url: str) -> None:
    result = run_cli(
        "run",
        "--quarter",
        "2026-Q3",
        "--scope",
        "XX",
        "--warehouse",
        small_demo_url,
        tmp_path=tmp_path,
    )
    assert result.returncode == 2
    assert "unknown scope(s) ['XX']; known: company, BJ" in result.stderr
    assert not (tmp_path / "reports").exists()


def test_open_prints_the_path_of_an_existing_report(tmp_path: Path) -> None:
    pdf = tmp_path / "reports" / "2026-Q3" / "SC.zh-CN.pdf"
    pdf.parent.mkdir(parents=True)
    pdf.write_bytes(b"%PDF-1.7\n")
    result = run_cli("open", "--scope", "SC", "--print", tmp_path=tmp_path)
    assert result.returncode == 0
    assert result.stdout.strip() == str(pdf)


def test_open_lists_what_exists_when_the_report_does_not(tmp_path: Path) -> None:
    (tmp_path / "reports" / "2026-Q3").mkdir(parents=True)
    (tmp_path / "reports" / "2026-Q3" / "company.zh-CN.pdf").write_bytes(b"%PDF-1.7\n")
    result = run_cli("open", "--quarter", "2026-Q3", "--scope", "BJ", "--print", tmp_path=tmp_path)
    assert result.returncode == 2
    assert "no report" in result.stderr and "company.zh-CN.pdf" in result.stderr


def test_demo_builds_atomically_and_reuses_an_identical_build(tmp_path: Path) -> None:
    first = run_cli(
        "demo", "--through", "2026-Q3", "--scale", "small", "--reuse", tmp_path=tmp_path
    )
    assert first.returncode == 0, first.stderr
    assert (tmp_path / "w.db").exists() and not (tmp_path / "w.db.building").exists()
    second = run_cli(
        "demo", "--through", "2026-Q3", "--scale", "small", "--reuse", tmp_path=tmp_path
    )
    assert "is up to date" in second.stdout


def test_demo_into_a_new_sqlite_file_named_by_url(tmp_path: Path) -> None:
    target = tmp_path / "new" / "warehouse.db"
    result = run_cli(
        "demo", "--scale", "small", "--warehouse", f"sqlite:///{target}", tmp_path=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert f"demo warehouse written to sqlite:///{target}" in result.stdout
    checked = run_cli("check", "--quarter", "2026-Q3", "--warehouse", f"sqlite:///{target}",
                      tmp_path=tmp_path)  # fmt: skip
    assert checked.returncode in (0, 1), checked.stderr


def test_ingest_exit_codes_and_messages(small_demo_url, tmp_path, capsys) -> None:
    """0 all loaded · 1 rows quarantined (0 with --allow-quarantine) · 2 a file rejected."""
    import shutil

    from tests.etl.ingest.exports import long_csv

    warehouse = tmp_path / "w.db"
    shutil.copy(small_demo_url.removeprefix("sqlite:///"), warehouse)
    url = f"sqlite:///{warehouse}"
    good = tmp_path / "good.csv"
    good.write_bytes(long_csv([["A1", "2026-08-01", "BJ", "TELE", "LIFE", "PS1", "8"]]))
    bad = tmp_path / "bad.csv"
    bad.write_bytes(long_csv([["B1", "2026-08-01", "BJ", "TELE", "LIFE", "PS1", "80"]]))
    again = tmp_path / "again.csv"
    again.write_bytes(long_csv([["C1", "2026-08-01", "BJ", "TELE", "LIFE", "PS1", "80"]]))
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    assert main(["ingest", str(good), "--warehouse", url]) == 0
    assert main(["ingest", str(bad), "--warehouse", url]) == 1
    err = capsys.readouterr().err
    assert "bad.csv, row 2, column score: out_of_scale" in err and "Traceback" not in err
    csv_out = tmp_path / "q.csv"
    code = main(
        [
            "ingest",
            str(again),
            "--warehouse",
            url,
            "--allow-quarantine",
            "--quarantine-csv",
            str(csv_out),
        ]
    )
    assert code == 0 and "out_of_scale" in csv_out.read_text("utf-8-sig")
    assert main(["ingest", str(empty), "--warehouse", url]) == 2
    assert "empty.csv: rejected: the file is empty" in capsys.readouterr().err


def test_ingest_help_documents_the_mapping_keys(capsys) -> None:
    import pytest

    with pytest.raises(SystemExit):
        main(["ingest", "--help"])
    text = capsys.readouterr().out
    for key in (
        "[source]",
        "format",
        "encoding",
        "wave",
        "[columns]",
        "response_id",
        "submitted_at",
        "policy_id",
        "[items]",
        "[values]",
    ):
        assert key in text
