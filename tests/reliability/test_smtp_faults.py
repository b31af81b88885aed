"""SMTP faults: each test is named after the fault it injects; nothing lost, nothing sent twice."""

from __future__ import annotations

import functools
import json
import os
import signal
import smtplib
import subprocess
import sys
import time
from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

import etl.delivery.ledger as ledger
import etl.delivery.send as send
from etl import publish
from etl.delivery import DeliveryError, deliver_quarter
from etl.report.index import render_index
from tests.e2e.smtp import SmtpServer
from tests.etl.delivery.helpers import (
    ALL_FOUR,
    KNOWN,
    QUARTER,
    SCOPES,
    log_rows,
    run,
    transport,
    write_list,
)
from tests.reliability.helpers import copies_by_message_id, delivered_rows_were_received


def _manifest_recipients(engine: Engine, reports: Path) -> dict[str, dict[str, object]]:
    path = publish.publish_quarter(engine, reports, QUARTER, "check", render_index)
    manifest = json.loads(path.read_text(encoding="utf-8"))
    return {str(r["address"]): r for f in manifest["files"] for r in f["delivery"]["recipients"]}


def test_smtp_421_to_one_recipient_records_nobody_delivered_without_data(
    warehouse: Engine, reports: Path, smtp: SmtpServer, tmp_path: Path
) -> None:
    distribution = write_list(tmp_path)
    smtp.inbox.refuse_rcpt = {"cx@example.com": "421 4.7.0 try again later, closing"}
    with pytest.raises(DeliveryError, match="SMTP 421"):
        run(warehouse, reports, distribution, smtp, "r1")
    rows = delivered_rows_were_received(warehouse, smtp)
    assert set(rows.loc[rows["recipient"] != "ceo@example.com", "status"]) == {"pending"}

    smtp.inbox.refuse_rcpt = {}
    run(warehouse, reports, distribution, smtp, "r1")  # Airflow's retry
    assert smtp.inbox.per_recipient() == ALL_FOUR
    assert set(log_rows(warehouse)["status"]) == {"delivered"}


def test_smtp_421_in_a_multi_recipient_transaction_raises_instead_of_partial_success(
    smtp: SmtpServer,
) -> None:
    smtp.inbox.refuse_rcpt = {"b@example.com": "421 4.3.2 shutting down"}
    message = EmailMessage()
    message["Subject"] = "x"
    message.set_content("x")
    with transport(smtp) as session, pytest.raises(smtplib.SMTPResponseException) as raised:
        session.send(message, "cx@example.com", ["a@example.com", "b@example.com", "c@x.com"])
    assert raised.value.smtp_code == 421
    assert smtp.inbox.received == []


def test_connection_dropped_after_data_resends_once_with_the_same_message_id(
    warehouse: Engine, reports: Path, smtp: SmtpServer, tmp_path: Path
) -> None:
    distribution = write_list(tmp_path)
    smtp.inbox.drop_after_data = 1  # the server keeps the first message, the reply never comes
    with pytest.raises(DeliveryError, match="1 uncertain"):
        run(warehouse, reports, distribution, smtp, "r1")
    run(warehouse, reports, distribution, smtp, "r1")

    copies = copies_by_message_id(smtp)
    assert max(copies.values()) == 2 and sum(v == 2 for v in copies.values()) == 1
    assert smtp.inbox.per_recipient() == {**ALL_FOUR, "ceo@example.com": 2}
    rows = log_rows(warehouse).set_index("recipient")
    assert rows.loc["ceo@example.com", "interrupted"] == 1  # the possible duplicate, recorded
    assert rows.loc["ceo@example.com", "times_sent"] == 1
    assert rows["interrupted"].sum() == 1
    assert _manifest_recipients(warehouse, reports)["ceo@example.com"]["interrupted"] == 1


KILLED_DELIVERY = """
import sys
from pathlib import Path
from etl.core.scopes import Scope
from etl.delivery import SmtpSettings, SmtpTransport, deliver_quarter, load_distribution
from etl.warehouse import connect
url, reports, recipients, port = sys.argv[1:5]
scopes = [Scope("company", "company", "全公司", "Company"),
          Scope("SC", "branch", "四川分公司", "Sichuan Branch")]
deliver_quarter(connect(url), Path(reports), "2026-Q3", scopes, {"company", "SC", "BJ"},
                load_distribution(Path(recipients)),
                SmtpTransport(SmtpSettings("127.0.0.1", int(port), starttls=False, timeout=60)),
                "killed-run", lease_seconds=1.0)
"""


