"""E-mail delivery of the PDFs: distribution list, messages, SMTP or outbox, delivery log."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import re
import smtplib
import ssl
import tomllib
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol, Self

import jinja2
import pandas as pd
from sqlalchemy.engine import Engine

from etl.core.config import DEFAULTS_DIR, TEMPLATES_DIR, ConfigError, Settings, load_settings
from etl.core.periods import Quarter
from etl.core.scopes import Scope
from etl.publish.files import as_date, atomic_write_bytes, revision_reason, sha256_file
from etl.report.i18n import LOCALES
from etl.warehouse import read_query
from etl.warehouse.stores import (
    ensure_schema,
    execute,
    read_headline_figures,
    read_latest_revision,
)

log = logging.getLogger(__name__)

DEFAULT_RECIPIENTS = DEFAULTS_DIR / "recipients.toml"
# Deliberately lenient (IDN domains pass) but strict where it matters: one @, a dotted
# domain, no spaces, no header-breaking characters.
_ADDRESS_RE = re.compile(r"[^\s@<>()\[\],;:\"]+@[^\s@<>()\[\],;:\".]+(?:\.[^\s@<>()\[\],;:\".]+)+")


class DeliveryError(RuntimeError):
    """Some recipients did not get their report; raised after everything else was delivered.

    The message lists each recipient with the reason, so the task log (and the operators'
    alert) says what to fix. Pending deliveries are retried by the next attempt.
    """

    def __init__(self, message: str, report: DeliveryReport | None = None) -> None:
        super().__init__(message)
        self.report = report


# ---------------------------------------------------------------- the distribution list


@dataclass(frozen=True)
class ListEntry:
    """One group of a scope's distribution list: recipients, copies and their language."""

    scope: str
    to: tuple[str, ...]
    cc: tuple[str, ...]
    language: str
    where: str  # "recipients.toml [scopes.BJ]": named in every error about this entry

    def addresses(self) -> list[tuple[str, str, str]]:
        """(address as written, role, where) for every recipient, `to` first."""
        return [
            *((address, "to", f"{self.where}.to[{i}]") for i, address in enumerate(self.to)),
            *((address, "cc", f"{self.where}.cc[{i}]") for i, address in enumerate(self.cc)),
        ]


@dataclass(frozen=True)
class DistributionList:
    """Who receives which scope's report, who sends it, and who hears about failures."""

    source: str
    sender: str
    reply_to: str | None
    operators: tuple[str, ...]
    operators_language: str
    entries: tuple[ListEntry, ...]

    def for_scope(self, scope: str) -> list[ListEntry]:
        return [entry for entry in self.entries if entry.scope == scope]

    def languages_for(self, scope: str) -> list[str]:
        """The report languages a scope's recipients need (supported ones only)."""
        wanted = [entry.language for entry in self.for_scope(scope)]
        return [language for language in dict.fromkeys(wanted) if language in LOCALES]


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return tuple(value)
    raise ConfigError(f"{where}: expected a list of e-mail addresses (strings), got {value!r}")


def recipients_path(path: str | Path | None = None, settings: Settings | None = None) -> Path:
    """The distribution list in use: argument, SATISFACTION_RECIPIENTS, settings, default."""
    if path:
        return Path(path)
    if os.environ.get("SATISFACTION_RECIPIENTS"):
        return Path(os.environ["SATISFACTION_RECIPIENTS"])
    settings = settings or load_settings()
    configured = settings.raw.get("delivery", {}).get("recipients")
    if configured:
        chosen = Path(os.path.expanduser(str(configured)))
        return chosen if chosen.is_absolute() else settings.home / chosen
    return DEFAULT_RECIPIENTS


