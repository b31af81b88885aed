"""Which column is which: canonical fields and survey items, by header, wording or mapping."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from etl.core.config import ItemBank
from etl.ingest.decode import UnreadableFileError
from etl.ingest.mapping import FIELDS_OF_FORMAT, Mapping

# The platforms' question numbering: "3、", "3.", "Q5.", "Q5_1:", "5(…)" (问卷星 matrix rows).
_NUMBERING = re.compile(r"^\s*(?:Q\s*)?\d+(?:[._]\d+)*\s*[、.．:：)）]\s*", re.IGNORECASE)
_MATRIX = re.compile(r"^\s*(?:Q\s*)?\d+(?:[._]\d+)*\s*[(（](?P<inner>.+)[)）]\s*$", re.IGNORECASE)
_PUNCTUATION = "？?。.!！:：;；,，、 \t*（）()【】[]\"'“”"


def normalise_text(text: str) -> str:
    """Wording compared without numbering, width, case, spaces or closing punctuation."""
    text = unicodedata.normalize("NFKC", text).strip()
    matrix = _MATRIX.match(text)
    text = matrix.group("inner") if matrix else _NUMBERING.sub("", text, count=1)
    # Qualtrics matrix question texts read "Question - Row": the row is the item.
    if " - " in text:
        text = text.rsplit(" - ", 1)[1]
    return "".join(text.split()).strip(_PUNCTUATION).lower()


@dataclass(frozen=True)
class ColumnPlan:
    """The file's columns that carry each canonical field and each item."""

    fields: dict[str, str]
    items: dict[str, str]  # column → item code


def _field_columns(headers: list[str], fmt: str, mapping: Mapping) -> dict[str, str]:
    fields: dict[str, str] = {}
    for name, header in mapping.columns.items():
        if header not in headers:
            raise UnreadableFileError(
                f"{mapping.origin}: [columns] {name} = {header!r}, but the file has no such "
                f"column; its headers are {headers[:12]}{' …' if len(headers) > 12 else ''}"
            )
        fields[name] = header
    by_text = {normalise_text(header): header for header in headers if header}
    for name, aliases in FIELDS_OF_FORMAT[fmt].items():
        if name in fields:
            continue
        for alias in aliases:
            if normalise_text(alias) in by_text:
                fields[name] = by_text[normalise_text(alias)]
                break
    return fields


def _item_columns(
    headers: list[str], questions: list[str], bank: ItemBank, mapping: Mapping, taken: set[str]
) -> dict[str, str]:
    codes = {item.code.lower(): item.code for item in bank.items}
    wording: dict[str, str] = {}
    for item in bank.items:
        wording[normalise_text(item.text_zh)] = item.code
        wording[normalise_text(item.text_en)] = item.code
    items: dict[str, str] = {}
    for header, code in mapping.items.items():
        if header not in headers:
            raise UnreadableFileError(f"{mapping.origin}: [items] {header!r}: no such column")
        if code not in bank.by_code():
            raise UnreadableFileError(
                f"{mapping.origin}: [items] {header!r} = {code!r}: no item {code!r} in the item "
                f"bank {bank.version}"
            )
        items[header] = code
    for header, question in zip(headers, questions, strict=True):
        if not header or header in items or header in taken:
            continue
        code = codes.get(header.lower()) or wording.get(normalise_text(question))
        code = code or wording.get(normalise_text(header))
        if code:
            items[header] = code
    repeated = _repeated(items)
    if repeated:
        raise UnreadableFileError(repeated)
    return items


def _repeated(items: dict[str, str]) -> str:
    seen: dict[str, str] = {}
    for header, code in items.items():
        if code in seen:
            return (
                f"columns {seen[code]!r} and {header!r} both map to item {code}; name the right "
                "one in the mapping's [items]"
            )
        seen[code] = header
    return ""


def plan_columns(
    headers: list[str], questions: list[str], fmt: str, bank: ItemBank, mapping: Mapping
) -> ColumnPlan:
    """Map the file's columns; a survey export without one mappable item column is unreadable."""
    fields = _field_columns(headers, fmt, mapping)
    if fmt in {"qualtrics", "wjx"}:
        items = _item_columns(headers, questions, bank, mapping, set(fields.values()))
        if not items:
            raise UnreadableFileError(
                "no column maps to an item of the item bank: name them in the mapping's "
                "[items] (header = item code), or use the items' codes or wording as headers"
            )
        return ColumnPlan(fields, items)
    return ColumnPlan(fields, {})
