"""Ingest one file: register it by content, read, check, load in one transaction, file it away.

The same content again loads nothing (the registry is keyed by sha256). A file that cannot be
read at all is registered as rejected with the reason and moved to `rejected/`; a readable
file loads its valid rows and quarantines the rest, all in one transaction, and moves to
`archive/`. Rows in = rows loaded + rows quarantined, for every file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from sqlalchemy.engine import Engine

from etl.core.config import ItemBank, Settings
from etl.ingest.columns import plan_columns
from etl.ingest.decode import UnreadableFileError
from etl.ingest.feedback import (
    RowsBatch,
    collect_rows,
    validate_feedback,
    validate_mystery_shop,
)
from etl.ingest.mapping import Mapping
from etl.ingest.readers import XLSX_MAGIC, RawTable, read_csv, read_jsonl, read_xlsx, sniff_format
from etl.ingest.rules import CodeBook, IngestSettings, Reference, ingest_settings
from etl.ingest.survey import SurveyBatch, collect, validate_survey
from etl.warehouse import ingest as store

KIND_OF_FORMAT = {
    "qualtrics": "survey",
    "wjx": "survey",
    "long": "survey",
    "feedback": "feedback",
    "mystery_shop": "mystery_shop",
}
ARCHIVE, REJECTED = "archive", "rejected"


@dataclass(frozen=True)
class FileOutcome:
    """What became of one file: the CLI prints it, the DAG logs it."""

    path: Path
    sha256: str
    status: str  # loaded | rejected | already_loaded | already_rejected
    kind: str = ""
    format: str = ""
    reason: str | None = None
    rows_in: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    rows_flagged: int = 0
    cells_truncated: int = 0
    rules: dict[str, int] = field(default_factory=dict)
    examples: list[str] = field(default_factory=list)  # the first quarantine entries, in words
    quarters: tuple[str, ...] = ()
    moved_to: Path | None = None


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _read(data: bytes, path: Path, fmt: str, mapping: Mapping) -> RawTable:
    if not data:
        raise UnreadableFileError("the file is empty (0 bytes)")
    if data.startswith(XLSX_MAGIC):
        return read_xlsx(data, fmt, mapping.sheet)
    if path.suffix.lower() in {".xlsx", ".xlsm"}:
        raise UnreadableFileError("the file is named .xlsx but is not an XLSX workbook")
    if path.suffix.lower() in {".jsonl", ".ndjson", ".json"}:
        return read_jsonl(data, mapping.encoding)
    return read_csv(data, fmt, mapping.encoding)


def _reference(engine: Engine, settings: Settings, batch_keys: dict) -> Reference:
    frames = store.reference_frames(engine)
    return Reference(
        branches=CodeBook.of(frames["branches"], "branch_code"),
        channels=CodeBook.of(frames["channels"], "channel_code"),
        product_lines=CodeBook.of(frames["product_lines"], "product_line_code"),
        policies=store.policies_by_number(engine, batch_keys.get("policies", [])),
        known_source_ids=store.known_source_ids(
            engine, batch_keys.get("source", ""), batch_keys.get("ids", [])
        ),
        timezone=settings.timezone,
        today=batch_keys.get("today") or dt.date.today(),
    )


def _texts(frame: pd.DataFrame, name: str) -> list[str]:
    if name not in frame:
        return []
    return [text for text in pd.unique(frame[name].astype(str).str.strip()) if text]


def _iso(days: pd.Series) -> pd.Series:
    return days.map(lambda day: day.isoformat())


def _waves(engine: Engine, responses: pd.DataFrame, bank: ItemBank) -> tuple[list, list]:
    """New waves to create and known ones whose fielding dates the file widens."""
    spans = responses.groupby("wave_id")["responded_on"].agg(["min", "max"])
    known = store.waves_known(engine, list(spans.index)).set_index("wave_id")
    new, widened = [], []
    for wave, span in spans.iterrows():
        if wave not in known.index:
            new.append(
                {
                    "wave_id": wave,
                    "quarter": wave,
                    "fielded_from": str(span["min"]),
                    "fielded_to": str(span["max"]),
                    "item_bank_version": bank.version,
                }
            )
            continue
        start = min(str(known.loc[wave, "fielded_from"]), str(span["min"]))
        end = max(str(known.loc[wave, "fielded_to"]), str(span["max"]))
        if (start, end) != (
            str(known.loc[wave, "fielded_from"]),
            str(known.loc[wave, "fielded_to"]),
        ):
            widened.append({"wave_id": wave, "fielded_from": start, "fielded_to": end})
    return new, widened


def survey_tables(batch: SurveyBatch, keys: dict[str, int], source: str, sha: str):
    """The warehouse rows of a survey batch, numbered after the warehouse's last keys."""
    responses = batch.responses.copy()
    responses["response_id"] = range(keys["response_id"], keys["response_id"] + len(responses))
    id_of = dict(zip(responses["source_response_id"], responses["response_id"], strict=True))
    answers = batch.answers.assign(response_id=batch.answers["source_response_id"].map(id_of))
    sources = pd.DataFrame(
        {
            "response_id": responses["response_id"],
            "source": source,
            "source_response_id": responses["source_response_id"],
            "file_sha256": sha,
        }
    )
    commented = responses[responses["comment_text"].notna()]
    comments = pd.DataFrame(
        {
            "feedback_id": range(keys["feedback_id"], keys["feedback_id"] + len(commented)),
            "source": "survey_comment",
            "received_on": _iso(commented["responded_on"]),
            "branch_code": commented["branch_code"],
            "policy_id": commented["policy_id"],
            "body": commented["comment_text"],
        }
    )
    stored = responses.assign(responded_on=_iso(responses["responded_on"]))[
        [
            "response_id",
            "wave_id",
            "policy_id",
            "branch_code",
            "channel_code",
            "product_line_code",
            "responded_on",
            "comment_text",
            "quality_flag",
        ]
    ]
    return {
        "survey_responses": stored,
        "survey_answers": answers[["response_id", "item_code", "score"]],
        "survey_response_sources": sources,
        "feedback_texts": comments,
    }


