"""The report context: every figure from the results table, absent figures said plainly."""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import astuple, replace
from typing import Any

import pandas as pd
import pytest

from etl.core.config import SERVICE_DIMENSIONS, ConfigError, Settings, load_item_bank, load_settings
from etl.core.periods import Quarter
from etl.core.results import ResultRow
from etl.core.scopes import Scope
from etl.report.brand import load_brand
from etl.report.context import build_context
from etl.report.results import Findings
from etl.survey.highlights import highlight_rows
from etl.survey.ranks import rank_rows

QUARTER = Quarter(2026, 3)
COMPANY = Scope("company", "company", "全公司", "Company")
SICHUAN = Scope("SC", "branch", "四川分公司", "Sichuan Branch")
BEIJING = Scope("BJ", "branch", "北京分公司", "Beijing Branch")
SHAANXI = Scope("SN", "branch", "陕西分公司", "Shaanxi Branch")
SCOPES = [COMPANY, BEIJING, SICHUAN, SHAANXI,
          Scope("channel.TELE", "channel", "电销", "Telesales"),
          Scope("product.LIFE", "product", "寿险", "Life")]  # fmt: skip
COLUMNS = ["quarter", "scope", "metric", "value", "lower_bound", "upper_bound", "n",
           "n_effective", "flag", "note"]  # fmt: skip
# (scope, csi, dimension offset, respondents) for the synthetic history below.
SCOPE_LEVELS = {"company": (71.1, 0.0, 3271), "BJ": (71.0, 1.5, 342), "SC": (70.3, -4.0, 273),
                "SN": (71.1, 0.5, 143), "channel.TELE": (66.0, -5.0, 410),
                "product.LIFE": (72.0, 1.0, 900)}  # fmt: skip
DIMENSION_BASE = {"presale": 74.8, "purchase": 75.4, "policy_service": 71.6, "claims": 70.2,
                  "complaints": 69.2, "value_added": 66.1}  # fmt: skip


QUOTE = {"dimension": "claims", "sentiment": "negative", "source": "survey_comment",
         "text": "理赔材料要求反复补交，等了一个多月。"}  # fmt: skip
NEW_ACTION = {"action_id": "2026-Q3-company-dimension.claims", "quarter_raised": "2026-Q3",
              "scope": "company", "subject": "dimension.claims", "reason": "concentrate_here",
              "current_value": 70.2, "department": "理赔管理部 / Claims Management",
              "owner": "理赔总监 / Head of Claims", "due_on": "2026-12-31",
              "target_metric": "dimension.claims", "target_value": 73.2,
              "is_higher_better": True}  # fmt: skip
EARLIER_ACTION = {"action_id": "2025-Q1-company-complaints", "quarter_raised": "2025-Q1",
                  "subject": "complaints", "issue": "投诉处理时效不足", "department": "客户服务部",
                  "owner": "客服总监", "due_on": "2025-06-30",
                  "target_metric": "claim_paid_ratio", "target_value": 0.95,
                  "status": "done"}  # fmt: skip


def frame(rows: Iterable[Sequence[Any]]) -> pd.DataFrame:
    """Result rows (quarter, scope, metric, value, lower, upper, n, n_eff, flag, note)."""
    padded = [tuple(row) + (None,) * (len(COLUMNS) - len(row)) for row in rows]
    return pd.DataFrame(padded, columns=COLUMNS)


