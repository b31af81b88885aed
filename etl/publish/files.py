"""Report files: atomic writes, the publish lock, checksums, sweeping interrupted writes."""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import logging
import os
import tempfile
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

log = logging.getLogger(__name__)


MANIFEST_NAME = "manifest.json"


INDEX_NAME = "index.html"


ARCHIVE_FOLDER = "archive"


PART_SUFFIX = ".part"


LOCK_NAME = ".publish.lock"


REPORT_LOCKS_FOLDER = ".locks"


# A temp file this old belongs to no live writer (a render takes seconds): safe to sweep.
STALE_PART_SECONDS = 15 * 60


class ArchiveError(RuntimeError):
    """A report file or manifest that cannot be written or does not match its record."""


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def today_in(timezone: str) -> dt.date:
    """The company's calendar date now: only ever used to date a *new* revision."""
    return dt.datetime.now(ZoneInfo(timezone)).date()


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
def _file_lock(path: Path) -> Iterator[None]:
    """An exclusive POSIX lock on `path` (created if missing), released however we leave.

    Held per open file, so two threads of one process exclude each other as two hosts on a
    shared volume do; a killed holder's lock goes with its process.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def publish_lock(reports_dir: Path) -> AbstractContextManager[None]:
    """One writer of manifests and the index at a time (mapped tasks, a CLI run, a retry)."""
    return _file_lock(reports_dir / LOCK_NAME)


def report_lock(destination: Path) -> AbstractContextManager[None]:
    """One renderer of a report file at a time, whichever run or host it belongs to.

    Its revision is decided, rendered and recorded under this lock: a second run of the
    quarter then finds the first one's revision and intact file, instead of deciding the
    same revision number and writing other bytes (its own run id on the page) under it.
    The lock files live in a hidden folder of the reports folder (never listed or served),
    one per report, <reports>/.locks/<quarter>.<file>.lock: the quarter folder holds reports.
    """
    reports_dir, quarter = destination.parent.parent, destination.parent.name
    return _file_lock(reports_dir / REPORT_LOCKS_FOLDER / f"{quarter}.{destination.name}.lock")


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


# Cover text when a rerun over changed data gives no `reason`.
DEFAULT_REASON = {
    "zh-CN": "数据更新后重新生成",
    "en": "Regenerated after the data were updated",
}


def revision_reason(number: int, reason: str | None, language: str) -> str | None:
    """Why a revision exists, as its cover and e-mail say: none for v1, a default if unsaid."""
    if number <= 1:
        return None
    return reason or DEFAULT_REASON.get(language, DEFAULT_REASON["en"])


def as_date(value: Any) -> dt.date:
    """A stored date (a date, or ISO text on SQLite) as a date."""
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])
