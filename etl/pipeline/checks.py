"""The check step: the data contract for the run's quarter, before anything is computed."""

from __future__ import annotations

import logging

from etl.contract import ContractError, ContractReport, check_warehouse
from etl.core import Quarter, Settings, load_item_bank, load_settings
from etl.pipeline.compute import open_store
from etl.warehouse import check_reachable, connect, replace_contract_warnings

log = logging.getLogger(__name__)


def contract_report(
    warehouse_url: str, quarter_text: str, settings: Settings | None = None
) -> ContractReport:
    """Check the warehouse against the data contract for one quarter (reads only)."""
    settings = settings or load_settings()
    engine = connect(warehouse_url)
    check_reachable(engine)
    return check_warehouse(engine, Quarter.parse(quarter_text), load_item_bank(), settings)


def check_inputs(
    warehouse_url: str,
    quarter_text: str,
    settings: Settings | None = None,
    results_url: str | None = None,
    run_id: str = "check",
) -> ContractReport:
    """The contract's report; raises ContractError (no retry) when any error-rule fails.

    Warnings are logged one line each and stored in the results store (`results_url`, else
    the warehouse's database), from where the computation carries them into the results,
    the methodology appendix and the manifest.
    """
    report = contract_report(warehouse_url, quarter_text, settings)
    if report.errors:
        raise ContractError(report)
    for failure in report.warnings:
        log.warning("%s", failure.line())
    store = open_store(results_url or warehouse_url)
    warnings = [failure.as_dict() for failure in report.warnings]
    replace_contract_warnings(store, report.quarter, warnings, run_id, report.rules_checked)
    return report
