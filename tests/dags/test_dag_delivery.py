"""The DAG delivers by SMTP: once per person, retried through an outage, resent on request."""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from etl.warehouse import connect, read_query
from tests.e2e.site import Site, make_site, migrate, private_demo, run_dag
from tests.e2e.smtp import SmtpServer, valid_pdf
from tests.etl.delivery.helpers import DISTRIBUTION

pytestmark = pytest.mark.e2e

QUARTER = "2026-Q3"
SCOPES = ["company", "SC"]
RECIPIENTS = DISTRIBUTION  # company: ceo and cx, audit in cc, in Chinese; SC: its GM, in English
EVERYONE = ["audit@example.com", "ceo@example.com", "cx@example.com", "sc-gm@example.com"]
OPERATORS = ["ops@example.com"]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, small_demo_url: str) -> Iterator[Site]:
    """Airflow home, a private copy of the small demo, a distribution list, an SMTP server."""
    root = tmp_path_factory.mktemp("delivery")
    # XX is a configured scope (the form offers it) that the warehouse does not have.
    scopes = (
        'scopes = [{ code = "company", zh = "全公司", en = "Company" },'
        ' { code = "SC", zh = "四川分公司", en = "Sichuan" },'
        ' { code = "XX", zh = "X", en = "X" }]\n'
    )
    smtp = SmtpServer()
    yield migrate(make_site(root, private_demo(small_demo_url, root), RECIPIENTS, smtp, scopes))
    smtp.stop()


def deliveries(site: Site) -> list[dict[str, Any]]:
    rows = read_query(connect(site.url), "delivery_log", {"quarter": QUARTER})
    return rows.to_dict(orient="records")


def start_when_first_attempt_failed(site: Site) -> threading.Thread:
    """Bring the SMTP server up once the delivery log shows a failed first attempt."""

    def watch() -> None:
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            try:
                if any(row["attempts"] >= 1 for row in deliveries(site)):
                    site.smtp.start()
                    return
            except sa.exc.OperationalError:
                pass  # the tables appear with the first delivery attempt
            time.sleep(0.2)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    return watcher


def pdf_digests(site: Site) -> dict[str, str]:
    folder = site.root / "reports" / QUARTER
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.glob("*.pdf")}


def manifest(site: Site) -> dict[str, Any]:
    path = site.root / "reports" / QUARTER / "manifest.json"
    return json.loads(path.read_text(encoding="utf-8"))


def test_outage_retry_rerun_resend_and_a_corrected_revision(site: Site) -> None:
    smtp: SmtpServer = site.smtp
    conf = {"quarter": QUARTER, "scopes": SCOPES}

    # 1. The SMTP server is down when delivery starts: the task fails, Airflow retries it,
    #    and by then the server is back. Every recipient gets exactly one message.
    watcher = start_when_first_attempt_failed(site)
    first = run_dag(site, conf)
    watcher.join(timeout=5)
    assert first.state == "success", first.tasks
    assert first.tasks["deliver_reports"] == ["success", 2]  # failed once, retried once
    assert smtp.inbox.per_recipient() == dict.fromkeys(EVERYONE, 1)
    retry_notices = [m for m in smtp.inbox.received if m.message["X-Report-Alert"]]
    assert all("RETRYING" in m.message["Subject"] for m in retry_notices)  # will retry, no action
    report_messages = [m for m in smtp.inbox.received if not m.message["X-Report-Alert"]]
    for received in report_messages:
        ((name, data),) = received.pdf_attachments()
        assert valid_pdf(data) >= 1
        assert name.startswith(f"{QUARTER}_") and name.endswith("_v1.pdf")
    languages = {
        m.message["X-Report-Scope"]: m.message["X-Report-Language"] for m in report_messages
    }
    assert languages == {"company": "zh-CN", "SC": "en"}  # each list's language was rendered
    rows = deliveries(site)
    assert {row["status"] for row in rows} == {"delivered"}
    assert {row["attempts"] for row in rows} == {2}
    files = {entry["path"]: entry for entry in manifest(site)["files"]}
    assert files["company.zh-CN.pdf"]["delivery"]["status"] == "delivered"
    assert files["SC.en.pdf"]["delivery"]["status"] == "delivered"
    assert (site.root / "reports" / "index.html").is_file()
    digests = pdf_digests(site)

    # 2. The same quarter again over the same data: same bytes, same revision, no mail.
    second = run_dag(site, conf)
    assert second.state == "success"
    assert pdf_digests(site) == digests
    assert smtp.inbox.per_recipient() == dict.fromkeys(EVERYONE, 1)
    assert {entry["revision_label"] for entry in manifest(site)["files"]} == {"v1"}

    # 3. resend: exactly one more message each.
    third = run_dag(site, conf | {"resend": True})
    assert third.state == "success"
    assert smtp.inbox.per_recipient() == dict.fromkeys(EVERYONE, 2)

    # 4. Corrected survey data: the next revision, with the reason, the earlier file kept,
    #    and nobody mailed (they all have the earlier one) until a run asks with resend.
    before = {e["path"]: e for e in manifest(site)["files"]}["SC.en.pdf"]
    with connect(site.url).begin() as conn:
        conn.execute(
            sa.text(
                "update survey_answers set score = 1 where response_id in ("
                "select response_id from survey_responses where wave_id = :wave "
                "and branch_code = 'SC')"
            ),
            {"wave": QUARTER},
        )
    fourth = run_dag(site, conf | {"reason": "SC survey data corrected"})
    assert fourth.state == "success"
    entries = {entry["path"]: entry for entry in manifest(site)["files"]}
    after = entries["SC.en.pdf"]
    assert after["revision"] == before["revision"] + 1  # v2 on a tree that holds still
    assert after["reason"] == "SC survey data corrected"
    assert after["delivery"]["status"] == "held"
    kept = f"archive/SC.en.v{before['revision']}.pdf"
    assert entries[kept]["sha256"] == before["sha256"]
    assert smtp.inbox.per_recipient() == dict.fromkeys(EVERYONE, 2)


def test_a_failed_task_e_mails_the_operators_naming_task_and_quarter(site: Site) -> None:
    smtp: SmtpServer = site.smtp
    if smtp.controller is None:
        smtp.start()
    before = len(smtp.inbox.received)
    result = run_dag(site, {"quarter": QUARTER, "scopes": ["XX"]}, retries="0")
    assert result.state == "failed"
    alerts = [m for m in smtp.inbox.received[before:] if m.message["X-Report-Alert"]]
    assert len(alerts) == 1
    alert = alerts[0]
    assert alert.rcpt_tos == OPERATORS
    assert "resolve_run" in alert.message["Subject"] and QUARTER in alert.message["Subject"]
    body = alert.message.get_content()
    assert "resolve_run" in body and "unknown scope(s) ['XX']" in body
    # The fix is a new run with the Param corrected, not clearing the task.
    assert "trigger the DAG again in Airflow with scopes corrected" in body
    assert "重新触发" in body and "clear the task in Airflow" not in body
