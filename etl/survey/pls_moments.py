"""Weighted PLS (mode A) on moment matrices: the bootstrap's refits without a pass per step.

Every quantity the weighted mode A iteration uses is a weighted moment of the centred
items x (with p_i = w_i / Σw and S = Σ p_i x_i x_iᵀ): latent scores x W have covariance
Wᵀ S W, the outer update Σ p_i z̃_i x_i is S W D E (D the scores' inverse standard
deviations, E the inner weights), and the inner model and loadings read Wᵀ S W and S W.
So a bootstrap replicate needs one weighted moment matrix of its rows (the resample's
counts times the survey weights: one BLAS pass), and the iteration itself runs on a
p × p matrix. Same algorithm, same stopping rule and errors as pls_weighted._fit_arrays;
the figures agree with it to rounding (tests/etl/survey/test_pls_moments.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from etl.survey.pls_spec import PLSConvergenceError, PLSSpecificationError, _Model

_GRAM_ROWS = 65_536

__all__ = [
    "MomentFit",
    "fit_moments",
    "outer_from_moments",
    "replicate_draws",
    "replicate_moments",
    "weighted_gram",
]


@dataclass(frozen=True)
class MomentFit:
    """What a bootstrap replicate reports: outer weights, path matrix and item means."""

    outer: np.ndarray
    paths: np.ndarray
    means: np.ndarray


def replicate_moments(
    shifted: np.ndarray, shift: np.ndarray, weights: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(weighted means, weighted covariance) of the rows, given `shifted` = raw − `shift`.

    Shifting by the full sample's means first keeps the covariance free of cancellation.
    `weights` are the replicate's counts times the survey weights (zero for rows not drawn).
    """
    p = weights / weights.sum()
    offset = p @ shifted
    return shift + offset, weighted_gram(shifted, p) - np.outer(offset, offset)


