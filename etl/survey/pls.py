"""PLS path modelling (Wold's algorithm, plspm semantics), its quality measures and ACSI index."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from etl.survey.pls_spec import (
    PLSConvergenceError,
    PLSIndexError,
    PLSSpecificationError,
    _Model,
    _validate_model,
)

DEFAULT_BOOTSTRAP_SEED = 20260101


@dataclass(frozen=True)
class PLSResult:
    """A fitted PLS path model.

    Conventions (those of R plspm, so its published solutions are reproduced):
    - the items are centred; with ``standardize=True`` they are also divided by their
      population standard deviation (divisor n);
    - ``outer_weights`` is one Series indexed by item column (each column belongs to exactly
      one block, see ``blocks``); ``scores = X @ w`` block by block, where X are the centred
      (or standardised) items, and the weights are scaled so each score has unit population
      variance (divisor n) and mean 0;
    - ``loadings`` are correlations between each item and its own latent score.
    """

    path_coefficients: pd.DataFrame
    r_squared: pd.Series
    outer_weights: pd.Series
    loadings: pd.Series
    scores: pd.DataFrame
    gof: float
    converged: bool
    iterations: int
    n_used: int
    n_dropped: int
    ave: pd.Series
    composite_reliability: pd.Series
    blocks: dict[str, tuple[str, ...]]
    paths: tuple[tuple[str, str], ...]
    modes: dict[str, str]
    scheme: str
    standardized: bool
    item_means: pd.Series
    item_sds: pd.Series
    item_min: pd.Series
    item_max: pd.Series

    def unstandardized_weights(self, latent: str) -> pd.Series:
        """Weights of the raw items in a latent's score, normalised to sum to 1 (ACSI w̃)."""
        items = list(self._block(latent))
        weights = self.outer_weights[items]
        # Outer weights act on centred items when not standardised, so they already are the
        # raw-scale coefficients; standardised items divide by s_x, giving w / s_x.
        raw = weights / self.item_sds[items] if self.standardized else weights
        non_positive = [item for item in items if raw[item] <= 0]
        if non_positive:
            raise PLSIndexError(
                f"latent {latent!r}: items {non_positive} have non-positive outer weights, so "
                "its index is not a weighted mean of the items; check the block's "
                "unidimensionality or drop those items"
            )
        return raw / raw.sum()

    def index(self, latent: str, scale_min: float, scale_max: float) -> float:
        """ACSI 0-100 index: 100 (Σ w̃ x̄ − min) / (max − min) with item scale bounds min/max."""
        if not np.isfinite(scale_min) or not np.isfinite(scale_max) or scale_max <= scale_min:
            raise PLSIndexError(
                f"latent {latent!r}: scale bounds must satisfy min < max, "
                f"got min={scale_min}, max={scale_max}"
            )
        items = list(self._block(latent))
        outside = [
            item
            for item in items
            if self.item_min[item] < scale_min or self.item_max[item] > scale_max
        ]
        if outside:
            raise PLSIndexError(
                f"latent {latent!r}: items {outside} have values outside the scale "
                f"[{scale_min}, {scale_max}]"
            )
        weights = self.unstandardized_weights(latent)
        latent_mean = float((weights * self.item_means[items]).sum())
        return 100.0 * (latent_mean - scale_min) / (scale_max - scale_min)

    def _block(self, latent: str) -> tuple[str, ...]:
        """Item columns of one latent, with a clear error for an unknown latent."""
        if latent not in self.blocks:
            raise PLSSpecificationError(
                f"unknown latent {latent!r}; the model has {list(self.blocks)}"
            )
        return self.blocks[latent]


@dataclass(frozen=True)
class PLSBootstrapResult:
    """Percentile bootstrap intervals for the path coefficients and one latent's index."""

    path_intervals: pd.DataFrame
    index_latent: str | None
    index: float | None
    index_lower: float | None
    index_upper: float | None
    n_boot: int
    n_redrawn: int
    seed: int
    level: float


def fit(
    data: pd.DataFrame,
    blocks: dict[str, list[str]],
    paths: list[tuple[str, str]],
    modes: dict[str, str] | None = None,
    scheme: str = "centroid",
    standardize: bool = False,
    tol: float = 1e-6,
    max_iter: int = 300,
    *,
    allow_nonconvergence: bool = False,
) -> PLSResult:
    """Estimate a PLS path model; raises PLSConvergenceError unless allow_nonconvergence."""
    model = _validate_model(data, blocks, paths, modes, scheme, tol, max_iter)
    items, n_dropped = _complete_items(data, model)
    return _fit_items(
        items, n_dropped, model, scheme, standardize, tol, max_iter, allow_nonconvergence
    )


