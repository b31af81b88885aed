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
from etl.delivery.ledger import (
    JOURNAL_NAME,
    LEASE_SECONDS,
    LOCK_WAIT_SECONDS,
    Ledger,
    QuarterLock,
    mark_interrupted,
    new_holder,
    outcome_params,
    stable_message_id,
)
from etl.delivery.messages import ReportFile, _domain, build_message, header_safe
from etl.delivery.plan import DeliveryError, DeliveryReport, Outcome, _Message, _Planner
from etl.delivery.recipients import DistributionList, address_problem
from etl.delivery.transports import Transport, UncertainDelivery
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
    lock_wait_seconds: float = LOCK_WAIT_SECONDS,
    lease_seconds: float = LEASE_SECONDS,
) -> DeliveryReport:
    """Send each scope's current PDF to its recipients, exactly once per file and person.

    Under the quarter's delivery lock (one attempt at a time, whatever started it): outcomes
    an earlier attempt journaled are written first, rows it left `sending` become `uncertain`,
    then every planned delivery is written as `pending`, each is claimed before its SMTP
    transaction (one recipient per transaction) and its outcome recorded as the server answers.
    Raises DeliveryError at the end if anyone did not get their report.
    """
    ensure_schema(engine)
    report = DeliveryReport(quarter=quarter, channel=transport.channel)
    reports_dir = Path(reports_dir)
    holder = new_holder(run_id)
    ledger = Ledger(engine, reports_dir / quarter / JOURNAL_NAME)
    lock = QuarterLock(engine, quarter, holder, lease_seconds, lock_wait_seconds)
    with lock:
        ledger.replay()
        interrupted = mark_interrupted(engine, quarter)
        if interrupted:
            log.warning(
                "%s: %s delivery(ies) interrupted by an earlier attempt", quarter, interrupted
            )
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
        _decide_all(planner, scopes, known_scopes, distribution)
        # Pending rows first, in one transaction: from here on nothing can be lost.
        if planner.planned:
            execute(engine, "delivery_log_plan", planner.planned)
        if planner.messages:
            sending = _Sending(
                engine, report, transport, ledger, lock, sender or distribution.sender
            )
            sending.send_all(planner.messages, distribution, read_headline_figures(engine, quarter))
    log.info("delivery %s", report.summary())
    raise_if_incomplete(report)
    return report


def _decide_all(
    planner: _Planner,
    scopes: Sequence[Scope],
    known_scopes: Collection[str],
    distribution: DistributionList,
) -> None:
    for entry in distribution.entries:
        if entry.scope not in known_scopes:
            planner.unknown_scope(entry, known_scopes)
    for scope in scopes:
        entries = distribution.for_scope(scope.code)
        if not entries:
            log.warning("%s: no recipients in %s; not sent", scope.code, distribution.source)
        for entry in entries:
            planner.entry(scope, entry)


