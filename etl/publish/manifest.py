"""Each quarter's manifest.json (files, revisions, delivery status) and the reports index file."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine

from etl.core.periods import Quarter, QuarterError
from etl.publish.files import (
    ARCHIVE_FOLDER,
    INDEX_NAME,
    MANIFEST_NAME,
    atomic_write_text,
    publish_lock,
    remove_stale_parts,
    sha256_file,
)
from etl.publish.revisions import archived_name
from etl.warehouse import (
    read_contract_warnings,
    read_query,
    read_revision_figures,
    read_stale,
)
from etl.warehouse.stores import ensure_schema, read_headline_figures, records

log = logging.getLogger(__name__)


def delivery_status(recipients: list[dict[str, Any]]) -> str:
    """One word for a file's delivery: not_sent, delivered, partial, pending, held or failed.

    `uncertain` and `sending` (the server may hold the message; the next attempt resends it
    once) count as pending: the file is not yet known to be with everyone.
    """
    statuses = {row["status"] for row in recipients}
    if not statuses:
        return "not_sent"
    if statuses == {"delivered"}:
        return "delivered"
    if statuses & {"pending", "uncertain", "sending"}:
        return "pending"
    if "delivered" in statuses:
        return "partial"
    if statuses == {"held"}:
        return "held"
    return "failed"


def build_manifest(
    engine: Engine,
    reports_dir: Path,
    quarter: str,
    run_id: str,
    scope_names: Mapping[str, Mapping[str, str]] | None = None,
    previous: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Every file of a quarter with its revision, checksums, run and delivery status.

    Built from the warehouse (revisions, delivery log, results) and the files on disk, so
    it can be rebuilt at any time; files that are not on disk are not listed.
    """
    revisions = records(read_query(engine, "delivery_revisions", {"quarter": quarter}))
    deliveries = records(read_query(engine, "delivery_log", {"quarter": quarter}))
    by_file, errors = recipients_by_file(deliveries)
    files = file_entries(reports_dir / quarter, revisions, by_file)
    moved = {
        (row["scope"], row["language"], int(row["revision"])): row["changed"]
        for row in read_revision_figures(engine, quarter)
    }
    for entry in files:  # what moved since the revision before (recorded when it was made)
        entry["changed"] = moved.get((entry["scope"], entry["language"], entry["revision"]))
    runs = list((previous or {}).get("runs", []))
    if run_id and run_id not in runs:
        runs.append(run_id)
    return {
        "schema_version": 1,
        "quarter": quarter,
        "runs": runs[-50:],
        "scope_names": {key: dict(value) for key, value in (scope_names or {}).items()},
        "headline": read_headline_figures(engine, quarter),
        "files": files,
        "delivery_errors": errors,
        "contract_warnings": contract_warnings(engine, quarter),
        "export": export_entry(reports_dir / quarter, quarter),
        "stale": read_stale(engine, quarter),
    }


def export_entry(folder: Path, quarter: str) -> dict[str, Any] | None:
    """The analyst's workbook of the quarter (path, checksum, size), None when not written."""
    path = folder / f"results.{quarter}.xlsx"
    if not path.is_file():
        return None
    return {"path": path.name, "sha256": sha256_file(path), "bytes": path.stat().st_size}


def contract_warnings(engine: Engine, quarter: str) -> list[dict[str, Any]] | None:
    """The data contract's warnings of the quarter's check; None if it was never checked."""
    warnings = read_contract_warnings(engine, quarter)
    return None if warnings is None else records(warnings.drop(columns=["quarter"]))


def recipients_by_file(
    deliveries: list[dict[str, Any]],
) -> tuple[dict[tuple[str, str], list[dict[str, Any]]], list[dict[str, Any]]]:
    """Delivery log rows by (scope, file checksum); rows without a file are errors."""
    by_file: dict[tuple[str, str], list[dict[str, Any]]] = {}
    errors: list[dict[str, Any]] = []
    for row in deliveries:
        entry = {
            "address": row["recipient"],
            "role": row["role"],
            "channel": row["channel"],
            "status": row["status"],
            "error": row["error"],
            "attempts": int(row["attempts"]),
            "times_sent": int(row["times_sent"]),
            # Sends that may have reached the recipient twice (an interrupted SMTP transaction).
            "interrupted": int(row.get("interrupted") or 0),
            "message_id": row.get("message_id"),
            "sent_at": row["sent_at"],
            "run_id": row["run_id"],
        }
        if not row["pdf_sha256"]:
            errors.append({"scope": row["scope"], "language": row["language"], **entry})
            continue
        by_file.setdefault((row["scope"], row["pdf_sha256"]), []).append(entry)
    return by_file, errors


