"""Feedback texts (online messages, social-media mentions) and mystery-shop checklists, by rule."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from etl.core.periods import Quarter
from etl.ingest.columns import ColumnPlan
from etl.ingest.decode import UnreadableFileError
from etl.ingest.mapping import Mapping
from etl.ingest.readers import RawTable
from etl.ingest.rules import (
    QUARANTINE_COLUMNS,
    IngestSettings,
    Problems,
    Reference,
    broken_entries,
    text_of,
)
from etl.ingest.schemas import LoadedFeedback, enforce
from etl.ingest.survey import _truncate
from etl.ingest.values import canonical, parse_flags, parse_times

# The feedback_texts.source codes and the words exports use for them.
FEEDBACK_SOURCES = {
    "survey_comment": ("survey_comment", "survey", "问卷", "问卷评论", "问卷留言"),
    "online_message": (
        "online_message",
        "online",
        "在线客服",
        "在线留言",
        "客服留言",
        "app",
        "web",
        "官网",
        "微信公众号留言",
    ),
    "social_media": (
        "social_media",
        "social",
        "社交媒体",
        "微博",
        "weibo",
        "抖音",
        "小红书",
        "知乎",
        "微信",
        "wechat",
        "douyin",
        "xiaohongshu",
    ),
}
_SOURCE_OF = {
    alias.lower(): code for code, aliases in FEEDBACK_SOURCES.items() for alias in aliases
}


@dataclass(frozen=True)
class RowsBatch:
    """Rows a feedback or mystery-shop file loads (per target table) and its quarantine."""

    tables: dict[str, pd.DataFrame]
    quarantine: pd.DataFrame
    truncated: pd.DataFrame
    rows_in: int
    row_quarters: pd.DataFrame  # row_number, quarter ("" if unknown), flagged (never here)


def collect_rows(table: RawTable, plan: ColumnPlan) -> tuple[pd.DataFrame, dict]:
    """The mapped columns of every chunk, and the rows that could not be split or decoded."""
    frames, broken = [], {}
    for chunk in table.chunks:
        broken.update(chunk.broken)
        frame = pd.DataFrame({"row_number": chunk.row_numbers})
        for name, column in plan.fields.items():
            frame[name] = chunk.cells[column].to_numpy()
        frames.append(frame)
    rows = pd.concat(frames, ignore_index=True)
    return rows, broken


def _require(plan: ColumnPlan, names: tuple[str, ...], kind: str) -> None:
    missing = [name for name in names if name not in plan.fields]
    if missing:
        raise UnreadableFileError(
            f"a {kind} file needs the column(s) {', '.join(missing)}; name them in [columns]"
        )


def _dated(rows, name, reference: Reference, problems: Problems) -> pd.Series:
    given = text_of(rows, name)
    parsed = parse_times(given, reference.timezone)
    problems.add(rows, given == "", name, given, "missing_required", f"the {name} is required")
    problems.add(rows, parsed.rule != "", name, given, "bad_time", "not a date (e.g. 2026-09-03)")
    day = parsed.values.dt.date
    future = day.map(lambda d: pd.notna(d) and d > reference.today).astype(bool)
    problems.add(rows, future, name, given, "future_time", "the date lies in the future")
    return day


def _code(rows, name, book, problems: Problems, required: bool) -> pd.Series:
    given = text_of(rows, name)
    resolved = given.map(lambda text: book.resolve(text) if text else None)
    problems.add(
        rows,
        (given != "") & resolved.isna(),
        name,
        given,
        f"unknown_{name}",
        f"not a {name.replace('_', ' ')} code or name of the warehouse",
    )
    if required:
        problems.add(rows, given == "", name, given, "missing_required", f"the {name} is required")
    return resolved


def _quarantine(problems: Problems, broken) -> pd.DataFrame:
    found = problems.frame().drop(columns="unit")
    frames = [frame for frame in (broken_entries(broken), found) if len(frame)]
    if not frames:
        return pd.DataFrame(columns=QUARANTINE_COLUMNS)
    return pd.concat(frames, ignore_index=True).sort_values("row_number", kind="stable")


def validate_feedback(
    rows: pd.DataFrame,
    broken: dict,
    plan: ColumnPlan,
    reference: Reference,
    mapping: Mapping,
    config: IngestSettings,
) -> RowsBatch:
    """Feedback rows: source, time, optional branch and policy, and the text."""
    _require(plan, ("received_at", "text"), "feedback")
    rows["unit"] = rows["row_number"]
    problems = Problems()
    default = mapping.source_name or ""
    recodes = {canonical(k).lower(): v for k, v in mapping.values.items()}
    given = text_of(rows, "source").where(text_of(rows, "source") != "", default)
    source = given.map(lambda t: _SOURCE_OF.get(recodes.get(t.lower(), t).lower()))
    problems.add(
        rows,
        source.isna(),
        "source",
        given,
        "unknown_source",
        "the source must be survey_comment, online_message or social_media "
        "(or a name of one, e.g. 在线客服, 微博)",
    )
    day = _dated(rows, "received_at", reference, problems)
    branch = _code(rows, "branch", reference.branches, problems, required=False)
    text = text_of(rows, "text")
    problems.add(rows, text == "", "text", text, "missing_required", "the text is required")
    policy = _policy(rows, reference, problems)
    ids = text_of(rows, "feedback_id")
    problems.add(
        rows,
        (ids != "") & ids.duplicated(keep="first"),
        "feedback_id",
        ids,
        "duplicate_id",
        "the id appears on an earlier row of this file",
    )
    keep = ~rows["unit"].isin(problems.units())
    body, truncated = _truncate(text[keep], rows[keep], config.max_cell_chars)
    loaded = pd.DataFrame(
        {
            "row_number": rows.loc[keep, "row_number"],
            "source": source[keep],
            "received_on": day[keep],
            "branch_code": branch[keep],
            "policy_id": policy[keep],
            "body": body,
        }
    )
    loaded, broken_contract = enforce(loaded, LoadedFeedback)
    quarantine = pd.concat([_quarantine(problems, broken), broken_contract], ignore_index=True)
    return RowsBatch(
        {"feedback_texts": loaded.drop(columns="row_number")},
        quarantine,
        truncated,
        len(rows) + len(broken),
        _row_quarters(rows, day),
    )


def _policy(rows, reference: Reference, problems: Problems) -> pd.Series:
    numbers = text_of(rows, "policy_no")
    known = (
        reference.policies.set_index("policy_no")["policy_id"] if len(reference.policies) else {}
    )
    policy = numbers.map(lambda n: known.get(n) if n else None)
    problems.add(
        rows,
        (numbers != "") & policy.isna(),
        "policy_no",
        numbers,
        "unknown_policy",
        "no policy with this number in the warehouse",
    )
    return policy.astype("Int64")


VISIT_FIELDS = ("visit_id", "branch", "channel", "visited_on", "checklist_item", "passed")
NOT_YES_NO = "passed must be yes/no (1/0, 是/否, pass/fail)"
ITEM_TWICE = "the visit lists this checklist item twice"


def _visit_rules(rows: pd.DataFrame, reference: Reference) -> tuple[Problems, pd.DataFrame]:
    """Visit fields agree across a visit's rows; codes, dates, items and results are valid."""
    problems = Problems()
    key = rows["key"]
    problems.add(rows, key == "", "visit_id", key, "missing_required", "the visit id is required")
    for name in ("branch", "channel", "visited_on", "scenario"):
        values = text_of(rows, name)
        differs = values != values.groupby(key).transform("first")
        problems.add(rows, differs, name, values, "inconsistent_visit", "the visit's rows disagree")
    item = text_of(rows, "checklist_item")
    given = text_of(rows, "passed")
    passed = parse_flags(given)
    problems.add(rows, item == "", "checklist_item", item, "missing_required", "item required")
    problems.add(rows, passed.rule != "", "passed", given, "not_yes_no", NOT_YES_NO)
    absent = passed.values.isna() & (passed.rule == "")
    problems.add(rows, absent, "passed", "", "missing_required", "the result is required")
    twice = pd.Series(list(zip(key, item, strict=True)), index=rows.index).duplicated()
    problems.add(rows, twice, "checklist_item", item, "duplicate_answer", ITEM_TWICE)
    values = pd.DataFrame(
        {
            "source_visit_id": key,
            "branch_code": _code(rows, "branch", reference.branches, problems, required=True),
            "channel_code": _code(rows, "channel", reference.channels, problems, required=True),
            "visited_on": _dated(rows, "visited_on", reference, problems),
            "scenario": text_of(rows, "scenario"),
            "checklist_item": item,
            "is_passed": passed.values,
        }
    )
    return problems, values


