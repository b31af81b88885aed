"""Sending: once per person, through outages and retries, resent only on request."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from etl import publish
from etl.delivery import (
    DeliveryError,
)
from etl.report.index import render_index
from tests.e2e.smtp import SmtpServer, valid_pdf
from tests.etl.delivery.helpers import (
    ALL_FOUR,
    BIG_TEXT,
    DISTRIBUTION,
    QUARTER,
    log_rows,
    make_report,
    run,
    write_list,
)


def test_every_recipient_gets_one_message_with_a_valid_pdf(
    warehouse: Engine, reports: Path, smtp: SmtpServer, tmp_path: Path
) -> None:
    result = run(warehouse, reports, write_list(tmp_path), smtp, "r1")

    assert result.counts()["delivered"] == 4
    assert smtp.inbox.per_recipient() == ALL_FOUR
    # One SMTP transaction per recipient (a refusal or a 421 touches nobody else); the headers
    # still show the distribution group, and every recipient's Message-ID is their own.
    assert sorted(len(m.rcpt_tos) for m in smtp.inbox.received) == [1, 1, 1, 1]
    assert len({m.message["Message-ID"] for m in smtp.inbox.received}) == 4
    by_scope = {m.message["X-Report-Scope"]: m for m in smtp.inbox.received}
    company = by_scope["company"].message
    assert company["To"] == "ceo@example.com, cx@example.com"
    assert company["Cc"] == "audit@example.com"
    assert "全公司2026年第3季度客户服务满意度评估报告（v1）" in company["Subject"]
    body = company.get_body(preferencelist=("plain",)).get_content()
    assert "78.4" in body and "21.5" in body and "64.2" in body  # CSI, NPS, CSAT from results
    assert body.index("您好") < body.index("Dear colleagues")  # the list's language first
    for received in smtp.inbox.received:
        (name, data), *_ = received.pdf_attachments()
        assert valid_pdf(data) >= 1
        assert hashlib.sha256(data).hexdigest() == received.message["X-Report-SHA256"].strip()
        assert name == f"{QUARTER}_{received.message['X-Report-Scope']}_"\
            f"{received.message['X-Report-Language']}_v1.pdf"  # fmt: skip
    rows = log_rows(warehouse)
    assert set(rows["status"]) == {"delivered"}
    assert rows["times_sent"].tolist() == [1, 1, 1, 1]


def test_rerun_sends_nothing_resend_exactly_one_more_and_its_retry_none(
    warehouse: Engine, reports: Path, smtp: SmtpServer, tmp_path: Path
) -> None:
    distribution = write_list(tmp_path)
    run(warehouse, reports, distribution, smtp, "r1")
    again = run(warehouse, reports, distribution, smtp, "r2")
    assert again.counts()["skipped"] == 4 and again.counts()["delivered"] == 0
    assert smtp.inbox.per_recipient() == ALL_FOUR

    run(warehouse, reports, distribution, smtp, "r3", resend=True)
    assert smtp.inbox.per_recipient() == {address: 2 for address in ALL_FOUR}
    # A retry of the resend run continues it: nobody gets a third copy.
    retry = run(warehouse, reports, distribution, smtp, "r3", resend=True)
    assert retry.counts()["delivered"] == 0
    assert smtp.inbox.per_recipient() == {address: 2 for address in ALL_FOUR}
    assert log_rows(warehouse)["times_sent"].tolist() == [2, 2, 2, 2]


def test_server_down_fails_the_task_and_the_retry_delivers_each_exactly_once(
    warehouse: Engine, reports: Path, tmp_path: Path
) -> None:
    distribution = write_list(tmp_path)
    server = SmtpServer()  # not started: connection refused
    with pytest.raises(DeliveryError, match="4 pending") as raised:
        run(warehouse, reports, distribution, server, "r1")
    assert "unavailable" in str(raised.value)
    rows = log_rows(warehouse)
    assert set(rows["status"]) == {"pending"}  # recorded before sending: nothing lost
    assert rows["attempts"].tolist() == [1, 1, 1, 1]

    server.start()
    try:
        run(warehouse, reports, distribution, server, "r1")  # Airflow's retry of the same run
        run(warehouse, reports, distribution, server, "r1")  # and one more, for good measure
    finally:
        server.stop()
    assert server.inbox.per_recipient() == ALL_FOUR
    rows = log_rows(warehouse)
    assert set(rows["status"]) == {"delivered"}
    assert rows["attempts"].tolist() == [2, 2, 2, 2]


def test_server_lost_mid_run_keeps_the_rest_pending_and_never_resends_the_first(
    warehouse: Engine, reports: Path, smtp: SmtpServer, tmp_path: Path
) -> None:
    distribution = write_list(tmp_path)
    smtp.inbox.accept_only = 1  # the first message goes through, then 421 (closing)
    with pytest.raises(DeliveryError) as raised:
        run(warehouse, reports, distribution, smtp, "r1")
    report = raised.value.report
    assert report is not None
    # One recipient per transaction: the first is delivered, the 421 one and the two not yet
    # attempted stay pending (nobody is taken for delivered without an accepted DATA).
    assert report.counts()["delivered"] == 1 and report.counts()["pending"] == 3
    assert "SMTP 421" in str(raised.value)

    smtp.inbox.accept_only = None
    run(warehouse, reports, distribution, smtp, "r1")
    assert smtp.inbox.per_recipient() == ALL_FOUR


def test_bad_inputs_fail_per_recipient_with_clear_errors_and_the_rest_is_delivered(
    warehouse: Engine, reports: Path, smtp: SmtpServer, tmp_path: Path
) -> None:
    make_report(warehouse, reports, "BJ", "zh-CN", body=BIG_TEXT)
    distribution = write_list(
        tmp_path,
        DISTRIBUTION.replace('"cx@example.com"', '"cx@example.com", "not-an-address"')
        + '[scopes.XX]\nto = ["xx-gm@example.com"]\n'
        + '[scopes.BJ]\nto = ["bj-gm@example.com"]\nlanguage = "zh-CN"\n',
    )
    with pytest.raises(DeliveryError) as raised:
        run(warehouse, reports, distribution, smtp, "r1", scopes=("company", "SC", "BJ"))

    assert smtp.inbox.per_recipient() == ALL_FOUR  # everyone else got their report
    rows = log_rows(warehouse).set_index("recipient")
    assert rows.loc["not-an-address", "status"] == "failed"
    assert rows.loc["not-an-address", "error"] == (
        "recipients.toml [scopes.company].to[2] = 'not-an-address' is not an e-mail address "
        "(expected name@domain.tld)"
    )
    assert rows.loc["xx-gm@example.com", "status"] == "failed"
    assert (
        "recipients.toml [scopes.XX].to[0]: scope 'XX' is not a scope of the warehouse"
        in (rows.loc["xx-gm@example.com", "error"])
    )
    assert rows.loc["bj-gm@example.com", "status"] == "failed"
    assert (
        "over the server's limit of 200,000 bytes (SMTP SIZE)"
        in rows.loc["bj-gm@example.com", "error"]
    )
    message = str(raised.value)
    assert "3 failed" in message and "not-an-address" in message and "XX" in message


@pytest.mark.parametrize(
    ("reply", "status"),
    [
        ("550 5.1.1 <cx@example.com>: mailbox unavailable", "failed"),  # permanent
        ("450 4.2.1 mailbox busy, try later", "pending"),  # transient: the retry tries again
    ],
)
def test_a_refused_recipient_is_recorded_and_the_others_in_the_message_delivered(
    warehouse: Engine, reports: Path, smtp: SmtpServer, tmp_path: Path, reply: str, status: str
) -> None:
    smtp.inbox.refuse_rcpt["cx@example.com"] = reply
    with pytest.raises(DeliveryError):
        run(warehouse, reports, write_list(tmp_path), smtp, "r1")
    assert smtp.inbox.per_recipient() == {
        "ceo@example.com": 1,
        "audit@example.com": 1,
        "sc-gm@example.com": 1,
    }
    rows = log_rows(warehouse).set_index("recipient")
    assert rows.loc["cx@example.com", "status"] == status
    assert rows.loc["cx@example.com", "error"] == f"refused by the server: SMTP {reply}"

    smtp.inbox.refuse_rcpt.clear()
    run(warehouse, reports, write_list(tmp_path), smtp, "r1")  # the retry, mailbox fixed
    assert smtp.inbox.per_recipient() == ALL_FOUR


def test_a_permanent_data_refusal_fails_the_message_without_losing_others(
    warehouse: Engine, reports: Path, smtp: SmtpServer, tmp_path: Path
) -> None:
    smtp.inbox.data_reply = "552 5.3.4 message size exceeds fixed limit"
    with pytest.raises(DeliveryError, match="4 failed"):
        run(warehouse, reports, write_list(tmp_path), smtp, "r1")
    rows = log_rows(warehouse)
    assert set(rows["status"]) == {"failed"}
    assert set(rows["error"]) == {"SMTP 552 5.3.4 message size exceeds fixed limit"}


def test_a_new_revision_is_held_until_the_run_asks_to_resend(
    warehouse: Engine, reports: Path, smtp: SmtpServer, tmp_path: Path
) -> None:
    distribution = write_list(tmp_path)
    run(warehouse, reports, distribution, smtp, "r1")
    make_report(warehouse, reports, "SC", "en", body="corrected claims data", run_id="r2")
    assert (reports / QUARTER / "archive" / "SC.en.v1.pdf").is_file()

    held = run(warehouse, reports, distribution, smtp, "r2")
    assert held.counts() == {
        "delivered": 0,
        "skipped": 3,
        "held": 1,
        "failed": 0,
        "pending": 0,
        "uncertain": 0,
    }
    assert smtp.inbox.per_recipient()["sc-gm@example.com"] == 1
    manifest = json.loads(
        publish.publish_quarter(warehouse, reports, QUARTER, "r2", render_index).read_text(
            encoding="utf-8"
        )
    )
    current = next(f for f in manifest["files"] if f["scope"] == "SC" and f["current"])
    assert (current["revision_label"], current["delivery"]["status"]) == ("v2", "held")

    run(warehouse, reports, distribution, smtp, "r3", resend=True)
    latest = smtp.inbox.received[-1].message
    assert latest["X-Report-Revision"] == "v2"
    assert smtp.inbox.per_recipient()["sc-gm@example.com"] == 2
    assert "This is a revised edition" in latest.get_body(("plain",)).get_content()
