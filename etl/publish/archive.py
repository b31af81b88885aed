"""The report archive: revisions, atomic files, per-quarter manifest.json and reports/index.html."""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import json
import logging
import os
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jinja2
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from etl.core.periods import Quarter, QuarterError
from etl.report.pdf import TEMPLATES_DIR, write_pdf
from etl.warehouse import SCHEMA_DIR, query_text, read_query, statements

log = logging.getLogger(__name__)

MANIFEST_NAME = "manifest.json"
INDEX_NAME = "index.html"
ARCHIVE_FOLDER = "archive"
PART_SUFFIX = ".part"
LOCK_NAME = ".publish.lock"
# A temp file this old belongs to no live writer (a render takes seconds): safe to sweep.
STALE_PART_SECONDS = 15 * 60
# Cover text when a rerun over changed data gives no `reason`.
DEFAULT_REASON = {
    "zh-CN": "数据更新后重新生成",
    "en": "Regenerated after the data were updated",
}
ASSET_SUFFIXES = {".css", ".svg", ".png", ".jpg", ".otf", ".ttf", ".woff", ".woff2"}

HtmlForRevision = Callable[[dict[str, Any] | None, str], str]


class ArchiveError(RuntimeError):
    """A report file or manifest that cannot be written or does not match its record."""


def ensure_schema(engine: Engine) -> None:
    """Create the revision and delivery tables on warehouses built before they existed."""
    with engine.begin() as conn:
        for statement in statements((SCHEMA_DIR / "09_delivery.sql").read_text(encoding="utf-8")):
            conn.execute(sa.text(statement))


def execute(engine: Engine, name: str, params: Mapping[str, Any] | list[dict[str, Any]]) -> None:
    """Run a write statement from `sql/queries/<name>.sql` in its own transaction."""
    with engine.begin() as conn:
        conn.execute(sa.text(query_text(name)), params)


def _plain(value: Any) -> Any:
    """numpy scalars → Python, NaN/NA (how pandas reads a NULL) → None."""
    if value is None:
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and value != value:
        return None
    if value is pd.NA or value is pd.NaT:
        return None
    return value


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """A query result as plain dicts, NULLs as None (pandas reads them as NaN)."""
    return [
        {key: _plain(value) for key, value in row.items()}
        for row in frame.to_dict(orient="records")
    ]


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def today_in(timezone: str) -> dt.date:
    """The company's calendar date now: only ever used to date a *new* revision."""
    return dt.datetime.now(ZoneInfo(timezone)).date()


# ---------------------------------------------------------------- atomic files and the lock


