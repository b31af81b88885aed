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
from etl.survey.pls_moments import (
    MomentFit,
    _paths_from_cov,
    fit_moments,
    outer_from_moments,
    replicate_draws,
    replicate_moments,
    weighted_gram,
)
from etl.survey.pls_spec import (
    PLSConvergenceError,
    PLSIndexError,
    PLSSpecificationError,
    _Model,
    _validate_model,
)


def _wmean(a: np.ndarray, p: np.ndarray) -> np.ndarray:
    return p @ a


def _wsd(a: np.ndarray, p: np.ndarray) -> np.ndarray:
    centred = a - _wmean(a, p)
    return np.sqrt(p @ (centred**2))


def _inner_model(scores: np.ndarray, p: np.ndarray, model: _Model) -> tuple[np.ndarray, np.ndarray]:
    """Weighted least squares of each endogenous latent on its predecessors (with an
    intercept), from the weighted covariance matrix: slopes = C_xx⁻¹ C_xy, R² = b·C_xy / C_yy."""
    centred = scores - _wmean(scores, p)
    return _paths_from_cov(centred.T @ (centred * p[:, None]), model)


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


def _fit_arrays(
    raw: np.ndarray, w: np.ndarray, model: _Model, scheme: str, standardize: bool, tol: float,
    max_iter: int,
) -> _Fit:  # fmt: skip
    """One weighted fit on complete rows with positive weights (no pandas: the bootstrap
    calls this hundreds of times)."""
    p = w / w.sum()
    means, sds = _wmean(raw, p), _wsd(raw, p)
    x = (raw - means) / (sds if standardize else 1.0)
    # The iteration runs on the items' weighted covariance (one pass over the rows):
    # every step of mode A is a product with it (pls_moments).
    offset = _wmean(x, p)  # zero but for rounding: x is centred on the weighted means
    cov = weighted_gram(x, p) - np.outer(offset, offset)
    outer, iterations, converged = outer_from_moments(cov, model, scheme, tol, max_iter)
    if not converged:
        raise PLSConvergenceError(f"weighted outer weights did not converge in {iterations}")
    scores = x @ outer
    path_matrix, r_squared = _inner_model(scores, p, model)
    # Loadings: weighted correlation of each item with its own latent score, all at once.
    own = scores[:, [next(j for j, ix in enumerate(model.block_index) if i in ix)
                     for i in range(x.shape[1])]]  # fmt: skip
    own_centred = own - _wmean(own, p)
    cov = p @ (x * own_centred)
    loadings = cov / np.sqrt((p @ x**2) * (p @ own_centred**2))
    return _Fit(outer, scores, path_matrix, r_squared, loadings, means, sds, iterations)


def _prepared(
    data: pd.DataFrame, weights: np.ndarray | pd.Series | None, model: _Model
) -> tuple[pd.DataFrame, np.ndarray, int]:
    """Rows complete on the model's items with a positive weight, their weights, the rest."""
    items = data.loc[:, list(model.columns)].astype(float)
    w = np.ones(len(data)) if weights is None else np.asarray(weights, dtype=float)
    if w.shape != (len(data),) or not np.isfinite(w).all() or (w < 0).any():
        raise PLSSpecificationError("weights must be one finite, non-negative value per row")
    complete = items.notna().all(axis=1).to_numpy() & (w > 0)
    kept = items.loc[complete]
    pls._check_estimable(kept.to_numpy(), int((~complete).sum()), model)
    return kept, w[complete], int((~complete).sum())


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
    kept, w, dropped = _prepared(data, weights, model)
    raw = kept.to_numpy()
    done = _fit_arrays(raw, w, model, scheme, standardize, tol, max_iter)
    return _result(kept, model, done.outer, done.scores, done.paths, done.r_squared,
                   done.loadings, (done.iterations, True, dropped), scheme, standardize,
                   (done.means, done.sds, raw))  # fmt: skip


