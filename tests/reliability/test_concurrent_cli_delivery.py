"""Two `satisfaction-report deliver` processes of one quarter, started at once against a slow
SMTP server (0.4 s per DATA), send each message exactly once; bad input exits 2, one line.

The CLI goes through the DAG's own deliver task body (the quarter's lock, the claimed state
machine); tests/reliability/test_concurrent_parties.py races two `airflow dags test` runs.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from etl.core.results import ResultRow
from etl.warehouse import connect, upsert_results
from tests.e2e.site import deliver_cli
from tests.e2e.smtp import SmtpServer
from tests.etl.delivery.helpers import (
    ALL_FOUR,
    DISTRIBUTION,
    QUARTER,
    SCOPES,
    log_rows,
    make_report,
)


@pytest.fixture
def site(tmp_path: Path, small_demo_url: str) -> Iterator[dict[str, Any]]:
    """A private copy of the small demo with 2026-Q3 results and two rendered reports, the
    distribution list, settings, and a slow mail server named by AIRFLOW_CONN_SMTP_DEFAULT."""
    warehouse = tmp_path / "warehouse.db"
    shutil.copy(small_demo_url.removeprefix("sqlite:///"), warehouse)
    engine = connect(f"sqlite:///{warehouse}")
    rows = [
        ResultRow(QUARTER, "company", "csi", 78.44, n=1200),
        ResultRow(QUARTER, "company", "nps", 21.5, n=1200),
        ResultRow(QUARTER, "SC", "csi", 70.1, n=240),
    ]
    upsert_results(engine, QUARTER, rows, "r0", list(SCOPES))
    make_report(engine, tmp_path / "reports", "company", "zh-CN")
    make_report(engine, tmp_path / "reports", "SC", "en")
    (tmp_path / "recipients.toml").write_text(DISTRIBUTION, encoding="utf-8")
    (tmp_path / "settings.toml").write_text(
        f'[paths]\nreports = "{tmp_path / "reports"}"\noutbox = "{tmp_path / "outbox"}"\n',
        encoding="utf-8",
    )
    smtp = SmtpServer().start()
    smtp.inbox.data_delay = 0.4  # a slow server: the two deliveries overlap
    env = os.environ | {
        "SATISFACTION_WAREHOUSE_URL": f"sqlite:///{warehouse}",
        "SATISFACTION_CONFIG": str(tmp_path / "settings.toml"),
        "SATISFACTION_RECIPIENTS": str(tmp_path / "recipients.toml"),
        "AIRFLOW_CONN_SMTP_DEFAULT": smtp.url,
    }
    env.pop("SATISFACTION_RESULTS_URL", None)
    yield {"env": env, "smtp": smtp, "engine": engine, "reports": tmp_path / "reports"}
    smtp.stop()


def test_two_cli_deliveries_at_once_send_each_message_exactly_once(site: dict[str, Any]) -> None:
    args = ("--quarter", QUARTER, "--scope", "company", "--scope", "SC")
    runs = [deliver_cli(site["env"], *args, "--run-id", run_id) for run_id in ("cli-a", "cli-b")]
    outputs = [run.communicate(timeout=600) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs

    smtp: SmtpServer = site["smtp"]
    assert smtp.inbox.per_recipient() == ALL_FOUR
    # One attempt sent all four while the other waited at the quarter's lock, then found
    # everything delivered.
    said = sorted(out.strip() for out, _err in outputs)
    assert said == [f"{QUARTER} via smtp: 4 delivered", f"{QUARTER} via smtp: 4 skipped"], said
    log = log_rows(site["engine"])
    assert log["status"].tolist() == ["delivered"] * 4
    assert log["times_sent"].tolist() == [1] * 4
    # The manifest, published after delivery as the DAG does, shows each recipient delivered.
    assert (site["reports"] / QUARTER / "manifest.json").is_file()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("--quarter", "2019-Q1"),
            "error: --quarter 2019-Q1: no rendered report of company, ",
        ),
        (
            ("--quarter", QUARTER, "--scope", "XX"),
            "error: scopes=['XX']: unknown scope(s) ['XX']; known: company, ",
        ),
        (("--quarter", "2026-Q5"), "error: --quarter"),
        (
            ("--quarter", QUARTER, "--warehouse", "smtp://x:secret@:25"),
            "error: warehouse URL smtp://x:***@:25 cannot be used",
        ),
    ],
    ids=["quarter-with-nothing-rendered", "unknown-scope", "malformed-quarter", "malformed-url"],
)
def test_bad_input_exits_2_with_one_line_and_sends_nothing(
    site: dict[str, Any], args: tuple[str, ...], message: str
) -> None:
    run = deliver_cli(site["env"], *args)
    out, err = run.communicate(timeout=300)
    assert run.returncode == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(message), err
    assert "Traceback" not in err and "secret" not in err and out == ""
    assert site["smtp"].inbox.received == []
    assert log_rows(site["engine"]).empty


@pytest.mark.parametrize(
    ("uri", "message"),
    [
        ("smtp://cx:secret@mail.example:99999", "the port is not a number from 0 to 65535"),
        ("http://cx:secret@mail.example", "is not an SMTP connection URI"),
    ],
    ids=["port-out-of-range", "not-smtp"],
)
def test_a_malformed_smtp_connection_exits_2_without_its_password(
    site: dict[str, Any], uri: str, message: str
) -> None:
    run = deliver_cli(site["env"] | {"AIRFLOW_CONN_SMTP_DEFAULT": uri}, "--quarter", QUARTER)
    _out, err = run.communicate(timeout=300)
    assert run.returncode == 2, err
    assert err.startswith("error: AIRFLOW_CONN_SMTP_DEFAULT") and message in err, err
    assert len(err.strip().splitlines()) == 1 and "secret" not in err
    assert log_rows(site["engine"]).empty


def test_mail_server_down_exits_1_naming_each_recipient_and_the_next_run_sends_each_once(
    site: dict[str, Any],
) -> None:
    smtp: SmtpServer = site["smtp"]
    smtp.stop()
    down = deliver_cli(site["env"], "--quarter", QUARTER)
    _out, err = down.communicate(timeout=300)
    assert down.returncode == 1, err
    # Branches without recipients are logged as warnings; the error names each recipient.
    said = err[err.index("error: ") :].splitlines()
    assert said[0] == f"error: delivery incomplete, {QUARTER} via smtp: 4 pending:", err
    assert sorted(line.split()[2] for line in said[1:]) == sorted(ALL_FOUR)  # "  - SC who (…)"
    assert "Traceback" not in err
    assert sorted(log_rows(site["engine"])["status"]) == ["pending"] * 4

    smtp.start()
    again = deliver_cli(site["env"], "--quarter", QUARTER)
    out, err = again.communicate(timeout=300)
    assert again.returncode == 0, err
    assert out.strip() == f"{QUARTER} via smtp: 4 delivered"
    assert smtp.inbox.per_recipient() == ALL_FOUR
