"""Branch ranks with intervals: a league table shows only the ranks the data separate.

Ranking twelve branches on estimates whose intervals overlap prints differences that are
noise. Each branch's rank on a figure therefore comes with a 95% interval from a
parametric bootstrap of the league table (Goldstein & Spiegelhalter 1996; Marshall &
Spiegelhalter 1998): the branches are independent samples, so each replicate draws every
branch's figure from N(estimate, se²) — se from its stored 95% interval, (upper − lower) /
(2 · 1.96) — and ranks the draws (1 = best; ties share the better rank); the interval is
the 2.5th and 97.5th percentile of each branch's replicate ranks (`[ranks] bootstrap`
replicates, 1,000 by default, fixed seed). A rank is "separated" when its interval is a
single place; otherwise the report prints the interval, not a place.

Only branches whose figure is estimated and not low base take part; suppressed and low-base
branches get no rank.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from etl.core.config import SERVICE_DIMENSIONS
from etl.core.results import ResultRow
from etl.core.scopes import COMPANY
from etl.survey.indices import Z_95

RANKED_METRICS = ("csi", "nps", "csat", *(f"dimension.{d}" for d in SERVICE_DIMENSIONS))
DEFAULT_RANK_BOOTSTRAP = 1000
DEFAULT_RANK_SEED = 20260101


def _branch(scope: str) -> bool:
    return scope != COMPANY and "." not in scope


def rank_intervals(
    values: np.ndarray, ses: np.ndarray, n_boot: int, seed: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(point ranks, lower, upper) for higher-is-better figures, 1 = best."""
    rng = np.random.default_rng(seed)
    draws = rng.normal(values, ses, size=(n_boot, values.size))
    ranks = _ranks(draws)
    point = _ranks(values[None, :])[0]
    lower = np.floor(np.percentile(ranks, 2.5, axis=0, method="lower"))
    upper = np.ceil(np.percentile(ranks, 97.5, axis=0, method="higher"))
    return point, lower, upper


def _ranks(rows: np.ndarray) -> np.ndarray:
    """Competition ranks per row, 1 for the largest value (ties share the better rank)."""
    return (rows[:, None, :] > rows[:, :, None]).sum(axis=2) + 1.0


def rank_rows(
    quarter: str, rows: Sequence[ResultRow], settings_raw: Mapping[str, Any]
) -> list[ResultRow]:
    """rank.<metric> rows of every branch for every ranked figure (module doc)."""
    section = dict(settings_raw.get("ranks", {}))
    n_boot = int(section.get("bootstrap", DEFAULT_RANK_BOOTSTRAP))
    seed = int(section.get("seed", DEFAULT_RANK_SEED))
    out: list[ResultRow] = []
    for position, metric in enumerate(RANKED_METRICS):
        ranked = [
            r
            for r in rows
            if r.metric == metric
            and _branch(r.scope)
            and r.value is not None
            and r.lower_bound is not None
            and r.upper_bound is not None
            and r.flag not in ("suppressed", "low_base")
        ]
        if len(ranked) < 2:
            continue
        values = np.array([float(r.value) for r in ranked])  # type: ignore[arg-type]
        ses = np.array([(float(r.upper_bound) - float(r.lower_bound)) / (2 * Z_95)  # type: ignore[arg-type]
                        for r in ranked])  # fmt: skip
        point, lower, upper = rank_intervals(values, ses, n_boot, seed + position)
        for row, p, lo, hi in zip(ranked, point, lower, upper, strict=True):
            out.append(ResultRow(quarter, row.scope, f"rank.{metric}", float(p), float(lo),
                                 float(hi), n=len(ranked),
                                 note="separated" if lo == hi else None))  # fmt: skip
    return out