def complete_results() -> pd.DataFrame:
    """Eight quarters of every metric of the contract, for a company, three branches and two
    segments; values drift by quarter so trends have shape."""
    rows: list[tuple[Any, ...]] = []
    for step, quarter in enumerate(QUARTER.trailing(8)):
        q = str(quarter)
        drift = 0.2 * step
        for scope, (csi, offset, n) in SCOPE_LEVELS.items():
            rows += [
                (q, scope, "respondents", float(n), None, None, n),
                (
                    q,
                    scope,
                    "csi",
                    csi - 1.4 + drift,
                    csi - 2.0 + drift,
                    csi - 0.8 + drift,
                    n,
                    n * 0.97,
                ),
                (q, scope, "nps", -16.2 + drift, -18.7 + drift, -13.7 + drift, n, n * 0.97),
                (q, scope, "csat", 25.4 + drift, 23.9 + drift, 26.9 + drift, n, n * 0.97),
                (q, scope, "overall", 73.5, 73.1, 73.9, n),
            ]
            for dimension, base in DIMENSION_BASE.items():
                value = base + offset + drift
                dimension_n = 35 if (scope, dimension) == ("SC", "complaints") else n // 2
                flag = "low_base" if dimension_n < 60 else None
                rows.append(
                    (
                        q,
                        scope,
                        f"dimension.{dimension}",
                        value,
                        value - 1.0,
                        value + 1.0,
                        dimension_n,
                        dimension_n,
                        flag,
                    )
                )
            rows += [
                (
                    q,
                    scope,
                    "claim_cycle_days_mean",
                    36.4 if scope == "SC" else 11.3 - drift,
                    None,
                    None,
                    2355,
                ),
                (q, scope, "claim_paid_ratio", 0.91, None, None, 2586),
                (q, scope, "complaints_per_10k_policies", 110.67, None, None, 543),
                (q, scope, "persistency_13_count", 0.9916, None, None, 3451),
                (q, scope, "mystery_shop_compliance", 0.879, None, None, 480),
                (
                    q,
                    scope,
                    "service_grade",
                    70.9 + drift,
                    None,
                    None,
                    9,
                    None,
                    "internal_estimate",
                    "B",
                ),
            ]
        rows += [
            (q, "company", "weighting.kish_effective_n", 3189.5, None, None, 3271),
            (q, "company", "weighting.design_effect", 1.0255, None, None, 3271),
            (q, "company", "weighting.iterations", 4.0, None, None, 3271),
        ]
    q = str(QUARTER)
    rows += [
        (q, "company", "csi.change_prev", 0.6, None, None, None, None, "up"),
        (q, "company", "csi.change_year", -0.3, None, None, None, None, "no_change"),
        (q, "company", "nps.change_prev", -2.5, None, None, None, None, "down"),
        (q, "company", "nps.change_year", None, None, None, None, None, "not_comparable"),
        (q, "company", "dimension.claims.change_prev", -1.4, None, None, None, None, "down"),
        (q, "company", "rag.csi", 80.0, None, None, 3271, None, None, "red"),
        (q, "company", "rag.claim_paid_ratio", 0.9, None, None, 2586, None, None, "green"),
        (q, "company", "rag.mystery_shop_compliance", 0.9, None, None, 480, None, None, "amber"),
        (q, "company", "rag.claim_cycle_days_mean", 10.0, None, None, 2355, None, None, "amber"),
        (q, "company", "drivers.r_squared", 0.62),
        (q, "company", "linkage.cycle_band.le10", 73.7, 72.9, 74.4, 1024),
        (q, "company", "linkage.cycle_band.d11_30", 72.8, 71.7, 73.9, 511),
        (q, "company", "linkage.cycle_band.gt30", 68.2, 65.3, 71.1, 84),
        (q, "company", "linkage.complained.yes", 73.1, 71.9, 74.2, 405),
        (q, "company", "linkage.complained.no", 73.5, 73.1, 74.0, 2866),
        (q, "company", "service_grade.group.claims", 83.0, None, None, 3),
        (q, "company", "voc.texts", 9277.0, None, None, 9277),
        (q, "company", "voc.quotes", 1.0, None, None, 1),
        (q, "company", "csi.pls", 70.8, 70.1, 71.5, 3271),
        (q, "company", "pls.path.claims.satisfaction", 0.412, 0.35, 0.47, 3271),
    ]
    importance = {"presale": 12.0, "purchase": 10.0, "policy_service": 18.0, "claims": 30.0,
                  "complaints": 14.0, "value_added": 16.0}  # fmt: skip
    quadrant = {"presale": "possible_overkill", "purchase": "possible_overkill",
                "policy_service": "keep_up", "claims": "concentrate_here",
                "complaints": "low_priority", "value_added": "concentrate_here"}  # fmt: skip
    for dimension, share in importance.items():
        rows += [
            (q, "company", f"drivers.{dimension}.importance", share, share - 3, share + 3, 3271),
            (
                q,
                "company",
                f"drivers.{dimension}.quadrant",
                None,
                None,
                None,
                3271,
                None,
                None,
                quadrant[dimension],
            ),
        ]
        rows.append((q, "company", f"voc.theme.{dimension}", 130.0, None, None, 130))
    # Strengths and weaknesses as the survey stage stores them, from these dimension rows.
    dimensions = [
        ResultRow(*(list(r) + [None] * (10 - len(r))))  # type: ignore[arg-type]
        for r in rows
        if r[0] == q and str(r[2]).startswith("dimension.") and str(r[2]).count(".") == 1
    ]
    rows += [astuple(r) for r in highlight_rows(q, dimensions)]
    current = [
        ResultRow(*(list(r) + [None] * (10 - len(r))))  # type: ignore[arg-type]
        for r in rows
        if (r[0] == q and r[2] in ("csi", "nps", "csat")) or (r[0] == q and r in dimensions)
    ]
    rows += [astuple(r) for r in rank_rows(q, [*current, *dimensions], {})]
    return frame(rows)


