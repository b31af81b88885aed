"""Batched replicate fits equal pls_moments.fit_moments one replicate at a time."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from etl.survey import pls_batch, pls_moments, pls_weighted
from etl.survey.pls_spec import PLSIndexError, PLSSpecificationError, _validate_model
from tests.etl.survey.test_pls import DATASETS, ECSI_BLOCKS, ECSI_PATHS


@pytest.fixture(scope="module")
def ecsi() -> pd.DataFrame:
    return pd.read_csv(DATASETS / "ecsi_satisfaction.csv", index_col=0)


def replicates(raw: np.ndarray, count: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Weighted row resamples' (means, covariances), as the bootstrap draws them."""
    rng = np.random.default_rng(seed)
    w = rng.uniform(0.5, 2.0, len(raw))
    centre = raw.mean(axis=0)
    draws = [
        pls_moments.replicate_moments(raw - centre, centre, w * np.bincount(
            rng.integers(0, len(raw), len(raw)), minlength=len(raw)))
        for _ in range(count)
    ]  # fmt: skip
    return np.stack([m for m, _ in draws]), np.stack([c for _, c in draws])


@pytest.mark.parametrize("scheme", ["centroid", "factorial", "path"])
def test_batch_equals_one_fit_at_a_time(ecsi: pd.DataFrame, scheme: str) -> None:
    model = _validate_model(ecsi, ECSI_BLOCKS, ECSI_PATHS, None, scheme, 1e-10, 300)
    raw = ecsi.loc[:, list(model.columns)].to_numpy(dtype=float)
    means, covs = replicates(raw, 25, seed=7)
    batch = pls_batch.fit_batch(means, covs, model, scheme, "SAT", (0.0, 10.0), 1e-10, 300)
    sat = model.latents.index("SAT")
    block = model.block_index[sat]
    for b in range(len(covs)):
        single = pls_moments.fit_moments(means[b], covs[b], model, scheme, 1e-10, 300)
        np.testing.assert_allclose(batch.paths[b], single.paths, atol=1e-12)
        raw_weights = single.outer[block, sat]
        index = 10.0 * (raw_weights / raw_weights.sum()) @ means[b][block]
        assert bool(batch.ok[b]) == bool((raw_weights > 0).all())
        assert batch.index[b] == pytest.approx(index, rel=1e-12)


def test_a_replicate_with_a_constant_latent_fails_alone(ecsi: pd.DataFrame) -> None:
    model = _validate_model(ecsi, ECSI_BLOCKS, ECSI_PATHS, None, "path", 1e-6, 300)
    raw = ecsi.loc[:, list(model.columns)].to_numpy(dtype=float)
    means, covs = replicates(raw, 3, seed=1)
    covs[1] = 0.0  # every latent constant
    with pytest.raises(PLSSpecificationError):
        pls_moments.fit_moments(means[1], covs[1], model, "path", 1e-6, 300)
    batch = pls_batch.fit_batch(means, covs, model, "path", "SAT", (0.0, 10.0))
    assert batch.ok.tolist() == [True, False, True]


def test_bootstrap_draws_the_same_replicates_as_before(ecsi: pd.DataFrame) -> None:
    # The intervals are percentiles of the same replicates fitted one at a time.
    model = _validate_model(ecsi, ECSI_BLOCKS, ECSI_PATHS, None, "path", 1e-6, 300)
    weights = np.random.default_rng(4).uniform(0.5, 2.0, len(ecsi))
    boot = pls_weighted.bootstrap(ecsi, ECSI_BLOCKS, ECSI_PATHS, weights, "SAT", (0, 10),
                                  n_boot=60, seed=5)  # fmt: skip
    raw = ecsi.loc[:, list(model.columns)].to_numpy(dtype=float)
    centre = (weights / weights.sum()) @ raw
    draw, _units = pls_moments.replicate_draws(raw - centre, centre, weights,
                                               np.random.default_rng(5))  # fmt: skip
    paths, indices = [], []
    while len(paths) < 60:
        means, cov = draw()
        try:
            single = pls_moments.fit_moments(means, cov, model, "path", 1e-6, 300)
        except (PLSSpecificationError, PLSIndexError):
            continue
        sat = model.latents.index("SAT")
        raw_weights = single.outer[model.block_index[sat], sat]
        if (raw_weights <= 0).any():
            continue
        indices.append(10.0 * (raw_weights / raw_weights.sum()) @ means[model.block_index[sat]])
        paths.append(single.paths[model.latents.index("VAL"), sat])
    row = boot.path_intervals.set_index(["from", "to"]).loc[("VAL", "SAT")]
    assert row["lower"] == pytest.approx(np.quantile(paths, 0.025), rel=1e-10)
    assert row["upper"] == pytest.approx(np.quantile(paths, 0.975), rel=1e-10)
    assert boot.index_lower == pytest.approx(np.quantile(indices, 0.025), rel=1e-10)
