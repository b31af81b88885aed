"""The report: context from stored results, sections, charts, languages, the PDF and the index.

Names are loaded on first use (PEP 562), so a caller that only needs `i18n` (the e-mail, the
Airflow page) does not import matplotlib and WeasyPrint.
"""

from importlib import import_module
from typing import Any

_WHERE = {
    "build_context": "etl.report.context",
    "Findings": "etl.report.results",
    "RenderError": "etl.report.pdf",
    "render_html": "etl.report.pdf",
    "render_pdf": "etl.report.pdf",
    "pdf_bytes": "etl.report.pdf",
    "layout": "etl.report.pdf",
    "page_fills": "etl.report.layout",
    "empty_columns": "etl.report.layout",
    "render_index": "etl.report.index",
    "results_workbook": "etl.report.export",
    "LOCALES": "etl.report.i18n",
    "LanguageError": "etl.report.i18n",
    "translations": "etl.report.i18n",
    "quarter_label": "etl.report.i18n",
    "format_number": "etl.report.i18n",
    "format_share": "etl.report.i18n",
    "format_signed": "etl.report.i18n",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'etl.report' has no attribute {name!r}")
    return getattr(import_module(_WHERE[name]), name)