def atomic_write_bytes(path: Path, data: bytes) -> Path:
    """Write beside the target under a hidden `.part` name, fsync, then rename over it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(
        prefix=f".{path.name}.", suffix=PART_SUFFIX, dir=path.parent
    )
    try:
        with os.fdopen(handle, "wb") as output:
            output.write(data)
            output.flush()
            os.fsync(output.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def atomic_write_text(path: Path, text: str) -> Path:
    return atomic_write_bytes(path, text.encode("utf-8"))


@contextmanager
def publish_lock(reports_dir: Path) -> Iterator[None]:
    """One writer of manifests and the index at a time (mapped tasks, a CLI run, a retry)."""
    reports_dir.mkdir(parents=True, exist_ok=True)
    with (reports_dir / LOCK_NAME).open("a") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def is_partial(path: Path) -> bool:
    """Temp files of an unfinished write: hidden and ending in `.part`; never listed or served."""
    return path.name.startswith(".") and path.name.endswith(PART_SUFFIX)


def remove_stale_parts(
    folder: Path, prefix: str = ".", older_than: float | None = STALE_PART_SECONDS
) -> list[Path]:
    """Delete temp files a killed writer left behind; returns what was removed.

    `prefix` narrows the sweep to one destination's temps (its writer is the caller, so any
    age is stale); the default sweeps a whole folder but spares temps young enough to belong
    to a writer that is still running.
    """
    removed: list[Path] = []
    if not folder.is_dir():
        return removed
    now = time.time()
    for candidate in folder.iterdir():
        if not (is_partial(candidate) and candidate.name.startswith(prefix)):
            continue
        try:
            if older_than is not None and now - candidate.stat().st_mtime < older_than:
                continue
            candidate.unlink()
        except FileNotFoundError:
            continue
        removed.append(candidate)
        log.warning("removed %s left by an interrupted write", candidate)
    return removed


# ---------------------------------------------------------------- revisions


def inputs_sha256(html: str) -> str:
    """Fingerprint of everything that shapes a report: its HTML and the assets it loads.

    The HTML is rendered with a neutral revision and run id, so the fingerprint changes
    only when the figures, texts, templates or brand change. Absolute template paths are
    replaced so a checkout in another folder gives the same fingerprint.
    """
    digest = hashlib.sha256()
    digest.update(html.replace(TEMPLATES_DIR.as_uri(), "templates:").encode("utf-8"))
    digest.update(_assets_digest().encode("ascii"))
    return digest.hexdigest()


def _assets_digest() -> str:
    digest = hashlib.sha256()
    for path in sorted(TEMPLATES_DIR.rglob("*")):
        if path.is_file() and path.suffix.lower() in ASSET_SUFFIXES:
            digest.update(path.relative_to(TEMPLATES_DIR).as_posix().encode("utf-8"))
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


@dataclass(frozen=True)
class Revision:
    """One revision of a (quarter, scope, language) report, as stored in report_revisions."""

    quarter: str
    scope: str
    language: str
    number: int
    inputs_sha256: str
    made_on: dt.date
    reason: str | None
    run_id: str
    pdf_sha256: str | None = None
    is_new: bool = False

    @property
    def label(self) -> str:
        return f"v{self.number}"

    def cover(self) -> dict[str, Any]:
        """The `revision` the report context takes: label, reason and the date it was made."""
        reason = self.reason
        if self.number > 1 and not reason:
            reason = DEFAULT_REASON.get(self.language, DEFAULT_REASON["en"])
        return {
            "label": self.label,
            "reason": reason if self.number > 1 else None,
            "date": self.made_on,
        }


def _as_date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def latest_revision(engine: Engine, quarter: str, scope: str, language: str) -> Revision | None:
    """The newest stored revision of a report, or None before its first render."""
    rows = records(
        read_query(
            engine,
            "delivery_revision_latest",
            {"quarter": quarter, "scope": scope, "language": language},
        )
    )
    if not rows:
        return None
    row = rows[0]
    return Revision(
        quarter=quarter,
        scope=scope,
        language=language,
        number=int(row["revision"]),
        inputs_sha256=str(row["inputs_sha256"]),
        made_on=_as_date(row["made_on"]),
        reason=row["reason"],
        run_id=str(row["run_id"]),
        pdf_sha256=row["pdf_sha256"],
    )


def decide_revision(
    engine: Engine,
    *,
    quarter: str,
    scope: str,
    language: str,
    inputs: str,
    reason: str | None,
    run_id: str,
    today: dt.date,
) -> Revision:
    """Same inputs as the latest revision → that revision again; else the next number.

    The date printed on the cover is the stored date the revision was first made, so a
    rerun over unchanged data reproduces the same bytes on any later day.
    """
    latest = latest_revision(engine, quarter, scope, language)
    if latest is not None and latest.inputs_sha256 == inputs:
        if reason:
            log.info(
                "%s %s %s: inputs unchanged, keeping %s (reason %r not used)",
                quarter,
                scope,
                language,
                latest.label,
                reason,
            )
        return latest
    number = 1 if latest is None else latest.number + 1
    return Revision(
        quarter=quarter,
        scope=scope,
        language=language,
        number=number,
        inputs_sha256=inputs,
        made_on=today,
        reason=(reason or None) if number > 1 else None,
        run_id=run_id,
        is_new=True,
    )


def archived_name(scope: str, language: str, number: int) -> str:
    """Where an earlier revision is kept: archive/<scope>.<language>.v<n>.pdf"""
    return f"{ARCHIVE_FOLDER}/{scope}.{language}.v{number}.pdf"


def keep_previous(destination: Path, previous: Revision) -> Path | None:
    """Copy the file of the revision being superseded into archive/ before it is replaced.

    Only a file whose checksum matches the stored revision is archived under that revision's
    name: an archive entry always is what its name says.
    """
    target = destination.parent / archived_name(previous.scope, previous.language, previous.number)
    if target.exists():
        return target
    if not destination.exists():
        log.warning("%s: no file to archive as %s", destination, previous.label)
        return None
    if previous.pdf_sha256 and sha256_file(destination) != previous.pdf_sha256:
        log.warning(
            "%s does not match the stored checksum of %s: not archived", destination, previous.label
        )
        return None
    return atomic_write_bytes(target, destination.read_bytes())


def record_revision(engine: Engine, revision: Revision, pdf: Path) -> Revision:
    """Store the revision with its file's checksum, once the file is in place."""
    checksum = sha256_file(pdf)
    if revision.pdf_sha256 and revision.pdf_sha256 != checksum and not revision.is_new:
        # Same inputs, different bytes: a renderer or font upgrade. Keep the revision.
        log.warning(
            "%s: inputs unchanged but the PDF bytes differ from %s (renderer or fonts changed)",
            pdf,
            revision.label,
        )
    execute(
        engine,
        "delivery_revision_insert",
        {
            "quarter": revision.quarter,
            "scope": revision.scope,
            "language": revision.language,
            "revision": revision.number,
            "inputs_sha256": revision.inputs_sha256,
            "pdf_sha256": checksum,
            "pdf_bytes": pdf.stat().st_size,
            "reason": revision.reason,
            "made_on": revision.made_on.isoformat(),
            "run_id": revision.run_id,
        },
    )
    return Revision(**{**revision.__dict__, "pdf_sha256": checksum})


