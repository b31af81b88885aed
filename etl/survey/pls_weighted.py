"""PLS path modelling with survey weights (mode A, the ACSI core model's estimator).

The unweighted estimator (pls.py) reproduces R plspm's published ECSI solution. This one
is the same algorithm with every moment weighted: with p_i = w_i / Σw,

    mean x̄ = Σ p_i x_i,  variance = Σ p_i (x_i − x̄)²,  cross-product = Σ p_i x_i y_i,

the mode A outer update w_j = Σ p_i z̃_i x_i (z̃ the inner estimate), the path scheme's
inner weights by weighted least squares, the inner model by weighted least squares with an
intercept, weighted R², and loadings as weighted correlations. With equal weights it is
exactly pls.fit; with integer weights it is exactly pls.fit on the data with each row
repeated w_i times — both are tests (tests/etl/survey/test_pls_weighted.py), which ties
the weighted estimator to the validated one. The bootstrap resamples respondents with
replacement, each carrying its survey weight (the usual with-replacement bootstrap of a
weighted estimator), with a fixed seed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from etl.survey import pls
from etl.survey.pls_batch import fit_batch
from etl.survey.pls_moments import (
    _paths_from_cov,
    outer_from_moments,
    replicate_draws,
    weighted_gram,
)
from etl.survey.pls_spec import (
    PLSConvergenceError,
    PLSSpecificationError,
    _Model,
    _validate_model,
)


def _wmean(a: np.ndarray, p: np.ndarray) -> np.ndarray:
    return p @ a


@dataclass(frozen=True)
class _Fit:
    """The numpy side of one weighted fit."""

    outer: np.ndarray
    scores: np.ndarray
    paths: np.ndarray
    r_squared: np.ndarray
    loadings: np.ndarray
    means: np.ndarray
    sds: np.ndarray
    iterations: int
    centred: np.ndarray  # the items as fitted (centred, scaled when standardised)
    cov: np.ndarray  # their weighted covariance matrix


def _centred(
    raw: np.ndarray, w: np.ndarray, standardize: bool, overwrite: bool = False
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(x, p, means, sds, Σ p_i x_i x_iᵀ): the items centred (and scaled) on their weighted
    moments, and their weighted Gram matrix (one pass). `overwrite` centres raw in place."""
    p = w / w.sum()
    means = _wmean(raw, p)
    x = raw if overwrite else raw.copy()
    x -= means
    gram = weighted_gram(x, p)
    sds = np.sqrt(np.diag(gram))  # Σ p (x − x̄)²: the weighted population sd
    if standardize:
        x /= sds
        gram = gram / np.outer(sds, sds)
    return x, p, means, sds, gram


def _fit_arrays(
    raw: np.ndarray, w: np.ndarray, model: _Model, scheme: str, standardize: bool, tol: float,
    max_iter: int, overwrite: bool = False,
) -> _Fit:  # fmt: skip
    """One weighted fit on complete rows with positive weights (no pandas).

    Everything but the scores comes from the items' weighted covariance (one pass over the
    rows): mode A's steps are products with it (pls_moments), the latent scores'
    covariance is Wᵀ S W, and each item's covariance with its latent score is (S W)ᵢⱼ.
    """
    x, p, means, sds, gram = _centred(raw, w, standardize, overwrite)
    offset = _wmean(x, p)  # zero but for rounding: x is centred on the weighted means
    cov = gram - np.outer(offset, offset)
    outer, iterations, converged = outer_from_moments(cov, model, scheme, tol, max_iter)
    if not converged:
        raise PLSConvergenceError(f"weighted outer weights did not converge in {iterations}")
    score_cov = outer.T @ cov @ outer
    path_matrix, r_squared = _paths_from_cov(score_cov, model)
    # Loadings: weighted correlation of each item with its own latent score.
    own = [next(j for j, ix in enumerate(model.block_index) if i in ix) for i in range(len(cov))]
    items = np.arange(len(cov))
    covariance = (cov @ outer)[items, own]
    loadings = covariance / np.sqrt(np.diag(gram) * np.diag(score_cov)[own])
    scores = x @ outer
    return _Fit(outer, scores, path_matrix, r_squared, loadings, means, sds, iterations, x, cov)


