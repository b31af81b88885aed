"""Shared data and helpers of these tests."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy.engine import Engine

from etl.publish import publish_revision
from etl.report.pdf import render_pdf
from etl.warehouse import read_query
from etl.warehouse.stores import records

QUARTER = "2026-Q3"


DAY_ONE = dt.date(2026, 10, 1)


LATER = dt.date(2026, 11, 20)


def html_for_figures(csi: str, seen: list[dict[str, object] | None] | None = None):
    """A report whose content is `csi`, showing its revision like the real cover does."""

    def html_for(revision: dict[str, object] | None, shown_run_id: str) -> str:
        if seen is not None:
            seen.append(revision)
        cover = revision or {"label": "v1", "reason": None, "date": None}
        return (
            f'<html lang="en"><body><h1>CSI {csi}</h1><p>{cover["label"]} {cover["reason"]} '
            f"{cover['date']} run {shown_run_id}</p></body></html>"
        )

    return html_for


def publish_one(
    engine: Engine,
    reports: Path,
    csi: str,
    run_id: str,
    today: dt.date,
    reason: str | None = None,
    scope: str = "company",
    language: str = "en",
) -> Path:
    return publish_revision(
        engine,
        reports / QUARTER / f"{scope}.{language}.pdf",
        quarter=QUARTER,
        scope=scope,
        language=language,
        html_for=html_for_figures(csi),
        render_pdf=render_pdf,
        run_id=run_id,
        reason=reason,
        today=today,
    )


def revisions(engine: Engine) -> list[tuple[int, str, str | None, str]]:
    rows = records(read_query(engine, "delivery_revisions", {"quarter": QUARTER}))
    return [(r["revision"], str(r["made_on"])[:10], r["reason"], r["run_id"]) for r in rows]