@pytest.fixture(scope="module")
def results() -> pd.DataFrame:
    return complete_results()


@pytest.fixture(scope="module")
def settings() -> Settings:
    return _with_brand(load_settings(), "chengyuan")  # the brand the demo warehouse gets


# The findings tables of the company in 2026-Q3: 130 texts per theme this quarter (120 the
# quarter before), one quote, one new action and one earlier action followed up.
FINDINGS = Findings(
    themes=tuple(
        {"dimension": dimension, "texts": 130, "negative": 50, "positive": 60, "previous": 120,
         "change": 10}
        for dimension in ("presale", "purchase", "policy_service", "claims", "complaints",
                          "value_added")
    ),
    quotes=({"position": 1, "dimension": QUOTE["dimension"], "sentiment": QUOTE["sentiment"],
             "source": QUOTE["source"], "quote_text": QUOTE["text"]},),
    new_actions=({**NEW_ACTION, "issue": NEW_ACTION["reason"]},),
    follow_ups=({**EARLIER_ACTION, "measured_value": 0.91, "target_status": "not_met"},),
    plan_ran=True,
)  # fmt: skip


def context(results: pd.DataFrame, scope: Scope = COMPANY, language: str = "en",
            **kwargs: Any) -> dict[str, Any]:  # fmt: skip
    settings = kwargs.pop("settings", None) or _with_brand(load_settings(), "chengyuan")
    if "findings" not in kwargs:
        kwargs["findings"] = FINDINGS if scope == COMPANY else Findings(plan_ran=True)
    return build_context(QUARTER, scope, language, results, load_item_bank(), settings, "run-1",
                         scopes=kwargs.pop("scopes", SCOPES), **kwargs)  # fmt: skip


def test_headline_tiles_are_the_stored_figures(results: pd.DataFrame) -> None:
    tiles = {tile["code"]: tile for tile in context(results)["summary"]["tiles"]}
    # csi stored for 2026-Q3 = 71.1 − 1.4 + 0.2 × 7 = 71.1; nps −16.2 + 1.4 = −14.8;
    # csat 25.4 + 1.4 = 26.8 (a share on 0–100, shown as a percentage)
    assert tiles["csi"]["value"] == "71.1"
    assert tiles["csi"]["detail"] == "95% interval 70.5–71.7 · n = 3,271"
    assert tiles["nps"]["value"] == "-14.8"
    assert tiles["csat"]["value"] == "26.8%"
    # the stored letter, marked internal so it cannot pass for the regulator's rating
    assert tiles["service_grade"]["value"] == "B (internal)"


