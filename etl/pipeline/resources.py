"""One place that switches the embedded default and production: warehouse, SMTP, settings."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from etl.core import Settings, load_settings
from etl.delivery import (
    OutboxTransport,
    SmtpTransport,
    Transport,
    smtp_settings_from_connection,
)
from etl.warehouse import url_from_connection


@dataclass(frozen=True)
class ConnectionFields:
    """The plain fields of an Airflow connection (etl never imports Airflow)."""

    conn_type: str
    host: str | None = None
    login: str | None = None
    password: str | None = field(default=None, repr=False)
    port: int | None = None
    schema: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Resources:
    """What a task talks to: the warehouse URL, the mail transport's settings, the settings.

    Built inside a task, never at parse time, and never passed through XCom: the URL and
    the SMTP fields may carry passwords.
    """

    warehouse_url: str = field(repr=False)
    smtp: ConnectionFields | None
    settings: Settings

    @property
    def outbox(self) -> Path:
        return self.settings.path("outbox")

    def transport(self) -> Transport:
        """SMTP through the connection when it is defined, else the outbox folder."""
        if self.smtp is None:
            return OutboxTransport(self.outbox)
        smtp = self.smtp
        return SmtpTransport(
            smtp_settings_from_connection(
                smtp.host, smtp.port, smtp.login, smtp.password, dict(smtp.extra)
            )
        )

    def sender(self) -> str | None:
        """The SMTP connection's `from_email` extra, which overrides the distribution list's."""
        if self.smtp is None or not self.smtp.extra.get("from_email"):
            return None
        return str(self.smtp.extra["from_email"])


def resources_from(
    warehouse: ConnectionFields | None,
    smtp: ConnectionFields | None,
    settings: Settings | None = None,
) -> Resources:
    """Resources from the connections that exist; an absent one means the embedded default."""
    settings = settings or load_settings()
    if warehouse is None:
        url = settings.warehouse_url
    else:
        url = url_from_connection(
            warehouse.conn_type,
            warehouse.host,
            warehouse.login,
            warehouse.password,
            warehouse.port,
            warehouse.schema,
        ).render_as_string(hide_password=False)
    return Resources(warehouse_url=url, smtp=smtp, settings=settings)
