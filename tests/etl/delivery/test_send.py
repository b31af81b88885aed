"""Delivery against a real SMTP server on localhost: once per file and person, nothing lost."""

from __future__ import annotations

import email
import email.policy
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy.engine import Engine

import etl.delivery as deliver
from etl import publish
from etl.core.config import ConfigError
from etl.core.results import ResultRow
from etl.core.scopes import Scope
from etl.delivery import (
    DeliveryError,
    OutboxTransport,
    SmtpSettings,
    SmtpTransport,
    address_problem,
    decide,
    deliver_quarter,
    load_distribution,
)
from etl.delivery.recipients import DEFAULT_RECIPIENTS
from etl.report.index import render_index
from etl.report.pdf import render_pdf
from etl.warehouse import read_query, upsert_results
from tests.e2e.smtp import SmtpServer, valid_pdf

QUARTER = "2026-Q3"
SCOPES = {
    "company": Scope("company", "company", "全公司", "Company"),
    "SC": Scope("SC", "branch", "四川分公司", "Sichuan Branch"),
    "BJ": Scope("BJ", "branch", "北京分公司", "Beijing Branch"),
}
KNOWN = set(SCOPES)
# 2,000 distinct CJK glyphs embed a font subset of about 470 KB: far over the 200 KB limit
# the size test sets, while a plain page is about 5 KB.
BIG_TEXT = "".join(chr(0x4E00 + offset) for offset in range(2000))
DISTRIBUTION = """
[sender]
from = "CX Reports <cx-reports@example.com>"
[operators]
to = ["ops@example.com"]
[scopes.company]
to = ["ceo@example.com", "cx@example.com"]
cc = ["audit@example.com"]
language = "zh-CN"
[scopes.SC]
to = ["sc-gm@example.com"]
language = "en"
"""


def write_list(tmp_path: Path, text: str = DISTRIBUTION) -> deliver.DistributionList:
    path = tmp_path / "recipients.toml"
    path.write_text(text, encoding="utf-8")
    return load_distribution(path)


def make_report(
    engine: Engine, reports: Path, scope: str, language: str, body: str = "", run_id: str = "r0"
) -> Path:
    """A small real PDF through the archive (so it has a revision), like a rendered report."""

    def html_for(revision: dict[str, object] | None, shown_run_id: str) -> str:
        label = (revision or {}).get("label", "v1")
        return (
            f'<html lang="en"><body><h1>{scope} {language} {label}</h1><p>{body}</p></body></html>'
        )

    return publish.publish_revision(
        engine,
        reports / QUARTER / f"{scope}.{language}.pdf",
        quarter=QUARTER,
        scope=scope,
        language=language,
        html_for=html_for,
        render_pdf=render_pdf,
        run_id=run_id,
    )


@pytest.fixture
def reports(warehouse: Engine, tmp_path: Path) -> Path:
    folder = tmp_path / "reports"
    rows = [
        ResultRow(QUARTER, "company", "csi", 78.44, n=1200),
        ResultRow(QUARTER, "company", "nps", 21.5, n=1200),
        ResultRow(QUARTER, "company", "csat", 64.2, n=1200),
        ResultRow(QUARTER, "company", "respondents", 1200.0, n=1200),
        ResultRow(QUARTER, "SC", "csi", 70.1, n=240),
    ]
    upsert_results(warehouse, QUARTER, rows, "r0", list(SCOPES))
    make_report(warehouse, folder, "company", "zh-CN")
    make_report(warehouse, folder, "SC", "en")
    return folder


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer(data_size_limit=200_000).start()
    yield server
    server.stop()


def transport(server: SmtpServer) -> SmtpTransport:
    return SmtpTransport(SmtpSettings("127.0.0.1", server.port, starttls=False, timeout=5))


def run(
    engine: Engine,
    reports: Path,
    distribution: deliver.DistributionList,
    server: SmtpServer,
    run_id: str,
    resend: bool = False,
    scopes: tuple[str, ...] = ("company", "SC"),
) -> deliver.DeliveryReport:
    return deliver_quarter(
        engine,
        reports,
        QUARTER,
        [SCOPES[code] for code in scopes],
        KNOWN,
        distribution,
        transport(server),
        run_id,
        resend=resend,
    )


def log_rows(engine: Engine) -> pd.DataFrame:
    return read_query(engine, "delivery_log", {"quarter": QUARTER})


ALL_FOUR = {
    "ceo@example.com": 1,
    "cx@example.com": 1,
    "audit@example.com": 1,
    "sc-gm@example.com": 1,
}


def test_every_recipient_gets_one_message_with_a_valid_pdf(
    warehouse: Engine, reports: Path, smtp: SmtpServer, tmp_path: Path
) -> None:
    result = run(warehouse, reports, write_list(tmp_path), smtp, "r1")

    assert result.counts()["delivered"] == 4
    assert smtp.inbox.per_recipient() == ALL_FOUR
    # One message per distribution group: company (to 2 + cc 1) and SC (to 1).
    assert len(smtp.inbox.received) == 2
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
    assert report.counts()["delivered"] == 3 and report.counts()["pending"] == 1
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
    assert held.counts() == {"delivered": 0, "skipped": 3, "held": 1, "failed": 0, "pending": 0}
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


