"""Readers: an export file's bytes to header rows and chunks of text cells with row numbers.

Every cell stays text here; meaning (scores, times, codes) is given later, by rule, so that a
cell that breaks a rule is quarantined with its row number instead of failing the file. Row
numbers are the file's own: the physical line a text editor shows (CSV), or the sheet row.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import json
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from etl.ingest.decode import UnreadableFileError, decode

CHUNK_ROWS = 200_000
# Header rows per format: Qualtrics writes column names, question texts and ImportIds.
HEADER_ROWS = {"qualtrics": 3, "wjx": 1, "long": 1, "feedback": 1, "mystery_shop": 1}
XLSX_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True)
class Chunk:
    """Data rows as text cells (one column per header) and each row's number in the file.

    `broken` holds rows that could not be split into the header's columns or decoded:
    row number → (rule, message); they count as rows received and are quarantined.
    """

    cells: pd.DataFrame
    row_numbers: np.ndarray
    broken: dict[int, tuple[str, str]] = field(default_factory=dict)


@dataclass
class RawTable:
    """A file's header rows and an iterator over its data chunks."""

    headers: list[str]
    questions: list[str]
    chunks: Iterator[Chunk]
    encoding: str


def clean_header(text: str) -> str:
    return " ".join(str(text).replace("\ufeff", "").split())


def _check_headers(headers: list[str]) -> None:
    seen: dict[str, int] = {}
    for position, header in enumerate(headers, start=1):
        if not header:
            continue
        if header in seen:
            raise UnreadableFileError(
                f"duplicated header: column {position} repeats {header!r} of column "
                f"{seen[header]}; every column needs its own header"
            )
        seen[header] = position
    if not seen:
        raise UnreadableFileError("the header row is empty")


def _named(headers: list[str]) -> list[str]:
    # Columns without a header still hold cells (they are checked for nothing and loaded
    # nowhere), and need distinct names to sit in a frame.
    return [header or f"(column {position})" for position, header in enumerate(headers, 1)]


def interned(values) -> np.ndarray:
    """Cells stripped, each distinct text stored once: exports repeat a few values a million
    times, and a million references cost far less than a million strings."""
    codes, uniques = pd.factorize(np.asarray(values, dtype=object), use_na_sentinel=False)
    cleaned = np.array(["" if u is None else str(u).strip() for u in uniques], dtype=object)
    return cleaned[codes] if len(codes) else np.array([], dtype=object)


def _to_chunk(columns: list[str], rows: list[list[str]], numbers: list[int], broken) -> Chunk:
    if rows:
        by_column = list(zip(*rows, strict=True))
        cells = pd.DataFrame({name: interned(by_column[i]) for i, name in enumerate(columns)})
    else:
        cells = pd.DataFrame({name: np.array([], dtype=object) for name in columns})
    return Chunk(cells, np.asarray(numbers, dtype=np.int64), dict(broken))


def _csv_chunks(
    reader, columns: list[str], bad_lines: frozenset[int], chunk_rows: int
) -> Iterator[Chunk]:
    rows: list[list[str]] = []
    numbers: list[int] = []
    broken: dict[int, tuple[str, str]] = {}
    width = len(columns)
    start = reader.line_num + 1
    for row in reader:
        first, start = start, reader.line_num + 1
        if not any(row) or (len(row) == 1 and not row[0].strip()):
            continue  # a blank line
        if bad_lines and any(line in bad_lines for line in range(first, start)):
            broken[first] = ("encoding", "the row's bytes are not valid in the file's encoding")
        elif len(row) != width:
            message = f"the row has {len(row)} cells where the header has {width}"
            broken[first] = ("column_count", message)
        else:
            rows.append(row)
            numbers.append(first)
            if len(rows) >= chunk_rows:
                yield _to_chunk(columns, rows, numbers, broken)
                rows, numbers, broken = [], [], {}
    yield _to_chunk(columns, rows, numbers, broken)


def read_csv(data: bytes, fmt: str, encoding: str, chunk_rows: int = CHUNK_ROWS) -> RawTable:
    """A CSV export: decoded, header rows checked, data rows in chunks."""
    decoded = decode(data, encoding)
    # A cell may be megabytes (a pasted complaint): it is read whole and cut later, by rule.
    csv.field_size_limit(max(csv.field_size_limit(), len(data) + 1))
    reader = csv.reader(io.StringIO(decoded.text, newline=""))
    header_rows: list[list[str]] = []
    try:
        for _ in range(HEADER_ROWS[fmt]):
            header_rows.append(next(reader))
    except StopIteration:
        raise UnreadableFileError(
            f"the file ends inside its header ({HEADER_ROWS[fmt]} header rows expected for "
            f"format {fmt})"
        ) from None
    except csv.Error as exc:
        raise UnreadableFileError(f"the header cannot be read as CSV: {exc}") from exc
    headers = [clean_header(cell) for cell in header_rows[0]]
    _check_headers(headers)
    questions = _questions(fmt, headers, header_rows)
    return RawTable(
        headers,
        questions,
        _guarded(_csv_chunks(reader, _named(headers), decoded.bad_lines, chunk_rows)),
        decoded.encoding,
    )


def _guarded(chunks: Iterator[Chunk]) -> Iterator[Chunk]:
    try:
        yield from chunks
    except csv.Error as exc:  # e.g. a NUL byte, or an unterminated quote at the end
        raise UnreadableFileError(f"the file cannot be read as CSV: {exc}") from exc