@pytest.mark.parametrize(
    ("code", "which", "direction", "text"),
    [
        ("csi", 0, "up", "▲ +0.6 vs last quarter (significant after FDR correction)"),
        ("csi", 1, "none", "vs a year ago: no significant change (−0.3)"),
        ("nps", 0, "down", "▼ −2.5 vs last quarter (significant after FDR correction)"),
        ("nps", 1, "none", "vs a year ago: not comparable"),
        ("csat", 0, "none", "vs last quarter: not available"),
    ],
)
def test_changes_are_marked_only_when_significant(
    results: pd.DataFrame, code: str, which: int, direction: str, text: str
) -> None:
    tiles = {tile["code"]: tile for tile in context(results)["summary"]["tiles"]}
    marker = tiles[code]["changes"][which]
    assert (marker["direction"], marker["long"]) == (direction, text)


def test_change_marker_in_chinese(results: pd.DataFrame) -> None:
    tiles = {tile["code"]: tile for tile in context(results, language="zh-CN")["summary"]["tiles"]}
    assert tiles["csi"]["changes"][0]["long"] == "较上季度▲ +0.6（经错误发现率校正后显著）"


def test_scorecard_lists_targets_in_report_order_with_status(results: pd.DataFrame) -> None:
    rows = context(results)["summary"]["scorecard"]
    assert [(r["code"], r["value"], r["target"], r["status"]) for r in rows] == [
        ("csi", "71.1", "80.0", "red"),
        ("claim_cycle_days_mean", "9.9 days", "10.0 days", "amber"),  # 11.3 − 1.4
        ("claim_paid_ratio", "91.0%", "90.0%", "green"),
        ("mystery_shop_compliance", "87.9%", "90.0%", "amber"),
    ]


def test_branch_is_compared_with_the_company(results: pd.DataFrame) -> None:
    built = context(results, scope=SICHUAN)
    summary = built["summary"]
    # SC dimensions are the company's − 4.0: every gap is −4.0, so no strength
    assert summary["strengths"] == []
    assert [w["evidence"] for w in summary["weaknesses"]] == ["−4.0 vs the company"] * 3
    assert summary["no_strengths"] == (
        "No dimension scores clearly above the company (95% interval)."
    )
    segments = built["segments"]
    # CSI 2026-Q3: BJ 71.0, SN 71.1, SC 70.3, each ± 0.6: SC is last by the point estimates,
    # but its rank interval spans 2–3, so no single place is printed.
    assert segments["rank_sentence"] == (
        "Sichuan Branch ranks 2–3 of 3 branches by CSI this quarter (95% interval of the rank; "
        "the data do not separate a single place)."
    )
    ranks = {row["code"]: row["rank"] for row in built["dimensions"]["rows"]}
    assert ranks["claims"] == "3 of 3"
    complaints = next(r for r in built["dimensions"]["rows"] if r["code"] == "complaints")
    assert complaints["flag_text"] == "low base"


def test_company_report_lists_every_branch_best_and_lowest(results: pd.DataFrame) -> None:
    built = context(results)
    assert [row["name"] for row in built["segments"]["branches"]] == [
        "Beijing Branch", "Sichuan Branch", "Shaanxi Branch"]  # fmt: skip
    claims = next(r for r in built["dimensions"]["rows"] if r["code"] == "claims")
    # claims 2026-Q3: BJ 70.2 + 1.5 + 1.4 = 73.1, SN 72.1, SC 67.6
    # BJ and SN (72.1) overlap: BJ's place is 1–2; SC is separated in third place.
    assert (claims["best"], claims["worst"]) == (
        "Beijing Branch 73.1 (1–2 of 3)",
        "Sichuan Branch 67.6 (3 of 3)",
    )
    assert [row["name"] for row in built["segments"]["channels"]] == ["Telesales"]
    assert [row["name"] for row in built["segments"]["products"]] == ["Life"]