def load_distribution(
    path: str | Path | None = None, settings: Settings | None = None
) -> DistributionList:
    """Read and check the distribution list's shape; a broken file names file and key.

    Problems with single recipients (a malformed address, a scope the warehouse does not
    know, an unsupported language) do not stop the others: they are recorded per recipient
    when the run delivers.
    """
    chosen = recipients_path(path, settings)
    try:
        raw = tomllib.loads(chosen.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"distribution list {chosen} does not exist") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"distribution list {chosen} is not valid TOML: {exc}") from exc
    name = chosen.name
    sender = raw.get("sender", {}).get("from")
    if not isinstance(sender, str) or not sender.strip():
        raise ConfigError(f'{name}: [sender] from = "Name <address>" is required')
    reply_to = raw.get("sender", {}).get("reply_to")
    operators = raw.get("operators", {})
    scopes = raw.get("scopes", {})
    if not isinstance(scopes, dict):
        raise ConfigError(f"{name}: [scopes] must be a table of scope codes")
    default_language = (settings or load_settings()).raw.get("default_language", "zh-CN")
    entries: list[ListEntry] = []
    for scope, value in scopes.items():
        groups = value if isinstance(value, list) else [value]
        for position, group in enumerate(groups, start=1):
            where = f"{name} [scopes.{scope}]" + (f" #{position}" if len(groups) > 1 else "")
            if not isinstance(group, dict):
                raise ConfigError(f"{where}: expected a table with `to`, `cc` and `language`")
            unknown_keys = set(group) - {"to", "cc", "language"}
            if unknown_keys:
                raise ConfigError(f"{where}: unknown keys {sorted(unknown_keys)}")
            entries.append(
                ListEntry(
                    scope=str(scope),
                    to=_strings(group.get("to"), f"{where}.to"),
                    cc=_strings(group.get("cc"), f"{where}.cc"),
                    language=str(group.get("language", default_language)),
                    where=where,
                )
            )
    return DistributionList(
        source=str(chosen),
        sender=sender.strip(),
        reply_to=str(reply_to) if reply_to else None,
        operators=_strings(operators.get("to"), f"{name} [operators].to"),
        operators_language=str(operators.get("language", default_language)),
        entries=tuple(entries),
    )


def address_problem(text: str) -> str | None:
    """Why `text` is not a usable e-mail address, or None when it is."""
    if "\n" in text or "\r" in text:
        return "contains a line break"
    _, address = parseaddr(text)
    if not address or not _ADDRESS_RE.fullmatch(address):
        return "is not an e-mail address (expected name@domain.tld)"
    return None


def address_key(text: str) -> str:
    """The address the delivery log is keyed by: bare and lower-case."""
    return parseaddr(text)[1].strip().lower()


# ---------------------------------------------------------------- transports


class Transport(Protocol):
    """Where messages go: an SMTP server, or the outbox folder on the embedded default."""

    channel: str
    description: str

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None: ...

    def max_message_bytes(self) -> int | None: ...

    def send(
        self, message: EmailMessage, sender: str, recipients: Sequence[str]
    ) -> dict[str, tuple[int, str]]:
        """Hand over one message; returns the refused recipients {address: (code, reply)}."""
        ...


@dataclass(frozen=True)
class SmtpSettings:
    """An SMTP server, as read from the Airflow connection `smtp_default` by the DAG."""

    host: str
    port: int = 25
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    starttls: bool = True
    ssl: bool = False
    timeout: float = 30.0
    from_address: str | None = None

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}"


def _flag(value: Any) -> bool:
    """A connection extra as a boolean ("true" from a URI query string is a string)."""
    return str(value).strip().lower() in {"1", "true", "yes", "on"}


def smtp_settings_from_connection(
    host: str | None,
    port: int | None,
    login: str | None,
    password: str | None,
    extra: Mapping[str, Any],
) -> SmtpSettings:
    """SmtpSettings from an Airflow SMTP connection's fields (here so etl/ needs no Airflow).

    Same meaning as the SMTP provider's hook: implicit TLS unless `disable_ssl`, STARTTLS
    unless `disable_tls`, optional `timeout` and `from_email` extras.
    """
    if not host:
        raise ConfigError("connection smtp_default has no host")
    use_ssl = not _flag(extra.get("disable_ssl", False))
    return SmtpSettings(
        host=host,
        port=int(port or (465 if use_ssl else 25)),
        user=login or None,
        password=password or None,
        starttls=not _flag(extra.get("disable_tls", False)),
        ssl=use_ssl,
        timeout=float(extra.get("timeout", 30)),
        from_address=str(extra["from_email"]) if extra.get("from_email") else None,
    )


