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
    # The results store (results, revisions, delivery log, actions); None = the warehouse's
    # database, so the embedded default keeps working with one SQLite file.
    store_url: str | None = field(default=None, repr=False)

    @property
    def results_url(self) -> str:
        """Where results are written: the `satisfaction_results` connection, else the warehouse."""
        return self.store_url or self.warehouse_url

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


def _url(fields: ConnectionFields) -> str:
    return url_from_connection(
        fields.conn_type, fields.host, fields.login, fields.password, fields.port, fields.schema
    ).render_as_string(hide_password=False)


def resources_from(
    warehouse: ConnectionFields | None,
    smtp: ConnectionFields | None,
    settings: Settings | None = None,
    results: ConnectionFields | None = None,
) -> Resources:
    """Resources from the connections that exist; an absent one means the embedded default.

    No warehouse connection: the demo file (or SATISFACTION_WAREHOUSE_URL). No results
    connection: SATISFACTION_RESULTS_URL, else the warehouse's own database.
    """
    settings = settings or load_settings()
    url = settings.warehouse_url if warehouse is None else _url(warehouse)
    store = settings.results_url if results is None else _url(results)
    return Resources(warehouse_url=url, smtp=smtp, settings=settings, store_url=store)
