"""Revisions: same inputs keep a report's revision and its bytes; changed inputs make the next."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine

from etl.core.config import TEMPLATES_DIR
from etl.core.errors import ParamError
from etl.publish.files import (
    ARCHIVE_FOLDER,
    as_date,
    atomic_write_bytes,
    remove_stale_parts,
    report_lock,
    revision_reason,
    sha256_file,
    today_in,
)
from etl.warehouse import (
    read_query,
    read_report_sources,
    read_revision_figures,
    store_report_sources,
    store_revision_figures,
)
from etl.warehouse.stores import ensure_schema, execute, read_latest_revision

log = logging.getLogger(__name__)


# Cover text when a rerun over changed data gives no `reason`.


ASSET_SUFFIXES = {".css", ".svg", ".png", ".jpg", ".otf", ".ttf", ".woff", ".woff2"}


HtmlForRevision = Callable[[dict[str, Any] | None, str], str]


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
        return {
            "label": self.label,
            "reason": revision_reason(self.number, self.reason, self.language),
            "date": self.made_on,
        }


def latest_revision(engine: Engine, quarter: str, scope: str, language: str) -> Revision | None:
    """The newest stored revision of a report, or None before its first render."""
    row = read_latest_revision(engine, quarter, scope, language)
    if row is None:
        return None
    return Revision(
        quarter=quarter,
        scope=scope,
        language=language,
        number=int(row["revision"]),
        inputs_sha256=str(row["inputs_sha256"]),
        made_on=as_date(row["made_on"]),
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


class ReasonRequiredError(ParamError):
    """A new revision of a report that was already delivered, and no `reason` for its cover."""

    param = "reason"


def was_delivered(engine: Engine, revision: Revision) -> bool:
    """Whether anyone received this revision of the report (the delivery log says so)."""
    log_rows = read_query(engine, "delivery_log", {"quarter": revision.quarter})
    received = log_rows[
        (log_rows["scope"] == revision.scope)
        & (log_rows["language"] == revision.language)
        & (log_rows["revision"] == revision.number)
        & (log_rows["status"] == "delivered")
    ]
    return not received.empty


def check_reason(
    engine: Engine, revision: Revision, previous: Revision | None, reason: str | None
) -> None:
    """A new revision of a delivered report must say why: its readers hold the earlier one."""
    if not revision.is_new or previous is None or (reason or "").strip():
        return
    if was_delivered(engine, previous):
        raise ReasonRequiredError(
            f"reason: {revision.quarter} {revision.scope} ({revision.language}) changed since "
            f"{previous.label}, which was delivered, so this run makes {revision.label}; its "
            "cover must say why. Trigger the DAG again with reason set, e.g. "
            '"claims data for SC corrected".'
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


def changed_since(
    engine: Engine,
    revision: Revision,
    previous: Revision | None,
    figures: Mapping[str, float | None] | None,
) -> list[dict[str, Any]]:
    """The headline figures that moved since the revision before (as first recorded for this
    revision when it is re-rendered, so its bytes repeat); [] for v1 or without figures."""
    stored = {
        int(row["revision"]): row
        for row in read_revision_figures(engine, revision.quarter)
        if (row["scope"], row["language"]) == (revision.scope, revision.language)
    }
    if not revision.is_new and revision.number in stored:
        return list(stored[revision.number]["changed"])
    if figures is None or previous is None or previous.number not in stored:
        return []
    before = stored[previous.number]["figures"]
    return [
        {"metric": metric, "before": before.get(metric), "after": figures.get(metric)}
        for metric in sorted(set(before) | set(figures))
        if not _same_figure(before.get(metric), figures.get(metric))
    ]


def _intact(revision: Revision, destination: Path) -> bool:
    """An unchanged revision whose file on disk is the one recorded."""
    return bool(
        not revision.is_new
        and revision.pdf_sha256
        and destination.exists()
        and sha256_file(destination) == revision.pdf_sha256
    )


def _keep_figures(
    engine: Engine,
    revision: Revision,
    figures: Mapping[str, float | None] | None,
    changed: list[dict[str, Any]],
) -> None:
    if figures is not None:
        key = {"quarter": revision.quarter, "scope": revision.scope,
               "language": revision.language, "revision": revision.number}  # fmt: skip
        store_revision_figures(engine, key, figures, changed)


def _same_figure(left: float | None, right: float | None) -> bool:
    if left is None or right is None:
        return left is right
    return abs(float(left) - float(right)) <= 1e-9


def _refresh_manifest(engine: Engine, destination: Path, quarter: str, run_id: str) -> None:
    """The quarter's manifest lists a replaced file's new checksum at once, not at publish."""
    from etl.publish.manifest import refresh_manifest  # manifest.py imports this module

    refresh_manifest(engine, destination.parent.parent, quarter, run_id)


def publish_revision(
    engine: Engine,
    destination: Path,
    *,
    quarter: str,
    scope: str,
    language: str,
    html_for: HtmlForRevision,
    render_pdf: Callable[[str, str], bytes],
    run_id: str,
    reason: str | None = None,
    today: dt.date | None = None,
    timezone: str = "Asia/Shanghai",
    require_reason: bool = False,
    figures: Mapping[str, float | None] | None = None,
    sources: str | None = None,
) -> Path:
    """Render one report as its right revision and put it in place atomically.

    `html_for(revision, shown_run_id)` renders the report's HTML: once with no revision to
    fingerprint the inputs, then with the decided revision; the run id shown in the report is
    the run that made the revision, so unchanged inputs give the same bytes.
    `render_pdf(html, name)` gives its PDF bytes (the report stage's renderer, handed in);
    they are written atomically. `require_reason`: see check_reason, before any write.
    `figures`: headline figures; a new revision's cover lists those moved since the last.
    `sources`: the HTML's inputs fingerprinted without building it (see same_sources).
    """
    ensure_schema(engine)
    key = {"quarter": quarter, "scope": scope, "language": language}
    if sources and same_sources(engine, destination, key, sources):
        return destination  # made from these very sources, the file intact: nothing to do
    inputs = inputs_sha256(html_for(None, ""))
    # Decide, render and record under the report's lock: two runs deciding at once would
    # both make the next revision, each with its own run id on the page (other bytes).
    with report_lock(destination):
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
        if require_reason:  # a new revision of a delivered report must say why
            check_reason(engine, revision, previous, reason)
        remove_stale_parts(destination.parent, prefix=f".{destination.name}.", older_than=None)
        if _intact(revision, destination):
            # Same inputs (HTML, CSS, images, fonts), same revision, its date and run id: the
            # render would reproduce these bytes, and the file on disk is intact. Skip it.
            log.info("%s: %s unchanged and intact, not re-rendered", destination, revision.label)
            _keep_sources(engine, key, revision, sources)
            return destination
        made = _write_revision(engine, destination, revision, previous, figures, html_for,
                               render_pdf)  # fmt: skip
        _keep_sources(engine, key, made, sources)
    _refresh_manifest(engine, destination, quarter, run_id)
    return destination


def same_sources(engine: Engine, destination: Path, key: Mapping[str, str], sources: str) -> bool:
    """The latest revision was made from these sources and its file on disk is intact."""
    latest = latest_revision(engine, key["quarter"], key["scope"], key["language"])
    if latest is None or not _intact(latest, destination):
        return False
    same = read_report_sources(engine, key | {"revision": latest.number}) == sources
    if same:
        log.info("%s: sources unchanged and file intact, nothing rendered", destination)
    return same


def _keep_sources(
    engine: Engine, key: Mapping[str, str], revision: Revision, sources: str | None
) -> None:
    if sources:
        store_report_sources(engine, key | {"revision": revision.number}, sources)


def _write_revision(
    engine: Engine,
    destination: Path,
    revision: Revision,
    previous: Revision | None,
    figures: Mapping[str, float | None] | None,
    html_for: HtmlForRevision,
    render_pdf: Callable[[str, str], bytes],
) -> Revision:
    """Render the decided revision, keep the one it supersedes, write and record it."""
    changed = changed_since(engine, revision, previous, figures)
    html = html_for(revision.cover() | ({"changed": changed} if changed else {}), revision.run_id)
    if revision.is_new and previous is not None:
        keep_previous(destination, previous)
    atomic_write_bytes(destination, render_pdf(html, destination.name))
    os.chmod(destination, 0o644)  # readable by the web server and the mail task
    stored = record_revision(engine, revision, destination)
    _keep_figures(engine, stored, figures, changed)
    state = "new" if revision.is_new else "unchanged"
    log.info(
        "%s: %s (%s, inputs %s)", destination, stored.label, state, revision.inputs_sha256[:12]
    )
    return stored