def publish_revision(
    engine: Engine,
    destination: Path,
    *,
    quarter: str,
    scope: str,
    language: str,
    html_for: HtmlForRevision,
    run_id: str,
    reason: str | None = None,
    today: dt.date | None = None,
    timezone: str = "Asia/Shanghai",
) -> Path:
    """Render one report as its right revision and put it in place atomically.

    `html_for(revision, shown_run_id)` renders the report's HTML. It is called once with
    no revision to fingerprint the inputs, then with the decided revision; the run id shown
    in the report is the run that made the revision, so unchanged inputs give the same bytes.
    """
    ensure_schema(engine)
    inputs = inputs_sha256(html_for(None, ""))
    previous = latest_revision(engine, quarter, scope, language)
    revision = decide_revision(
        engine,
        quarter=quarter,
        scope=scope,
        language=language,
        inputs=inputs,
        reason=reason,
        run_id=run_id,
        today=today or today_in(timezone),
    )
    remove_stale_parts(destination.parent, prefix=f".{destination.name}.", older_than=None)
    if (
        not revision.is_new
        and revision.pdf_sha256
        and destination.exists()
        and sha256_file(destination) == revision.pdf_sha256
    ):
        # Same inputs (HTML, CSS, images, fonts), same revision, its date and run id: the
        # render would reproduce these bytes, and the file on disk is intact. Skip it.
        log.info("%s: %s unchanged and intact, not re-rendered", destination, revision.label)
        return destination
    html = html_for(revision.cover(), revision.run_id)
    if revision.is_new and previous is not None:
        keep_previous(destination, previous)
    write_pdf(html, destination)
    os.chmod(destination, 0o644)  # readable by the web server and the mail task
    stored = record_revision(engine, revision, destination)
    log.info(
        "%s: %s (%s, inputs %s)",
        destination,
        stored.label,
        "new" if revision.is_new else "unchanged",
        inputs[:12],
    )
    return destination


# ---------------------------------------------------------------- manifest and index


