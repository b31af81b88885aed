"""Tests for the PLS path model: the ECSI reference solution, hand-checked cases and errors."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from etl.survey import pls

# The public reference data sit in shared/ beside the repository (as on every machine and
# in CI); SATISFACTION_DATASETS points elsewhere if needed.
DATASETS = Path(
    os.environ.get(
        "SATISFACTION_DATASETS", Path(__file__).resolve().parents[4] / "shared" / "datasets"
    )
)
ECSI_BLOCKS = {
    "IMAG": [f"imag{i}" for i in range(1, 6)],
    "EXPE": [f"expe{i}" for i in range(1, 6)],
    "QUAL": [f"qual{i}" for i in range(1, 6)],
    "VAL": [f"val{i}" for i in range(1, 5)],
    "SAT": [f"sat{i}" for i in range(1, 5)],
    "LOY": [f"loy{i}" for i in range(1, 5)],
}
ECSI_PATHS = [
    ("IMAG", "EXPE"),
    ("IMAG", "SAT"),
    ("IMAG", "LOY"),
    ("EXPE", "QUAL"),
    ("EXPE", "VAL"),
    ("EXPE", "SAT"),
    ("QUAL", "VAL"),
    ("QUAL", "SAT"),
    ("VAL", "SAT"),
    ("SAT", "LOY"),
]

# Tiny model: X = {x1, x2 = 2·x1}, Y = {y}, path X → Y.
# x1 = 1..5 (deviations −2..2, Σd² = 10); y = 1,3,2,5,4 (deviations −2,0,−1,2,1, Σd² = 10);
# Σ dx·dy = 4 + 0 + 0 + 2 + 2 = 8, so corr(x1, y) = 8/10 = 0.8 = path X→Y, R² = 0.64.
# Both X items correlate 1 with the X score, so GoF = √(1 · 0.64) = 0.8 (single-item Y is
# left out of the communality mean).
TINY = pd.DataFrame({"x1": [1.0, 2, 3, 4, 5], "x2": [2.0, 4, 6, 8, 10], "y": [1.0, 3, 2, 5, 4]})
TINY_BLOCKS = {"X": ["x1", "x2"], "Y": ["y"]}
TINY_PATHS = [("X", "Y")]


@pytest.fixture(scope="module")
def ecsi() -> pd.DataFrame:
    """The ECSI satisfaction data; the first column is an unnamed row id, gender is unused."""
    return pd.read_csv(DATASETS / "ecsi_satisfaction.csv", index_col=0)


@pytest.fixture(scope="module")
def ecsi_fit(ecsi: pd.DataFrame) -> pls.PLSResult:
    """The reference specification: mode A, centroid, not standardised, tol 1e-6."""
    return pls.fit(ecsi, ECSI_BLOCKS, ECSI_PATHS, scheme="centroid", standardize=False, tol=1e-6)


@pytest.mark.parametrize(
    ("source", "expected"),
    [("IMAG", 0.2007), ("EXPE", -0.0028), ("QUAL", 0.1221), ("VAL", 0.5893)],
)
def test_ecsi_paths_into_sat_match_plspm(
    ecsi_fit: pls.PLSResult, source: str, expected: float
) -> None:
    # Published R plspm solution (docs/metrics.md §2).
    assert ecsi_fit.path_coefficients.loc[source, "SAT"] == pytest.approx(expected, abs=1e-3)


@pytest.mark.parametrize(
    ("quantity", "expected"),
    [("r2_sat", 0.7073), ("gof", 0.6097)],
)
def test_ecsi_fit_quality_matches_plspm(
    ecsi_fit: pls.PLSResult, quantity: str, expected: float
) -> None:
    actual = ecsi_fit.r_squared["SAT"] if quantity == "r2_sat" else ecsi_fit.gof
    assert actual == pytest.approx(expected, abs=1e-3)


def test_ecsi_fit_bookkeeping(ecsi_fit: pls.PLSResult) -> None:
    assert ecsi_fit.converged
    assert ecsi_fit.n_used == 250
    assert ecsi_fit.n_dropped == 0
    assert list(ecsi_fit.r_squared.index) == ["EXPE", "QUAL", "VAL", "SAT", "LOY"]
    # Zero where no path: nothing points into IMAG, and LOY points nowhere.
    assert (ecsi_fit.path_coefficients["IMAG"] == 0).all()
    assert (ecsi_fit.path_coefficients.loc["LOY"] == 0).all()
    # Scores are standardised with the population variance (divisor n), as in plspm.
    np.testing.assert_allclose(ecsi_fit.scores.std(ddof=0), 1.0, atol=1e-12)
    np.testing.assert_allclose(ecsi_fit.scores.mean(), 0.0, atol=1e-12)
    assert ((ecsi_fit.ave > 0.5) & (ecsi_fit.ave < 1)).all()
    assert ((ecsi_fit.composite_reliability > 0.8) & (ecsi_fit.composite_reliability < 1)).all()


@pytest.mark.parametrize("scheme", ["factorial", "path"])
def test_other_schemes_agree_with_centroid_on_ecsi(
    ecsi: pd.DataFrame, ecsi_fit: pls.PLSResult, scheme: str
) -> None:
    other = pls.fit(ecsi, ECSI_BLOCKS, ECSI_PATHS, scheme=scheme)
    assert other.converged
    np.testing.assert_allclose(
        other.path_coefficients.to_numpy(), ecsi_fit.path_coefficients.to_numpy(), atol=5e-3
    )
    assert other.r_squared["SAT"] == pytest.approx(ecsi_fit.r_squared["SAT"], abs=2e-3)
    assert other.gof == pytest.approx(ecsi_fit.gof, abs=2e-3)


def test_listwise_deletion_counts_dropped_rows(ecsi: pd.DataFrame) -> None:
    holed = ecsi.copy()
    holed.loc[holed.index[:3], "sat1"] = np.nan
    holed.loc[holed.index[2:5], "loy4"] = np.nan  # row 3 misses both: 5 distinct rows
    holed.loc[holed.index[:10], "gender"] = None  # unused column: must not drop rows
    result = pls.fit(holed, ECSI_BLOCKS, ECSI_PATHS)
    assert (result.n_used, result.n_dropped) == (245, 5)
    assert len(result.scores) == 245


@pytest.mark.parametrize(
    ("standardize", "latent", "scale", "expected"),
    [
        # Raw items: w ∝ cov(x, score), so w(x2) = 2·w(x1) and w̃ = (1/3, 2/3);
        # ξ̄ = 3/3 + 2·6/3 = 5 → 100·(5 − 0)/10 = 50.
        (False, "X", (0, 10), 50.0),
        # Standardised items are identical, equal weights w; w/s_x with s(x2) = 2·s(x1)
        # gives w̃ = (2/3, 1/3); ξ̄ = 2·3/3 + 6/3 = 4 → 40.
        (True, "X", (0, 10), 40.0),
        # Single item: w̃ = 1, ȳ = 3 → 100·(3 − 1)/(10 − 1) = 22.22…
        (False, "Y", (1, 10), 200.0 / 9.0),
        (True, "Y", (1, 10), 200.0 / 9.0),
    ],
)
def test_index_on_hand_checked_case(
    standardize: bool, latent: str, scale: tuple[float, float], expected: float
) -> None:
    result = pls.fit(TINY, TINY_BLOCKS, TINY_PATHS, standardize=standardize)
    assert result.index(latent, *scale) == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize(
    ("quantity", "expected"),
    [
        ("path", 0.8),  # corr(x1, y), see TINY
        ("r2", 0.64),
        ("gof", 0.8),
        # Raw score = w1·x1c + w2·x2c = 5·w1·x1c with unit population sd √2·5·w1 = 1.
        ("w_x1", 1.0 / (5.0 * np.sqrt(2.0))),
        ("w_x2", 2.0 / (5.0 * np.sqrt(2.0))),
        ("ave_x", 1.0),
    ],
)
def test_tiny_model_by_hand(quantity: str, expected: float) -> None:
    result = pls.fit(TINY, TINY_BLOCKS, TINY_PATHS)
    actual = {
        "path": result.path_coefficients.loc["X", "Y"],
        "r2": result.r_squared["Y"],
        "gof": result.gof,
        "w_x1": result.outer_weights["x1"],
        "w_x2": result.outer_weights["x2"],
        "ave_x": result.ave["X"],
    }[quantity]
    assert actual == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize(
    ("latent", "scale", "match"),
    [
        ("X", (10, 0), "min < max"),
        ("X", (0, 5), r"\['x2'\].*outside the scale"),  # x2 reaches 10
        ("NOPE", (0, 10), "unknown latent 'NOPE'"),
    ],
)
def test_index_errors(latent: str, scale: tuple[float, float], match: str) -> None:
    result = pls.fit(TINY, TINY_BLOCKS, TINY_PATHS)
    with pytest.raises(ValueError, match=match):
        result.index(latent, *scale)


def test_index_refuses_negative_weights() -> None:
    # x3 = 6 − x1 is the reverse of x1; in one block with x1 and x2 it gets a negative weight.
    data = TINY.assign(x3=6.0 - TINY["x1"])
    result = pls.fit(data, {"X": ["x1", "x2", "x3"], "Y": ["y"]}, TINY_PATHS)
    assert result.outer_weights["x3"] < 0
    with pytest.raises(pls.PLSIndexError, match=r"latent 'X'.*\['x3'\]"):
        result.index("X", 0, 10)


def _spec_with(**changes: object) -> dict[str, object]:
    """The tiny specification with some arguments replaced."""
    spec: dict[str, object] = {"data": TINY, "blocks": TINY_BLOCKS, "paths": TINY_PATHS}
    spec.update(changes)
    return spec


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        ({"blocks": {"X": ["x1", "nope"], "Y": ["y"]}}, "latent 'X': column 'nope' is not in"),
        ({"paths": [("X", "FOO")]}, "unknown latent 'FOO'"),
        ({"paths": [("X", "X")]}, "self-loop"),
        ({"paths": [("X", "Y"), ("X", "Y")]}, "listed twice"),
        (
            {
                "blocks": {"X": ["x1"], "Y": ["y"], "Z": ["x2"]},
                "paths": [("X", "Y"), ("Y", "Z"), ("Z", "X")],
            },
            r"cycle through \['X', 'Y', 'Z'\]",
        ),
        ({"blocks": {"X": ["x1"], "Y": ["y"], "Z": ["x2"]}}, r"latents \['Z'\] are in no path"),
        ({"blocks": {"X": ["x1", "x1"], "Y": ["y"]}}, "'x1' is in the blocks of both"),
        ({"blocks": {"X": [], "Y": ["y"]}}, "latent 'X': block must be a non-empty"),
        ({"data": TINY.assign(c=7.0), "blocks": {"X": ["x1", "c"], "Y": ["y"]}}, r"\['c'\]"),
        ({"data": TINY.assign(s=list("abcde")), "blocks": {"X": ["s"], "Y": ["y"]}}, "'s'"),
        ({"modes": {"X": "C"}}, "'A' or 'B'"),
        ({"modes": {"Q": "A"}}, r"unknown latents \['Q'\]"),
        ({"scheme": "magic"}, "scheme must be one of"),
        ({"data": TINY.iloc[:2]}, "only 2 complete rows"),
    ],
)
def test_specification_errors(changes: dict[str, object], match: str) -> None:
    with pytest.raises(pls.PLSSpecificationError, match=match):
        pls.fit(**_spec_with(**changes))  # type: ignore[arg-type]


def test_non_convergence_raises_naming_iterations_and_tolerance(ecsi: pd.DataFrame) -> None:
    with pytest.raises(pls.PLSConvergenceError, match=r"in 1 iterations \(tol=1e-12"):
        pls.fit(ecsi, ECSI_BLOCKS, ECSI_PATHS, tol=1e-12, max_iter=1)


def test_non_convergence_can_be_returned_flagged(ecsi: pd.DataFrame) -> None:
    result = pls.fit(
        ecsi, ECSI_BLOCKS, ECSI_PATHS, tol=1e-12, max_iter=1, allow_nonconvergence=True
    )
    assert (result.converged, result.iterations) == (False, 1)


def test_mode_b_runs_and_scores_are_standardised(ecsi: pd.DataFrame) -> None:
    result = pls.fit(ecsi, ECSI_BLOCKS, ECSI_PATHS, modes={"IMAG": "B"})
    assert result.converged
    assert result.modes["IMAG"] == "B"
    np.testing.assert_allclose(result.scores.std(ddof=0), 1.0, atol=1e-12)


def test_mobi_sanity() -> None:
    # ECSI mobile-phone data with a single-item block (CUSCO) and a 1–10 scale.
    mobi = pd.read_csv(DATASETS / "ecsi_mobi.csv", index_col=0)
    blocks = {
        "IMAG": [f"IMAG{i}" for i in range(1, 6)],
        "CUEX": [f"CUEX{i}" for i in range(1, 4)],
        "PERQ": [f"PERQ{i}" for i in range(1, 8)],
        "PERV": ["PERV1", "PERV2"],
        "CUSA": ["CUSA1", "CUSA2", "CUSA3"],
        "CUSCO": ["CUSCO"],
        "CUSL": ["CUSL1", "CUSL2", "CUSL3"],
    }
    paths = [
        ("IMAG", "CUEX"),
        ("IMAG", "CUSA"),
        ("IMAG", "CUSL"),
        ("CUEX", "PERQ"),
        ("CUEX", "PERV"),
        ("CUEX", "CUSA"),
        ("PERQ", "PERV"),
        ("PERQ", "CUSA"),
        ("PERV", "CUSA"),
        ("CUSA", "CUSCO"),
        ("CUSA", "CUSL"),
        ("CUSCO", "CUSL"),
    ]
    result = pls.fit(mobi, blocks, paths, standardize=True)
    assert result.converged
    assert result.loadings["CUSCO"] == pytest.approx(1.0)
    assert ((result.r_squared > 0) & (result.r_squared < 1)).all()
    assert 0 < result.gof < 1
    assert 0 < result.index("CUSA", 1, 10) < 100
    # Satisfaction is driven mostly by perceived quality in this model.
    assert result.path_coefficients["CUSA"].idxmax() == "PERQ"


def test_bootstrap_is_deterministic_for_a_seed(ecsi: pd.DataFrame) -> None:
    options = {"n_boot": 50, "index_latent": "SAT", "scale_min": 0, "scale_max": 10}
    first = pls.bootstrap(ecsi, ECSI_BLOCKS, ECSI_PATHS, seed=11, **options)
    again = pls.bootstrap(ecsi, ECSI_BLOCKS, ECSI_PATHS, seed=11, **options)
    other = pls.bootstrap(ecsi, ECSI_BLOCKS, ECSI_PATHS, seed=12, **options)
    pd.testing.assert_frame_equal(first.path_intervals, again.path_intervals)
    assert (first.index_lower, first.index_upper) == (again.index_lower, again.index_upper)
    assert not first.path_intervals.equals(other.path_intervals)
    assert first.n_boot == 50
    assert first.n_redrawn == 0


def test_bootstrap_intervals_bracket_the_estimates(ecsi: pd.DataFrame) -> None:
    boot = pls.bootstrap(
        ecsi, ECSI_BLOCKS, ECSI_PATHS, index_latent="SAT", scale_min=0, scale_max=10
    )
    assert boot.n_boot == 200
    assert boot.seed == pls.DEFAULT_BOOTSTRAP_SEED
    intervals = boot.path_intervals
    assert list(zip(intervals["from"], intervals["to"], strict=True)) == ECSI_PATHS
    assert (intervals["lower"] <= intervals["estimate"]).all()
    assert (intervals["estimate"] <= intervals["upper"]).all()
    assert boot.index is not None
    assert boot.index_lower < boot.index < boot.index_upper
    # VAL → SAT is clearly positive; EXPE → SAT is indistinguishable from zero.
    by_path = intervals.set_index(["from", "to"])
    assert by_path.loc[("VAL", "SAT"), "lower"] > 0
    assert by_path.loc[("EXPE", "SAT"), "lower"] < 0 < by_path.loc[("EXPE", "SAT"), "upper"]


@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({"n_boot": 1}, "n_boot must be at least 2"),
        ({"level": 1.5}, "level must lie in"),
        ({"index_latent": "X"}, "needs scale_min and scale_max"),
    ],
)
def test_bootstrap_argument_errors(options: dict[str, object], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        pls.bootstrap(TINY, TINY_BLOCKS, TINY_PATHS, **options)  # type: ignore[arg-type]