def test_sigkill_inside_the_smtp_transaction_resends_that_message_at_most_once(
    warehouse: Engine, reports: Path, smtp: SmtpServer, tmp_path: Path
) -> None:
    distribution = write_list(tmp_path)
    smtp.inbox.data_delay = 60.0  # the server holds the message; the reply is slow
    url = warehouse.url.render_as_string(hide_password=False)
    args = [url, str(reports), str(distribution.source), str(smtp.port)]
    child = subprocess.Popen([sys.executable, "-c", KILLED_DELIVERY, *args])
    deadline = time.monotonic() + 120
    while smtp.inbox.data_begun == 0 and time.monotonic() < deadline:
        assert child.poll() is None, "the delivery ended before it could be killed"
        time.sleep(0.05)
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    smtp.inbox.data_delay = 0.0
    assert set(log_rows(warehouse)["status"]) == {"sending", "pending"}

    run(warehouse, reports, distribution, smtp, "killed-run")  # the retry, once the lease ends
    copies = copies_by_message_id(smtp)
    assert sorted(copies.values()) == [1, 1, 1, 2]  # the interrupted one, under one Message-ID
    rows = log_rows(warehouse)
    assert set(rows["status"]) == {"delivered"} and rows["interrupted"].sum() == 1
    assert rows["times_sent"].tolist() == [1, 1, 1, 1]


def _failing_outcome_writes(monkeypatch: pytest.MonkeyPatch, failures: int | None) -> list[str]:
    """Make the delivered write fail (as a SQLite lock past the busy timeout does)."""
    real = ledger.execute
    failed: list[str] = []

    def execute(engine: Engine, name: str, params: object) -> None:
        writes_delivered = isinstance(params, dict) and params.get("status") == "delivered"
        failing = failures is None or len(failed) < failures
        if name == "delivery_log_outcome" and writes_delivered and failing:
            failed.append(str(params["recipient"]))
            raise OperationalError("update delivery_log", {}, Exception("database is locked"))
        real(engine, name, params)

    monkeypatch.setattr(ledger, "execute", execute)
    monkeypatch.setattr(send, "Ledger", functools.partial(ledger.Ledger, delays=(0.0, 0.0)))
    return failed


def test_delivered_write_failing_briefly_is_retried_without_a_resend(
    warehouse: Engine,
    reports: Path,
    smtp: SmtpServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    failed = _failing_outcome_writes(monkeypatch, failures=2)
    run(warehouse, reports, write_list(tmp_path), smtp, "r1")
    assert len(failed) == 2
    assert smtp.inbox.per_recipient() == ALL_FOUR
    assert set(log_rows(warehouse)["status"]) == {"delivered"}


def test_delivered_write_failing_for_good_is_journaled_and_never_resent(
    warehouse: Engine,
    reports: Path,
    smtp: SmtpServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    distribution = write_list(tmp_path)
    failed = _failing_outcome_writes(monkeypatch, failures=None)
    first = run(warehouse, reports, distribution, smtp, "r1")
    assert first.counts()["delivered"] == 4 and len(failed) == 12  # 3 tries × 4 recipients
    journal = reports / QUARTER / ledger.JOURNAL_NAME
    assert len(journal.read_text(encoding="utf-8").splitlines()) == 4
    monkeypatch.undo()

    again = run(warehouse, reports, distribution, smtp, "r2")  # replays, then finds all delivered
    assert again.counts()["skipped"] == 4 and again.counts()["delivered"] == 0
    assert smtp.inbox.per_recipient() == ALL_FOUR
    rows = log_rows(warehouse)
    assert set(rows["status"]) == {"delivered"} and rows["times_sent"].tolist() == [1, 1, 1, 1]
    assert not journal.exists()


def test_journal_that_cannot_be_replayed_stops_delivery_before_anything_is_sent(
    warehouse: Engine,
    reports: Path,
    smtp: SmtpServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    distribution = write_list(tmp_path)
    _failing_outcome_writes(monkeypatch, failures=None)
    run(warehouse, reports, distribution, smtp, "r1")
    with pytest.raises(DeliveryError, match="nothing was sent"):
        run(warehouse, reports, distribution, smtp, "r2")
    assert smtp.inbox.per_recipient() == ALL_FOUR


def test_cr_lf_in_a_branch_name_neither_injects_headers_nor_stops_delivery(
    warehouse: Engine, reports: Path, smtp: SmtpServer, tmp_path: Path
) -> None:
    hostile = SCOPES["SC"].__class__(
        "SC", "branch", "四川分公司\r\nBcc: evil@example.com", "Sichuan\r\nX-Evil: 1\r\n"
    )
    deliver_quarter(warehouse, reports, QUARTER, [hostile, SCOPES["company"]], KNOWN,
                    write_list(tmp_path), transport(smtp), "r1")  # fmt: skip
    assert smtp.inbox.per_recipient() == ALL_FOUR
    for received in smtp.inbox.received:
        assert received.message["Bcc"] is None and received.message["X-Evil"] is None
        assert "\n" not in str(received.message["Subject"])


def test_cr_lf_in_the_alert_subject_still_alerts_the_operators(
    smtp: SmtpServer, tmp_path: Path
) -> None:
    from etl.delivery import send_alert

    sent = send_alert(write_list(tmp_path), transport(smtp), "FAILED 2026-Q3\r\nBcc: x@evil", "x")
    assert sent == ["ops@example.com"]
    (received,) = smtp.inbox.received
    assert received.message["Bcc"] is None and received.rcpt_tos == ["ops@example.com"]
