"""Weighted PLS: equal weights give the validated estimator, integer weights give it on
replicated rows (the reference computed outside the weighted code), and the ECSI reference."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from etl.survey import pls, pls_weighted
from tests.etl.survey.test_pls import DATASETS, ECSI_BLOCKS, ECSI_PATHS


@pytest.fixture(scope="module")
def ecsi() -> pd.DataFrame:
    return pd.read_csv(DATASETS / "ecsi_satisfaction.csv", index_col=0)


def _same(a: pls.PLSResult, b: pls.PLSResult, atol: float) -> None:
    np.testing.assert_allclose(a.path_coefficients, b.path_coefficients, atol=atol)
    np.testing.assert_allclose(a.outer_weights, b.outer_weights, atol=atol)
    np.testing.assert_allclose(a.loadings, b.loadings, atol=atol)
    np.testing.assert_allclose(a.r_squared, b.r_squared, atol=atol)
    assert a.index("SAT", 0, 10) == pytest.approx(b.index("SAT", 0, 10), abs=atol * 100)


@pytest.mark.parametrize("scheme", ["centroid", "factorial", "path"])
def test_equal_weights_reproduce_the_validated_estimator(ecsi: pd.DataFrame, scheme: str) -> None:
    reference = pls.fit(ecsi, ECSI_BLOCKS, ECSI_PATHS, scheme=scheme, tol=1e-10)
    weighted = pls_weighted.fit(ecsi, ECSI_BLOCKS, ECSI_PATHS, np.full(len(ecsi), 2.5),
                                scheme=scheme, tol=1e-10)  # fmt: skip
    _same(weighted, reference, atol=1e-8)


def test_ecsi_reference_solution_with_equal_weights(ecsi: pd.DataFrame) -> None:
    # R plspm's ECSI solution (centroid, mode A, raw items), as test_pls.py checks it.
    result = pls_weighted.fit(ecsi, ECSI_BLOCKS, ECSI_PATHS, None, scheme="centroid")
    expected = {"IMAG": 0.2007, "EXPE": -0.0028, "QUAL": 0.1221, "VAL": 0.5893}
    for source, value in expected.items():
        assert result.path_coefficients.loc[source, "SAT"] == pytest.approx(value, abs=1e-3)


@pytest.mark.parametrize("scheme", ["centroid", "path"])
def test_integer_weights_equal_replicated_rows(ecsi: pd.DataFrame, scheme: str) -> None:
    counts = np.random.default_rng(11).integers(0, 4, len(ecsi))  # 0 drops the row
    replicated = ecsi.loc[ecsi.index.repeat(counts)].reset_index(drop=True)
    reference = pls.fit(replicated, ECSI_BLOCKS, ECSI_PATHS, scheme=scheme, tol=1e-10)
    weighted = pls_weighted.fit(ecsi, ECSI_BLOCKS, ECSI_PATHS, counts.astype(float),
                                scheme=scheme, tol=1e-10)  # fmt: skip
    _same(weighted, reference, atol=1e-8)
    assert weighted.n_used == int((counts > 0).sum())


def test_weights_move_the_estimates(ecsi: pd.DataFrame) -> None:
    weights = np.where(ecsi["sat1"] >= 8, 3.0, 1.0)
    plain = pls_weighted.fit(ecsi, ECSI_BLOCKS, ECSI_PATHS, None)
    weighted = pls_weighted.fit(ecsi, ECSI_BLOCKS, ECSI_PATHS, weights)
    assert weighted.index("SAT", 0, 10) > plain.index("SAT", 0, 10) + 1.0


def test_bootstrap_is_repeatable_and_brackets_the_estimate(ecsi: pd.DataFrame) -> None:
    weights = np.ones(len(ecsi))
    first = pls_weighted.bootstrap(ecsi, ECSI_BLOCKS, ECSI_PATHS, weights, "SAT", (0, 10),
                                   n_boot=40, seed=3)  # fmt: skip
    second = pls_weighted.bootstrap(ecsi, ECSI_BLOCKS, ECSI_PATHS, weights, "SAT", (0, 10),
                                    n_boot=40, seed=3)  # fmt: skip
    pd.testing.assert_frame_equal(first.path_intervals, second.path_intervals)
    row = first.path_intervals.set_index(["from", "to"]).loc[("VAL", "SAT")]
    assert row["lower"] < row["estimate"] < row["upper"]
    assert first.index_lower < first.index_upper


def test_bad_weights_are_refused(ecsi: pd.DataFrame) -> None:
    with pytest.raises(pls.PLSSpecificationError, match="weights"):
        pls_weighted.fit(ecsi, ECSI_BLOCKS, ECSI_PATHS, -np.ones(len(ecsi)))