def _index(done: _Fit | MomentFit, model: _Model, latent: str, scale: tuple[float, float]) -> float:
    """The ACSI 0–100 index of a latent from a fit (as PLSResult.index, unstandardised)."""
    j = model.latents.index(latent)
    index = model.block_index[j]
    raw = done.outer[index, j]
    if (raw <= 0).any():
        raise PLSIndexError(f"latent {latent!r}: non-positive outer weights")
    mean = float((raw / raw.sum()) @ done.means[index])
    return 100.0 * (mean - scale[0]) / (scale[1] - scale[0])


def _result(
    kept: pd.DataFrame,
    model: _Model,
    outer: np.ndarray,
    scores: np.ndarray,
    path_matrix: np.ndarray,
    r_squared: np.ndarray,
    loadings: np.ndarray,
    run: tuple[int, bool, int],
    scheme: str,
    standardize: bool,
    moments: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> pls.PLSResult:
    latents, columns = list(model.latents), list(model.columns)
    means, sds, raw = moments
    loading_series = pd.Series(loadings, index=columns, name="loading")
    endogenous = [lv for i, lv in enumerate(latents) if model.adjacency[:, i].any()]
    return pls.PLSResult(
        path_coefficients=pd.DataFrame(path_matrix, index=latents, columns=latents),
        r_squared=pd.Series(r_squared, index=latents, name="r_squared")[endogenous],
        outer_weights=pd.Series(outer.sum(axis=1), index=columns, name="weight"),
        loadings=loading_series,
        scores=pd.DataFrame(scores, index=kept.index, columns=latents),
        gof=pls._gof(loadings, r_squared, model),
        converged=run[1],
        iterations=run[0],
        n_used=len(kept),
        n_dropped=run[2],
        ave=pls._ave(loading_series, model),
        composite_reliability=pls._dillon_goldstein_rho(loading_series, model),
        blocks=dict(model.blocks),
        paths=model.paths,
        modes=dict(model.modes),
        scheme=scheme,
        standardized=standardize,
        item_means=pd.Series(means, index=columns, name="mean"),
        item_sds=pd.Series(sds, index=columns, name="sd"),
        item_min=pd.Series(raw.min(axis=0), index=columns, name="min"),
        item_max=pd.Series(raw.max(axis=0), index=columns, name="max"),
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
    kept, w, _dropped = _prepared(data, weights, model)
    raw = kept.to_numpy()
    # The full sample's fit from its moments too (one pass; the reported estimates come
    # from fit(), these only fill the table's estimate column).
    centre = (w / w.sum()) @ raw
    full = fit_moments(*replicate_moments(raw - centre, centre, w), model, scheme, 1e-6, 300)
    positions = {latent: i for i, latent in enumerate(model.latents)}
    pairs = [(positions[a], positions[b]) for a, b in paths]
    rng = np.random.default_rng(seed)
    # A replicate enters only through its weighted moments (pls_moments): the draw's
    # counts times the survey weights, then the fit on a p × p matrix.
    draw, units = replicate_draws(raw - full.means, full.means, w, rng)
    draws, indices, redrawn = [], [], 0
    while len(draws) < n_boot:
        try:
            means, cov = draw()
            done = fit_moments(means, cov, model, scheme, 1e-6, 300)
            index = _index(done, model, index_latent, scale)
        except (PLSSpecificationError, PLSConvergenceError, PLSIndexError, FloatingPointError):
            redrawn += 1
            if redrawn > n_boot:
                raise
            continue
        draws.append([done.paths[i, k] for i, k in pairs])
        indices.append(index)
    low, high = np.quantile(np.asarray(draws), [0.025, 0.975], axis=0)
    intervals = pd.DataFrame(
        {"from": [a for a, _ in paths], "to": [b for _, b in paths],
         "estimate": [full.paths[i, k] for i, k in pairs], "lower": low, "upper": high}
    )  # fmt: skip
    index_low, index_high = np.quantile(indices, [0.025, 0.975])
    return WeightedBootstrap(
        intervals, float(index_low), float(index_high), n_boot, redrawn, seed, units
    )