class SmtpTransport:
    """One SMTP session for all of a run's messages."""

    channel = "smtp"

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings
        self.description = f"SMTP {settings.where}"
        self.client: smtplib.SMTP | None = None

    def __enter__(self) -> Self:
        settings = self.settings
        context = ssl.create_default_context()
        client: smtplib.SMTP = (
            smtplib.SMTP_SSL(
                settings.host, settings.port, timeout=settings.timeout, context=context
            )
            if settings.ssl
            else smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
        )
        try:
            client.ehlo()
            if settings.starttls and not settings.ssl:
                client.starttls(context=context)
                client.ehlo()
            if settings.user:
                client.login(settings.user, settings.password or "")
        except BaseException:
            client.close()
            raise
        self.client = client
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self.client is None:
            return
        try:
            self.client.quit()
        except (smtplib.SMTPException, OSError):
            self.client.close()
        self.client = None

    def max_message_bytes(self) -> int | None:
        """The server's advertised SIZE limit (RFC 1870), if any."""
        assert self.client is not None
        size = self.client.esmtp_features.get("size", "")
        return int(size) if size.strip().isdigit() and int(size) > 0 else None

    def send(
        self, message: EmailMessage, sender: str, recipients: Sequence[str]
    ) -> dict[str, tuple[int, str]]:
        assert self.client is not None
        refused = self.client.send_message(message, from_addr=sender, to_addrs=list(recipients))
        return {
            address: (code, reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply)
            for address, (code, reply) in refused.items()
        }


class OutboxTransport:
    """Writes each message as an .eml file: the embedded default, and a dry-run for operators."""

    channel = "outbox"

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.description = f"outbox {folder}"
        self.written: list[Path] = []

    def __enter__(self) -> Self:
        self.folder.mkdir(parents=True, exist_ok=True)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        return None

    def max_message_bytes(self) -> int | None:
        return None

    def send(
        self, message: EmailMessage, sender: str, recipients: Sequence[str]
    ) -> dict[str, tuple[int, str]]:
        # The envelope goes in front as headers: an .eml opened later still says who it was for.
        envelope = f"X-Envelope-From: {sender}\nX-Envelope-To: {', '.join(recipients)}\n"
        data = envelope.encode("utf-8") + message.as_bytes()
        quarter = message.get("X-Report-Quarter", "alerts")
        slug = (
            ".".join(
                part
                for part in (message.get("X-Report-Scope"), message.get("X-Report-Language"))
                if part
            )
            or "alert"
        )
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
        digest = hashlib.sha256(str(message["Message-ID"]).encode()).hexdigest()[:10]
        path = atomic_write_bytes(self.folder / quarter / f"{stamp}-{slug}-{digest}.eml", data)
        self.written.append(path)
        return {}


# ---------------------------------------------------------------- messages


def _email_environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR / "email"),
        autoescape=jinja2.select_autoescape(["html"], default=False),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def quarter_label(quarter: Quarter, language: str) -> str:
    """`2026年第3季度` / `Q3 2026` for subjects and bodies."""
    if language == "zh-CN":
        return f"{quarter.year}年第{quarter.number}季度"
    return f"Q{quarter.number} {quarter.year}"


