"""Fixtures of the delivery tests: rendered reports in a warehouse, an SMTP server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from etl.core.results import ResultRow
from etl.warehouse import upsert_results
from tests.e2e.smtp import SmtpServer
from tests.etl.delivery.helpers import QUARTER, SCOPES, make_report


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