def _prepared(
    data: pd.DataFrame, weights: np.ndarray | pd.Series | None, model: _Model
) -> tuple[np.ndarray, pd.Index, np.ndarray, int]:
    """Rows complete on the model's items with a positive weight (a float array of this
    function's own, filled column by column), their labels and weights, and the rest."""
    w = np.ones(len(data)) if weights is None else np.asarray(weights, dtype=float)
    if w.shape != (len(data),) or not np.isfinite(w).all() or (w < 0).any():
        raise PLSSpecificationError("weights must be one finite, non-negative value per row")
    raw = np.empty((len(data), len(model.columns)))
    for j, column in enumerate(model.columns):
        raw[:, j] = data[column].to_numpy(dtype=float, na_value=np.nan)
    complete = ~np.isnan(raw).any(axis=1) & (w > 0)
    dropped = int((~complete).sum())
    if dropped:
        raw = raw[complete]
    pls._check_estimable(raw, dropped, model)
    return raw, data.index[complete], w[complete], dropped


def fit(
    data: pd.DataFrame,
    blocks: dict[str, list[str]],
    paths: list[tuple[str, str]],
    weights: np.ndarray | pd.Series | None = None,
    scheme: str = "path",
    standardize: bool = False,
    tol: float = 1e-6,
    max_iter: int = 300,
) -> pls.PLSResult:
    """Weighted PLS (mode A) on the rows complete on the model's items; weights ≥ 0."""
    model = _validate_model(data, blocks, paths, None, scheme, tol, max_iter)
    raw, labels, w, dropped = _prepared(data, weights, model)
    extremes = (raw.min(axis=0), raw.max(axis=0))
    done = _fit_arrays(raw, w, model, scheme, standardize, tol, max_iter, overwrite=True)
    return _result(labels, model, done, dropped, scheme, standardize, extremes)


def fit_and_bootstrap(
    data: pd.DataFrame,
    blocks: dict[str, list[str]],
    paths: list[tuple[str, str]],
    weights: np.ndarray,
    index_latent: str,
    scale: tuple[float, float],
    n_boot: int = 500,
    seed: int = pls.DEFAULT_BOOTSTRAP_SEED,
    scheme: str = "path",
) -> tuple[pls.PLSResult, WeightedBootstrap]:
    """fit() and bootstrap() (unstandardised, default tolerance) on one preparation of the
    rows: the items are read, centred and summed once for both."""
    model = _validate_model(data, blocks, paths, None, scheme, 1e-6, 300)
    raw, labels, w, dropped = _prepared(data, weights, model)
    extremes = (raw.min(axis=0), raw.max(axis=0))
    done = _fit_arrays(raw, w, model, scheme, False, 1e-6, 300, overwrite=True)
    result = _result(labels, model, done, dropped, scheme, False, extremes)
    return result, _bootstrap_fitted(done, w, model, paths, index_latent, scale,
                                     (n_boot, seed, scheme))  # fmt: skip


def _result(
    labels: pd.Index,
    model: _Model,
    done: _Fit,
    dropped: int,
    scheme: str,
    standardize: bool,
    extremes: tuple[np.ndarray, np.ndarray],
) -> pls.PLSResult:
    latents, columns = list(model.latents), list(model.columns)
    loading_series = pd.Series(done.loadings, index=columns, name="loading")
    endogenous = [lv for i, lv in enumerate(latents) if model.adjacency[:, i].any()]
    return pls.PLSResult(
        path_coefficients=pd.DataFrame(done.paths, index=latents, columns=latents),
        r_squared=pd.Series(done.r_squared, index=latents, name="r_squared")[endogenous],
        outer_weights=pd.Series(done.outer.sum(axis=1), index=columns, name="weight"),
        loadings=loading_series,
        scores=pd.DataFrame(done.scores, index=labels, columns=latents),
        gof=pls._gof(done.loadings, done.r_squared, model),
        converged=True,
        iterations=done.iterations,
        n_used=len(labels),
        n_dropped=dropped,
        ave=pls._ave(loading_series, model),
        composite_reliability=pls._dillon_goldstein_rho(loading_series, model),
        blocks=dict(model.blocks),
        paths=model.paths,
        modes=dict(model.modes),
        scheme=scheme,
        standardized=standardize,
        item_means=pd.Series(done.means, index=columns, name="mean"),
        item_sds=pd.Series(done.sds, index=columns, name="sd"),
        item_min=pd.Series(extremes[0], index=columns, name="min"),
        item_max=pd.Series(extremes[1], index=columns, name="max"),
    )


