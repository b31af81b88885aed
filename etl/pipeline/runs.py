"""One run: resolve its Params, render a scope's PDF, or do the whole job without a scheduler."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy.engine import Engine

from etl.contract import ContractError
from etl.core import (
    ItemBank,
    Scope,
    Settings,
    WarehouseError,
    load_item_bank,
    load_settings,
    select_scopes,
)
from etl.core.config import SERVICE_DIMENSIONS
from etl.core.metrics import KPIS
from etl.core.periods import Quarter, report_quarter
from etl.pipeline.checks import check_inputs, contract_report
from etl.pipeline.compute import compute_quarter, require_survey_data
from etl.pipeline.fingerprints import frame_digest, report_sources_sha256
from etl.publish import publish_revision, same_sources
from etl.report import Findings, RenderError, build_context, render_html, render_pdf
from etl.report.heap import rendering
from etl.report.i18n import LOCALES
from etl.report.labels import HIDDEN_FLAGS
from etl.report.results import Results
from etl.warehouse import (
    available_scopes,
    check_reachable,
    connect,
    demo_brand,
    read_findings,
    read_query,
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
    try:
        require_survey_data(engine, quarter)
    except WarehouseError:
        # No responses for the quarter: when the data contract explains why (a wave keyed
        # 2026Q3, an empty warehouse), its named rules are the better message.
        report = contract_report(warehouse_url, str(quarter), settings)
        if report.errors:
            raise ContractError(report) from None
        raise
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


def branded(settings: Settings, engine: Engine) -> Settings:
    """The settings with the report's brand: the configured one, else the demo's on the demo
    warehouse, else the neutral brand (and a warning): real data never wears the demo's."""
    if settings.raw["report"].get("brand"):
        return settings
    chosen = demo_brand(engine)
    if chosen is None:
        chosen = "neutral"
        log.warning(
            "report.brand is not configured: the reports carry the neutral brand; name the "
            "insurer's brand folder (report_templates/brands/<name>) as [report] brand"
        )
    raw = copy.deepcopy(settings.raw)
    raw["report"]["brand"] = chosen
    return dataclasses.replace(settings, raw=raw)


def report_path(reports_dir: str | Path, quarter: str, scope: str, language: str) -> Path:
    """reports/<quarter>/<scope>.<language>.pdf"""
    return Path(reports_dir) / quarter / f"{scope}.{language}.pdf"


@dataclass(frozen=True)
class StoredHistory:
    """The trailing quarters' stored results as read, their digest, and their look-up index
    (built once: 60,000 rows took a tenth of a second per report)."""

    rows: pd.DataFrame
    version: pd.DataFrame
    digest: str
    index: Results


# The last trailing-quarters read of this process, by (store URL, quarters), kept while the
# store's version of them holds. Every report of a run reads the same eight quarters of every
# scope; under `airflow dags test` all render tasks share one process, and a pool worker
# renders several.
_HISTORY_CACHE: dict[tuple[str, tuple[str, ...]], StoredHistory] = {}


def _stored_history(
    store: Engine, quarter: Quarter, scope: Scope
) -> tuple[pd.DataFrame, StoredHistory]:
    """Eight quarters of stored results (trends and the year-ago comparison read history), a
    copy for the caller, and what was read; read again whenever the store's version moved."""
    quarters = tuple(str(q) for q in quarter.trailing(8))
    key = (store.url.render_as_string(hide_password=False), quarters)
    version = read_query(store, "store/results_version", {"quarters": list(quarters)},
                         ("quarters",))  # fmt: skip
    cached = _HISTORY_CACHE.get(key)
    if cached is None or not cached.version.equals(version):
        rows = read_results(store, list(quarters))
        _HISTORY_CACHE.clear()
        cached = _HISTORY_CACHE[key] = StoredHistory(
            rows, version, frame_digest(rows), Results(rows)
        )
    results = cached.rows.copy()
    if results[(results["scope"] == scope.code) & (results["quarter"] == str(quarter))].empty:
        raise RenderError(
            f"no stored results for {quarter} / {scope.code}: run the compute step first"
        )
    return results, cached


@dataclass(frozen=True)
class ReportInputs:
    """What one report is built from, read once: its sources fingerprint and its HTML."""

    quarter: Quarter
    scope: Scope
    language: str
    store: Engine
    results: pd.DataFrame
    index: Results  # the same results by (quarter, scope, metric), shared by a run's reports
    bank: ItemBank
    findings: Findings
    settings: Settings  # branded
    named_scopes: list[Scope]
    sources: str

    def html(self, revision: dict[str, Any] | None, shown_run_id: str) -> str:
        context = build_context(
            self.quarter, self.scope, self.language, self.index, self.bank, self.settings,
            shown_run_id, revision=revision, scopes=self.named_scopes, findings=self.findings,
        )  # fmt: skip
        return render_html("assessment/report.html.j2", context, self.language)