def _figure(value: Any, digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return "—"
    return f"{float(value):,.{digits}f}"


@dataclass(frozen=True)
class ReportFile:
    """A rendered report as delivery sees it."""

    quarter: str
    scope: Scope
    language: str
    path: Path
    checksum: str
    revision: int
    revision_reason: str | None
    revision_date: dt.date | None

    @property
    def attachment_name(self) -> str:
        return f"{self.quarter}_{self.scope.code}_{self.language}_v{self.revision}.pdf"


def build_message(
    report: ReportFile,
    entry: ListEntry,
    distribution: DistributionList,
    figures: Mapping[str, Any],
    sender: str,
) -> EmailMessage:
    """The e-mail for one distribution group: bilingual body, headline figures, the PDF."""
    quarter = Quarter.parse(report.quarter)
    order = [entry.language] + [lang for lang in ("zh-CN", "en") if lang != entry.language]
    shown = {
        "csi": _figure(figures.get("csi")),
        "nps": _figure(figures.get("nps")),
        "csat": _figure(figures.get("csat")),
        "respondents": _figure(figures.get("respondents"), 0),
    }
    parts = [
        {
            "language": language,
            "greeting": "您好：" if language == "zh-CN" else "Dear colleagues,",
            "scope_name": report.scope.name(language),
            "quarter_label": quarter_label(quarter, language),
            "figures": shown,
        }
        for language in order
        if language in LOCALES
    ]
    label = f"v{report.revision}"
    scope_zh, quarter_zh = report.scope.name("zh-CN"), quarter_label(quarter, "zh-CN")
    subject_zh = f"{scope_zh}{quarter_zh}客户服务满意度评估报告（{label}）"
    subject_en = (
        f"{quarter_label(quarter, 'en')} customer service satisfaction assessment – "
        f"{report.scope.name('en')} ({label})"
    )
    subject = " / ".join(
        [subject_en, subject_zh] if entry.language == "en" else [subject_zh, subject_en]
    )
    context = {
        "subject": subject,
        "parts": parts,
        "revision": {
            "number": report.revision,
            "label": label,
            "reason": report.revision_reason or "",
            "date": report.revision_date.isoformat() if report.revision_date else "",
        },
        "file_name": report.attachment_name,
        "checksum": report.checksum,
    }
    env = _email_environment()
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = sender
    valid_to = [address for address in entry.to if address_problem(address) is None]
    valid_cc = [address for address in entry.cc if address_problem(address) is None]
    if valid_to:
        message["To"] = ", ".join(valid_to)
    if valid_cc:
        message["Cc"] = ", ".join(valid_cc)
    if distribution.reply_to:
        message["Reply-To"] = distribution.reply_to
    message["Date"] = format_datetime(dt.datetime.now(dt.UTC))
    message["Message-ID"] = make_msgid(
        idstring=f"{report.quarter}.{report.scope.code}.{report.language}.{label}",
        domain=_domain(sender),
    )
    message["Content-Language"] = entry.language
    message["X-Report-Quarter"] = report.quarter
    message["X-Report-Scope"] = report.scope.code
    message["X-Report-Language"] = report.language
    message["X-Report-Revision"] = label
    message["X-Report-SHA256"] = report.checksum
    message.set_content(env.get_template("body.txt.j2").render(**context))
    message.add_alternative(env.get_template("body.html.j2").render(**context), subtype="html")
    message.add_attachment(
        report.path.read_bytes(),
        maintype="application",
        subtype="pdf",
        filename=report.attachment_name,
    )
    return message


def _domain(sender: str) -> str:
    address = parseaddr(sender)[1]
    return address.rsplit("@", 1)[-1] if "@" in address else "localhost"


# ---------------------------------------------------------------- deciding and recording


@dataclass
class Outcome:
    """What happened to one recipient in this run."""

    scope: str
    recipient: str
    role: str
    language: str
    status: str  # delivered | failed | pending | held | skipped
    detail: str = ""


@dataclass
class DeliveryReport:
    """The run's deliveries, per recipient; small enough for XCom as a dict."""

    quarter: str
    channel: str
    outcomes: list[Outcome] = field(default_factory=list)

    def having(self, status: str) -> list[Outcome]:
        return [outcome for outcome in self.outcomes if outcome.status == status]

    def counts(self) -> dict[str, int]:
        statuses = ("delivered", "skipped", "held", "failed", "pending")
        return {status: len(self.having(status)) for status in statuses}

    def summary(self) -> str:
        counts = self.counts()
        text = ", ".join(f"{count} {status}" for status, count in counts.items() if count)
        return f"{self.quarter} via {self.channel}: {text or 'nothing to deliver'}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "quarter": self.quarter,
            "channel": self.channel,
            "counts": self.counts(),
            "problems": [
                f"{o.scope} {o.recipient}: {o.status}: {o.detail}"
                for o in self.outcomes
                if o.status in {"failed", "pending"}
            ],
        }