def bootstrap(
    data: pd.DataFrame,
    blocks: dict[str, list[str]],
    paths: list[tuple[str, str]],
    modes: dict[str, str] | None = None,
    scheme: str = "centroid",
    standardize: bool = False,
    tol: float = 1e-6,
    max_iter: int = 300,
    *,
    n_boot: int = 200,
    seed: int = DEFAULT_BOOTSTRAP_SEED,
    index_latent: str | None = None,
    scale_min: float | None = None,
    scale_max: float | None = None,
    level: float = 0.95,
) -> PLSBootstrapResult:
    """Percentile intervals over n_boot row resamples (seeded numpy Generator, deterministic).

    Resampling is over the listwise-complete rows. A resample whose fit fails (a constant
    column, non-convergence, an undefined index) is redrawn and counted in ``n_redrawn``;
    more than ``n_boot`` such failures raise, since the intervals would then be unreliable.
    """
    _check_bootstrap(n_boot, level, index_latent, scale_min, scale_max)
    wants_index = index_latent is not None
    model = _validate_model(data, blocks, paths, modes, scheme, tol, max_iter)
    items, n_dropped = _complete_items(data, model)
    full = _fit_items(items, n_dropped, model, scheme, standardize, tol, max_iter, False)
    index_value = full.index(index_latent, scale_min, scale_max) if wants_index else None

    def refit(sample: pd.DataFrame) -> tuple[list[float], float | None]:
        boot = _fit_items(sample, 0, model, scheme, standardize, tol, max_iter, False)
        boot_index = boot.index(index_latent, scale_min, scale_max) if wants_index else None
        return [boot.path_coefficients.loc[a, b] for a, b in model.paths], boot_index

    path_draws, index_draws, redrawn = _resample(items, refit, n_boot, seed)
    tail = (1.0 - level) / 2.0
    path_intervals = _path_intervals(model, full, path_draws, tail)
    index_lower, index_upper = (
        (float(v) for v in np.quantile(index_draws, [tail, 1 - tail]))
        if wants_index
        else (None, None)
    )
    return PLSBootstrapResult(
        path_intervals=path_intervals,
        index_latent=index_latent,
        index=index_value,
        index_lower=index_lower,
        index_upper=index_upper,
        n_boot=n_boot,
        n_redrawn=redrawn,
        seed=seed,
        level=level,
    )


def _path_intervals(
    model: _Model, full: PLSResult, path_draws: list[list[float]], tail: float
) -> pd.DataFrame:
    """Each path's estimate with its percentile interval over the replicates."""
    bounds = np.quantile(np.asarray(path_draws), [tail, 1.0 - tail], axis=0)
    return pd.DataFrame(
        {
            "from": [a for a, _ in model.paths],
            "to": [b for _, b in model.paths],
            "estimate": [full.path_coefficients.loc[a, b] for a, b in model.paths],
            "lower": bounds[0],
            "upper": bounds[1],
        }
    )


def _check_bootstrap(
    n_boot: int,
    level: float,
    index_latent: str | None,
    scale_min: float | None,
    scale_max: float | None,
) -> None:
    if n_boot < 2:
        raise ValueError(f"n_boot must be at least 2, got {n_boot}")
    if not 0 < level < 1:
        raise ValueError(f"level must lie in (0, 1), got {level}")
    if index_latent is not None and (scale_min is None or scale_max is None):
        raise ValueError(f"index of {index_latent!r} needs scale_min and scale_max")


def _resample(
    items: pd.DataFrame,
    refit: Callable[[pd.DataFrame], tuple[list[float], float | None]],
    n_boot: int,
    seed: int,
) -> tuple[list[list[float]], list[float], int]:
    """`n_boot` successful refits on row resamples; failed resamples are redrawn and counted."""
    rng = np.random.default_rng(seed)
    n = len(items)
    path_draws: list[list[float]] = []
    index_draws: list[float] = []
    redrawn = 0
    while len(path_draws) < n_boot:
        sample = items.iloc[rng.integers(0, n, size=n)].reset_index(drop=True)
        try:
            paths, boot_index = refit(sample)
        except (PLSSpecificationError, PLSConvergenceError, PLSIndexError) as error:
            redrawn += 1
            if redrawn > n_boot:
                raise PLSConvergenceError(
                    f"bootstrap abandoned: {redrawn} resamples failed (last: {error})"
                ) from error
            continue
        path_draws.append(paths)
        if boot_index is not None:
            index_draws.append(boot_index)
    return path_draws, index_draws, redrawn