def test_suppressed_figures_show_a_dash_never_the_number() -> None:
    rows = frame([
        ("2026-Q3", "company", "respondents", 12.0, None, None, 12),
        ("2026-Q3", "company", "csi", 64.25, 60.0, 68.5, 12, 12.0, "suppressed"),
        ("2026-Q3", "company", "dimension.claims", 55.5, 50.0, 61.0, 12, 12.0, "suppressed"),
    ])  # fmt: skip
    built = context(rows)
    csi = built["summary"]["tiles"][0]
    assert csi["value"] == "—"
    assert csi["detail"] == "suppressed (n < 30) · n = 12"
    claims = next(r for r in built["dimensions"]["rows"] if r["code"] == "claims")
    assert (claims["value"], claims["flag_text"]) == ("—", "suppressed (n < 30)")
    assert "64.2" not in repr(built) and "55.5" not in repr(built)


def test_a_csi_from_too_few_dimensions_shows_the_reason_not_a_number() -> None:
    rows = frame([
        ("2026-Q3", "company", "respondents", 240.0, None, None, 240),
        ("2026-Q3", "company", "csi", None, None, None, 240, None, "insufficient_coverage"),
        ("2026-Q3", "company", "dimension.claims", 41.5, 38.0, 45.0, 240, 230.0),
    ])  # fmt: skip
    tile = context(rows)["summary"]["tiles"][0]
    assert tile["value"] == "—"
    assert tile["detail"] == (
        "CSI not computed: too few service dimensions with data (needs 3) · n = 240"
    )


def test_absent_figures_are_reported_as_not_available() -> None:
    built = context(
        frame([("2026-Q3", "company", "respondents", 500.0, None, None, 500)]),
        findings=Findings(),
    )
    assert [tile["value"] for tile in built["summary"]["tiles"]] == ["—"] * 4
    assert built["summary"]["scorecard"] == []
    assert built["dimensions"]["index_chart"] is None
    assert built["dimensions"]["items"] == []
    assert built["drivers"]["available"] is False
    assert built["kpis"]["available"] is False
    assert built["kpis"]["linkage_rows"] == []
    assert built["voc"]["available"] is False and built["voc"]["mystery"] is None
    assert built["actions"]["available"] is False
    assert built["methodology"]["lineage"] == []
    assert "Mystery-shop compliance" in built["kpis"]["missing"]


def test_drivers_kpis_linkage_and_voc_read_their_metrics(results: pd.DataFrame) -> None:
    built = context(results)
    drivers = built["drivers"]
    assert drivers["available"] and drivers["r_squared"] == "0.62"
    claims = next(row for row in drivers["rows"] if row["name"] == "Claims service quality")
    assert (claims["importance"], claims["quadrant_label"]) == ("30.0%", "Concentrate here")
    assert drivers["chart"] is not None
    assert drivers["pls_index"] == "70.8"
    assert drivers["paths"][0]["value"] == "0.412"
    kpis = {row["code"]: row for row in built["kpis"]["rows"]}
    assert kpis["claim_paid_ratio"]["value"] == "91.0%"
    assert kpis["complaints_per_10k_policies"]["value"] == "110.67"
    assert kpis["claim_cycle_days_mean"]["change"] == "−0.2 days"  # drift −0.2 per quarter
    assert [row["label"] for row in built["kpis"]["linkage_rows"]] == [
        "Claim closed in ≤ 10 days", "Claim closed in 11–30 days", "Claim closed in > 30 days",
        "Complained", "Did not complain"]  # fmt: skip
    voc = built["voc"]
    assert voc["available"] and voc["texts"] == "9,277"
    claims_theme = next(t for t in voc["themes"] if t["name"] == "Claims service quality")
    # 130 texts, 50 negative (38% of 130), 10 more than last quarter
    assert (claims_theme["total"], claims_theme["change"], claims_theme["negative_share"]) == (
        "130", "+10", "38%")  # fmt: skip
    # The English report marks a Chinese quote as quoted in its original language.
    assert voc["quotes"] == [
        {"text": QUOTE["text"], "dimension": "Claims service quality", "sentiment": "Negative",
         "original_language": "quoted in the original Chinese", "lang": "zh-CN"}
    ]  # fmt: skip