def decide(
    history: pd.DataFrame,
    *,
    checksum: str,
    language: str,
    run_id: str,
    resend: bool,
) -> tuple[str, str]:
    """Send, skip or hold one report for one recipient, given their delivery history.

    `history` is the recipient's delivery_log rows for this quarter and scope. Never twice
    the same file unless `resend`; never twice within one run (a retry of a resend run
    continues, it does not start over); a new revision goes to someone who already has an
    earlier one only with `resend`.
    """
    same = history[history["pdf_sha256"] == checksum]
    delivered_same = same[same["status"] == "delivered"]
    if (delivered_same["run_id"] == run_id).any():
        return "skip", "already delivered by this run"
    if not delivered_same.empty:
        return ("send", "resend requested") if resend else ("skip", "already delivered")
    earlier = history[
        (history["language"] == language)
        & (history["pdf_sha256"] != checksum)
        & (history["status"] == "delivered")
    ]
    if not earlier.empty:
        if resend:
            return "send", "new revision, resend requested"
        revisions = ", ".join(f"v{int(r)}" for r in sorted(set(earlier["revision"].dropna())))
        return "held", (
            f"already received {revisions or 'an earlier version'} of this report; "
            "a new revision is sent only when the run sets resend=true"
        )
    return "send", ""


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


@dataclass
class _Message:
    report: ReportFile
    entry: ListEntry
    rows: list[dict[str, Any]]  # planned delivery_log rows (status pending)


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