def rows_tables(batch: RowsBatch, keys: dict[str, int]) -> dict[str, pd.DataFrame]:
    """Warehouse keys for feedback texts, or for mystery-shop visits and their results."""
    if "feedback_texts" in batch.tables:
        texts = batch.tables["feedback_texts"].copy()
        texts.insert(0, "feedback_id", range(keys["feedback_id"], keys["feedback_id"] + len(texts)))
        texts["received_on"] = _iso(texts["received_on"])
        return {"feedback_texts": texts}
    visits = batch.tables["mystery_shop_visits"].copy()
    visits.insert(0, "visit_id", range(keys["visit_id"], keys["visit_id"] + len(visits)))
    id_of = dict(zip(visits["source_visit_id"], visits["visit_id"], strict=True))
    results = batch.tables["mystery_shop_results"]
    results = results.assign(
        visit_id=results["source_visit_id"].map(id_of),
        is_passed=results["is_passed"].astype("int64"),
    )
    visits["visited_on"] = _iso(visits["visited_on"])
    return {
        "mystery_shop_visits": visits.drop(columns="source_visit_id"),
        "mystery_shop_results": results[["visit_id", "checklist_item", "is_passed"]],
    }


def lineage(row_quarters: pd.DataFrame, quarantine: pd.DataFrame, kind: str, declared: str | None):
    """Each quarantine entry's quarter, and rows loaded/quarantined/flagged per quarter.

    A row's quarter is the declared wave, else its own date's quarter; a row without one
    (unreadable, no date) counts in the quarter most of the file's rows belong to.
    """
    quarters = row_quarters.set_index("row_number")["quarter"]
    known = quarters[quarters != ""]
    main = declared or (known.mode().iloc[0] if len(known) else "")
    quarter_of = quarters.where(quarters != "", main)
    quarantined_rows = set(quarantine["row_number"])
    entry_quarters = quarantine["row_number"].map(quarter_of).fillna(main)
    quarantine = quarantine.assign(quarter=entry_quarters.where(entry_quarters != "", None))
    rows = pd.DataFrame({"row_number": sorted(set(quarters.index) | quarantined_rows)})
    rows["quarter"] = rows["row_number"].map(quarter_of).fillna(main)
    rows["quarantined"] = rows["row_number"].isin(quarantined_rows)
    rows["flagged"] = rows["row_number"].map(row_quarters.set_index("row_number")["flagged"])
    rows["flagged"] = rows["flagged"].fillna(False).astype(bool) & ~rows["quarantined"]
    rows = rows[rows["quarter"] != ""]
    per_quarter = rows.groupby("quarter").agg(
        rows_quarantined=("quarantined", "sum"),
        rows_flagged=("flagged", "sum"),
        rows_all=("row_number", "size"),
    )
    per_quarter["rows_loaded"] = per_quarter["rows_all"] - per_quarter["rows_quarantined"]
    per_quarter = per_quarter.drop(columns="rows_all").reset_index().assign(kind=kind)
    return quarantine, per_quarter.astype({"rows_quarantined": "int64", "rows_flagged": "int64"})


