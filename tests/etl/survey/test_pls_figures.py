"""The ACSI core model on the demo-like survey: all respondents used, weights used, impacts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from etl.core.config import SERVICE_DIMENSIONS, load_item_bank, load_settings
from etl.survey import pls_weighted
from etl.survey.pls_figures import CORE_PATHS, core_model, pls_rows, user_effect
from etl.survey.scoring import score

BANK = load_item_bank()
SETTINGS = load_settings()


def _survey(n: int = 600, seed: int = 4):
    """Every core item answered; touchpoints by a subset; satisfaction driven by quality."""
    rng = np.random.default_rng(seed)
    latent = rng.normal(0, 1, n)
    rows = []
    for i in range(n):
        base = 7 + 1.2 * latent[i]
        for item in BANK.items:
            if item.dimension in SERVICE_DIMENSIONS and rng.random() < 0.5:
                continue
            if item.scale_max == 1:
                value = int(rng.random() < 1 / (1 + np.exp(base - 4)))
            else:
                value = int(np.clip(round(base + rng.normal(0, 1)), item.scale_min, item.scale_max))
            rows.append((i + 1, item.code, value))
    answers = pd.DataFrame(rows, columns=["response_id", "item_code", "score"])
    respondents = pd.DataFrame({"response_id": range(1, n + 1), "branch_code": "BJ",
                                "channel_code": "AGENT", "product_line_code": "LIFE"})  # fmt: skip
    return score(answers, BANK, respondents), rng.uniform(0.5, 2.0, n)


@pytest.fixture(scope="module")
def fitted():
    survey, weights = _survey()
    rows = {r.metric: r for r in pls_rows("2026-Q3", survey.respondents, weights, survey,
                                          SETTINGS)}  # fmt: skip
    return survey, weights, rows


def test_core_model_uses_every_respondent_and_the_weights(fitted) -> None:
    survey, weights, rows = fitted
    model = core_model(survey)
    assert model.missing == ()
    index = rows["csi.pls"]
    assert index.n == 600 and rows["pls.n_excluded"].value == 0
    assert index.lower_bound < index.value < index.upper_bound  # 500 weighted resamples
    assert "bootstrap 500 weighted resamples" in index.note
    # The index is the weighted estimator's, not the unweighted one.
    columns = [c for block in model.blocks.values() for c in block]
    data = survey.respondents[columns]
    weighted = pls_weighted.fit(data, model.blocks, CORE_PATHS, weights).index("sat", 0, 100)
    plain = pls_weighted.fit(data, model.blocks, CORE_PATHS, None).index("sat", 0, 100)
    assert index.value == pytest.approx(weighted)
    assert index.value != pytest.approx(plain, abs=1e-9)
    assert {f"pls.path.{a}.{b}" for a, b in CORE_PATHS} <= set(rows)


def test_touchpoint_impact_is_effect_among_users_times_incidence(fitted) -> None:
    survey, weights, rows = fitted
    for d in SERVICE_DIMENSIONS:
        effect = rows[f"pls.touchpoint.{d}.effect"].value
        incidence = rows[f"pls.touchpoint.{d}.incidence"].value
        users = survey.respondents[d].notna().to_numpy()
        assert incidence == pytest.approx(weights[users].sum() / weights.sum())
        assert rows[f"pls.touchpoint.{d}.impact"].value == pytest.approx(effect * incidence)


def test_user_effect_is_the_weighted_correlation() -> None:
    # Independent: numpy's weighted covariance (aweights) gives the same correlation.
    rng = np.random.default_rng(1)
    x, y, w = rng.normal(size=50), rng.normal(size=50), rng.uniform(0.2, 3, 50)
    cov = np.cov(x, y, aweights=w)
    assert user_effect(x, y, w) == pytest.approx(cov[0, 1] / np.sqrt(cov[0, 0] * cov[1, 1]))


def test_a_bank_without_core_items_says_so() -> None:
    survey, weights = _survey(60)
    survey.item_columns.pop("value")
    (row,) = pls_rows("2026-Q3", survey.respondents, weights, survey, SETTINGS)
    assert (row.metric, row.value, row.flag) == ("csi.pls", None, "suppressed")
    assert row.note == "the item bank has no items for: value"