@dataclass
class _Planner:
    """Decides, per recipient, what this run does; collects the rows to record first."""

    engine: Engine
    reports_dir: Path
    quarter: str
    run_id: str
    resend: bool
    channel: str
    history: pd.DataFrame
    report: DeliveryReport
    planned: list[dict[str, Any]] = field(default_factory=list)
    messages: list[_Message] = field(default_factory=list)
    seen: set[tuple[str, str, str]] = field(default_factory=set)

    def row(
        self,
        scope: str,
        recipient: str,
        role: str,
        language: str,
        status: str,
        error: str | None,
        found: ReportFile | None = None,
        channel: str | None = None,
    ) -> dict[str, Any]:
        row = {
            "quarter": self.quarter,
            "scope": scope,
            "recipient": recipient,
            "pdf_sha256": found.checksum if found else "",
            "language": language,
            "revision": found.revision if found else None,
            "file_name": found.path.name if found else None,
            "role": role,
            "channel": channel or self.channel,
            "status": status,
            "error": error,
            "updated_at": _now(),
            "run_id": self.run_id,
        }
        self.planned.append(row)
        return row

    def fail(
        self,
        scope: str,
        recipient: str,
        role: str,
        language: str,
        error: str,
        found: ReportFile | None = None,
    ) -> None:
        self.row(scope, recipient, role, language, "failed", error, found, channel="none")
        self.report.outcomes.append(Outcome(scope, recipient, role, language, "failed", error))

    def unknown_scope(self, entry: ListEntry, known_scopes: Collection[str]) -> None:
        examples = ", ".join(sorted(known_scopes)[:6])
        for address, role, where in entry.addresses():
            error = (
                f"{where}: scope {entry.scope!r} is not a scope of the warehouse "
                f"(known scopes include {examples})"
            )
            self.fail(entry.scope, address_key(address) or address, role, entry.language, error)

    def entry(self, scope: Scope, entry: ListEntry) -> None:
        """Plan one distribution group of a scope: one message for those who need it."""
        found: ReportFile | None = None
        missing: str | None
        if entry.language not in LOCALES:
            missing = (
                f"{entry.where}.language = {entry.language!r} is not supported; "
                f"expected one of {sorted(LOCALES)}"
            )
        else:
            found = find_report(self.engine, self.reports_dir, self.quarter, scope, entry.language)
            expected = self.reports_dir / self.quarter / f"{scope.code}.{entry.language}.pdf"
            missing = None if found else f"no report {expected}: render it first"
        rows: list[dict[str, Any]] = []
        for address, role, where in entry.addresses():
            key = address_key(address) or address.strip()
            problem = address_problem(address)
            if problem or missing or found is None:
                error = f"{where} = {address!r} {problem}" if problem else str(missing)
                self.fail(scope.code, key, role, entry.language, error, found)
                continue
            if (scope.code, key, found.checksum) in self.seen:
                continue  # listed twice for the same file: one message is enough
            self.seen.add((scope.code, key, found.checksum))
            mine = self.history[
                (self.history["scope"] == scope.code) & (self.history["recipient"] == key)
            ]
            action, detail = decide(
                mine,
                checksum=found.checksum,
                language=entry.language,
                run_id=self.run_id,
                resend=self.resend,
            )
            if action == "send":
                rows.append(self.row(scope.code, key, role, entry.language, "pending", None, found))
                continue
            if action == "held":
                self.row(scope.code, key, role, entry.language, "held", detail, found)
            status = "held" if action == "held" else "skipped"
            self.report.outcomes.append(
                Outcome(scope.code, key, role, entry.language, status, detail)
            )
        if rows and found is not None:
            self.messages.append(_Message(found, entry, rows))


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
    planner = _Planner(
        engine=engine,
        reports_dir=Path(reports_dir),
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
    problems = report.having("failed") + report.having("pending")
    if problems:
        lines = "\n".join(
            f"  - {o.scope} {o.recipient} ({o.role}, {o.language}): {o.status}: {o.detail}"
            for o in problems
        )
        raise DeliveryError(f"delivery incomplete, {report.summary()}:\n{lines}", report)
    return report


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

    def outcome(row: Mapping[str, Any], status: str, detail: str) -> None:
        report.outcomes.append(
            Outcome(row["scope"], row["recipient"], row["role"], row["language"], status, detail)
        )

    def all_pending(rows: Sequence[Mapping[str, Any]], text: str, attempted: bool) -> None:
        for row in rows:
            if attempted:
                _record(engine, row, "pending", text)
            outcome(row, "pending", text)

    try:
        session = transport.__enter__()
    except (smtplib.SMTPException, OSError) as exc:
        text = f"{transport.description} unavailable: {_smtp_reason(exc)[2]}"
        for message in messages:
            all_pending(message.rows, text, attempted=True)
        return
    try:
        limit = session.max_message_bytes()
        for position, message in enumerate(messages):
            email = build_message(
                message.report,
                message.entry,
                distribution,
                figures.get(message.report.scope.code, {}),
                sender,
            )
            recipients = [row["recipient"] for row in message.rows]
            size = len(email.as_bytes())
            if limit is not None and size > limit:
                text = (
                    f"message with {message.report.path.name} is {size:,} bytes, over the "
                    f"server's limit of {limit:,} bytes (SMTP SIZE): not sent"
                )
                for row in message.rows:
                    _record(engine, row, "failed", text)
                    outcome(row, "failed", text)
                continue
            try:
                refused = session.send(email, parseaddr(sender)[1] or sender, recipients)
            except smtplib.SMTPRecipientsRefused as exc:
                refused = {
                    address: (
                        code,
                        reply.decode("utf-8", "replace")
                        if isinstance(reply, bytes)
                        else str(reply),
                    )
                    for address, (code, reply) in exc.recipients.items()
                }
            except (smtplib.SMTPException, OSError) as exc:
                permanent, lost, text = _smtp_reason(exc)
                if permanent:
                    for row in message.rows:
                        _record(engine, row, "failed", text)
                        outcome(row, "failed", text)
                    continue
                all_pending(message.rows, text, attempted=True)
                if lost:
                    rest = f"not attempted: {transport.description} lost ({text})"
                    for later in messages[position + 1 :]:
                        all_pending(later.rows, rest, attempted=False)
                    return
                continue
            message_id = str(email["Message-ID"])
            for row in message.rows:
                code_reply = refused.get(row["recipient"])
                if code_reply is None:
                    _record(engine, row, "delivered", None, message_id)
                    outcome(row, "delivered", message_id)
                    continue
                code, reply = code_reply
                text = f"refused by the server: SMTP {code} {reply}".strip()
                status = "failed" if code >= 500 else "pending"
                _record(engine, row, status, text)
                outcome(row, status, text)
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


def render_alert(**context: Any) -> str:
    """The operators' failure message (report_templates/email/alert.txt.j2)."""
    return _email_environment().get_template("alert.txt.j2").render(**context)