def _rules(quarantine: pd.DataFrame) -> dict[str, int]:
    counted = quarantine.drop_duplicates(["row_number", "rule"])["rule"].value_counts()
    return {str(rule): int(count) for rule, count in counted.items()}


def _examples(quarantine: pd.DataFrame, name: str, limit: int = 5) -> list[str]:
    return [
        f"{name}, row {row.row_number}"
        + (f", column {row.column_name}" if row.column_name else "")
        + f": {row.rule}: {row.message}"
        + (f" (value {row.value!r})" if row.value else "")
        for row in quarantine.head(limit).itertuples(index=False)
    ]


@dataclass(frozen=True)
class IngestRun:
    """What one ingest call works with."""

    engine: Engine
    mapping: Mapping
    settings: Settings
    bank: ItemBank
    run_id: str | None = None
    today: dt.date | None = None

    @property
    def config(self) -> IngestSettings:
        return ingest_settings(self.settings)


def _checked(run: IngestRun, data: bytes, path: Path, sha: str):
    """Read and check a file; returns the batch, its tables and its registry row."""
    fmt = run.mapping.format or sniff_format(data, path.name)
    kind = KIND_OF_FORMAT[fmt]
    source = run.mapping.source_name or fmt
    table = _read(data, path, fmt, run.mapping)
    plan = plan_columns(table.headers, table.questions, fmt, run.bank, run.mapping)
    if kind == "survey":
        cells = collect(table, plan, fmt)
        if "response_id" not in plan.fields:
            raise UnreadableFileError("no response id column; name it in [columns] response_id")
        reference = _reference(
            run.engine,
            run.settings,
            {
                "policies": _texts(cells.rows, "policy_no"),
                "source": source,
                "ids": _texts(cells.rows, "response_id"),
                "today": run.today,
            },
        )
        policy_ids = [int(p) for p in reference.policies["policy_id"]]
        reference = _with_answered(reference, store.answered_policies(run.engine, policy_ids))
        batch = validate_survey(cells, reference, run.bank, run.mapping, run.config, fmt)
        tables = survey_tables(batch, store.next_keys(run.engine), source, sha)
    else:
        rows, broken = collect_rows(table, plan)
        reference = _reference(
            run.engine, run.settings, {"policies": _texts(rows, "policy_no"), "today": run.today}
        )
        if kind == "feedback":
            batch = validate_feedback(rows, broken, plan, reference, run.mapping, run.config)
        else:
            batch = validate_mystery_shop(rows, broken, plan, reference, run.config)
        tables = rows_tables(batch, store.next_keys(run.engine))
    return fmt, kind, source, table.encoding, batch, tables


def _with_answered(reference: Reference, answered: set) -> Reference:
    from dataclasses import replace

    return replace(reference, answered=answered)


