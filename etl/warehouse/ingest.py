"""The ingest registry and the rows an ingested file loads, written in one transaction."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from sqlalchemy.engine import Connection, Engine

from etl.warehouse.bulk import bulk_insert
from etl.warehouse.sqlfiles import read_query, statement

# SQLite binds at most 32,766 variables per statement: look keys up in slices.
LOOKUP_SLICE = 5_000


def _sliced(engine: Engine, name: str, bind: str, keys: Iterable, params: dict) -> pd.DataFrame:
    keys = list(dict.fromkeys(keys))
    frames = [
        read_query(engine, name, {**params, bind: keys[at : at + LOOKUP_SLICE]}, expanding=[bind])
        for at in range(0, len(keys), LOOKUP_SLICE)
    ]
    frames = [frame for frame in frames if len(frame)]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def file_seen(engine: Engine, sha256: str) -> dict[str, Any] | None:
    """The registry row of a file content loaded or rejected before, if any."""
    found = read_query(engine, "ingest/file_by_sha", {"file_sha256": sha256})
    return None if found.empty else found.iloc[0].to_dict()


def reference_frames(engine: Engine) -> dict[str, pd.DataFrame]:
    return {name: read_query(engine, name) for name in ("branches", "channels", "product_lines")}


def policies_by_number(engine: Engine, numbers: Iterable[str]) -> pd.DataFrame:
    found = _sliced(engine, "ingest/policies_by_number", "policy_numbers", numbers, {})
    columns = ["policy_id", "policy_no", "branch_code", "channel_code", "product_line_code"]
    return found if len(found) else pd.DataFrame(columns=columns)


def known_source_ids(engine: Engine, source: str, ids: Iterable[str]) -> dict[str, str]:
    found = _sliced(engine, "ingest/source_ids_known", "source_ids", ids, {"source": source})
    if found.empty:
        return {}
    return dict(zip(found["source_response_id"], found["file_name"], strict=True))


def answered_policies(engine: Engine, policy_ids: Iterable[int]) -> set[tuple[str, int]]:
    found = _sliced(engine, "ingest/answered_policies", "policy_ids", policy_ids, {})
    if found.empty:
        return set()
    return {(str(w), int(p)) for w, p in zip(found["wave_id"], found["policy_id"], strict=True)}


@dataclass(frozen=True)
class FileRecord:
    """The registry row of one file, as it will be stored."""

    file_sha256: str
    file_name: str
    kind: str
    format: str
    source: str
    encoding: str | None
    status: str
    reason: str | None
    rows_in: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    rows_flagged: int = 0
    cells_truncated: int = 0
    received_at: str = ""
    run_id: str | None = None


@dataclass
class FileLoad:
    """Everything one file writes: its registry row, its rows, its quarantine and lineage."""

    record: FileRecord
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)  # table → rows, in order
    quarantine: pd.DataFrame | None = None
    notes: pd.DataFrame | None = None
    quarters: pd.DataFrame | None = None  # kind, quarter, rows_loaded, rows_quarantined, …
    new_waves: list[dict[str, Any]] = field(default_factory=list)
    widened_waves: list[dict[str, Any]] = field(default_factory=list)


def next_keys(engine: Engine) -> dict[str, int]:
    """The next free warehouse key of responses, feedback texts and mystery-shop visits."""
    row = read_query(engine, "ingest/max_ids").iloc[0]
    return {name: int(row[name]) + 1 for name in ("response_id", "feedback_id", "visit_id")}


def waves_known(engine: Engine, wave_ids: Sequence[str]) -> pd.DataFrame:
    found = _sliced(engine, "ingest/waves_known", "wave_ids", wave_ids, {})
    return found if len(found) else pd.DataFrame(columns=["wave_id", "fielded_from", "fielded_to"])


def _with_file(frame: pd.DataFrame | None, record: FileRecord) -> pd.DataFrame | None:
    if frame is None or frame.empty:
        return None
    return frame.assign(file_sha256=record.file_sha256, file_name=record.file_name)


def store_file(engine: Engine, load: FileLoad) -> None:
    """One transaction: the file's rows, its quarantine, notes, lineage and registry row."""
    with engine.begin() as conn:
        _store(conn, load)


def _store(conn: Connection, load: FileLoad) -> None:
    # An earlier rejection of the same content is replaced by this attempt's outcome.
    conn.execute(statement("ingest/file_delete_rejected"), {"file_sha256": load.record.file_sha256})
    for wave in load.new_waves:
        conn.execute(statement("ingest/wave_insert"), wave)
    for wave in load.widened_waves:
        conn.execute(statement("ingest/wave_widen"), wave)
    for table, frame in load.tables.items():
        bulk_insert(conn, table, frame)
    quarantine = _with_file(load.quarantine, load.record)
    if quarantine is not None:
        bulk_insert(conn, "ingest_quarantine", quarantine)
    notes = _with_file(load.notes, load.record)
    if notes is not None:
        bulk_insert(conn, "ingest_cell_notes", notes)
    if load.quarters is not None and len(load.quarters):
        bulk_insert(
            conn, "ingest_file_quarters", load.quarters.assign(file_sha256=load.record.file_sha256)
        )
    conn.execute(statement("ingest/file_insert"), load.record.__dict__)


def quarantine_of(engine: Engine, sha256: str) -> pd.DataFrame:
    return read_query(engine, "ingest/quarantine_of_file", {"file_sha256": sha256})
