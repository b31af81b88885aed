"""Transports: one SMTP session per run, or .eml files in the outbox folder (the default)."""

from __future__ import annotations

import datetime as dt
import email.generator
import hashlib
import io
import smtplib
import ssl
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol, Self

from etl.core.config import ConfigError
from etl.publish.files import atomic_write_bytes


class UncertainDelivery(Exception):
    """The connection was lost after the message data went out: the server may have it."""


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)


def wire_bytes(message: EmailMessage) -> bytes:
    """The message as SMTP carries it (CRLF line ends), as smtplib.send_message flattens it."""
    buffer = io.BytesIO()
    generator = email.generator.BytesGenerator(buffer, policy=message.policy.clone(utf8=False))
    generator.flatten(message, linesep="\r\n")
    return buffer.getvalue()


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
        """One SMTP transaction, phase by phase, so every outcome is known for what it is.

        Refused recipients are returned (nobody refused, nobody lost: a 421 closes the
        session and raises, so no recipient is taken for delivered without DATA); a connection
        lost once DATA began raises UncertainDelivery, since the server may hold the message.
        """
        client = self.client
        assert client is not None
        data = wire_bytes(message)
        options = [f"SIZE={len(data)}"] if client.has_extn("size") else []
        code, reply = client.mail(sender, options)
        if code != 250:
            self._abandon(code)
            raise smtplib.SMTPSenderRefused(code, reply, sender)
        refused: dict[str, tuple[int, str]] = {}
        for address in recipients:
            code, reply = client.rcpt(address)
            if code == 421:
                self._abandon(code)
                raise smtplib.SMTPResponseException(code, reply)
            if code not in (250, 251):
                refused[address] = (code, _text(reply))
        if len(refused) == len(recipients):
            client.rset()
            return refused
        try:
            code, reply = client.data(data)
        except smtplib.SMTPResponseException as exc:
            self._abandon(exc.smtp_code)
            raise
        except (smtplib.SMTPServerDisconnected, OSError) as exc:
            self.client = None
            raise UncertainDelivery(f"connection lost during DATA: {exc}") from exc
        if code != 250:
            self._abandon(code)
            raise smtplib.SMTPDataError(code, reply)
        return refused

    def _abandon(self, code: int) -> None:
        """After a refusal: reset the transaction, or drop the session the server closes (421)."""
        assert self.client is not None
        if code == 421:
            self.client.close()
            self.client = None
            return
        try:
            self.client.rset()
        except (smtplib.SMTPException, OSError):
            self.client.close()
            self.client = None


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