def _move(path: Path, folder: Path, sha: str) -> Path:
    """Into `folder`, keeping the name unless another file already has it."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / path.name
    if target.exists():
        target = folder / f"{path.stem}.{sha[:12]}{path.suffix}"
    os.replace(path, target)
    return target


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


def _seen(path: Path, sha: str, seen: dict, inbox: Path | None) -> FileOutcome:
    loaded = seen["status"] == "loaded"
    moved = _move(path, inbox / (ARCHIVE if loaded else REJECTED), sha) if inbox else None
    return FileOutcome(
        path=path,
        sha256=sha,
        status="already_loaded" if loaded else "already_rejected",
        reason=f"the same content was {'loaded' if loaded else 'rejected'} on "
        f"{seen['received_at']} as {seen['file_name']}"
        + (f": {seen['reason']}" if seen.get("reason") else ""),
        moved_to=moved,
    )


def _rejected(run: IngestRun, path: Path, sha: str, reason: str, inbox: Path | None):
    record = store.FileRecord(
        file_sha256=sha,
        file_name=path.name,
        kind=KIND_OF_FORMAT.get(run.mapping.format or "", "survey"),
        format=run.mapping.format or "unknown",
        source=run.mapping.source_name or "unknown",
        encoding=None,
        status="rejected",
        reason=reason,
        received_at=_now(),
        run_id=run.run_id,
    )
    store.store_file(run.engine, store.FileLoad(record))
    moved = _move(path, inbox / REJECTED, sha) if inbox else None
    return FileOutcome(path=path, sha256=sha, status="rejected", reason=reason, moved_to=moved)


def ingest_file(run: IngestRun, path: Path, inbox: Path | None = None) -> FileOutcome:
    """Load one file (and move it out of `inbox` when it came from there)."""
    data = path.read_bytes()
    sha = sha256_of(data)
    seen = store.file_seen(run.engine, sha)
    # A rejected file is tried again: the reason may have been the mapping, now corrected.
    if seen is not None and seen["status"] == "loaded":
        return _seen(path, sha, seen, inbox)
    try:
        fmt, kind, source, encoding, batch, tables = _checked(run, data, path, sha)
    except UnreadableFileError as exc:
        return _rejected(run, path, sha, str(exc), inbox)
    quarantine, quarters = lineage(
        batch.row_quarters, batch.quarantine, kind, run.mapping.wave if kind == "survey" else None
    )
    flagged = int(quarters["rows_flagged"].sum()) if len(quarters) else 0
    record = store.FileRecord(
        file_sha256=sha,
        file_name=path.name,
        kind=kind,
        format=fmt,
        source=source,
        encoding=encoding,
        status="loaded",
        reason=None,
        rows_in=batch.rows_in,
        rows_loaded=batch.rows_in - int(quarantine["row_number"].nunique()),
        rows_quarantined=int(quarantine["row_number"].nunique()),
        rows_flagged=flagged,
        cells_truncated=len(batch.truncated),
        received_at=_now(),
        run_id=run.run_id,
    )
    new, widened = (
        _waves(run.engine, tables["survey_responses"], run.bank)
        if (kind == "survey" and len(tables["survey_responses"]))
        else ([], [])
    )
    store.store_file(
        run.engine,
        store.FileLoad(record, tables, quarantine, batch.truncated, quarters, new, widened),
    )
    moved = _move(path, inbox / ARCHIVE, sha) if inbox else None
    return FileOutcome(
        path=path,
        sha256=sha,
        status="loaded",
        kind=kind,
        format=fmt,
        rows_in=record.rows_in,
        rows_loaded=record.rows_loaded,
        rows_quarantined=record.rows_quarantined,
        rows_flagged=flagged,
        cells_truncated=record.cells_truncated,
        rules=_rules(quarantine),
        examples=_examples(quarantine, path.name),
        quarters=tuple(sorted(quarters["quarter"])) if len(quarters) else (),
        moved_to=moved,
    )


def inbox_files(inbox: Path) -> list[Path]:
    """Files waiting in the inbox (not its archive/ or rejected/ folders, nor hidden files)."""
    if not inbox.is_dir():
        return []
    return sorted(p for p in inbox.iterdir() if p.is_file() and not p.name.startswith("."))
