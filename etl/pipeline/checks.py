"""The check step: the data contract for the run's quarter, before anything is computed."""

from __future__ import annotations

import logging

from etl.contract import ContractError, ContractReport, check_warehouse
from etl.core import Quarter, Settings, load_item_bank, load_settings
from etl.warehouse import check_reachable, connect

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
    warehouse_url: str, quarter_text: str, settings: Settings | None = None
) -> ContractReport:
    """The contract's report; raises ContractError (no retry) when any error-rule fails.

    Warnings are logged one line each and returned for the manifest and the appendix.
    """
    report = contract_report(warehouse_url, quarter_text, settings)
    if report.errors:
        raise ContractError(report)
    for failure in report.warnings:
        log.warning("%s", failure.line())
    return report