def file_entries(
    folder: Path,
    revisions: list[dict[str, Any]],
    by_file: dict[tuple[str, str], list[dict[str, Any]]],
) -> list[dict[str, Any]]:
    """Every revision whose file is on disk, current or archived, with its recipients."""
    latest: dict[tuple[str, str], int] = {}
    for row in revisions:
        key = (row["scope"], row["language"])
        latest[key] = max(latest.get(key, 0), int(row["revision"]))
    files: list[dict[str, Any]] = []
    for row in revisions:
        scope, language, number = row["scope"], row["language"], int(row["revision"])
        current = latest[(scope, language)] == number
        relative = f"{scope}.{language}.pdf" if current else archived_name(scope, language, number)
        path = folder / relative
        if not path.is_file():
            continue
        checksum = sha256_file(path)
        recipients = by_file.get((scope, checksum), [])
        files.append(
            {
                "path": relative,
                "scope": scope,
                "language": language,
                "revision": number,
                "revision_label": f"v{number}",
                "current": current,
                "reason": row["reason"],
                "revision_date": str(row["made_on"])[:10],
                "sha256": checksum,
                "checksum_matches_record": checksum == row["pdf_sha256"],
                "bytes": path.stat().st_size,
                "inputs_sha256": row["inputs_sha256"],
                "run_id": row["run_id"],
                "delivery": {"status": delivery_status(recipients), "recipients": recipients},
            }
        )
    return files


def read_manifest(path: Path) -> dict[str, Any] | None:
    """A manifest, or None when it is missing or unreadable (logged, never fatal)."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        log.warning("ignoring unreadable manifest %s: %s", path, exc)
        return None


def read_manifests(reports_dir: Path) -> list[dict[str, Any]]:
    """The manifest of every quarter folder under reports/, newest quarter first."""
    found: list[tuple[Quarter, dict[str, Any]]] = []
    if not reports_dir.is_dir():
        return []
    for folder in reports_dir.iterdir():
        try:
            quarter = Quarter.parse(folder.name)
        except QuarterError:
            continue
        manifest = read_manifest(folder / MANIFEST_NAME)
        if manifest is not None:
            found.append((quarter, manifest))
    return [manifest for _, manifest in sorted(found, key=lambda pair: pair[0], reverse=True)]


def publish_quarter(
    engine: Engine,
    reports_dir: str | Path,
    quarter: str,
    run_id: str,
    render_index: Callable[[list[dict[str, Any]]], str],
    scope_names: Mapping[str, Mapping[str, str]] | None = None,
) -> Path:
    """Rewrite reports/<quarter>/manifest.json and reports/index.html, under the lock.

    `render_index(manifests)` is the report stage's index page, handed in.
    """
    reports_dir = Path(reports_dir)
    ensure_schema(engine)
    folder = reports_dir / quarter
    folder.mkdir(parents=True, exist_ok=True)
    with publish_lock(reports_dir):
        for place in (folder, folder / ARCHIVE_FOLDER, reports_dir):
            remove_stale_parts(place)
        manifest_path = folder / MANIFEST_NAME
        previous = read_manifest(manifest_path)
        names = scope_names or (previous or {}).get("scope_names")
        manifest = build_manifest(engine, reports_dir, quarter, run_id, names, previous)
        atomic_write_text(
            manifest_path, json.dumps(manifest, ensure_ascii=False, indent=2, default=str) + "\n"
        )
        atomic_write_text(reports_dir / INDEX_NAME, render_index(read_manifests(reports_dir)))
    log.info("published %s (%s files) and %s", manifest_path, len(manifest["files"]), INDEX_NAME)
    return manifest_path


def refresh_manifest(engine: Engine, reports_dir: Path, quarter: str, run_id: str) -> None:
    """Rewrite an existing manifest.json right after a file of its quarter was replaced.

    Without this, a run that crashed between render and publish left the replaced files
    listed with their old sha256, and the Reports page served that manifest. The index page
    is left to the publish task (it needs the report stage's renderer).
    """
    path = reports_dir / quarter / MANIFEST_NAME
    with publish_lock(reports_dir):
        previous = read_manifest(path)
        if previous is None:
            return
        names = previous.get("scope_names")
        manifest = build_manifest(engine, reports_dir, quarter, run_id, names, previous)
        atomic_write_text(
            path, json.dumps(manifest, ensure_ascii=False, indent=2, default=str) + "\n"
        )
