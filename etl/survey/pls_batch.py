"""PLS fits of many bootstrap replicates at once: pls_moments.fit_moments on a stack.

A replicate enters the fit only through its p × p weighted moment matrix (pls_moments), so
hundreds of replicates are a stack of small matrices: each step of the mode A iteration
is one batched product over the stack, and the inner regressions one batched solve per
latent, instead of hundreds of small numpy calls per replicate. A replicate stops where
the single fit stops (the same stopping rule, checked per replicate); a replicate with a
constant latent score, without convergence, or with a non-positive outer weight in the
index's block is marked failed, as fit_moments and the index would raise for it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from etl.survey.pls_moments import _inner_from_correlation
from etl.survey.pls_spec import _Model


@dataclass(frozen=True)
class BatchFit:
    """Per replicate: path matrix, 0–100 index of one latent, and whether the fit stands."""

    paths: np.ndarray  # (replicates, latents, latents)
    index: np.ndarray  # (replicates,)
    ok: np.ndarray  # (replicates,) bool


def _block_pattern(model: _Model, p: int) -> np.ndarray:
    """(items, latents) indicator of each item's block."""
    pattern = np.zeros((p, len(model.latents)))
    for j, index in enumerate(model.block_index):
        pattern[index, j] = 1.0
    return pattern


def _sd(weights: np.ndarray, cov: np.ndarray) -> np.ndarray:
    """Standard deviations of the latent scores x W of each replicate: (replicates, latents)."""
    variance = np.sum(weights * (cov @ weights), axis=1)
    return np.sqrt(np.clip(variance, 0.0, None))


def _solve(matrix: np.ndarray, predecessors: np.ndarray, k: int) -> np.ndarray:
    """Regression slopes of column k on the predecessors, for each matrix of the stack."""
    square = matrix[:, predecessors[:, None], predecessors]
    return np.linalg.solve(square, matrix[:, predecessors, k][..., None])[..., 0]


def outer_batch(
    cov: np.ndarray, model: _Model, scheme: str, tol: float, max_iter: int
) -> tuple[np.ndarray, np.ndarray]:
    """Outer weights (scaled to unit-variance scores) of each replicate, and which stand."""
    pattern = _block_pattern(model, cov.shape[1])
    weights = np.repeat(pattern[None], len(cov), axis=0)
    sd = _sd(weights, cov)
    ok = (sd > 0).all(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        weights = weights / np.where(sd > 0, sd, 1.0)[:, None, :]
        previous = weights.sum(axis=2)
        active, converged = ok.copy(), np.zeros(len(cov), dtype=bool)
        for _iteration in range(max_iter):
            live = np.flatnonzero(active)
            if not live.size:
                break
            moments = cov[live]
            sd = _sd(weights[live], moments)
            constant = ~(sd > 0).all(axis=1)
            standard = weights[live] / np.where(sd > 0, sd, 1.0)[:, None, :]
            score_cov = standard.transpose(0, 2, 1) @ moments @ standard
            scale = np.sqrt(np.diagonal(score_cov, axis1=1, axis2=2))
            correlation = score_cov / (scale[:, :, None] * scale[:, None, :])
            # A failed replicate must not stop the batch's solves: give it a harmless matrix.
            broken = constant | ~np.isfinite(correlation).all(axis=(1, 2))
            correlation[broken] = np.eye(correlation.shape[1])
            inner = _inner_from_correlation(correlation, model, scheme)
            update = moments @ standard @ inner * pattern
            current = update.sum(axis=2)
            done = np.sum((np.abs(previous[live]) - np.abs(current)) ** 2, axis=1) < tol
            weights[live], previous[live] = update, current
            ok[live[broken]], active[live[broken]] = False, False
            converged[live[done & ~broken]] = True
            active[live[done]] = False
        sd = _sd(weights, cov)
        ok &= converged & (sd > 0).all(axis=1)
        return weights / np.where(sd > 0, sd, 1.0)[:, None, :], ok


def fit_batch(
    means: np.ndarray,
    cov: np.ndarray,
    model: _Model,
    scheme: str,
    index_latent: str,
    scale: tuple[float, float],
    tol: float = 1e-6,
    max_iter: int = 300,
) -> BatchFit:
    """Paths and the index latent's 0–100 index of each replicate (means, cov stacked)."""
    outer, ok = outer_batch(cov, model, scheme, tol, max_iter)
    score_cov = outer.transpose(0, 2, 1) @ cov @ outer
    score_cov[~ok] = np.eye(score_cov.shape[1])  # failed replicates: nothing to solve
    size = len(model.latents)
    paths = np.zeros((len(cov), size, size))
    for k in range(size):
        predecessors = np.flatnonzero(model.adjacency[:, k])
        if predecessors.size:
            paths[:, predecessors, k] = _solve(score_cov, predecessors, k)
    j = model.latents.index(index_latent)
    block = model.block_index[j]
    raw = outer[:, block, j]
    ok &= (raw > 0).all(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.sum(raw / raw.sum(axis=1, keepdims=True) * means[:, block], axis=1)
    index = 100.0 * (mean - scale[0]) / (scale[1] - scale[0])
    return BatchFit(paths, index, ok)
