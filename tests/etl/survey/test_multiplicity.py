"""Multiplicity: BH, BY and Bonferroni adjusted p-values against statsmodels; families."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.multitest import multipletests

from etl.core.config import ConfigError
from etl.core.results import ResultRow
from etl.survey.changes import change_rows
from etl.survey.multiplicity import (
    MultiplicityConfig,
    adjust,
    family_adjusted,
    multiplicity_config,
    report_family,
)

STATSMODELS_NAME = {"bh": "fdr_bh", "by": "fdr_by", "bonferroni": "bonferroni"}
P_SETS = [
    [0.01, 0.04, 0.03, 0.005, 0.20, 0.037],
    # Benjamini & Hochberg (1995), table 1: 15 p-values; BH at 0.05 rejects the first four.
    [0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344, 0.0459, 0.3240,
     0.4262, 0.5719, 0.6528, 0.7590, 1.0000],
    [0.5],
    [0.03, 0.03, 0.03],  # ties
    list(np.random.default_rng(7).uniform(0, 0.2, 80)),
]  # fmt: skip


@pytest.mark.parametrize("method", ["bh", "by", "bonferroni"])
@pytest.mark.parametrize("p_values", P_SETS)
def test_adjusted_p_values_match_statsmodels(method: str, p_values: list[float]) -> None:
    reject, reference, _s, _b = multipletests(p_values, alpha=0.05, method=STATSMODELS_NAME[method])
    ours = adjust(p_values, method)
    np.testing.assert_allclose(ours, reference, rtol=0, atol=1e-12)
    assert list(ours <= 0.05) == list(reject)


def test_bh_rejects_four_in_the_published_example() -> None:
    q = adjust(P_SETS[1], "bh")
    assert int(np.sum(q <= 0.05)) == 4


@pytest.mark.parametrize(
    ("scope", "family", "expected"),
    [
        ("company", "report", "company"),
        ("channel.TEL", "report", "company"),
        ("product.HLT", "report", "company"),
        ("BJ", "report", "BJ"),
        ("channel.TEL", "scope", "channel.TEL"),
        ("BJ", "run", "company"),
    ],
)
def test_report_family(scope: str, family: str, expected: str) -> None:
    assert report_family(scope, family) == expected


def test_families_are_adjusted_separately() -> None:
    tests = [("company", 0.01), ("BJ", 0.01), ("company", 0.04), ("channel.TEL", 0.03)]
    adjusted = family_adjusted(tests, MultiplicityConfig())
    company = multipletests([0.01, 0.04, 0.03], method="fdr_bh")[1]
    assert adjusted == pytest.approx([company[0], 0.01, company[1], company[2]])


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ({"method": "holm"}, "method"),
        ({"family": "branch"}, "family"),
        ({"alpha": 1.5}, "alpha"),
    ],
)
def test_bad_settings_are_named(section: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        multiplicity_config({"multiplicity": section})


def _history(values: dict[str, float]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"quarter": "2026-Q2", "scope": "company", "metric": metric, "value": value,
             "lower_bound": value - 1.96, "upper_bound": value + 1.96, "n": 400,
             "n_effective": 400.0, "flag": None}
            for metric, value in values.items()
        ]
    )  # fmt: skip


def test_a_change_significant_alone_vanishes_in_its_family() -> None:
    # se 1 on both sides: pooled se √2. NPS −3.0 → z = −2.121, p = 0.0339 (significant alone);
    # the seven other figures do not move (p = 1). BH over 8 tests: q = 8 · 0.0339 = 0.271.
    metrics = ["csi", "nps", "csat", "overall", "dimension.claims", "dimension.presale",
               "dimension.purchase", "dimension.complaints"]  # fmt: skip
    current = [
        ResultRow("2026-Q3", "company", m, 47.0 if m == "nps" else 50.0, None, None, 400, 400.0)
        for m in metrics
    ]
    current = [
        ResultRow(r.quarter, r.scope, r.metric, r.value, r.value - 1.96, r.value + 1.96, 400, 400.0)
        for r in current
    ]
    history = _history(dict.fromkeys(metrics, 50.0))
    rows = {r.metric: r for r in change_rows("2026-Q3", current, history, MultiplicityConfig())}
    p = rows["nps.change_prev.p_value"].value
    assert p == pytest.approx(0.0339, abs=1e-4)
    assert rows["nps.change_prev.p_adjusted"].value == pytest.approx(min(1.0, 8 * p))
    assert rows["nps.change_prev"].flag == "no_change"
    assert rows["multiplicity.significant_unadjusted"].value == 1
    assert rows["multiplicity.significant_adjusted"].value == 0
    assert rows["multiplicity.change_tests"].value == 8  # the year-ago side is not comparable
    uncorrected = {
        r.metric: r
        for r in change_rows("2026-Q3", current, history, MultiplicityConfig(method="none"))
    }
    assert uncorrected["nps.change_prev"].flag == "down"