def report_inputs(
    warehouse_url: str, results_url: str | None, quarter_text: str, scope_code: str,
    language: str, settings: Settings,
) -> ReportInputs:  # fmt: skip
    """Read one report's inputs from the results store (names: the warehouse)."""
    quarter = Quarter.parse(quarter_text)
    engine = connect(warehouse_url)
    store = connect(results_url or warehouse_url)
    scope: Scope = select_scopes(available_scopes(engine), [scope_code])[0]
    results, history = _stored_history(store, quarter, scope)
    bank = load_item_bank()
    stored_findings = read_findings(store, str(quarter), scope.code)
    resolved = branded(settings, engine)
    # Names of every branch and segment, so the company report never shows bare codes.
    named_scopes = available_scopes(engine) + segment_scopes(engine)
    key = {"quarter": str(quarter), "scope": scope.code, "language": language}
    return ReportInputs(
        quarter, scope, language, store, results, history.index, bank,
        Findings.from_store(stored_findings), resolved, named_scopes,
        report_sources_sha256(key, history.digest, stored_findings, named_scopes, resolved, bank),
    )  # fmt: skip


def report_is_current(
    warehouse_url: str, results_url: str | None, quarter_text: str, scope_code: str,
    language: str, reports_dir: str, settings: Settings,
) -> bool:  # fmt: skip
    """The report's latest revision was made from its current sources and its file is intact:
    render_scope would render nothing."""
    made = report_inputs(warehouse_url, results_url, quarter_text, scope_code, language, settings)
    destination = report_path(reports_dir, str(made.quarter), made.scope.code, language)
    key = {"quarter": str(made.quarter), "scope": made.scope.code, "language": language}
    return same_sources(made.store, destination, key, made.sources)


def render_scope(
    warehouse_url: str,
    quarter_text: str,
    scope_code: str,
    language: str,
    reports_dir: str,
    run_id: str,
    settings: Settings | None = None,
    reason: str | None = None,
    results_url: str | None = None,
    require_reason: bool = False,
) -> str:
    """One scope's PDF from the results store as its right revision (names: the warehouse)."""
    # The collector's pace for a render (etl.report.heap), from reading the results on.
    with rendering():
        settings = settings or load_settings()
        made = report_inputs(
            warehouse_url, results_url, quarter_text, scope_code, language, settings
        )
        quarter, scope = str(made.quarter), made.scope.code
        # The archive skips a report made from the same sources, else fingerprints the HTML,
        # picks the revision (same HTML keeps it and its date: same bytes), writes atomically.
        path = publish_revision(
            made.store,
            report_path(reports_dir, quarter, scope, language),
            quarter=quarter,
            scope=scope,
            language=language,
            html_for=made.html,
            render_pdf=render_pdf,
            run_id=run_id,
            reason=reason,
            timezone=settings.timezone,
            require_reason=require_reason,
            figures=headline_figures(made.results, quarter, scope),
            sources=made.sources,
        )
    log.info("rendered %s", path)
    return str(path)


# The figures a cover's "what changed" compares between two revisions of a report.
HEADLINE_FIGURES = (
    "respondents", "csi", "nps", "csat",
    *(f"dimension.{code}" for code in SERVICE_DIMENSIONS),
    *(spec.code for spec in KPIS),
)  # fmt: skip


def headline_figures(results: pd.DataFrame, quarter: str, scope: str) -> dict[str, float | None]:
    """The report's headline figures as printed (None where suppressed or missing)."""
    mine = results[(results["quarter"] == quarter) & (results["scope"] == scope)]
    shown = {
        str(row.metric): float(row.value)
        for row in mine.itertuples(index=False)
        if row.value is not None and not pd.isna(row.value) and row.flag not in HIDDEN_FLAGS
    }
    return {metric: shown.get(metric) for metric in HEADLINE_FIGURES}


def run(spec: RunSpec, warehouse_url: str, results_url: str | None = None) -> list[str]:
    """The whole job without a scheduler: check, compute, then render each scope in turn.

    A broken data contract stops it in the check, before anything is computed or written.
    """
    check_inputs(warehouse_url, spec.quarter, results_url=results_url, run_id=spec.run_id)
    compute_quarter(warehouse_url, spec.quarter, spec.run_id, results_url=results_url)
    return [
        render_scope(
            warehouse_url,
            spec.quarter,
            scope,
            spec.language,
            spec.reports_dir,
            spec.run_id,
            results_url=results_url,
        )
        for scope in spec.scopes
    ]