def delivery_status(recipients: list[dict[str, Any]]) -> str:
    """One word for a file's delivery: not_sent, delivered, partial, pending, held or failed."""
    statuses = {row["status"] for row in recipients}
    if not statuses:
        return "not_sent"
    if statuses == {"delivered"}:
        return "delivered"
    if "pending" in statuses:
        return "pending"
    if "delivered" in statuses:
        return "partial"
    if statuses == {"held"}:
        return "held"
    return "failed"


def headline_figures(engine: Engine, quarter: str) -> dict[str, dict[str, Any]]:
    """CSI, NPS, CSAT and respondents per scope; suppressed figures are None."""
    figures: dict[str, dict[str, Any]] = {}
    for row in records(read_query(engine, "delivery_headline", {"quarter": quarter})):
        entry = figures.setdefault(str(row["scope"]), {})
        entry[row["metric"]] = None if row["flag"] == "suppressed" else row["value"]
        if row["metric"] != "respondents":
            entry[f"{row['metric']}_flag"] = row["flag"]
    return figures


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
    folder = reports_dir / quarter
    revisions = records(read_query(engine, "delivery_revisions", {"quarter": quarter}))
    deliveries = records(read_query(engine, "delivery_log", {"quarter": quarter}))
    latest: dict[tuple[str, str], int] = {}
    for row in revisions:
        key = (row["scope"], row["language"])
        latest[key] = max(latest.get(key, 0), int(row["revision"]))
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
            "sent_at": row["sent_at"],
            "run_id": row["run_id"],
        }
        if not row["pdf_sha256"]:
            errors.append({"scope": row["scope"], "language": row["language"], **entry})
            continue
        by_file.setdefault((row["scope"], row["pdf_sha256"]), []).append(entry)
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
    runs = list((previous or {}).get("runs", []))
    if run_id and run_id not in runs:
        runs.append(run_id)
    return {
        "schema_version": 1,
        "quarter": quarter,
        "runs": runs[-50:],
        "scope_names": {key: dict(value) for key, value in (scope_names or {}).items()},
        "headline": headline_figures(engine, quarter),
        "files": files,
        "delivery_errors": errors,
    }


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


def index_rows(manifest: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One row per scope of a quarter: names, headline figures and its current files."""
    names = manifest.get("scope_names", {})
    headline = manifest.get("headline", {})
    scopes: dict[str, dict[str, Any]] = {}
    for entry in manifest.get("files", []):
        if not entry.get("current"):
            continue
        scope = entry["scope"]
        row = scopes.setdefault(
            scope,
            {
                "scope": scope,
                "name_zh": names.get(scope, {}).get("zh", scope),
                "name_en": names.get(scope, {}).get("en", scope),
                "figures": headline.get(scope, {}),
                "files": [],
            },
        )
        row["files"].append(entry)
    ordered = sorted(scopes.values(), key=lambda row: (row["scope"] != "company", row["scope"]))
    for row in ordered:
        row["files"].sort(key=lambda entry: entry["language"] != "zh-CN")
    return ordered


def _index_environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR / "archive"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["figure"] = lambda value, digits=1: (
        "—" if value is None else f"{float(value):,.{digits}f}"
    )
    return env


def render_index(
    manifests: list[Mapping[str, Any]],
    link_for: Callable[[str, str], str] = lambda quarter, path: f"{quarter}/{path}",
    title_note: str = "",
) -> str:
    """The bilingual reports index: quarters (newest first) × scopes, links and figures."""
    quarters = [
        {"quarter": manifest["quarter"], "rows": index_rows(manifest), "runs": manifest["runs"]}
        for manifest in manifests
    ]
    return (
        _index_environment()
        .get_template("index.html.j2")
        .render(quarters=quarters, link_for=link_for, title_note=title_note)
    )


def publish_quarter(
    engine: Engine,
    reports_dir: str | Path,
    quarter: str,
    run_id: str,
    scope_names: Mapping[str, Mapping[str, str]] | None = None,
) -> Path:
    """Rewrite reports/<quarter>/manifest.json and reports/index.html, under the lock."""
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