def _questions(fmt: str, headers: list[str], header_rows: list[list[str]]) -> list[str]:
    if fmt != "qualtrics":
        return list(headers)
    texts, import_ids = header_rows[1], header_rows[2]
    marked = sum(cell.strip().startswith('{"ImportId"') for cell in import_ids)
    if marked * 2 < len([h for h in headers if h]):
        raise UnreadableFileError(
            'not a Qualtrics export: row 3 must hold {"ImportId":…} for its columns '
            "(export with 'Use choice text' or 'Use numeric values', three header rows)"
        )
    _check_import_ids(import_ids)
    return [clean_header(texts[i]) if i < len(texts) else "" for i in range(len(headers))]


def _check_import_ids(cells: list[str]) -> None:
    for position, cell in enumerate(cells, start=1):
        if cell.strip().startswith("{"):
            try:
                json.loads(cell)
            except json.JSONDecodeError as exc:
                raise UnreadableFileError(
                    f"row 3, column {position}: {cell!r} is not a Qualtrics ImportId"
                ) from exc


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    return str(value)


def read_xlsx(data: bytes, fmt: str, sheet: str | None, chunk_rows: int = CHUNK_ROWS) -> RawTable:
    """An XLSX export (问卷星 or Qualtrics), read with openpyxl in read-only mode."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise UnreadableFileError(f"not a readable XLSX workbook (truncated?): {exc}") from exc
    if sheet is not None and sheet not in book.sheetnames:
        raise UnreadableFileError(f"sheet {sheet!r} not found; the workbook has {book.sheetnames}")
    rows = (book[sheet] if sheet else book.worksheets[0]).iter_rows(values_only=True)
    try:
        header_rows = [[_cell_text(v) for v in next(rows)] for _ in range(HEADER_ROWS[fmt])]
    except StopIteration:
        raise UnreadableFileError("the sheet ends inside its header") from None
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise UnreadableFileError(f"the workbook is damaged: {exc}") from exc
    headers = [clean_header(cell) for cell in header_rows[0]]
    while headers and not headers[-1]:
        headers.pop()
    _check_headers(headers)
    questions = _questions(fmt, headers, header_rows)
    return RawTable(
        headers,
        questions,
        _xlsx_chunks(rows, _named(headers), HEADER_ROWS[fmt], chunk_rows),
        "xlsx",
    )


def _xlsx_chunks(rows, columns: list[str], first: int, chunk_rows: int) -> Iterator[Chunk]:
    width = len(columns)
    batch: list[list[str]] = []
    numbers: list[int] = []
    try:
        for number, values in enumerate(rows, start=first + 1):
            cells = [_cell_text(v) for v in values[:width]]
            extra = [v for v in values[width:] if v not in (None, "")]
            if not any(cell.strip() for cell in cells) and not extra:
                continue
            if extra:
                yield _to_chunk(
                    columns,
                    batch,
                    numbers,
                    {
                        number: (
                            "column_count",
                            f"the row has cells beyond the header's {width} columns",
                        )
                    },
                )
                batch, numbers = [], []
                continue
            batch.append(cells + [""] * (width - len(cells)))
            numbers.append(number)
            if len(batch) >= chunk_rows:
                yield _to_chunk(columns, batch, numbers, {})
                batch, numbers = [], []
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise UnreadableFileError(f"the workbook is damaged: {exc}") from exc
    yield _to_chunk(columns, batch, numbers, {})


def sniff_format(data: bytes, name: str) -> str:
    """The format of an export without a mapping: from its header row(s)."""
    if data.startswith(XLSX_MAGIC):
        return "wjx"
    head = decode(data[:65536], "auto").text
    lines = head.splitlines()
    first = lines[0].lower() if lines else ""
    try:
        header_rows = list(itertools.islice(csv.reader(io.StringIO(head, newline="")), 3))
    except csv.Error:
        header_rows = []
    if len(header_rows) == 3 and any(
        cell.strip().lower().startswith('{"importid"') for cell in header_rows[2]
    ):
        return "qualtrics"
    if "序号" in first and "提交答卷时间" in first:
        return "wjx"
    if name.lower().endswith((".jsonl", ".ndjson")):
        return "feedback"
    if re.search(r"\bchecklist_item\b", first):
        return "mystery_shop"
    if re.search(r"\b(text|body|content)\b", first) and "item_code" not in first:
        return "feedback"
    return "long"


def read_jsonl(data: bytes, encoding: str) -> RawTable:
    """Feedback as JSON Lines: one object per line; a line that is not an object is broken."""
    decoded = decode(data, encoding)
    records: list[dict[str, str]] = []
    numbers: list[int] = []
    broken: dict[int, tuple[str, str]] = {}
    for number, line in enumerate(decoded.text.split("\n"), start=1):
        if not line.strip():
            continue
        if number in decoded.bad_lines:
            broken[number] = ("encoding", "the line's bytes are not valid in the file's encoding")
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            broken[number] = ("json", f"not a JSON object: {exc.msg}")
            continue
        if not isinstance(record, dict):
            broken[number] = ("json", "the line is JSON but not an object")
            continue
        records.append({str(k): "" if v is None else str(v) for k, v in record.items()})
        numbers.append(number)
    headers = list(dict.fromkeys(key for record in records for key in record))
    if not headers:
        raise UnreadableFileError("no JSON object with fields in the file")
    rows = [[record.get(header, "") for header in headers] for record in records]
    chunk = _to_chunk(headers, rows, numbers, broken)
    return RawTable(headers, list(headers), iter([chunk]), decoded.encoding)