def test_quotes_are_withheld_below_the_verbatim_minimum(results: pd.DataFrame) -> None:
    few = results.copy()
    quotes = (few["metric"] == "voc.quotes") & (few["quarter"] == "2026-Q3")
    few.loc[quotes, ["value", "flag", "note"]] = [None, "suppressed", "fewer than 5 respondents"]
    # Below the minimum the computation stores no quotes at all.
    voc = context(few, findings=replace(FINDINGS, quotes=()))["voc"]
    assert voc["quotes"] == [] and voc["quotes_withheld"] is True


@pytest.mark.parametrize(
    ("language", "new", "earlier"),
    [
        ("en",
         {"subject": "Claims service quality",
          "issue": "Concentrate here: important and below average", "evidence": "now 70.2",
          "department": "Claims Management", "owner": "Head of Claims",
          "due": "31 December 2026", "target": "Claims service quality 73.2"},
         {"raised": "Q1 2025", "subject": "Complaint and dispute handling",
          "issue": "投诉处理时效不足", "status_label": "Done", "target": "Claim paid ratio 95.0%",
          # now 0.91 against 0.95, higher is better: not met (the flag the actions step set)
          "current": "91.0%", "met": "no", "met_label": "Not met"}),
        ("zh-CN",
         {"subject": "理赔服务质量", "issue": "重点改进：重要性高、得分低于平均",
          "evidence": "当前70.2", "department": "理赔管理部", "owner": "理赔总监",
          "due": "2026年12月31日", "target": "理赔服务质量 73.2"},
         {"raised": "2025年第1季度", "subject": "客户投诉与纠纷处理", "issue": "投诉处理时效不足",
          "status_label": "已完成", "target": "理赔获赔率 95.0%", "current": "91.0%",
          "met": "no", "met_label": "未达成"}),
    ],
)  # fmt: skip
def test_actions_show_new_and_earlier_with_target_met(
    results: pd.DataFrame, language: str, new: dict[str, str], earlier: dict[str, str]
) -> None:
    plan = context(results, language=language)["actions"]
    assert plan["available"] is True
    assert [{k: a[k] for k in new} for a in plan["new"]] == [new]
    assert [{k: a[k] for k in earlier} for a in plan["earlier"]] == [earlier]


def test_a_scope_without_actions_has_none_but_a_plan(results: pd.DataFrame) -> None:
    plan = context(results, scope=SICHUAN)["actions"]
    assert (plan["available"], plan["new"], plan["earlier"]) == (True, [], [])


@pytest.mark.parametrize(
    ("language", "revision", "expected"),
    [
        ("en", None, {"label": "v1", "reason": None, "date": None}),
        ("en", {"label": "v2", "reason": "KPI data corrected", "date": "2026-11-02"},
         {"label": "v2", "reason": "KPI data corrected", "date": "2 November 2026"}),
        ("zh-CN", {"label": "v2", "reason": "数据更正", "date": "2026-11-02"},
         {"label": "v2", "reason": "数据更正", "date": "2026年11月2日"}),
    ],
)  # fmt: skip
def test_cover_shows_the_revision(
    results: pd.DataFrame, language: str, revision: dict[str, str] | None,
    expected: dict[str, Any],
) -> None:  # fmt: skip
    cover = context(results, language=language, revision=revision)["cover"]
    assert cover["revision"] == expected


