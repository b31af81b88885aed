"""Quarantine lists as CSV for the data steward, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

# A cell starting with one of these is a formula to Excel, WPS and LibreOffice: prefixed with
# an apostrophe so it stays text (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    text = "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_bytes(header: Iterable[str], rows: Iterable[Iterable[object]]) -> bytes:
    """UTF-8 with BOM (so Excel reads Chinese), CRLF, every cell escaped."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([safe_cell(cell) for cell in header])
    writer.writerows([safe_cell(cell) for cell in row] for row in rows)
    return buffer.getvalue().encode("utf-8-sig")


def write_quarantine_csv(frame: pd.DataFrame, path: Path) -> Path:
    """Write beside the target and rename, so no reader sees half a file."""
    columns = ["file_name", "row_number", "column_name", "value", "rule", "message"]
    data = csv_bytes(columns, frame[columns].itertuples(index=False, name=None))
    partial = path.with_name(f".{path.name}.part")
    partial.write_bytes(data)
    os.replace(partial, path)
    return path