def test_outbox_writes_eml_files_once(warehouse: Engine, reports: Path, tmp_path: Path) -> None:
    outbox = tmp_path / "outbox"
    for run_id in ("r1", "r2"):
        deliver_quarter(warehouse, reports, QUARTER, [SCOPES["company"], SCOPES["SC"]], KNOWN,
                        write_list(tmp_path), OutboxTransport(outbox), run_id)  # fmt: skip
    files = sorted(outbox.rglob("*.eml"))
    assert len(files) == 2  # one per distribution group; the rerun wrote nothing
    message = email.message_from_bytes(files[0].read_bytes(), policy=email.policy.default)
    assert message["X-Envelope-To"]
    (pdf,) = [part for part in message.iter_attachments()]
    assert valid_pdf(pdf.get_content()) >= 1
    assert set(log_rows(warehouse)["channel"]) == {"outbox"}


def history(*rows: tuple[str, str, str, str, int]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["pdf_sha256", "language", "status", "run_id", "revision"])


@pytest.mark.parametrize(
    ("rows", "resend", "expected"),
    [
        ((), False, "send"),  # never sent
        ((("a", "en", "pending", "r0", 1),), False, "send"),  # an earlier run left it pending
        ((("a", "en", "failed", "r0", 1),), False, "send"),  # failed before: try again
        ((("a", "en", "delivered", "r0", 1),), False, "skip"),  # a rerun
        ((("a", "en", "delivered", "r0", 1),), True, "send"),  # resend
        ((("a", "en", "delivered", "r9", 1),), True, "skip"),  # retry of the resend run r9
        ((("b", "en", "delivered", "r0", 1),), False, "held"),  # has v1, this is v2
        ((("b", "en", "delivered", "r0", 1),), True, "send"),  # v2 on request
        ((("b", "zh-CN", "delivered", "r0", 1),), False, "send"),  # other language: no bearing
    ],
)
def test_decide(
    rows: tuple[tuple[str, str, str, str, int], ...], resend: bool, expected: str
) -> None:
    run_id = "r9"
    action, _ = decide(history(*rows), checksum="a", language="en", run_id=run_id, resend=resend)
    assert action == expected


@pytest.mark.parametrize(
    ("address", "problem"),
    [
        ("ceo@example.com", None),
        ("张三 <zhang.san@example.com.cn>", None),
        ("ops@例子.公司", None),
        ("not-an-address", "is not an e-mail address (expected name@domain.tld)"),
        ("two@@example.com", "is not an e-mail address (expected name@domain.tld)"),
        ("nodot@localhost", "is not an e-mail address (expected name@domain.tld)"),
        ("a@example.com\nBcc: x@evil.example", "contains a line break"),
    ],
)
def test_address_problem(address: str, problem: str | None) -> None:
    assert address_problem(address) == problem


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[sender\nfrom = 1", "is not valid TOML"),
        (
            '[scopes.company]\nto = ["a@example.com"]',
            '[sender] from = "Name <address>" is required',
        ),
        ('[sender]\nfrom = "a@example.com"\n[scopes.company]\nto = 5', "[scopes.company].to"),
        ('[sender]\nfrom = "a@example.com"\n[scopes.BJ]\ntoo = ["a@b.cn"]', "unknown keys ['too']"),
    ],
)
def test_broken_distribution_lists_name_file_and_key(
    tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "recipients.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=r"recipients\.toml") as raised:
        load_distribution(path)
    assert message in str(raised.value)


def test_the_packaged_distribution_list_covers_the_demo_scopes() -> None:
    distribution = load_distribution(DEFAULT_RECIPIENTS)
    scopes = {entry.scope for entry in distribution.entries}
    assert scopes == {"company", "BJ", "SH", "GD", "JS", "ZJ", "SD", "SC", "HB", "HA", "FJ",
                      "LN", "SN"}  # fmt: skip
    assert distribution.operators
    problems = [a for e in distribution.entries for a, _, _ in e.addresses() if address_problem(a)]
    assert problems == []


def test_alerts_reach_the_operators(smtp: SmtpServer, tmp_path: Path) -> None:
    text = deliver.render_alert(
        dag_id="quarterly_satisfaction_report", run_id="manual__1", quarter="2026-Q3",
        task_id="deliver_reports", map_index=None, try_number=3, error="boom", log_url="http://x",
    )  # fmt: skip
    sent = deliver.send_alert(write_list(tmp_path), transport(smtp), "FAILED deliver_reports", text)
    assert sent == ["ops@example.com"]
    (received,) = smtp.inbox.received
    assert "deliver_reports" in received.message.get_content()
    assert "2026-Q3" in received.message.get_content()


@pytest.mark.parametrize(
    ("port", "extra", "expected"),
    [
        # The SMTP provider's defaults: implicit TLS (465) unless disable_ssl.
        (None, {}, (465, True, True, 30.0, None)),
        (None, {"disable_ssl": "true"}, (25, False, True, 30.0, None)),  # STARTTLS on 25
        (587, {"disable_ssl": True}, (587, False, True, 30.0, None)),
        (2525, {"disable_ssl": "true", "disable_tls": "true"}, (2525, False, False, 30.0, None)),
        (25, {"disable_ssl": "false", "timeout": "5", "from_email": "cx@x.cn"},
         (25, True, True, 5.0, "cx@x.cn")),
    ],
)  # fmt: skip
def test_smtp_settings_from_the_airflow_connection(
    port: int | None, extra: dict[str, object], expected: tuple[object, ...]
) -> None:
    settings = deliver.smtp_settings_from_connection("smtp.example.com", port, "u", "s3cret", extra)
    assert (
        settings.port,
        settings.ssl,
        settings.starttls,
        settings.timeout,
        settings.from_address,
    ) == expected
    assert settings.password == "s3cret" and "s3cret" not in repr(settings)  # kept out of logs


def test_an_smtp_connection_without_host_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="smtp_default has no host"):
        deliver.smtp_settings_from_connection(None, 25, None, None, {})
