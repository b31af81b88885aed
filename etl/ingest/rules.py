"""Ingest settings, the reference data rows are checked against, and quarantine entries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from etl.core.config import ConfigError, Settings

QUARANTINE_COLUMNS = ["row_number", "column_name", "value", "rule", "message"]
VALUE_SHOWN = 200  # characters of a rejected value kept in the quarantine


@dataclass(frozen=True)
class IngestSettings:
    """The `[ingest]` settings: folders, limits, and the data-quality rules' thresholds."""

    max_cell_chars: int = 10_000
    incomplete: str = "quarantine"  # quarantine | keep
    min_progress: int = 100
    straight_lining_min_items: int = 8
    speeder_fraction: float = 0.33  # of the file's median duration
    speeder_min_seconds: float = 0.0
    exclude_flagged: bool = True
    one_response_per_policy: bool = True


def ingest_settings(settings: Settings) -> IngestSettings:
    raw: dict[str, Any] = dict(settings.raw.get("ingest", {}))
    for folder in ("inbox", "archive", "rejected"):
        raw.pop(folder, None)
    known = set(IngestSettings.__dataclass_fields__)
    unknown = sorted(set(raw) - known)
    if unknown:
        raise ConfigError(f"[ingest] {', '.join(unknown)} unknown; known keys: {sorted(known)}")
    chosen = IngestSettings(**raw)
    if chosen.incomplete not in {"quarantine", "keep"}:
        raise ConfigError(f"[ingest] incomplete = {chosen.incomplete!r}: quarantine or keep")
    return chosen


@dataclass(frozen=True)
class CodeBook:
    """Codes of one reference relation, resolvable by code, Chinese name or English name."""

    lookup: dict[str, str]

    @classmethod
    def of(cls, frame: pd.DataFrame, code: str) -> CodeBook:
        lookup: dict[str, str] = {}
        for row in frame.itertuples(index=False):
            value = getattr(row, code)
            for key in (value, row.name_zh, row.name_en):
                lookup[str(key).strip().lower()] = value
        return cls(lookup)

    def resolve(self, text: str) -> str | None:
        return self.lookup.get(text.strip().lower())


@dataclass(frozen=True)
class Reference:
    """What the warehouse already holds that a file's rows are checked against."""

    branches: CodeBook
    channels: CodeBook
    product_lines: CodeBook
    # policy_no → policy_id, branch_code, channel_code, product_line_code (the file's only)
    policies: pd.DataFrame
    known_source_ids: dict[str, str] = field(default_factory=dict)  # source id → file name
    answered: set[tuple[str, int]] = field(default_factory=set)  # (wave, policy_id)
    item_bank_version: str = ""
    timezone: str = "Asia/Shanghai"
    today: dt.date = field(default_factory=dt.date.today)


def entries(
    rows: pd.Series, column: str, values: pd.Series | str, rule: str, message: pd.Series | str
) -> pd.DataFrame:
    """Quarantine entries for the rows at `rows` (their numbers in the file)."""
    frame = pd.DataFrame({"row_number": rows.to_numpy()})
    frame["column_name"] = column
    shown = values if isinstance(values, str) else values.astype(str).to_numpy()
    frame["value"] = shown
    frame["value"] = frame["value"].str.slice(0, VALUE_SHOWN)
    frame["rule"] = rule
    frame["message"] = message if isinstance(message, str) else message.to_numpy()
    return frame[QUARANTINE_COLUMNS]


def broken_entries(broken: dict[int, tuple[str, str]]) -> pd.DataFrame:
    return pd.DataFrame(
        [(row, "", "", rule, message) for row, (rule, message) in broken.items()],
        columns=QUARANTINE_COLUMNS,
    )


def text_of(frame: pd.DataFrame, name: str) -> pd.Series:
    """A field's cells (readers strip them), or "" on every row when the file lacks it."""
    if name not in frame:
        return pd.Series("", index=frame.index, dtype=object)
    return frame[name]


class Problems:
    """Quarantine entries keyed by response, collected rule by rule."""

    def __init__(self) -> None:
        self.frames: list[pd.DataFrame] = []

    def add(self, resp: pd.DataFrame, mask: pd.Series, column: str, values, rule, message):
        if not mask.any():
            return
        values = values[mask] if isinstance(values, pd.Series) else values
        message = message[mask] if isinstance(message, pd.Series) else message
        found = entries(resp.loc[mask, "row_number"], column, values, rule, message)
        found["unit"] = resp.loc[mask, "unit"].to_numpy()
        self.frames.append(found)

    def units(self) -> set:
        return set().union(*(set(frame["unit"]) for frame in self.frames)) if self.frames else set()

    def frame(self) -> pd.DataFrame:
        columns = [*QUARANTINE_COLUMNS, "unit"]
        return (
            pd.concat(self.frames, ignore_index=True)
            if self.frames
            else pd.DataFrame(columns=columns)
        )