def validate_mystery_shop(
    rows: pd.DataFrame,
    broken: dict,
    plan: ColumnPlan,
    reference: Reference,
    config: IngestSettings,
) -> RowsBatch:
    """Checklist rows (one per visit × item); a visit whose own fields break a rule takes all
    its rows to the quarantine."""
    _require(plan, VISIT_FIELDS, "mystery-shop")
    rows["key"] = text_of(rows, "visit_id")
    rows["unit"] = rows["key"]
    problems, values = _visit_rules(rows, reference)
    failing = problems.units()
    # Every row of a failing visit goes; rows without their own entry name the visit's rule.
    named = set(problems.frame()["row_number"])
    orphans = rows["unit"].isin(failing) & ~rows["row_number"].isin(named)
    message = "another row of this visit breaks a rule"
    problems.add(rows, orphans, "visit_id", rows["key"], "visit_quarantined", message)
    keep = values[~rows["unit"].isin(failing)]
    visit_columns = ["source_visit_id", "branch_code", "channel_code", "visited_on", "scenario"]
    return RowsBatch(
        {
            "mystery_shop_visits": keep[visit_columns].drop_duplicates("source_visit_id"),
            "mystery_shop_results": keep[["source_visit_id", "checklist_item", "is_passed"]],
        },
        _quarantine(problems, broken),
        pd.DataFrame(columns=QUARANTINE_COLUMNS),
        len(rows) + len(broken),
        _row_quarters(rows, values["visited_on"]),
    )


def _row_quarters(rows: pd.DataFrame, day: pd.Series) -> pd.DataFrame:
    quarter = day.map(lambda d: str(Quarter.containing(d)) if pd.notna(d) else "")
    return pd.DataFrame({"row_number": rows["row_number"], "quarter": quarter, "flagged": False})
