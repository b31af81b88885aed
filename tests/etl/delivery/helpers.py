"""Shared data and helpers of these tests."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from sqlalchemy.engine import Engine

import etl.delivery as deliver
from etl import publish
from etl.core.scopes import Scope
from etl.delivery import (
    SmtpSettings,
    SmtpTransport,
    deliver_quarter,
    load_distribution,
)
from etl.report.pdf import render_pdf
from etl.warehouse import read_query
from tests.e2e.smtp import SmtpServer

QUARTER = "2026-Q3"


SCOPES = {
    "company": Scope("company", "company", "全公司", "Company"),
    "SC": Scope("SC", "branch", "四川分公司", "Sichuan Branch"),
    "BJ": Scope("BJ", "branch", "北京分公司", "Beijing Branch"),
}


KNOWN = set(SCOPES)


# 2,000 distinct CJK glyphs embed a font subset of about 470 KB: far over the 200 KB limit
# the size test sets, while a plain page is about 5 KB.
BIG_TEXT = "".join(chr(0x4E00 + offset) for offset in range(2000))


DISTRIBUTION = """
[sender]
from = "CX Reports <cx-reports@example.com>"
[operators]
to = ["ops@example.com"]
[scopes.company]
to = ["ceo@example.com", "cx@example.com"]
cc = ["audit@example.com"]
language = "zh-CN"
[scopes.SC]
to = ["sc-gm@example.com"]
language = "en"
"""


def write_list(tmp_path: Path, text: str = DISTRIBUTION) -> deliver.DistributionList:
    path = tmp_path / "recipients.toml"
    path.write_text(text, encoding="utf-8")
    return load_distribution(path)


def make_report(
    engine: Engine, reports: Path, scope: str, language: str, body: str = "", run_id: str = "r0"
) -> Path:
    """A small real PDF through the archive (so it has a revision), like a rendered report."""

    def html_for(revision: dict[str, object] | None, shown_run_id: str) -> str:
        label = (revision or {}).get("label", "v1")
        return (
            f'<html lang="en"><body><h1>{scope} {language} {label}</h1><p>{body}</p></body></html>'
        )

    return publish.publish_revision(
        engine,
        reports / QUARTER / f"{scope}.{language}.pdf",
        quarter=QUARTER,
        scope=scope,
        language=language,
        html_for=html_for,
        render_pdf=render_pdf,
        run_id=run_id,
    )


def transport(server: SmtpServer) -> SmtpTransport:
    return SmtpTransport(SmtpSettings("127.0.0.1", server.port, starttls=False, timeout=5))


def run(
    engine: Engine,
    reports: Path,
    distribution: deliver.DistributionList,
    server: SmtpServer,
    run_id: str,
    resend: bool = False,
    scopes: tuple[str, ...] = ("company", "SC"),
) -> deliver.DeliveryReport:
    return deliver_quarter(
        engine,
        reports,
        QUARTER,
        [SCOPES[code] for code in scopes],
        KNOWN,
        distribution,
        transport(server),
        run_id,
        resend=resend,
    )


def log_rows(engine: Engine) -> pd.DataFrame:
    return read_query(engine, "delivery_log", {"quarter": QUARTER})


ALL_FOUR = {
    "ceo@example.com": 1,
    "cx@example.com": 1,
    "audit@example.com": 1,
    "sc-gm@example.com": 1,
}


def history(*rows: tuple[str, str, str, str, int]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["pdf_sha256", "language", "status", "run_id", "revision"])
