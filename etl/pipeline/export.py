"""The analyst's export: reports/<quarter>/results.<quarter>.xlsx, written atomically."""

from __future__ import annotations

from pathlib import Path

from etl.core import Quarter, UserError
from etl.publish.files import atomic_write_bytes
from etl.report.export import results_workbook
from etl.warehouse import (
    available_scopes,
    connect,
    read_actions,
    read_query,
    read_results,
    segment_scopes,
)


def export_name(quarter: str) -> str:
    """The workbook's file name inside the quarter's folder."""
    return f"results.{quarter}.xlsx"


def export_quarter(
    warehouse_url: str,
    quarter_text: str,
    reports_dir: str | Path,
    results_url: str | None = None,
    output: str | Path | None = None,
) -> Path:
    """Write the quarter's workbook (default reports/<quarter>/results.<quarter>.xlsx)."""
    quarter = Quarter.parse(quarter_text, field="--quarter")
    engine = connect(warehouse_url)
    store = connect(results_url or warehouse_url)
    results = read_results(store, [str(quarter)])
    if results.empty:
        raise UserError(
            f"quarter {quarter} has no stored results to export; compute it first "
            f"(`satisfaction-report run --quarter {quarter}`)"
        )
    actions = read_actions(store)
    actions = actions[actions["quarter_raised"] <= str(quarter)]
    themes = read_query(store, "store/voc_themes_of_quarter", {"quarter": str(quarter)})
    names = {
        scope.code: {"zh": scope.name_zh, "en": scope.name_en}
        for scope in [*available_scopes(engine), *segment_scopes(engine)]
    }
    target = (
        Path(output) if output else Path(reports_dir) / str(quarter) / export_name(str(quarter))
    )
    if target.is_dir():
        raise UserError(f"--output {target} is a folder; give the path of the .xlsx file")
    return atomic_write_bytes(target, results_workbook(quarter, results, actions, themes, names))
