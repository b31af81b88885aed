"""One run: resolve its Params, render a scope's PDF, or do the whole job without a scheduler."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from etl.core import Scope, Settings, load_item_bank, load_settings, select_scopes
from etl.core.periods import Quarter, report_quarter
from etl.pipeline.compute import compute_quarter, require_survey_data
from etl.publish import publish_revision
from etl.report import Findings, RenderError, build_context, render_html, render_pdf
from etl.report.i18n import LOCALES
from etl.warehouse import (
    available_scopes,
    check_reachable,
    connect,
    read_findings,
    read_results,
    segment_scopes,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RunSpec:
    """What one run does, resolved and validated before anything is computed or written.

    It travels through XCom, so it holds no warehouse URL (which may carry a password).
    """

    quarter: str
    scopes: list[str]
    language: str
    reports_dir: str
    run_id: str
    # Why this run e-mails nothing although deliver=true (a late scheduled run), else None.
    delivery_hold: str | None = None

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def resolve_run(
    *,
    quarter_param: str | None,
    scopes_param: Sequence[str] | None,
    language: str,
    run_after: dt.datetime | None,
    warehouse_url: str,
    run_id: str,
    settings: Settings | None = None,
    run_type: str = "manual",
    started: dt.datetime | None = None,
) -> RunSpec:
    """Validate the run's Params against the warehouse; every error names the Param."""
    settings = settings or load_settings()
    quarter = report_quarter(quarter_param, run_after, settings.timezone)
    hold = late_run_hold(
        quarter, run_type, started or dt.datetime.now(dt.UTC), settings.timezone,
        settings.hold_delivery_after_days,
    )  # fmt: skip
    if language not in LOCALES:
        raise RenderError(
            f"language={language!r} is not supported; expected one of {sorted(LOCALES)}"
        )
    engine = connect(warehouse_url)
    check_reachable(engine)
    require_survey_data(engine, quarter)
    scopes = select_scopes(available_scopes(engine), list(scopes_param or []))
    return RunSpec(
        quarter=str(quarter),
        scopes=[scope.code for scope in scopes],
        language=language,
        reports_dir=str(settings.path("reports")),
        run_id=run_id,
        delivery_hold=hold,
    )


AUTOMATIC_RUNS = ("scheduled", "asset_triggered")  # runs no person asked for


def late_run_hold(
    quarter: Quarter, run_type: str, started: dt.datetime, timezone: str, max_days: int
) -> str | None:
    """Why a scheduled run must not e-mail, or None: it started too long after its quarter.

    A first unpause makes Airflow start the scheduled run of the latest quarter at once, for
    every scope; that must not reach every branch head by surprise weeks later, nor may a
    survey-data event (an asset-triggered run). Manual runs say what they want
    (deliver=true) and are never held.
    """
    if run_type not in AUTOMATIC_RUNS:
        return None
    started_on = started.astimezone(ZoneInfo(timezone)).date()
    late = (started_on - quarter.end).days
    if late <= max_days:
        return None
    return (
        f"{run_type.replace('_', '-')} run started {started_on}, {late} days after {quarter} "
        "ended (more than "
        f"schedule.hold_delivery_after_days = {max_days}), as on a DAG's first unpause or "
        "after a scheduler outage: reports are computed, rendered and published, nothing is "
        f"e-mailed. To send them, trigger the DAG with quarter={quarter} and deliver=true."
    )


def report_path(reports_dir: str | Path, quarter: str, scope: str, language: str) -> Path:
    """reports/<quarter>/<scope>.<language>.pdf"""
    return Path(reports_dir) / quarter / f"{scope}.{language}.pdf"


def render_scope(
    warehouse_url: str,
    quarter_text: str,
    scope_code: str,
    language: str,
    reports_dir: str,
    run_id: str,
    settings: Settings | None = None,
    reason: str | None = None,
    require_reason: bool = False,
) -> str:
    """One scope's PDF from the stored results as its right revision; returns its path."""
    settings = settings or load_settings()
    quarter = Quarter.parse(quarter_text)
    engine = connect(warehouse_url)
    scope: Scope = select_scopes(available_scopes(engine), [scope_code])[0]
    # Eight quarters of stored results: trends and the year-ago comparison read history.
    results = read_results(engine, [str(q) for q in quarter.trailing(8)])
    if results[(results["scope"] == scope.code) & (results["quarter"] == str(quarter))].empty:
        raise RenderError(
            f"no stored results for {quarter} / {scope.code}: run the compute step first"
        )
    bank, resolved = load_item_bank(), settings
    findings = Findings.from_store(read_findings(engine, str(quarter), scope.code))
    # Names of every branch and segment, so the company report never shows bare codes.
    named_scopes = available_scopes(engine) + segment_scopes(engine)

    def html_for(revision: dict[str, Any] | None, shown_run_id: str) -> str:
        context = build_context(
            quarter,
            scope,
            language,
            results,
            bank,
            resolved,
            shown_run_id,
            revision=revision,
            scopes=named_scopes,
            findings=findings,
        )
        return render_html("assessment/report.html.j2", context, language)

    # The archive fingerprints the inputs, picks the revision (unchanged inputs keep it and
    # its date, so the bytes repeat), keeps the superseded file and writes atomically.
    path = publish_revision(
        engine,
        report_path(reports_dir, str(quarter), scope.code, language),
        quarter=str(quarter),
        scope=scope.code,
        language=language,
        html_for=html_for,
        render_pdf=render_pdf,
        run_id=run_id,
        reason=reason,
        timezone=settings.timezone,
        require_reason=require_reason,
    )
    log.info("rendered %s", path)
    return str(path)


def run(spec: RunSpec, warehouse_url: str) -> list[str]:
    """The whole job without a scheduler: compute, then render each scope in turn."""
    compute_quarter(warehouse_url, spec.quarter, spec.run_id)
    return [
        render_scope(
            warehouse_url, spec.quarter, scope, spec.language, spec.reports_dir, spec.run_id
        )
        for scope in spec.scopes
    ]
