"""Sending: the plan recorded as pending first, then each outcome as the server answers."""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine

from etl.core.scopes import Scope
from etl.delivery.messages import ReportFile, _domain, build_message
from etl.delivery.plan import DeliveryError, DeliveryReport, Outcome, _Message, _Planner
from etl.delivery.recipients import DistributionList, address_problem
from etl.delivery.transports import Transport
from etl.publish.files import as_date, revision_reason, sha256_file
from etl.report.i18n import LOCALES
from etl.warehouse import read_query
from etl.warehouse.stores import (
    ensure_schema,
    execute,
    read_headline_figures,
    read_latest_revision,
)

log = logging.getLogger(__name__)


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _record(
    engine: Engine,
    row: Mapping[str, Any],
    status: str,
    error: str | None,
    message_id: str | None = None,
) -> None:
    delivered = status == "delivered"
    execute(
        engine,
        "delivery_log_outcome",
        {
            "quarter": row["quarter"],
            "scope": row["scope"],
            "recipient": row["recipient"],
            "pdf_sha256": row["pdf_sha256"],
            "status": status,
            "error": error,
            "sent": 1 if delivered else 0,
            "message_id": message_id if delivered else None,
            "sent_at": _now() if delivered else None,
            "updated_at": _now(),
            "run_id": row["run_id"],
        },
    )


def _smtp_reason(error: BaseException) -> tuple[bool, bool, str]:
    """(permanent, connection_lost, text) for an exception raised while sending."""
    if isinstance(error, smtplib.SMTPResponseException):
        reply = error.smtp_error
        text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
        code = int(error.smtp_code)
        return code >= 500, code == 421, f"SMTP {code} {text}".strip()
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return False, True, f"SMTP server disconnected: {error}"
    return False, True, f"{type(error).__name__}: {error}"


def find_report(
    engine: Engine, reports_dir: Path, quarter: str, scope: Scope, language: str
) -> ReportFile | None:
    """The current file of a report with its revision, or None if it was never rendered."""
    path = reports_dir / quarter / f"{scope.code}.{language}.pdf"
    if not path.is_file():
        return None
    revision = read_latest_revision(engine, quarter, scope.code, language)
    number = int(revision["revision"]) if revision else 1
    return ReportFile(
        quarter=quarter,
        scope=scope,
        language=language,
        path=path,
        checksum=sha256_file(path),
        revision=number,
        revision_reason=revision_reason(number, revision["reason"], language) if revision else None,
        revision_date=as_date(revision["made_on"]) if revision else None,
    )


def current_reports(
    engine: Engine,
    reports_dir: Path,
    quarter: str,
    scopes: Sequence[Scope],
    distribution: DistributionList,
) -> dict[tuple[str, str], ReportFile | None]:
    """The current file of every (scope, language) the distribution list asks for."""
    wanted = {
        (scope, entry.language)
        for scope in scopes
        for entry in distribution.for_scope(scope.code)
        if entry.language in LOCALES
    }
    return {
        (scope.code, language): find_report(engine, reports_dir, quarter, scope, language)
        for scope, language in wanted
    }


def deliver_quarter(
    engine: Engine,
    reports_dir: str | Path,
    quarter: str,
    scopes: Sequence[Scope],
    known_scopes: Collection[str],
    distribution: DistributionList,
    transport: Transport,
    run_id: str,
    resend: bool = False,
    sender: str | None = None,
) -> DeliveryReport:
    """Send each scope's current PDF to its recipients, exactly once per file and person.

    Every planned delivery is written to the delivery log as `pending` before anything is
    sent; each outcome is recorded as soon as the server answers. Permanent refusals are
    `failed` with the server's reply; an outage leaves rows `pending` for the retry. Raises
    DeliveryError at the end if anyone did not get their report.
    """
    ensure_schema(engine)
    report = DeliveryReport(quarter=quarter, channel=transport.channel)
    reports_dir = Path(reports_dir)
    planner = _Planner(
        reports_dir=reports_dir,
        reports=current_reports(engine, reports_dir, quarter, scopes, distribution),
        now=_now(),
        quarter=quarter,
        run_id=run_id,
        resend=resend,
        channel=transport.channel,
        history=read_query(engine, "delivery_log", {"quarter": quarter}),
        report=report,
    )
    for entry in distribution.entries:
        if entry.scope not in known_scopes:
            planner.unknown_scope(entry, known_scopes)
    for scope in scopes:
        entries = distribution.for_scope(scope.code)
        if not entries:
            log.warning("%s: no recipients in %s; not sent", scope.code, distribution.source)
        for entry in entries:
            planner.entry(scope, entry)
    # Pending rows first, in one transaction: from here on nothing can be lost.
    if planner.planned:
        execute(engine, "delivery_log_plan", planner.planned)
    if planner.messages:
        figures = read_headline_figures(engine, quarter)
        _send_all(
            engine,
            planner.messages,
            distribution,
            figures,
            transport,
            sender or distribution.sender,
            report,
        )
    log.info("delivery %s", report.summary())
    raise_if_incomplete(report)
    return report


