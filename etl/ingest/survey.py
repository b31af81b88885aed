"""Survey exports (Qualtrics, 问卷星, long CSV) to responses and answers, by rule.

A row that breaks a rule is quarantined whole, with one entry per broken cell; the rest load.
In a long file a row is one answer: a response whose own fields break a rule takes all its
rows to the quarantine, each entry naming the rule. Low-quality responses (speeders,
straight-lining) are loaded, flagged, and left out of the indices by default.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from etl.core.config import SERVICE_DIMENSIONS, ItemBank
from etl.core.periods import Quarter
from etl.ingest.columns import ColumnPlan
from etl.ingest.mapping import Mapping
from etl.ingest.readers import RawTable
from etl.ingest.rules import (
    QUARANTINE_COLUMNS,
    IngestSettings,
    Problems,
    Reference,
    broken_entries,
    entries,
    text_of,
)
from etl.ingest.schemas import LoadedAnswers, LoadedResponses, enforce
from etl.ingest.values import (
    NOT_ANSWERED_WJX,
    parse_durations,
    parse_flags,
    parse_scores,
    parse_times,
    per_distinct,
)

RESPONSE_FIELDS = (
    "response_id",
    "submitted_at",
    "branch",
    "channel",
    "product_line",
    "policy_no",
    "comment",
    "duration_seconds",
    "finished",
    "progress",
)
SEGMENTS = {"branch": "branch_code", "channel": "channel_code", "product_line": "product_line_code"}


@dataclass(frozen=True)
class SurveyCells:
    """A survey file as text: one row per data row, one per non-empty answer cell."""

    rows: pd.DataFrame  # row_number + the canonical fields present
    answers: pd.DataFrame  # row_number, column_name, item_code, score_text
    broken: dict[int, tuple[str, str]]
    long: bool


@dataclass(frozen=True)
class SurveyBatch:
    """What a survey file loads, and what it does not, with the reason per row."""

    responses: pd.DataFrame
    answers: pd.DataFrame
    quarantine: pd.DataFrame
    truncated: pd.DataFrame
    rows_in: int
    # Every parsed row: its number, the quarter it belongs to ("" if unknown), and whether
    # it belongs to a response flagged as low quality. The lineage per quarter reads it.
    row_quarters: pd.DataFrame


def collect(table: RawTable, plan: ColumnPlan, fmt: str) -> SurveyCells:
    """Keep only the mapped columns of each chunk (a long file may hold millions of rows)."""
    long = fmt == "long"
    if long:
        for required in ("response_id", "item_code", "score"):
            if required not in plan.fields:
                from etl.ingest.decode import UnreadableFileError

                raise UnreadableFileError(
                    f"a long survey file needs a {required} column; name it in [columns]"
                )
    rows, answers, broken = [], [], {}
    for chunk in table.chunks:
        broken.update(chunk.broken)
        frame = pd.DataFrame({"row_number": chunk.row_numbers})
        for name, column in plan.fields.items():
            frame[name] = chunk.cells[column].to_numpy()
        rows.append(frame)
        for column, code in plan.items.items():
            cells = chunk.cells[column].to_numpy(dtype=object)
            given = cells != ""
            answers.append(
                pd.DataFrame(
                    {
                        "row_number": chunk.row_numbers[given],
                        "column_name": column,
                        "item_code": code,
                        "score_text": cells[given],
                    }
                )
            )
    all_rows = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()
    if long:
        all_answers = all_rows[["row_number", "item_code", "score"]].rename(
            columns={"score": "score_text"}
        )
        all_answers.insert(1, "column_name", plan.fields["score"])
    else:
        all_answers = (
            pd.concat(answers, ignore_index=True)
            if answers
            else pd.DataFrame(columns=["row_number", "column_name", "item_code", "score_text"])
        )
    return SurveyCells(all_rows, all_answers, broken, long)


def _when(resp: pd.DataFrame, reference: Reference, mapping: Mapping, problems: Problems):
    """Submitted time and wave of each response (wave declared, or the time's quarter)."""
    given = text_of(resp, "submitted_at")
    parsed = parse_times(given, reference.timezone)
    column = "submitted_at"
    problems.add(
        resp, given == "", column, given, "missing_required", "the submitted time is required"
    )
    problems.add(
        resp,
        parsed.rule != "",
        column,
        given,
        "bad_time",
        "not a date and time (e.g. 2026-09-03 14:22:05)",
    )
    day = parsed.values.dt.date
    problems.add(
        resp,
        parsed.values.dt.date.map(lambda d: d > reference.today if pd.notna(d) else False).astype(
            bool
        ),
        column,
        given,
        "future_time",
        "the submitted time lies in the future",
    )
    if mapping.wave:
        wave = Quarter.parse(mapping.wave, field=f"{mapping.origin}: [source] wave")
        inside = day.map(lambda d: pd.isna(d) or wave.start <= d < wave.end).astype(bool)
        problems.add(
            resp,
            ~inside,
            column,
            given,
            "outside_wave",
            f"submitted outside wave {wave} ({wave.start} – {wave.last_day})",
        )
        waves = pd.Series(str(wave), index=resp.index, dtype=object)
    else:
        waves = day.map(lambda d: str(Quarter.containing(d)) if pd.notna(d) else "")
    return day, waves


def _segments(resp: pd.DataFrame, reference: Reference, problems: Problems) -> pd.DataFrame:
    """Policy key and the three segments (from the file, else from the policy)."""
    out = pd.DataFrame(index=resp.index)
    policy_no = text_of(resp, "policy_no")
    known = reference.policies.set_index("policy_no") if len(reference.policies) else None
    found = policy_no.isin(known.index) if known is not None else policy_no == "\0"
    problems.add(
        resp,
        (policy_no != "") & ~found,
        "policy_no",
        policy_no,
        "unknown_policy",
        "no policy with this number in the warehouse",
    )
    out["policy_id"] = pd.array([pd.NA] * len(resp), dtype="Int64")
    if known is not None and found.any():
        out.loc[found, "policy_id"] = known.loc[policy_no[found], "policy_id"].to_numpy()
    books = {
        "branch": reference.branches,
        "channel": reference.channels,
        "product_line": reference.product_lines,
    }
    for name, code in SEGMENTS.items():
        given = text_of(resp, name)
        resolved = given.map(lambda text, book=books[name]: book.resolve(text) if text else None)
        problems.add(
            resp,
            (given != "") & resolved.isna(),
            name,
            given,
            f"unknown_{name}",
            f"not a {name.replace('_', ' ')} code or name of the warehouse",
        )
        if known is not None and found.any():
            from_policy = pd.Series(None, index=resp.index, dtype=object)
            from_policy[found] = known.loc[policy_no[found], code].to_numpy()
            resolved = resolved.where(given != "", from_policy)
        problems.add(
            resp,
            (given == "") & resolved.isna(),
            name,
            given,
            "missing_required",
            f"the {name.replace('_', ' ')} is required (or a known policy number)",
        )
        out[code] = resolved
    return out


def _completeness(resp: pd.DataFrame, config: IngestSettings, problems: Problems) -> None:
    if config.incomplete != "quarantine":
        return
    finished = parse_flags(text_of(resp, "finished"))
    problems.add(
        resp,
        finished.values == 0,
        "finished",
        text_of(resp, "finished"),
        "incomplete_response",
        "the respondent did not finish the survey",
    )
    progress = pd.to_numeric(text_of(resp, "progress"), errors="coerce")
    problems.add(
        resp,
        progress < config.min_progress,
        "progress",
        text_of(resp, "progress"),
        "incomplete_response",
        f"progress below {config.min_progress}",
    )


def _answer_rules(
    answers: pd.DataFrame, bank: ItemBank, mapping: Mapping, fmt: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Scores parsed and checked against each item's scale; bad cells as entries."""
    items = bank.by_code()
    skipped = NOT_ANSWERED_WJX if fmt == "wjx" else frozenset()
    parsed = parse_scores(answers["score_text"], mapping.values, skipped)
    answers = answers.assign(score=parsed.values, rule=parsed.rule)
    known = answers["item_code"].isin(items)
    answers.loc[~known, "rule"] = "unknown_item"
    codes = answers["item_code"]
    low = per_distinct(codes, lambda code: items[code].scale_min if code in items else 0, "int64")
    high = per_distinct(codes, lambda code: items[code].scale_max if code in items else 0, "int64")
    if mapping.answers == "option_number":
        answers["score"] = answers["score"] + low - 1
    outside = (answers["rule"] == "") & answers["score"].notna()
    outside &= (answers["score"] < low) | (answers["score"] > high)
    answers.loc[outside, "rule"] = "out_of_scale"
    duplicated = answers.duplicated(["unit", "item_code"], keep="first") & known
    answers.loc[duplicated & (answers["rule"] == ""), "rule"] = "duplicate_answer"
    messages = {
        "not_a_score": "not a score (a number, 十, 10分, or a text recoded in [values])",
        "not_integer": "scores are whole numbers",
        "unknown_item": f"no such item in the item bank {bank.version}",
        "duplicate_answer": "the response answers this item twice",
    }
    bad = answers[answers["rule"] != ""]
    message = bad["rule"].map(messages).fillna("")
    scale = bad["item_code"].map(
        lambda code: (
            f"outside the item's scale {items[code].scale_min}–{items[code].scale_max}"
            if code in items
            else ""
        )
    )
    message = message.where(bad["rule"] != "out_of_scale", scale)
    found = pd.DataFrame(
        {
            "row_number": bad["row_number"].to_numpy(),
            "column_name": bad["column_name"].to_numpy(),
            "value": bad["score_text"].astype(str).str.slice(0, 200).to_numpy(),
            "rule": bad["rule"].to_numpy(),
            "message": message.to_numpy(),
            "unit": bad["unit"].to_numpy(),
        }
    )
    good = answers[(answers["rule"] == "") & answers["score"].notna()]
    return good[["row_number", "unit", "item_code", "score"]], found


DISAGREE = "the response's rows disagree on this field"


def _inconsistent(rows: pd.DataFrame, problems: Problems) -> None:
    """Rows of one response in a long file must agree on the response's own fields."""
    response = pd.factorize(rows["key"].to_numpy(dtype=object))[0]
    for name in RESPONSE_FIELDS[1:]:
        if name not in rows:
            continue
        values = text_of(rows, name)
        codes = pd.Series(pd.factorize(values.to_numpy(dtype=object))[0], index=rows.index)
        differs = codes != codes.groupby(response).transform("first")
        problems.add(rows, differs, name, values, "inconsistent_response", DISAGREE)


def _flags(resp: pd.DataFrame, answers: pd.DataFrame, bank: ItemBank, config: IngestSettings):
    """Speeders (far below the file's median duration) and straight-lining (one score on all)."""
    duration = parse_durations(text_of(resp, "duration_seconds")).values
    limit = max(config.speeder_fraction * duration.median(), config.speeder_min_seconds)
    speeder = (duration < limit).fillna(False).astype(bool)
    service = {item.code for item in bank.items if item.dimension in SERVICE_DIMENSIONS}
    rated = answers[answers["item_code"].isin(service)].groupby("unit")["score"]
    straight_units = rated.count().ge(config.straight_lining_min_items) & rated.nunique().eq(1)
    straight = resp["unit"].map(straight_units).fillna(False).astype(bool)
    flag = pd.Series(None, index=resp.index, dtype=object)
    flag[speeder] = "speeder"
    flag[straight] = "straight_lining"
    flag[speeder & straight] = "speeder,straight_lining"
    return flag


def _truncate(
    comments: pd.Series, resp: pd.DataFrame, limit: int
) -> tuple[pd.Series, pd.DataFrame]:
    long = comments.str.len() > limit
    notes = entries(
        resp.loc[long, "row_number"],
        "comment",
        comments[long],
        "truncated",
        comments[long].str.len().map(lambda n: f"{n:,} characters cut to {limit:,}"),
    )
    return comments.where(~long, comments.str.slice(0, limit)), notes


def _policy_repeats(resp, waves, policy_id, alive, reference: Reference) -> pd.Series:
    """One response per policy per wave: later ones (in this file or after earlier files)."""
    has_policy = alive & policy_id.notna()
    pairs = list(zip(waves, policy_id.fillna(-1).astype("int64"), strict=True))
    before = pd.Series([pair in reference.answered for pair in pairs], index=resp.index)
    pair_text = waves + "|" + policy_id.astype(str)
    again = pair_text.where(has_policy).duplicated(keep="first") & has_policy
    return (has_policy & before) | again


def _quarantine(rows, problems: pd.DataFrame, long: bool, broken) -> pd.DataFrame:
    """Every row of a failing response is quarantined; rows without their own entry get the
    response's first entry, so each names a rule."""
    own = problems.drop(columns="unit")
    frames = [broken_entries(broken), own]
    if long and len(problems):
        failing = rows[rows["unit"].isin(set(problems["unit"]))]
        orphans = failing[~failing["row_number"].isin(set(own["row_number"]))]
        first = problems.drop_duplicates("unit").set_index("unit")
        copied = first.loc[orphans["unit"]].reset_index(drop=True)
        copied["row_number"] = orphans["row_number"].to_numpy()
        copied["message"] = "response " + orphans["key"].to_numpy() + ": " + copied["message"]
        frames.append(copied[QUARANTINE_COLUMNS])
    frames = [frame for frame in frames if len(frame)]
    if not frames:
        return pd.DataFrame(columns=QUARANTINE_COLUMNS)
    return pd.concat(frames, ignore_index=True).sort_values("row_number", kind="stable")


def _identity(rows: pd.DataFrame, resp: pd.DataFrame, reference: Reference, long: bool):
    """Response ids: required, once per file (wide files), never loaded before."""
    problems = Problems()
    missing = rows["key"] == ""
    problems.add(rows, missing, "response_id", rows["key"], "missing_required", REQUIRED_ID)
    if long:
        _inconsistent(rows, problems)
    else:
        again = resp["key"].duplicated(keep="first") & (resp["key"] != "")
        problems.add(resp, again, "response_id", resp["key"], "duplicate_response_id", AGAIN)
    prior = resp["key"].map(reference.known_source_ids).astype(object)
    message = "already loaded from " + prior.fillna("")
    problems.add(resp, prior.notna(), "response_id", resp["key"], "duplicate_response_id", message)
    return problems


REQUIRED_ID = "the response id is required"
AGAIN = "the response id appears on an earlier row of this file"
NO_ANSWERS = "the response answers no item of the item bank"
POLICY_AGAIN = "this policy already has a response in the wave"


def validate_survey(
    cells: SurveyCells,
    reference: Reference,
    bank: ItemBank,
    mapping: Mapping,
    config: IngestSettings,
    fmt: str,
) -> SurveyBatch:
    """Apply every rule; return what loads, what is quarantined (and why) and what was cut."""
    rows = cells.rows.copy()
    rows["key"] = text_of(rows, "response_id")
    rows["unit"] = rows["key"] if cells.long else rows["row_number"]
    resp = rows.drop_duplicates("unit", keep="first")
    problems = _identity(rows, resp, reference, cells.long)
    day, waves = _when(resp, reference, mapping, problems)
    segments = _segments(resp, reference, problems)
    _completeness(resp, config, problems)
    answers_in = cells.answers.merge(rows[["row_number", "unit"]], on="row_number")
    good, bad_answers = _answer_rules(answers_in, bank, mapping, fmt)
    # A bad cell takes its whole row: in a wide file the row is the response, in a long
    # file it is one answer, and the response keeps its other answers.
    answer_units = set() if cells.long else set(bad_answers["unit"])
    alive = ~resp["unit"].isin(problems.units() | answer_units)
    unanswered = alive & ~resp["unit"].isin(set(good["unit"]))
    problems.add(resp, unanswered, "", "", "no_answers", NO_ANSWERS)
    alive &= ~unanswered
    repeats = _policy_repeats(resp, waves, segments["policy_id"], alive, reference)
    repeats &= config.one_response_per_policy
    policy_no = text_of(resp, "policy_no")
    problems.add(resp, repeats, "policy_no", policy_no, "duplicate_policy_in_wave", POLICY_AGAIN)
    keep = resp[~resp["unit"].isin(problems.units() | answer_units)]
    responses, answers, truncated = _loaded(keep, good, day, waves, segments, bank, config)
    responses, answers, broken_contract = _contract(responses, answers, cells.long)
    quarantine = _quarantine(rows, problems.frame(), cells.long, cells.broken)
    quarantine = pd.concat(
        [quarantine, bad_answers.drop(columns="unit"), broken_contract], ignore_index=True
    )
    return SurveyBatch(
        responses=responses,
        answers=answers,
        quarantine=quarantine.sort_values("row_number", kind="stable").reset_index(drop=True),
        truncated=truncated,
        rows_in=len(rows) + len(cells.broken),
        row_quarters=_row_quarters(rows, resp, waves, responses, cells.long),
    )


def _loaded(keep, good, day, waves, segments, bank: ItemBank, config: IngestSettings):
    """The responses and answers that load, and the comments cut to the configured length."""
    comments, truncated = _truncate(text_of(keep, "comment"), keep, config.max_cell_chars)
    good = good[good["unit"].isin(set(keep["unit"]))]
    responses = pd.DataFrame(
        {
            "row_number": keep["row_number"],
            "source_response_id": keep["key"],
            "wave_id": waves[keep.index],
            "policy_id": segments.loc[keep.index, "policy_id"],
            **{code: segments.loc[keep.index, code] for code in SEGMENTS.values()},
            "responded_on": day[keep.index],
            "comment_text": comments.where(comments != "", None),
            "quality_flag": _flags(keep, good, bank, config),
        }
    ).reset_index(drop=True)
    keys = keep.set_index("unit")["key"]
    answers = pd.DataFrame(
        {
            "row_number": good["row_number"].to_numpy(),
            "source_response_id": good["unit"].map(keys).to_numpy(),
            "item_code": good["item_code"].to_numpy(),
            "score": good["score"].astype("int64").to_numpy(),
        }
    )
    return responses, answers, truncated


def _contract(responses: pd.DataFrame, answers: pd.DataFrame, long: bool):
    """The declared contract (schemas.py) on what would load; breaking rows are quarantined.
    In a wide file an answer that breaks it takes its response along."""
    responses, bad_responses = enforce(responses, LoadedResponses)
    answers, bad_answers = enforce(answers, LoadedAnswers)
    gone = set(responses["source_response_id"])
    if not long and len(bad_answers):
        broken_rows = set(bad_answers["row_number"])
        responses = responses[~responses["row_number"].isin(broken_rows)]
    kept = set(responses["source_response_id"])
    if len(kept) != len(gone) or len(bad_responses):
        answers = answers[answers["source_response_id"].isin(kept)]
    return responses, answers, pd.concat([bad_responses, bad_answers], ignore_index=True)


def _row_quarters(rows, resp, waves, responses, long: bool) -> pd.DataFrame:
    unit_wave = pd.Series(waves.to_numpy(), index=resp["unit"].to_numpy())
    marked = responses[responses["quality_flag"].notna()]
    flagged = set(marked["source_response_id" if long else "row_number"])
    return pd.DataFrame(
        {
            "row_number": rows["row_number"],
            "quarter": rows["unit"].map(unit_wave).fillna(""),
            "flagged": rows["unit"].isin(flagged),
        }
    )
