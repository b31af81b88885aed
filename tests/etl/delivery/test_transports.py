"""Transports: SMTP settings from the connection's fields, the outbox folder."""

from __future__ import annotations

import email
import email.policy
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

import etl.delivery as deliver
from etl.core.config import ConfigError
from etl.delivery import (
    OutboxTransport,
    deliver_quarter,
)
from tests.e2e.smtp import valid_pdf
from tests.etl.delivery.helpers import (
    KNOWN,
    QUARTER,
    SCOPES,
    log_rows,
    write_list,
)


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


def test_outbox_writes_eml_files_once(warehouse: Engine, reports: Path, tmp_path: Path) -> None:
    outbox = tmp_path / "outbox"
    for run_id in ("r1", "r2"):
        deliver_quarter(warehouse, reports, QUARTER, [SCOPES["company"], SCOPES["SC"]], KNOWN,
                        write_list(tmp_path), OutboxTransport(outbox), run_id)  # fmt: skip
    files = sorted(outbox.rglob("*.eml"))
    assert len(files) == 4  # one per recipient; the rerun wrote nothing
    message = email.message_from_bytes(files[0].read_bytes(), policy=email.policy.default)
    assert message["X-Envelope-To"]
    (pdf,) = [part for part in message.iter_attachments()]
    assert valid_pdf(pdf.get_content()) >= 1
    assert set(log_rows(warehouse)["channel"]) == {"outbox"}
