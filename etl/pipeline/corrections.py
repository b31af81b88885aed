"""A correction to an earlier quarter: which figures moved, and which later reports it stales."""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy.engine import Connection, Engine

from etl.core import ResultRow
from etl.publish.files import MANIFEST_NAME
from etl.publish.manifest import refresh_manifest
from etl.warehouse import clear_stale, mark_stale, revised_quarters_after

log = logging.getLogger(__name__)

# Figures that describe the run rather than the quarter (whether it was checked, what was
# ingested when): they change without the quarter's figures changing.
NOT_FIGURES = ("contract.", "lineage.")
FIELDS = ("value", "lower_bound", "upper_bound", "n")
EXAMPLES = 3


def _number(value: Any) -> float | None:
    if value is None or value is pd.NA:
        return None
    number = float(value)
    return None if math.isnan(number) else number


def _same(left: float | None, right: float | None) -> bool:
    if left is None or right is None:
        return left is right
    return math.isclose(left, right, rel_tol=1e-9, abs_tol=1e-9)


def moved_figures(before: pd.DataFrame, after: Sequence[ResultRow]) -> list[dict[str, Any]]:
    """Figures (scope, metric) whose value, interval or n differs, appeared or disappeared."""
    old = {
        (str(row.scope), str(row.metric)): tuple(_number(getattr(row, f)) for f in FIELDS)
        for row in before.itertuples(index=False)
        if not str(row.metric).startswith(NOT_FIGURES)
    }
    new = {
        (row.scope, row.metric): tuple(_number(getattr(row, f)) for f in FIELDS)
        for row in after
        if not row.metric.startswith(NOT_FIGURES)
    }
    moved = []
    for key in sorted(old.keys() | new.keys()):
        was, now = old.get(key), new.get(key)
        if was is not None and now is not None and all(map(_same, was, now)):
            continue
        moved.append(
            {
                "scope": key[0],
                "metric": key[1],
                "before": was[0] if was else None,
                "after": now[0] if now else None,
            }
        )
    return moved


def stale_reason(quarter: str, moved: list[dict[str, Any]], run_id: str) -> str:
    """`2026-Q2 recomputed (run r2): 14 figures moved, e.g. company csi 71.2 → 70.9; …`"""

    def shown(value: float | None) -> str:
        return "—" if value is None else f"{value:.4g}"

    examples = "; ".join(
        f"{m['scope']} {m['metric']} {shown(m['before'])} → {shown(m['after'])}"
        for m in moved[:EXAMPLES]
    )
    return f"{quarter} recomputed (run {run_id}): {len(moved)} figure(s) moved, e.g. {examples}"


def record_correction(
    conn: Connection, quarter: str, before: pd.DataFrame, after: Sequence[ResultRow], run_id: str
) -> list[str]:
    """Inside the compute's transaction: the quarter is fresh again; when it had been computed
    before and its figures moved, every later quarter with published reports is marked stale
    (returned), with the reason."""
    clear_stale(conn, quarter)
    if before.empty:
        return []  # computed for the first time: nothing was published from other figures
    moved = moved_figures(before, after)
    later = revised_quarters_after(conn, quarter) if moved else []
    if later:
        mark_stale(conn, later, quarter, stale_reason(quarter, moved, run_id), run_id)
        log.warning("%s moved %s figures: reports of %s are stale", quarter, len(moved), later)
    return later


def refresh_stale_manifests(
    store: Engine, reports_dir: Path, quarters: Sequence[str], run_id: str
) -> None:
    """Rewrite the manifests of quarters just marked stale, so the index and the Reports
    page say so at once (the index itself is rewritten by the next publish)."""
    for quarter in quarters:
        if (reports_dir / quarter / MANIFEST_NAME).is_file():
            refresh_manifest(store, reports_dir, quarter, run_id)