def _complete_items(data: pd.DataFrame, model: _Model) -> tuple[pd.DataFrame, int]:
    """The model's item columns with incomplete rows dropped listwise, and the drop count."""
    items = data.loc[:, list(model.columns)].astype(float)
    complete = items.notna().all(axis=1)
    kept = items.loc[complete]
    if np.isinf(kept.to_numpy()).any():
        bad = [c for c in model.columns if np.isinf(kept[c].to_numpy()).any()]
        raise PLSSpecificationError(f"columns {bad} contain infinite values")
    return kept, int((~complete).sum())


def _check_estimable(raw: np.ndarray, n_dropped: int, model: _Model) -> None:
    """Enough complete rows for the largest regression, and no constant item."""
    n = raw.shape[0]
    max_predecessors = int(model.adjacency.sum(axis=0).max())
    if n < max(3, max_predecessors + 2):
        raise PLSSpecificationError(
            f"only {n} complete rows ({n_dropped} dropped for missing items); "
            f"need at least {max(3, max_predecessors + 2)}"
        )
    constant = [
        c for c, spread in zip(model.columns, np.ptp(raw, axis=0), strict=True) if not spread
    ]
    if constant:
        raise PLSSpecificationError(
            f"columns {constant} are constant over the {n} complete rows; drop them from "
            "their blocks"
        )


