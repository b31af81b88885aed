"""The mapping file: how an export's columns and answers map onto the warehouse, without code.

Every key is optional. A column whose header (or question text) names a canonical field by one
of its usual names, or an item by its code or its zh/en wording, maps by itself; the mapping
names the rest. `satisfaction-report ingest --help` prints MAPPING_HELP.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from etl.core.errors import UserError
from etl.core.periods import Quarter

FORMATS = ("qualtrics", "wjx", "long", "feedback", "mystery_shop")
ANSWER_MODES = ("score", "option_number")

# Canonical fields per kind of file, each with the headers that map to it by themselves.
SURVEY_FIELDS: dict[str, tuple[str, ...]] = {
    "response_id": ("responseid", "response_id", "序号", "答卷编号", "id"),
    "submitted_at": ("enddate", "submitted_at", "提交答卷时间", "提交时间", "recordeddate"),
    "branch": ("branch", "branch_code", "分公司", "机构", "所属分公司"),
    "channel": ("channel", "channel_code", "渠道", "销售渠道"),
    "product_line": ("product_line", "product_line_code", "产品线", "险种"),
    "policy_no": ("policy_no", "policy", "policy_number", "保单号"),
    "comment": ("comment", "comments", "意见建议", "您的意见和建议"),
    "duration_seconds": ("duration (in seconds)", "duration_seconds", "所用时间"),
    "finished": ("finished",),
    "progress": ("progress",),
    "item_code": ("item_code", "item", "question"),
    "score": ("score", "value", "answer"),
}
FEEDBACK_FIELDS: dict[str, tuple[str, ...]] = {
    "feedback_id": ("feedback_id", "id", "message_id", "编号"),
    "source": ("source", "来源", "渠道"),
    "received_at": ("received_at", "time", "timestamp", "created_at", "时间", "发布时间"),
    "branch": ("scope", "branch", "branch_code", "分公司"),
    "policy_no": ("policy_no", "policy", "保单号"),
    "text": ("text", "body", "content", "message", "内容", "正文"),
}
MYSTERY_FIELDS: dict[str, tuple[str, ...]] = {
    "visit_id": ("visit_id", "visit", "走访编号"),
    "branch": ("branch", "branch_code", "分公司"),
    "channel": ("channel", "channel_code", "渠道"),
    "visited_on": ("visited_on", "visit_date", "date", "走访日期"),
    "scenario": ("scenario", "场景"),
    "checklist_item": ("checklist_item", "item", "检查项"),
    "passed": ("passed", "is_passed", "result", "是否通过"),
}
FIELDS_OF_FORMAT = {
    "qualtrics": SURVEY_FIELDS,
    "wjx": SURVEY_FIELDS,
    "long": SURVEY_FIELDS,
    "feedback": FEEDBACK_FIELDS,
    "mystery_shop": MYSTERY_FIELDS,
}

MAPPING_HELP = """\
mapping file (TOML); every key is optional:

  [source]
  format = "qualtrics"     # qualtrics | wjx | long | feedback | mystery_shop (default: detected)
  name = "qualtrics"       # the source system; ids are unique per source (default: format)
  encoding = "auto"        # auto | utf-8 | gb18030 | gbk
  wave = "2026-Q3"         # default: the quarter of each row's submitted time
  answers = "score"        # score | option_number (问卷星 '按选项序号' exports)
  sheet = "Sheet1"         # XLSX sheet (default: the first)

  [columns]                # canonical field = header in the file
  response_id = "ResponseId"       submitted_at = "EndDate"
  branch = "branch"                # codes (SC) or names (四川分公司, Sichuan) both resolve
  channel = "channel"              product_line = "product_line"
  policy_id = "policy_no"          comment = "Q30"
  duration_seconds = "Duration (in seconds)"   finished = "Finished"   progress = "Progress"
  item_code = "item"               score = "score"          # long format
  # feedback: feedback_id, source, received_at, branch (scope), policy_id, text
  # mystery_shop: visit_id, branch, channel, visited_on, scenario, checklist_item, passed

  [items]                  # header in the file = item code
  "Q5_1" = "PS1"

  [values]                 # answer recodes, e.g. 问卷星 option text
  "非常满意" = 10
  "不适用" = ""            # empty: not answered

Columns whose header is an item code, or whose question text (after numbering such as
'3、', '5(…)' or 'Q5.') equals an item's zh or en text, map to that item by themselves.
"""


class MappingError(UserError):
    """A mapping file that breaks a rule; the message names the file and key."""


@dataclass(frozen=True)
class Mapping:
    """What one mapping file says; empty means: detect everything."""

    format: str | None = None
    source_name: str | None = None
    encoding: str = "auto"
    wave: str | None = None
    answers: str = "score"
    sheet: str | None = None
    columns: dict[str, str] = field(default_factory=dict)
    items: dict[str, str] = field(default_factory=dict)
    values: dict[str, str] = field(default_factory=dict)
    origin: str = "(no mapping file)"


def _text_table(raw: dict[str, Any], key: str, origin: str) -> dict[str, str]:
    table = raw.get(key, {})
    if not isinstance(table, dict):
        raise MappingError(f"{origin}: [{key}] must be a table of names")
    return {str(name): "" if value is None else str(value) for name, value in table.items()}


def parse_mapping(raw: dict[str, Any], origin: str) -> Mapping:
    """Check a parsed mapping; each broken rule names the key and what is allowed."""
    source = raw.get("source", {})
    fmt = source.get("format")
    if fmt is not None and fmt not in FORMATS:
        raise MappingError(f"{origin}: [source] format = {fmt!r}; expected one of {FORMATS}")
    answers = source.get("answers", "score")
    if answers not in ANSWER_MODES:
        raise MappingError(f"{origin}: [source] answers = {answers!r}; expected {ANSWER_MODES}")
    if source.get("wave") is not None:
        Quarter.parse(str(source["wave"]), field=f"{origin}: [source] wave")
    columns = _text_table(raw, "columns", origin)
    if "policy_id" in columns:  # the warehouse key is found from the policy number
        columns["policy_no"] = columns.pop("policy_id")
    known = {name for fields in FIELDS_OF_FORMAT.values() for name in fields}
    unknown = sorted(set(columns) - known)
    if unknown:
        raise MappingError(
            f"{origin}: [columns] {', '.join(unknown)} unknown; canonical fields are "
            f"{', '.join(sorted(known))}"
        )
    return Mapping(
        format=fmt,
        source_name=source.get("name"),
        encoding=str(source.get("encoding", "auto")),
        wave=source.get("wave"),
        answers=answers,
        sheet=source.get("sheet"),
        columns=columns,
        items=_text_table(raw, "items", origin),
        values=_text_table(raw, "values", origin),
        origin=origin,
    )


def load_mapping(path: Path | None) -> Mapping:
    """The mapping in `path`, or the empty mapping (everything detected)."""
    if path is None:
        return Mapping()
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise MappingError(f"mapping file {path} does not exist") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise MappingError(f"mapping file {path} is not valid TOML: {exc}") from exc
    return parse_mapping(raw, str(path))
