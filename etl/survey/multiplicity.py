"""Multiplicity: the false discovery rate over each report's family of change tests.

A run tests every headline figure, dimension and item-free index of every scope against
last quarter and a year ago: hundreds of tests, of which about 5% come out "significant"
by chance alone. Each significant decline raises an improvement action, so uncorrected
false alarms become work. The changes a report marks are therefore those that survive the
Benjamini–Hochberg (1995) step-up procedure within the report's family of tests:

    p(1) ≤ … ≤ p(m) the family's p-values; q(i) = min over j ≥ i of min(1, m p(j) / j);
    a change is significant when q ≤ α (α = 0.05 by default).

This is the textbook BH adjusted p-value (R `p.adjust(method = "BH")`, statsmodels
`multipletests(method = "fdr_bh")`); tests/etl/survey/test_multiplicity.py checks it
against statsmodels. The family is configurable (`[multiplicity] family`):
`report` (default) groups the tests each PDF prints (the company report holds the company
and its channel and product segments; each branch report its own branch), `scope` one
family per scope, `run` one family for the whole run; `method = "none"` keeps the
per-test p-values (for comparison only).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from etl.core.config import ConfigError
from etl.core.scopes import COMPANY

METHODS = ("bh", "by", "bonferroni", "none")
FAMILIES = ("report", "scope", "run")


@dataclass(frozen=True)
class MultiplicityConfig:
    """How change tests are corrected: the method, the family and the FDR (or FWER) level."""

    method: str = "bh"
    family: str = "report"
    alpha: float = 0.05


def multiplicity_config(raw: Mapping[str, Any]) -> MultiplicityConfig:
    """Read [multiplicity]; an error names the key and the rule broken."""
    section = dict(raw.get("multiplicity", {}))
    config = MultiplicityConfig(
        method=str(section.get("method", "bh")),
        family=str(section.get("family", "report")),
        alpha=float(section.get("alpha", 0.05)),
    )
    if config.method not in METHODS:
        raise ConfigError(
            f"settings [multiplicity] method: must be one of {METHODS}, got {config.method!r}"
        )
    if config.family not in FAMILIES:
        raise ConfigError(
            f"settings [multiplicity] family: must be one of {FAMILIES}, got {config.family!r}"
        )
    if not 0 < config.alpha < 1:
        raise ConfigError(f"settings [multiplicity] alpha: must lie in (0, 1), got {config.alpha}")
    return config


def adjust(p_values: Sequence[float], method: str = "bh") -> np.ndarray:
    """Adjusted p-values in the input order.

    bh: Benjamini–Hochberg step-up, q(i) = min_{j ≥ i} min(1, m p(j) / j).
    by: Benjamini–Yekutieli, the same times c(m) = Σ_{k=1..m} 1/k (any dependence).
    bonferroni: min(1, m p). none: p unchanged.
    """
    p = np.asarray(p_values, dtype=float)
    if p.ndim != 1:
        raise ValueError(f"p-values must be one-dimensional, got shape {p.shape}")
    if np.isnan(p).any() or (p < 0).any() or (p > 1).any():
        raise ValueError("p-values must lie in [0, 1] without missing values")
    m = p.size
    if m == 0 or method == "none":
        return p.copy()
    if method == "bonferroni":
        return np.minimum(1.0, m * p)
    if method not in ("bh", "by"):
        raise ValueError(f"unknown multiplicity method {method!r}")
    order = np.argsort(p, kind="mergesort")
    ranks = np.arange(1, m + 1, dtype=float)
    factor = float(np.sum(1.0 / ranks)) if method == "by" else 1.0
    stepped = factor * m * p[order] / ranks
    # Step-up: the running minimum from the largest p-value down.
    stepped = np.minimum.accumulate(stepped[::-1])[::-1]
    adjusted = np.empty(m)
    adjusted[order] = np.minimum(1.0, stepped)
    return adjusted


def report_family(scope: str, family: str) -> str:
    """The family a scope's change tests belong to (the report that prints them)."""
    if family == "run":
        return COMPANY
    if family == "report" and scope.startswith(("channel.", "product.")):
        return COMPANY
    return scope


def family_adjusted(tests: Sequence[tuple[str, float]], config: MultiplicityConfig) -> list[float]:
    """Adjusted p-values of (scope, p) tests, each adjusted within its family."""
    families: dict[str, list[int]] = {}
    for position, (scope, _p) in enumerate(tests):
        families.setdefault(report_family(scope, config.family), []).append(position)
    adjusted = [1.0] * len(tests)
    for positions in families.values():
        q = adjust([tests[i][1] for i in positions], config.method)
        for position, value in zip(positions, q, strict=True):
            adjusted[position] = float(value)
    return adjusted
