"""Ingest for the CLI and the DAG: files or inbox folders into the warehouse."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from etl.core import Settings, load_item_bank
from etl.ingest import FileOutcome, IngestRun, inbox_files, ingest_file, load_mapping
from etl.warehouse import apply_schema, check_reachable, connect
from etl.warehouse.ingest import quarantine_of

log = logging.getLogger(__name__)
INBOX_MAPPING = "mapping.toml"


@dataclass(frozen=True)
class IngestReport:
    """Every file's outcome, and the quarantine entries of the files loaded now."""

    outcomes: list[FileOutcome]
    quarantine: pd.DataFrame

    @property
    def rejected(self) -> bool:
        return any(o.status == "rejected" for o in self.outcomes)

    @property
    def quarantined(self) -> bool:
        return any(o.rows_quarantined for o in self.outcomes)

    @property
    def loaded_rows(self) -> int:
        return sum(o.rows_loaded for o in self.outcomes if o.status == "loaded")


def _mapping_for(path: Path, given: Path | None, inbox: Path | None) -> Path | None:
    """The file's own `<name>.mapping.toml`, else --mapping, else the inbox's mapping.toml."""
    sidecar = path.with_name(f"{path.stem}.mapping.toml")
    if sidecar.exists():
        return sidecar
    if given is not None:
        return given
    if inbox is not None and (inbox / INBOX_MAPPING).exists():
        return inbox / INBOX_MAPPING
    return None


def _targets(paths: list[Path]) -> list[tuple[Path, Path | None]]:
    """(file, inbox) pairs: a folder is an inbox whose files are moved once processed."""
    targets: list[tuple[Path, Path | None]] = []
    for path in paths:
        if path.is_dir():
            files = [p for p in inbox_files(path) if not p.name.endswith(".toml")]
            targets += [(file, path) for file in files]
        elif path.exists():
            targets.append((path, None))
        else:
            from etl.core.errors import UserError

            raise UserError(f"{path}: no such file or folder")
    return targets


def ingest_paths(
    warehouse_url: str,
    paths: list[Path],
    settings: Settings,
    mapping: Path | None = None,
    run_id: str | None = None,
) -> IngestReport:
    """Ingest files and inbox folders, one transaction per file; nothing half-loaded."""
    engine = connect(warehouse_url)
    check_reachable(engine)
    apply_schema(engine)  # the ingest registry tables, on a warehouse that predates them
    bank = load_item_bank()
    outcomes, quarantines = [], []
    for path, inbox in _targets(paths):
        run = IngestRun(
            engine, load_mapping(_mapping_for(path, mapping, inbox)), settings, bank, run_id=run_id
        )
        outcome = ingest_file(run, path, inbox)
        log.info(
            "%s: %s, %s rows in, %s loaded, %s quarantined",
            path.name,
            outcome.status,
            outcome.rows_in,
            outcome.rows_loaded,
            outcome.rows_quarantined,
        )
        outcomes.append(outcome)
        if outcome.status == "loaded" and outcome.rows_quarantined:
            quarantines.append(quarantine_of(engine, outcome.sha256).assign(file_name=path.name))
    frame = (
        pd.concat(quarantines, ignore_index=True)
        if quarantines
        else pd.DataFrame(
            columns=["file_name", "row_number", "column_name", "value", "rule", "message"]
        )
    )
    return IngestReport(outcomes, frame)


def ingest_inbox(warehouse_url: str, settings: Settings, run_id: str | None = None) -> IngestReport:
    """The configured inbox folder (paths.inbox); an absent folder is an empty inbox."""
    inbox = settings.path("inbox")
    inbox.mkdir(parents=True, exist_ok=True)
    return ingest_paths(warehouse_url, [inbox], settings, run_id=run_id)


INGEST_HEADER = ("file", "status", "rows in", "loaded", "quarantined", "flagged", "by rule")


def ingest_table(report: IngestReport) -> list[tuple[str, ...]]:
    """The CLI's table: one row per file, counts formatted for a person to read."""
    from babel.numbers import format_decimal

    def count(value: int) -> str:
        return format_decimal(value, locale="en")

    rows = [INGEST_HEADER]
    for o in report.outcomes:
        rules = ", ".join(f"{rule} {count(n)}" for rule, n in sorted(o.rules.items()))
        rows.append(
            (
                o.path.name,
                o.status,
                count(o.rows_in),
                count(o.rows_loaded),
                count(o.rows_quarantined),
                count(o.rows_flagged),
                rules or "—",
            )
        )
    return rows
