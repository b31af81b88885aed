"""PLS on moment matrices: a bootstrap replicate's fit from its weighted moments equals the
row-wise weighted fit on the resampled rows (ECSI data, each scheme)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from etl.survey import pls_moments, pls_weighted
from etl.survey.pls_spec import _validate_model
from tests.etl.survey.test_pls import DATASETS, ECSI_BLOCKS, ECSI_PATHS


@pytest.fixture(scope="module")
def ecsi() -> pd.DataFrame:
    return pd.read_csv(DATASETS / "ecsi_satisfaction.csv", index_col=0)


@pytest.mark.parametrize(
    ("scheme", "seed"),
    [("centroid", 1), ("factorial", 2), ("path", 3), ("path", 4)],
)
def test_moment_fit_equals_the_rowwise_fit_of_a_resample(
    ecsi: pd.DataFrame, scheme: str, seed: int
) -> None:
    model = _validate_model(ecsi, ECSI_BLOCKS, ECSI_PATHS, None, scheme, 1e-10, 300)
    raw = ecsi.loc[:, list(model.columns)].to_numpy(dtype=float)
    w = np.random.default_rng(seed).uniform(0.5, 2.0, len(raw))
    rows = np.random.default_rng(seed + 100).integers(0, len(raw), len(raw))
    rowwise = pls_weighted._fit_arrays(raw[rows], w[rows], model, scheme, False, 1e-10, 300)
    counts = np.bincount(rows, minlength=len(raw))
    centre = raw.mean(axis=0)
    means, cov = pls_moments.replicate_moments(raw - centre, centre, w * counts)
    moments = pls_moments.fit_moments(means, cov, model, scheme, 1e-10, 300)
    np.testing.assert_allclose(moments.means, rowwise.means, rtol=1e-12)
    np.testing.assert_allclose(moments.outer, rowwise.outer, atol=1e-9)
    np.testing.assert_allclose(moments.paths, rowwise.paths, atol=1e-9)


def test_a_constant_latent_is_named(ecsi: pd.DataFrame) -> None:
    model = _validate_model(ecsi, ECSI_BLOCKS, ECSI_PATHS, None, "path", 1e-6, 300)
    cov = np.zeros((len(model.columns), len(model.columns)))
    with pytest.raises(pls_weighted.PLSSpecificationError, match="constant weighted score"):
        pls_moments.fit_moments(np.zeros(len(model.columns)), cov, model, "path", 1e-6, 300)


def test_group_sums_add_up_to_the_sample_moments() -> None:
    rng = np.random.default_rng(5)
    x, w = rng.normal(size=(1003, 4)), rng.uniform(0.5, 2.0, 1003)
    weight, first, second = pls_moments._group_sums(x, w, rng.permutation(1003), 10)
    assert weight.shape == (10,) and weight.sum() == pytest.approx(w.sum())
    np.testing.assert_allclose(first.sum(axis=0), w @ x)
    np.testing.assert_allclose(second.sum(axis=0), (x * w[:, None]).T @ x)


@pytest.mark.parametrize(("rows", "exact_up_to", "units"), [(400, 1000, 400), (400, 300, 50)])
def test_large_samples_resample_random_groups(
    monkeypatch: pytest.MonkeyPatch, rows: int, exact_up_to: int, units: int
) -> None:
    monkeypatch.setattr(pls_moments, "EXACT_BOOTSTRAP_ROWS", exact_up_to)
    monkeypatch.setattr(pls_moments, "BOOTSTRAP_GROUPS", 50)
    rng = np.random.default_rng(6)
    x, w = rng.normal(size=(rows, 3)), rng.uniform(0.5, 2.0, rows)
    draw, resampled = pls_moments.replicate_draws(x, np.zeros(3), w, rng)
    means, cov = draw()
    assert resampled == units
    assert means.shape == (3,) and np.allclose(cov, cov.T) and (np.diag(cov) > 0).all()