def _fit_items(
    items: pd.DataFrame,
    n_dropped: int,
    model: _Model,
    scheme: str,
    standardize: bool,
    tol: float,
    max_iter: int,
    allow_nonconvergence: bool,
) -> PLSResult:
    """Fit the model to complete item data (rows × model.columns)."""
    raw = items.to_numpy(dtype=float)
    n = raw.shape[0]
    _check_estimable(raw, n_dropped, model)
    means = raw.mean(axis=0)
    sds = raw.std(axis=0)  # population sd (divisor n), as plspm uses
    x = raw - means
    if standardize:
        x = x / sds

    weights, iterations, converged = _outer_weights(x, model, scheme, tol, max_iter)
    if not converged and not allow_nonconvergence:
        raise PLSConvergenceError(
            f"outer weights did not converge in {iterations} iterations "
            f"(tol={tol}, scheme={scheme!r}); raise max_iter or check the blocks"
        )
    scores = x @ weights
    path_matrix, r_squared = _inner_model(scores, model)
    loadings = _loadings(x, scores, model)

    latents = list(model.latents)
    columns = list(model.columns)
    outer = pd.Series(weights.sum(axis=1), index=columns, name="weight")
    loading_series = pd.Series(loadings, index=columns, name="loading")
    endogenous = [lv for i, lv in enumerate(latents) if model.adjacency[:, i].any()]
    return PLSResult(
        path_coefficients=pd.DataFrame(path_matrix, index=latents, columns=latents),
        r_squared=pd.Series(r_squared, index=latents, name="r_squared")[endogenous],
        outer_weights=outer,
        loadings=loading_series,
        scores=pd.DataFrame(scores, index=items.index, columns=latents),
        gof=_gof(loadings, r_squared, model),
        converged=converged,
        iterations=iterations,
        n_used=n,
        n_dropped=n_dropped,
        ave=_ave(loading_series, model),
        composite_reliability=_dillon_goldstein_rho(loading_series, model),
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


def _outer_weights(
    x: np.ndarray, model: _Model, scheme: str, tol: float, max_iter: int
) -> tuple[np.ndarray, int, bool]:
    """Iterate outer/inner estimation; return the items × latents weight matrix.

    Follows plspm (Lohmöller's all-blocks-at-once update): start from unit weights, stop when
    Σ(|w_old| − |w_new|)² < tol, and finally scale each block so its score has unit
    population variance.
    """
    n = x.shape[0]
    weights = np.zeros((x.shape[1], len(model.latents)))
    for j, index in enumerate(model.block_index):
        weights[index, j] = 1.0
    weights = weights / _population_sd(x @ weights, model)
    previous = weights.sum(axis=1)
    converged = False
    iteration = 0
    for iteration in range(1, max_iter + 1):  # noqa: B007 - the final count is reported
        outer_scores = _standardized(x @ weights, model)
        inner_scores = outer_scores @ _inner_weights(outer_scores, model.adjacency, scheme)
        for j, index in enumerate(model.block_index):
            block = x[:, index]
            if model.modes[model.latents[j]] == "A":
                weights[index, j] = inner_scores[:, j] @ block / n
            else:
                weights[index, j] = _mode_b_weights(block, inner_scores[:, j], model.latents[j])
        current = weights.sum(axis=1)
        if np.sum((np.abs(previous) - np.abs(current)) ** 2) < tol:
            converged = True
            break
        previous = current
    weights = weights / _population_sd(x @ weights, model)
    return weights, iteration, converged


def _mode_b_weights(block: np.ndarray, target: np.ndarray, latent: str) -> np.ndarray:
    """Formative weights: OLS of the inner estimate on the block's items."""
    if np.linalg.matrix_rank(block) < block.shape[1]:
        raise PLSSpecificationError(
            f"latent {latent!r} (mode B): its items are perfectly collinear"
        )
    solution, *_ = np.linalg.lstsq(block, target, rcond=None)
    return solution


def _inner_weights(scores: np.ndarray, adjacency: np.ndarray, scheme: str) -> np.ndarray:
    """Inner weight matrix E (column k builds latent k's inner estimate)."""
    connected = adjacency + adjacency.T
    correlation = np.corrcoef(scores, rowvar=False)
    if scheme == "centroid":
        return np.sign(correlation * connected)
    if scheme == "factorial":
        return correlation * connected
    inner = np.zeros_like(adjacency)
    for k in range(adjacency.shape[0]):
        predecessors = np.flatnonzero(adjacency[:, k])
        if predecessors.size:
            coef, *_ = np.linalg.lstsq(scores[:, predecessors], scores[:, k], rcond=None)
            inner[predecessors, k] = coef
        successors = np.flatnonzero(adjacency[k, :])
        inner[successors, k] = correlation[k, successors]
    return inner


def _population_sd(scores: np.ndarray, model: _Model) -> np.ndarray:
    """Column population sds; a zero sd means a latent's score collapsed to a constant."""
    sd = scores.std(axis=0)
    collapsed = [model.latents[j] for j in np.flatnonzero(~(sd > 0))]
    if collapsed:
        raise PLSSpecificationError(
            f"latents {collapsed} have a constant score (all weights zero); their inner "
            "estimate vanished, check the paths and the item correlations"
        )
    return sd


def _standardized(scores: np.ndarray, model: _Model) -> np.ndarray:
    """Centre and scale columns to unit population variance."""
    centred = scores - scores.mean(axis=0)
    return centred / _population_sd(centred, model)


def _inner_model(scores: np.ndarray, model: _Model) -> tuple[np.ndarray, np.ndarray]:
    """OLS of each endogenous latent on its predecessors: path matrix (from × to) and R²."""
    size = len(model.latents)
    paths = np.zeros((size, size))
    r_squared = np.zeros(size)
    n = scores.shape[0]
    for k in range(size):
        predecessors = np.flatnonzero(model.adjacency[:, k])
        if not predecessors.size:
            continue
        design = np.column_stack([np.ones(n), scores[:, predecessors]])
        coef, *_ = np.linalg.lstsq(design, scores[:, k], rcond=None)
        residual = scores[:, k] - design @ coef
        total = scores[:, k] - scores[:, k].mean()
        paths[predecessors, k] = coef[1:]
        r_squared[k] = 1.0 - (residual @ residual) / (total @ total)
    return paths, r_squared


def _loadings(x: np.ndarray, scores: np.ndarray, model: _Model) -> np.ndarray:
    """Correlation of each item with its own latent score."""
    loadings = np.empty(x.shape[1])
    for j, index in enumerate(model.block_index):
        for i in index:
            loadings[i] = np.corrcoef(x[:, i], scores[:, j])[0, 1]
    return loadings


def _gof(loadings: np.ndarray, r_squared: np.ndarray, model: _Model) -> float:
    """√(mean communality over items of multi-item blocks × mean R² of endogenous latents)."""
    multi_item = [i for index in model.block_index if index.size > 1 for i in index]
    if not multi_item:
        raise PLSSpecificationError("GoF needs at least one block with more than one item")
    endogenous = model.adjacency.any(axis=0)
    mean_communality = float(np.mean(loadings[multi_item] ** 2))
    return float(np.sqrt(mean_communality * np.mean(r_squared[endogenous])))


def _ave(loadings: pd.Series, model: _Model) -> pd.Series:
    """Average variance extracted per latent: mean squared standardised loading."""
    values = {lv: float((loadings[list(model.blocks[lv])] ** 2).mean()) for lv in model.latents}
    return pd.Series(values, name="ave")


def _dillon_goldstein_rho(loadings: pd.Series, model: _Model) -> pd.Series:
    """Composite reliability (Σλ)² / ((Σλ)² + Σ(1 − λ²)) from the PLS loadings per latent."""
    values = {}
    for latent in model.latents:
        block = loadings[list(model.blocks[latent])].to_numpy()
        squared_sum = block.sum() ** 2
        values[latent] = float(squared_sum / (squared_sum + np.sum(1.0 - block**2)))
    return pd.Series(values, name="composite_reliability")
