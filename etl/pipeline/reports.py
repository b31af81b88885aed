"""One scope's report: its inputs read from the results store, its PDF rendered and
published as the right revision; and a run's reports of one scope, as a picklable job.

What a render process needs and no more: a pool worker (etl.pipeline.batch) imports this
module to unpickle its job, not the checks, compute or delivery stages.
"""

from __future__ import annotations

import copy
import dataclasses
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy.engine import Engine

from etl.core import (
    ConfigError,
    ItemBank,
    Scope,
    Settings,
    load_item_bank,
    load_settings,
    select_scopes,
)
from etl.core.config import SERVICE_DIMENSIONS
from etl.core.metrics import KPIS
from etl.core.periods import Quarter
from etl.pipeline.fingerprints import frame_digest, report_sources_sha256
from etl.publish import publish_revision, same_sources
from etl.report import Findings, RenderError, build_context, render_html, render_pdf
from etl.report.heap import rendering
from etl.report.labels import HIDDEN_FLAGS
from etl.report.results import Results
from etl.warehouse import (
    available_scopes,
    connect,
    demo_brand,
    read_findings,
    read_query,
    read_results,
    segment_scopes,
)

log = logging.getLogger(__name__)


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


def render_languages(scope: str, language: str, deliver: bool) -> list[str]:
    """The run's language, and any language the scope's recipients read when delivering."""
    languages = [language]
    if deliver:
        # Here, not at the top: a render worker of a run that e-mails nothing does not
        # import the delivery stage.
        from etl.delivery import load_distribution

        try:
            languages += load_distribution().languages_for(scope)
        except ConfigError as exc:
            # Rendering must not wait on the mailing list; the deliver task reports it.
            log.warning("distribution list unusable, rendering %s only: %s", languages, exc)
    return list(dict.fromkeys(languages))


@dataclass(frozen=True)
class ScopeRender:
    """One scope's reports of a run: plain, picklable values, so a pool worker can run it."""

    spec: Mapping[str, Any]
    reason: str | None
    deliver: bool
    warehouse_url: str = field(repr=False)
    results_url: str = field(repr=False)
    settings: Settings

    def current(self, scope: str) -> bool:
        """Every report of the scope was made from its current sources and is intact."""
        quarter, folder = str(self.spec["quarter"]), str(self.spec["reports_dir"])
        languages = render_languages(scope, str(self.spec["language"]), self.deliver)
        urls = (self.warehouse_url, self.results_url)
        return all(
            report_is_current(*urls, quarter, scope, language, folder, self.settings)
            for language in languages
        )

    def __call__(self, scope: str) -> list[str]:
        """The scope's PDF in each language it is needed in; returns their paths."""
        languages = render_languages(scope, str(self.spec["language"]), self.deliver)
        return [
            render_scope(
                self.warehouse_url,
                str(self.spec["quarter"]),
                scope,
                language,
                str(self.spec["reports_dir"]),
                str(self.spec["run_id"]),
                settings=self.settings,
                reason=self.reason,
                results_url=self.results_url,
                require_reason=True,  # the `reason` Param is how a person answers it
            )
            for language in languages
        ]