@dataclass(frozen=True)
class WeightedBootstrap:
    """Percentile intervals of the paths and of one latent's 0–100 index."""

    path_intervals: pd.DataFrame  # from, to, estimate, lower, upper
    index_lower: float
    index_upper: float
    n_boot: int
    n_redrawn: int
    seed: int
    units: int  # rows resampled, or random groups of rows in large samples


def bootstrap(
    data: pd.DataFrame,
    blocks: dict[str, list[str]],
    paths: list[tuple[str, str]],
    weights: np.ndarray,
    index_latent: str,
    scale: tuple[float, float],
    n_boot: int = 500,
    seed: int = pls.DEFAULT_BOOTSTRAP_SEED,
    scheme: str = "path",
) -> WeightedBootstrap:
    """Row resamples (with their weights) refitted n_boot times; failed refits redrawn.

    Resampling is over the rows the full fit uses (complete, positive weight); above
    pls_moments.EXACT_BOOTSTRAP_ROWS rows, over random groups of them (`units` says which).
    """
    model = _validate_model(data, blocks, paths, None, scheme, 1e-6, 300)
    raw, _labels, w, _dropped = _prepared(data, weights, model)
    # The full sample's fit (only the table's estimate column; the reported estimates
    # come from fit()), and the centred items the replicates' moments are summed from.
    done = _fit_arrays(raw, w, model, scheme, False, 1e-6, 300, overwrite=True)
    return _bootstrap_fitted(done, w, model, paths, index_latent, scale, (n_boot, seed, scheme))


def _bootstrap_fitted(
    done: _Fit,
    w: np.ndarray,
    model: _Model,
    paths: list[tuple[str, str]],
    index_latent: str,
    scale: tuple[float, float],
    run: tuple[int, int, str],
) -> WeightedBootstrap:
    """The bootstrap of a fitted model: replicates drawn in order, fitted in batches.

    A replicate enters only through its weighted moments (pls_moments: the draw's counts
    times the survey weights); each batch is as large as the replicates still needed, so
    no replicate is fitted that a one-at-a-time loop would not have drawn, and failed
    ones are redrawn in the same order (the same draws, intervals and redraw count).
    """
    n_boot, seed, scheme = run
    positions = {latent: i for i, latent in enumerate(model.latents)}
    sources = [positions[a] for a, _ in paths]
    targets = [positions[b] for _, b in paths]
    rng = np.random.default_rng(seed)
    draw, units = replicate_draws(done.centred, done.means, w, rng)
    draws: list[np.ndarray] = []
    indices: list[float] = []
    redrawn = 0
    while len(draws) < n_boot:
        means, covs = zip(*(draw() for _ in range(n_boot - len(draws))), strict=True)
        batch = fit_batch(np.stack(means), np.stack(covs), model, scheme, index_latent, scale)
        for paths_matrix, index, ok in zip(batch.paths, batch.index, batch.ok, strict=True):
            if not ok:
                redrawn += 1
                if redrawn > n_boot:
                    raise PLSConvergenceError(
                        f"bootstrap abandoned: {redrawn} resamples could not be fitted "
                        "(a constant latent score, no convergence or a non-positive weight)"
                    )
                continue
            draws.append(paths_matrix[sources, targets])
            indices.append(float(index))
    low, high = np.quantile(np.asarray(draws), [0.025, 0.975], axis=0)
    intervals = pd.DataFrame(
        {"from": [a for a, _ in paths], "to": [b for _, b in paths],
         "estimate": done.paths[sources, targets], "lower": low, "upper": high}
    )  # fmt: skip
    index_low, index_high = np.quantile(indices, [0.025, 0.975])
    return WeightedBootstrap(
        intervals, float(index_low), float(index_high), n_boot, redrawn, seed, units
    )
