"""Sample exports as the platforms write them, made by the tests (no binary fixtures)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from pathlib import Path

from etl.core import load_item_bank

BANK = load_item_bank()
ITEMS = [item for item in BANK.items]


def qualtrics_csv(
    responses: Sequence[dict[str, str]],
    items: Sequence[str] = ("PS1", "CL1", "SAT1", "NPS"),
    encoding: str = "utf-8-sig",
    newline: str = "\r\n",
    extra_columns: Sequence[str] = ("branch", "channel", "product_line", "policy_no", "Q30"),
) -> bytes:
    """Three header rows (names, question texts, ImportIds), then one row per response."""
    by_code = BANK.by_code()
    fixed = [
        "StartDate",
        "EndDate",
        "Progress",
        "Duration (in seconds)",
        "Finished",
        "RecordedDate",
        "ResponseId",
    ]
    names = [*fixed, *(f"Q5_{i}" for i, _ in enumerate(items, 1)), *extra_columns]
    texts = [*fixed, *(f"请评价 - {by_code[code].text_zh}" for code in items), *extra_columns]
    ids = [json.dumps({"ImportId": name}) for name in names]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=newline)
    writer.writerows([names, texts, ids])
    for response in responses:
        writer.writerow([response.get(name, "") for name in names])
    return buffer.getvalue().encode(encoding)


def wjx_rows(items: Sequence[str]) -> list[str]:
    by_code = BANK.by_code()
    return [
        "序号",
        "提交答卷时间",
        "所用时间",
        "来源",
        "来源详情",
        "来自IP",
        "1、您的保单属于哪家分公司？",
        "2、保单号",
        *(f"5({by_code[code].text_zh})" for code in items),
        "30、您的意见和建议",
    ]


def wjx_csv(
    rows: Sequence[Sequence[str]],
    items: Sequence[str],
    encoding: str = "gb18030",
    newline: str = "\r\n",
) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=newline)
    writer.writerow(wjx_rows(items))
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def wjx_xlsx(path: Path, rows: Sequence[Sequence[object]], items: Sequence[str]) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(wjx_rows(items))
    for row in rows:
        sheet.append(list(row))
    book.save(path)
    return path


def long_csv(
    rows: Sequence[Sequence[str]],
    header: Sequence[str] = (
        "response_id",
        "submitted_at",
        "branch",
        "channel",
        "product_line",
        "item_code",
        "score",
    ),
) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")