@pytest.mark.parametrize(
    ("language", "title", "period"),
    [
        ("zh-CN", "《2026年第3季度客户服务满意度评估报告》", "2026年7月1日至2026年9月30日"),
        (
            "en",
            "Q3 2026 Customer Service Satisfaction Assessment",
            "1 July 2026 – 30 September 2026",
        ),
    ],
)
def test_title_and_period_per_language(
    results: pd.DataFrame, language: str, title: str, period: str
) -> None:
    built = context(results, language=language)
    assert (built["title"], built["cover"]["period"]) == (title, period)


def _with_brand(settings: Settings, brand: str) -> Settings:
    raw = copy.deepcopy(settings.raw)
    raw["report"]["brand"] = brand
    return dataclasses.replace(settings, raw=raw)


def test_rebrand_is_a_setting(results: pd.DataFrame, settings: Settings) -> None:
    default = context(results)
    other = context(results, settings=_with_brand(settings, "hengtai"))
    assert default["brand"]["company_name"] == "Chengyuan Life Insurance Co., Ltd."
    assert other["brand"]["company_name"] == "Hengtai Property & Casualty Insurance Co., Ltd."
    assert other["brand"]["logo_url"].endswith("/brands/hengtai/logo.svg")
    assert "--primary: #5B2333;" in other["brand_css"]
    assert "'Noto Serif CJK SC'" in other["brand_css"]
    # The charts take the brand's palette too.
    assert "#4477aa" in str(other["dimensions"]["bar_chart"].svg).lower()


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda raw: raw.pop("name_en"), "missing or non-text keys ['name_en']"),
        (lambda raw: raw["colours"].update(primary="red; } body { display: none"),
         "colours.primary"),
        (lambda raw: raw.update(font_family="x; } html { color: red"), "font_family"),
        (lambda raw: raw.update(logo="../../../etl/config.py"), "logo"),
    ],
)  # fmt: skip
def test_brand_file_errors_name_file_and_key(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch, edit: Any, message: str
) -> None:
    import tomllib

    from etl.report import brand as assemble

    source = assemble.TEMPLATES_DIR / "brands" / "chengyuan"
    raw = tomllib.loads((source / "brand.toml").read_text(encoding="utf-8"))
    edit(raw)
    folder = tmp_path / "brands" / "broken"
    folder.mkdir(parents=True)
    (folder / "logo.svg").write_bytes((source / "logo.svg").read_bytes())
    (folder / "brand.toml").write_text(_toml(raw), encoding="utf-8")
    monkeypatch.setattr(assemble, "TEMPLATES_DIR", tmp_path)
    with pytest.raises(ConfigError, match=r"brand\.toml") as error:
        load_brand("broken")
    assert message in str(error.value)


def test_unknown_brand_names_the_setting() -> None:
    with pytest.raises(ConfigError, match=r"report\.brand = 'nobody'"):
        load_brand("nobody")


def _toml(raw: dict[str, Any]) -> str:
    def value(item: Any) -> str:
        if isinstance(item, list):
            return "[" + ", ".join(value(v) for v in item) + "]"
        return '"' + str(item).replace("\\", "\\\\").replace('"', '\\"') + '"'

    lines = [f"{key} = {value(item)}" for key, item in raw.items() if not isinstance(item, dict)]
    lines.append("[colours]")
    lines += [f"{key} = {value(item)}" for key, item in raw["colours"].items()]
    return "\n".join(lines) + "\n"


def test_every_dimension_has_a_row_even_without_data() -> None:
    built = context(frame([("2026-Q3", "company", "respondents", 0.0, None, None, 0)]))
    assert [row["code"] for row in built["dimensions"]["rows"]] == list(SERVICE_DIMENSIONS)
    assert {row["value"] for row in built["dimensions"]["rows"]} == {"—"}