def raise_if_incomplete(report: DeliveryReport) -> None:
    """DeliveryError naming each recipient who did not get the report, and why."""
    problems = report.having("failed") + report.having("pending")
    if problems:
        lines = "\n".join(
            f"  - {o.scope} {o.recipient} ({o.role}, {o.language}): {o.status}: {o.detail}"
            for o in problems
        )
        raise DeliveryError(f"delivery incomplete, {report.summary()}:\n{lines}", report)


def _refused_by(exc: smtplib.SMTPRecipientsRefused) -> dict[str, tuple[int, str]]:
    """The recipients a server refused, with code and reply text."""
    return {
        address: (
            code,
            reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply),
        )
        for address, (code, reply) in exc.recipients.items()
    }


@dataclass
class _Sending:
    """One run's sending: records each outcome in the log as soon as it is known."""

    engine: Engine
    report: DeliveryReport
    transport: Transport

    def settle(
        self, row: Mapping[str, Any], status: str, text: str, message_id: str | None = None
    ) -> None:
        _record(self.engine, row, status, None if status == "delivered" else text, message_id)
        self.report.outcomes.append(
            Outcome(row["scope"], row["recipient"], row["role"], row["language"], status, text)
        )

    def leave_pending(self, rows: Sequence[Mapping[str, Any]], text: str, attempted: bool) -> None:
        for row in rows:
            if attempted:
                _record(self.engine, row, "pending", text)
            who = (row["scope"], row["recipient"], row["role"], row["language"])
            self.report.outcomes.append(Outcome(*who, "pending", text))

    def too_large(self, message: _Message, size: int, limit: int | None) -> bool:
        """Refuse a message over the server's SIZE limit before sending (failed, not retried)."""
        if limit is None or size <= limit:
            return False
        text = (
            f"message with {message.report.path.name} is {size:,} bytes, over the "
            f"server's limit of {limit:,} bytes (SMTP SIZE): not sent"
        )
        for row in message.rows:
            self.settle(row, "failed", text)
        return True

    def send(
        self, session: Transport, message: _Message, email: EmailMessage, sender: str
    ) -> str | None:
        """Send one message; returns why the connection was lost (the run stops), else None."""
        recipients = [row["recipient"] for row in message.rows]
        try:
            refused = session.send(email, parseaddr(sender)[1] or sender, recipients)
        except smtplib.SMTPRecipientsRefused as exc:
            refused = _refused_by(exc)
        except (smtplib.SMTPException, OSError) as exc:
            permanent, lost, text = _smtp_reason(exc)
            if permanent:
                for row in message.rows:
                    self.settle(row, "failed", text)
                return None
            self.leave_pending(message.rows, text, attempted=True)
            return text if lost else None
        message_id = str(email["Message-ID"])
        for row in message.rows:
            if row["recipient"] not in refused:
                self.settle(row, "delivered", message_id, message_id)
                continue
            code, reply = refused[row["recipient"]]
            text = f"refused by the server: SMTP {code} {reply}".strip()
            self.settle(row, "failed" if code >= 500 else "pending", text)
        return None


def _send_all(
    engine: Engine,
    messages: list[_Message],
    distribution: DistributionList,
    figures: Mapping[str, Mapping[str, Any]],
    transport: Transport,
    sender: str,
    report: DeliveryReport,
) -> None:
    """Send the planned messages; stop at the first outage and leave the rest pending."""
    sending = _Sending(engine, report, transport)
    try:
        session = transport.__enter__()
    except (smtplib.SMTPException, OSError) as exc:
        text = f"{transport.description} unavailable: {_smtp_reason(exc)[2]}"
        for message in messages:
            sending.leave_pending(message.rows, text, attempted=True)
        return
    try:
        limit = session.max_message_bytes()
        for position, message in enumerate(messages):
            figures_of = figures.get(message.report.scope.code, {})
            email = build_message(message.report, message.entry, distribution, figures_of, sender)
            if sending.too_large(message, len(email.as_bytes()), limit):
                continue
            lost = sending.send(session, message, email, sender)
            if lost is not None:
                rest = f"not attempted: {transport.description} lost ({lost})"
                for later in messages[position + 1 :]:
                    sending.leave_pending(later.rows, rest, attempted=False)
                return
    finally:
        try:
            session.__exit__(None, None, None)
        except (smtplib.SMTPException, OSError):
            log.warning("closing %s failed", transport.description)


def send_alert(
    distribution: DistributionList,
    transport: Transport,
    subject: str,
    text: str,
    sender: str | None = None,
) -> list[str]:
    """E-mail the operators (used by the DAG's failure notifier); returns who got it."""
    operators = [address for address in distribution.operators if address_problem(address) is None]
    if not operators:
        log.warning("no valid operator address in %s: alert not sent", distribution.source)
        return []
    sender = sender or distribution.sender
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = sender
    message["To"] = ", ".join(operators)
    message["Date"] = format_datetime(dt.datetime.now(dt.UTC))
    message["Message-ID"] = make_msgid(idstring="alert", domain=_domain(sender))
    message["X-Report-Alert"] = "failure"
    message.set_content(text)
    with transport as session:
        refused = session.send(message, parseaddr(sender)[1] or sender, operators)
    return [address for address in operators if address not in refused]
