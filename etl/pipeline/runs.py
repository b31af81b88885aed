"""One run: resolve its Params, or do the whole job without a scheduler (a scope's report:
etl.pipeline.reports)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from zoneinfo import ZoneInfo

from etl.contract import ContractError
from etl.core import Settings, WarehouseError, load_settings, select_scopes
from etl.core.periods import Quarter, report_quarter
from etl.pipeline.checks import check_inputs, contract_report
from etl.pipeline.compute import compute_quarter, require_survey_data
from etl.pipeline.reports import render_scope
from etl.report import RenderError
from etl.report.i18n import LOCALES
from etl.warehouse import available_scopes, check_reachable, connect

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
