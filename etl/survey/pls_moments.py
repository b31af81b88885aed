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

from dataclasses import dataclass

import numpy as np

from etl.survey.pls_spec import PLSConvergenceError, PLSSpecificationError, _Model

__all__ = ["MomentFit", "fit_moments", "replicate_moments"]


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
    scaled = shifted * np.sqrt(p)[:, None]
    second = scaled.T @ scaled  # one symmetric rank-k update (BLAS syrk)
    return shift + offset, second - np.outer(offset, offset)


def _inner_from_correlation(correlation: np.ndarray, model: _Model, scheme: str) -> np.ndarray:
    """The scheme's inner weights from the latent scores' correlation matrix."""
    adjacency = model.adjacency
    connected = adjacency + adjacency.T
    if scheme == "centroid":
        return np.sign(correlation * connected)
    if scheme == "factorial":
        return correlation * connected
    inner = np.zeros_like(adjacency, dtype=float)
    for k in range(adjacency.shape[0]):
        predecessors = np.flatnonzero(adjacency[:, k])
        if predecessors.size:
            inner[predecessors, k] = np.linalg.solve(
                correlation[np.ix_(predecessors, predecessors)], correlation[predecessors, k]
            )
        successors = np.flatnonzero(adjacency[k, :])
        inner[successors, k] = correlation[k, successors]
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
    sd = np.sqrt(np.einsum("ij,ik,kj->j", weights, cov, weights))
    collapsed = [model.latents[j] for j in np.flatnonzero(~(sd > 0))]
    if collapsed:
        raise PLSSpecificationError(f"latents {collapsed} have a constant weighted score")
    return sd


def fit_moments(
    means: np.ndarray, cov: np.ndarray, model: _Model, scheme: str, tol: float, max_iter: int
) -> MomentFit:
    """pls_weighted._fit_arrays (unstandardised) from the items' weighted moments."""
    weights = np.zeros((cov.shape[0], len(model.latents)))
    for j, index in enumerate(model.block_index):
        weights[index, j] = 1.0
    weights = weights / _sd(weights, cov, model)
    previous = weights.sum(axis=1)
    converged, iteration = False, 0
    for iteration in range(1, max_iter + 1):  # noqa: B007 - the final count is reported
        scale = 1.0 / _sd(weights, cov, model)
        standard = weights * scale  # outer scores = x @ standard
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
    if not converged:
        raise PLSConvergenceError(f"weighted outer weights did not converge in {iteration}")
    outer = weights / _sd(weights, cov, model)
    paths, _r_squared = _paths_from_cov(outer.T @ cov @ outer, model)
    return MomentFit(outer, paths, means)