def weighted_gram(x: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Σ p_i x_i x_iᵀ, a block of rows at a time (symmetric rank-k updates, BLAS syrk),
    so no weighted copy of the whole matrix is held."""
    gram = np.zeros((x.shape[1], x.shape[1]))
    for start in range(0, len(x), _GRAM_ROWS):
        block = x[start : start + _GRAM_ROWS] * np.sqrt(p[start : start + _GRAM_ROWS])[:, None]
        gram += block.T @ block
    return gram


def _inner_from_correlation(correlation: np.ndarray, model: _Model, scheme: str) -> np.ndarray:
    """The scheme's inner weights from the latent scores' correlation matrix, or from each
    matrix of a stack of them (shape (..., L, L): the batched bootstrap's replicates)."""
    adjacency = model.adjacency
    connected = adjacency + adjacency.T
    if scheme == "centroid":
        return np.sign(correlation * connected)
    if scheme == "factorial":
        return correlation * connected
    inner = np.zeros(correlation.shape)
    for k in range(adjacency.shape[0]):
        predecessors = np.flatnonzero(adjacency[:, k])
        if predecessors.size:
            square = correlation[..., predecessors[:, None], predecessors]
            slopes = np.linalg.solve(square, correlation[..., predecessors, k][..., None])
            inner[..., predecessors, k] = slopes[..., 0]
        successors = np.flatnonzero(adjacency[k, :])
        inner[..., successors, k] = correlation[..., k, successors]
    return inner


def _paths_from_cov(cov: np.ndarray, model: _Model) -> tuple[np.ndarray, np.ndarray]:
    """Path coefficients and R² of the inner model from the scores' covariance matrix."""
    size = len(model.latents)
    paths, r_squared = np.zeros((size, size)), np.zeros(size)
    for k in range(size):
        predecessors = np.flatnonzero(model.adjacency[:, k])
        if not predecessors.size:
            continue
        slopes = np.linalg.solve(cov[np.ix_(predecessors, predecessors)], cov[predecessors, k])
        paths[predecessors, k] = slopes
        r_squared[k] = float(slopes @ cov[predecessors, k]) / cov[k, k]
    return paths, r_squared


def _sd(weights: np.ndarray, cov: np.ndarray, model: _Model) -> np.ndarray:
    """Standard deviations of the latent scores x W; a constant score is an error."""
    # A constant score's variance can come out a rounding error below zero: clip, so it
    # reads as 0 (constant) rather than as the square root of a negative number.
    sd = np.sqrt(np.clip(np.einsum("ij,ik,kj->j", weights, cov, weights), 0.0, None))
    collapsed = [model.latents[j] for j in np.flatnonzero(~(sd > 0))]
    if collapsed:
        raise PLSSpecificationError(f"latents {collapsed} have a constant weighted score")
    return sd


def outer_from_moments(
    cov: np.ndarray, model: _Model, scheme: str, tol: float, max_iter: int
) -> tuple[np.ndarray, int, bool]:
    """pls_weighted._outer_weights from the centred items' weighted covariance matrix:
    (outer weights scaled to unit-variance scores, iterations, converged)."""
    weights = np.zeros((cov.shape[0], len(model.latents)))
    for j, index in enumerate(model.block_index):
        weights[index, j] = 1.0
    weights = weights / _sd(weights, cov, model)
    previous = weights.sum(axis=1)
    converged, iteration = False, 0
    for iteration in range(1, max_iter + 1):  # noqa: B007 - the final count is reported
        standard = weights / _sd(weights, cov, model)  # outer scores = x @ standard
        score_cov = standard.T @ cov @ standard
        sd = np.sqrt(np.diag(score_cov))
        inner = _inner_from_correlation(score_cov / np.outer(sd, sd), model, scheme)
        update = cov @ standard @ inner  # Σ p_i z̃_i x_i for every latent at once
        for j, index in enumerate(model.block_index):
            weights[index, j] = update[index, j]
        current = weights.sum(axis=1)
        if np.sum((np.abs(previous) - np.abs(current)) ** 2) < tol:
            converged = True
            break
        previous = current
    return weights / _sd(weights, cov, model), iteration, converged


def fit_moments(
    means: np.ndarray, cov: np.ndarray, model: _Model, scheme: str, tol: float, max_iter: int
) -> MomentFit:
    """pls_weighted._fit_arrays (unstandardised) from the items' weighted moments."""
    outer, iteration, converged = outer_from_moments(cov, model, scheme, tol, max_iter)
    if not converged:
        raise PLSConvergenceError(f"weighted outer weights did not converge in {iteration}")
    paths, _r_squared = _paths_from_cov(outer.T @ cov @ outer, model)
    return MomentFit(outer, paths, means)


# Up to this many rows the bootstrap resamples respondents (the ordinary bootstrap);
# above it, random groups of respondents (a group's moment sums are computed once, so a
# replicate costs no pass over the rows), as the key-driver bootstrap does.
EXACT_BOOTSTRAP_ROWS = 50_000
BOOTSTRAP_GROUPS = 5_000
_GROUP_CHUNK = 64  # groups per batched product: its temporaries stay in cache
_BATCH = 100  # group replicates drawn and summed together


def replicate_draws(
    shifted: np.ndarray, shift: np.ndarray, w: np.ndarray, rng: np.random.Generator
) -> tuple[Callable[[], tuple[np.ndarray, np.ndarray]], int]:
    """A function drawing one replicate's (means, covariance), and the resampled units.

    Up to EXACT_BOOTSTRAP_ROWS rows a replicate is a row resample (rows drawn with
    replacement, each with its survey weight); above, a resample of BOOTSTRAP_GROUPS random
    groups of rows (each group with its rows' weighted sums).
    """
    n = len(shifted)
    if n <= EXACT_BOOTSTRAP_ROWS:

        def rows() -> tuple[np.ndarray, np.ndarray]:
            counts = np.bincount(rng.integers(0, n, n), minlength=n)
            return replicate_moments(shifted, shift, w * counts)

        return rows, n
    weight, first, second = _group_sums(shifted, w, rng.permutation(n), BOOTSTRAP_GROUPS)

    flat = np.column_stack([weight, first, second.reshape(len(weight), -1)])
    pending: list[np.ndarray] = []

    def groups() -> tuple[np.ndarray, np.ndarray]:
        if not pending:  # the next _BATCH replicates' sums in one matrix product
            # One call draws the same stream as one call per replicate.
            size = len(weight)
            slot = np.arange(_BATCH)[:, None] * size + rng.integers(0, size, (_BATCH, size))
            picks = np.bincount(slot.ravel(), minlength=_BATCH * size).reshape(_BATCH, size)
            pending.extend(reversed(list(picks.astype(float) @ flat)))
        sums = pending.pop()
        offset = sums[1 : 1 + len(shift)] / sums[0]
        moment = sums[1 + len(shift) :].reshape(len(shift), len(shift)) / sums[0]
        return shift + offset, moment - np.outer(offset, offset)

    return groups, BOOTSTRAP_GROUPS


def _group_sums(
    shifted: np.ndarray, w: np.ndarray, order: np.ndarray, n_groups: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-group Σw, Σw·x and Σw·x·xᵀ, the rows dealt round-robin in `order` to the groups."""
    p = shifted.shape[1]
    size = -(-len(order) // n_groups)  # rows per group; the last slots are empty (weight 0)
    padded = np.full(n_groups * size, -1, dtype=np.int64)
    padded[: len(order)] = order
    slots = padded.reshape(size, n_groups).T  # group g holds order[g], order[g + G], …
    weight, first = np.zeros(n_groups), np.zeros((n_groups, p))
    second = np.zeros((n_groups, p, p))
    for start in range(0, n_groups, _GROUP_CHUNK):
        index = slots[start : start + _GROUP_CHUNK]
        live = index >= 0
        rows_w = np.where(live, w[index], 0.0)
        x = shifted[np.where(live, index, 0)]
        weight[start : start + len(index)] = rows_w.sum(axis=1)
        first[start : start + len(index)] = np.einsum("gm,gmi->gi", rows_w, x)
        root = x * np.sqrt(rows_w)[..., None]
        second[start : start + len(index)] = np.matmul(root.transpose(0, 2, 1), root)
    return weight, first, second
