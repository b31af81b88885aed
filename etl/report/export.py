"""The analyst's workbook: a quarter's tables per section, every result row and the definitions."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from etl.core.config import SERVICE_DIMENSIONS
from etl.core.metrics import INDICES, KPIS
from etl.core.periods import Quarter
from etl.core.results import RESULT_COLUMNS
from etl.report.i18n import translations

# A cell a spreadsheet would run as a formula (or a DDE command) when it starts with these.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
HEADLINE = ("respondents", "csi", "nps", "csat", "overall")
DIMENSIONS = tuple(f"dimension.{code}" for code in SERVICE_DIMENSIONS)
METHOD = ("lineage.", "weighting.", "eligibility.", "contract.", "multiplicity.")


@dataclass(frozen=True)
class Sheet:
    """One worksheet: its name (≤ 31 characters) and a table."""

    name: str
    table: pd.DataFrame


def _names(scope: str, names: Mapping[str, Mapping[str, str]]) -> tuple[str, str]:
    found = names.get(scope, {})
    return found.get("zh", scope), found.get("en", scope)


def wide(
    results: pd.DataFrame,
    scopes: Sequence[str],
    metrics: Sequence[str],
    names: Mapping[str, Mapping[str, str]],
) -> pd.DataFrame:
    """One row per scope, one column per metric (its value), with n beside the first."""
    rows = []
    for scope in scopes:
        mine = results[results["scope"] == scope].set_index("metric")
        zh, en = _names(scope, names)
        row: dict[str, Any] = {"scope": scope, "name_zh": zh, "name_en": en}
        for metric in metrics:
            row[metric] = mine["value"].get(metric) if metric in mine.index else None
            if metric in ("csi", "nps", "csat") and metric in mine.index:
                row[f"{metric}.lower"] = mine["lower_bound"].get(metric)
                row[f"{metric}.upper"] = mine["upper_bound"].get(metric)
                row[f"{metric}.flag"] = mine["flag"].get(metric)
        rows.append(row)
    return pd.DataFrame(rows)


def long(results: pd.DataFrame, prefixes: Sequence[str]) -> pd.DataFrame:
    """Result rows whose metric starts with one of `prefixes`, as stored."""
    chosen = results[results["metric"].str.startswith(tuple(prefixes))]
    return chosen[[c for c in RESULT_COLUMNS if c in chosen.columns]].reset_index(drop=True)


def definitions() -> pd.DataFrame:
    """The metric catalogue in both languages: code, label, unit, direction, definition."""
    zh = translations("zh-CN").gettext
    rows = [
        {
            "metric": spec.code,
            "label_zh": zh(spec.label),
            "label_en": spec.label,
            "unit": spec.unit,
            "higher_is_better": spec.higher_is_better,
            "definition_zh": zh(spec.definition),
            "definition_en": spec.definition,
        }
        for spec in (*INDICES, *KPIS)
    ]
    return pd.DataFrame(rows)


def section_sheets(
    results: pd.DataFrame,
    actions: pd.DataFrame,
    themes: pd.DataFrame,
    names: Mapping[str, Mapping[str, str]],
) -> list[Sheet]:
    """The workbook's sheets: one per report section, every result row, the definitions."""
    scopes = sorted(set(results["scope"]), key=lambda s: (s != "company", "." in s, s))
    places = [s for s in scopes if "." not in s]
    segments = [s for s in scopes if "." in s]
    kpis = [spec.code for spec in KPIS]
    rag = results[results["metric"].str.startswith("rag.")]
    kpi_table = wide(results, places, kpis, names)
    for kpi in kpis:
        status = rag[rag["metric"] == f"rag.{kpi}"].set_index("scope")["note"]
        kpi_table[f"{kpi}.status"] = [status.get(scope) for scope in places]
    return [
        Sheet("Summary 摘要", wide(results, places, HEADLINE, names)),
        Sheet("Dimensions 维度", wide(results, places, DIMENSIONS, names)),
        Sheet("Items 题项", long(results, ["item."])),
        Sheet("Drivers 驱动因素", long(results, ["drivers.", "pls."])),
        Sheet("KPIs 运营指标", kpi_table),
        Sheet("Linkage 关联分析", long(results, ["linkage."])),
        Sheet("Segments 细分", wide(results, segments, HEADLINE, names)),
        Sheet("Voice 客户之声", themes.reset_index(drop=True)),
        Sheet("Actions 改进措施", actions.reset_index(drop=True)),
        Sheet("Method 方法", long(results, METHOD)),
        Sheet("Results 全部结果", long(results, [""])),
        Sheet("Definitions 定义", definitions()),
    ]  # fmt: skip


def cell_value(value: Any) -> Any:
    """A value as a cell takes it: NaN/NA empty, numpy scalars as Python numbers."""
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    if hasattr(value, "item"):
        return value.item()
    return value


def write_sheet(book: Workbook, sheet: Sheet) -> None:
    """A table with a frozen header row; every text cell stays text (never a formula)."""
    page = book.create_sheet(sheet.name)
    columns = [str(column) for column in sheet.table.columns]
    page.append(columns)
    for record in sheet.table.itertuples(index=False):
        page.append([cell_value(value) for value in record])
    for row in page.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, str) and cell.value.startswith(FORMULA_START):
                cell.data_type = "s"  # openpyxl would otherwise store "=…" as a formula
    page.freeze_panes = "A2"
    for index, name in enumerate(columns, start=1):
        page.column_dimensions[get_column_letter(index)].width = min(max(len(name) + 2, 10), 40)


def results_workbook(
    quarter: Quarter,
    results: pd.DataFrame,
    actions: pd.DataFrame,
    themes: pd.DataFrame,
    names: Mapping[str, Mapping[str, str]],
    identifier: str | None = None,
) -> bytes:
    """The workbook's bytes; the same inputs give the same bytes (dated the quarter's end).

    `identifier` (the digest of the inputs) is stored in the document properties, so that
    an unchanged workbook is recognised without being built again.
    """
    book = Workbook()
    book.remove(book.active)
    for sheet in section_sheets(results, actions, themes, names):
        write_sheet(book, sheet)
    stamp = dt.datetime.combine(quarter.last_day, dt.time())
    book.properties.created = stamp
    book.properties.modified = stamp
    book.properties.creator = "satisfaction-report"
    book.properties.title = f"Satisfaction assessment results {quarter}"
    book.properties.identifier = identifier
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
