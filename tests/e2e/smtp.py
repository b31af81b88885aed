"""A real SMTP server on localhost (aiosmtpd) that records what it accepts, for delivery tests."""

from __future__ import annotations

import asyncio
import email
import email.policy
import io
import socket
import threading
import time
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from pypdf import PdfReader


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Received:
    """One accepted message: its envelope and the parsed e-mail."""

    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    at: float = field(default_factory=time.monotonic)  # when its DATA arrived

    def pdf_attachments(self) -> list[tuple[str, bytes]]:
        return [
            (part.get_filename() or "", part.get_content())
            for part in self.message.iter_attachments()
            if part.get_content_type() == "application/pdf"
        ]


@dataclass
class Inbox:
    """aiosmtpd handler: accepts, refuses or fails messages as a test arranges."""

    received: list[Received] = field(default_factory=list)
    refuse_rcpt: dict[str, str] = field(default_factory=dict)  # address → SMTP reply
    data_reply: str | None = None  # e.g. "552 5.3.4 message too big" for every DATA
    accept_only: int | None = None  # after this many messages, answer DATA with 421
    data_delay: float = 0.0  # seconds before answering DATA: a slow server
    drop_after_data: int = 0  # this many messages are kept, then the connection drops unanswered
    data_begun: int = 0  # DATA commands seen (accepted or not)
    # While set and not released, every DATA is kept and its reply held: a client that stalls
    # inside its SMTP transaction until the test releases it (or kills the client).
    hold: threading.Event | None = None

    async def handle_RCPT(  # the aiosmtpd hook names
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any
    ) -> str:
        if address.lower() in self.refuse_rcpt:
            return self.refuse_rcpt[address.lower()]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.data_reply:
            return self.data_reply
        if self.accept_only is not None and len(self.received) >= self.accept_only:
            return "421 4.3.2 service shutting down"
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self.data_begun += 1
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        while self.hold is not None and not self.hold.is_set():
            await asyncio.sleep(0.05)
        if self.drop_after_data > 0:
            # The server has the message, the client never hears so: the uncertain case.
            self.drop_after_data -= 1
            server.transport.abort()
            return "250 Message accepted for delivery"
        if self.data_delay:
            await asyncio.sleep(self.data_delay)
        return "250 Message accepted for delivery"

    def per_recipient(self, alerts: bool = False) -> dict[str, int]:
        """How many report messages (or, with `alerts`, operators' alerts) each address got."""
        counts: dict[str, int] = {}
        for message in self.received:
            if bool(message.message["X-Report-Alert"]) != alerts:
                continue
            for address in message.rcpt_tos:
                counts[address.lower()] = counts.get(address.lower(), 0) + 1
        return counts


class SmtpServer:
    """Start, stop and restart an aiosmtpd server on a fixed free port."""

    def __init__(self, data_size_limit: int | None = None) -> None:
        self.port = free_port()
        self.inbox = Inbox()
        self.data_size_limit = data_size_limit
        self.controller: Controller | None = None

    def start(self) -> SmtpServer:
        kwargs: dict[str, Any] = {}
        if self.data_size_limit is not None:
            kwargs["data_size_limit"] = self.data_size_limit
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port, **kwargs)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def url(self) -> str:
        """An Airflow connection URI for this server (plain SMTP, no TLS)."""
        return f"smtp://127.0.0.1:{self.port}?disable_tls=true&disable_ssl=true"


def valid_pdf(data: bytes) -> int:
    """Open a PDF with pypdf; returns its page count (raises if it is not a PDF)."""
    return len(PdfReader(io.BytesIO(data)).pages)