def raise_if_incomplete(report: DeliveryReport) -> None:
    """DeliveryError naming each recipient who did not get the report, and why."""
    problems = report.having("failed") + report.having("pending") + report.having("uncertain")
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
    """One attempt's sending: claims each row, sends it alone, records its outcome at once."""

    engine: Engine
    report: DeliveryReport
    transport: Transport
    ledger: Ledger
    lock: QuarterLock
    sender: str

    def settle(
        self,
        row: Mapping[str, Any],
        status: str,
        text: str,
        message_id: str | None = None,
        interrupted: int = 0,
    ) -> None:
        error = None if status == "delivered" else text
        self.ledger.record(outcome_params(row, status, error, message_id, interrupted))
        self.report.outcomes.append(
            Outcome(row["scope"], row["recipient"], row["role"], row["language"], status, text)
        )

    def leave_pending(self, rows: Sequence[Mapping[str, Any]], text: str) -> None:
        for row in rows:
            who = (row["scope"], row["recipient"], row["role"], row["language"])
            self.report.outcomes.append(Outcome(*who, "pending", text))

    def send_all(
        self,
        messages: list[_Message],
        distribution: DistributionList,
        figures: Mapping[str, Mapping[str, Any]],
    ) -> None:
        """Send the planned messages; stop at the first outage and leave the rest pending."""
        rows = [(message, row) for message in messages for row in message.rows]
        try:
            session = self.transport.__enter__()
        except (smtplib.SMTPException, OSError) as exc:
            text = f"{self.transport.description} unavailable: {_smtp_reason(exc)[2]}"
            for _, row in rows:  # an attempt that reached nobody: counted, still pending
                self.settle(row, "pending", text)
            return
        try:
            limit = session.max_message_bytes()
            for position, (message, row) in enumerate(rows):
                stop = self.lock_lost() or self.one(
                    session, message, row, distribution, figures, limit
                )
                if stop is not None:
                    rest = f"not attempted: {stop}"
                    self.leave_pending([later for _, later in rows[position + 1 :]], rest)
                    return
        finally:
            try:
                session.__exit__(None, None, None)
            except (smtplib.SMTPException, OSError):
                log.warning("closing %s failed", self.transport.description)

    def lock_lost(self) -> str | None:
        if self.lock.renew():
            return None
        return f"the delivery lock of {self.report.quarter} expired and was taken over"

    def one(
        self,
        session: Transport,
        message: _Message,
        row: Mapping[str, Any],
        distribution: DistributionList,
        figures: Mapping[str, Mapping[str, Any]],
        limit: int | None,
    ) -> str | None:
        """Claim, build and send one recipient's message; returns why the run stops, else None."""
        report = message.report
        message_id = stable_message_id(row, _domain(self.sender))
        try:
            email = build_message(
                report, message.entry, distribution, figures.get(report.scope.code, {}), self.sender
            )
            email.replace_header("Message-ID", message_id)
            size = len(email.as_bytes())
        except (ValueError, TypeError, OSError) as exc:
            where = f"scope {report.scope.code} ({report.path.name})"
            self.settle(row, "failed", f"{where}: the message cannot be built: {exc}")
            return None
        if limit is not None and size > limit:
            text = (
                f"message with {report.path.name} is {size:,} bytes, over the "
                f"server's limit of {limit:,} bytes (SMTP SIZE): not sent"
            )
            self.settle(row, "failed", text)
            return None
        if not self.ledger.claim(row, self.lock, message_id):
            self.leave_pending([row], "claimed by another attempt: not sent by this one")
            return None
        return self.transact(session, row, email, message_id)

    def transact(
        self, session: Transport, row: Mapping[str, Any], email: EmailMessage, message_id: str
    ) -> str | None:
        """The SMTP transaction of one claimed row, and its outcome in the log."""
        recipient = str(row["recipient"])
        try:
            refused = session.send(email, parseaddr(self.sender)[1] or self.sender, [recipient])
        except smtplib.SMTPRecipientsRefused as exc:  # no DATA was sent to anyone
            refused = _refused_by(exc) or {recipient: (421, "refused, connection closed")}
        except UncertainDelivery as exc:
            text = f"{self.transport.description}: {exc}; the server may have the message"
            self.settle(row, "uncertain", text, message_id, interrupted=1)
            return text
        except (smtplib.SMTPException, OSError) as exc:
            permanent, lost, text = _smtp_reason(exc)
            self.settle(row, "failed" if permanent else "pending", text)
            return f"{self.transport.description} lost ({text})" if lost and not permanent else None
        if recipient in refused:
            code, reply = refused[recipient]
            text = f"refused by the server: SMTP {code} {reply}".strip()
            self.settle(row, "failed" if code >= 500 else "pending", text)
            return f"{self.transport.description} closed ({text})" if code == 421 else None
        self.settle(row, "delivered", message_id, message_id)
        return None


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
    message["Subject"] = header_safe(subject)
    message["From"] = sender
    message["To"] = ", ".join(operators)
    message["Date"] = format_datetime(dt.datetime.now(dt.UTC))
    message["Message-ID"] = make_msgid(idstring="alert", domain=_domain(sender))
    message["X-Report-Alert"] = "failure"
    message.set_content(text)
    with transport as session:
        refused = session.send(message, parseaddr(sender)[1] or sender, operators)
    return [address for address in operators if address not in refused]
