"""The metric catalogue: every index and KPI with its label, unit, direction and definition."""

from __future__ import annotations

from dataclasses import dataclass


def N_(message: str) -> str:
    """Mark a message for the catalog; it is translated where it is shown."""
    return message


@dataclass(frozen=True)
class MetricSpec:
    """How a metric is named, shown and defined in the report."""

    code: str
    label: str  # msgid
    unit: str  # score | nps | csat | rate | days | per_10k | per_100m | count
    higher_is_better: bool
    definition: str  # msgid


INDICES: tuple[MetricSpec, ...] = (
    MetricSpec(
        "csi",
        N_("CSI (customer satisfaction index)"),
        "score",
        True,
        N_(
            "Weighted mean of the six dimension scores (0–100), with the expert weights "
            "below renormalised over the dimensions that have data."
        ),
    ),
    MetricSpec(
        "nps",
        N_("NPS (net promoter score)"),
        "nps",
        True,
        N_(
            "Share of promoters (9–10) minus share of detractors (0–6) on the 0–10 "
            "recommendation item, from −100 to 100; 95% interval by the adjusted Wald method."
        ),
    ),
    MetricSpec(
        "csat",
        N_("CSAT (top-2-box share)"),
        "csat",
        True,
        N_("Share of respondents in the top two boxes of the overall satisfaction item."),
    ),
    MetricSpec(
        "overall",
        N_("Overall satisfaction"),
        "score",
        True,
        N_(
            "Mean of the three ACSI-style items (overall satisfaction, expectations met, "
            "comparison with the ideal), 0–100."
        ),
    ),
    MetricSpec(
        "service_grade",
        N_("Service evaluation grade"),
        "score",
        True,
        N_(
            "Composite 0–100 of the operational KPIs with configured weights in the shape "
            "of the regulator's service evaluation, graded AAA (95+) to D (below 55). An "
            "internal estimate, not a regulatory rating."
        ),
    ),
)


KPIS: tuple[MetricSpec, ...] = (
    MetricSpec(
        "claim_cycle_days_mean",
        N_("Claim cycle time, mean"),
        "days",
        False,
        N_("Days from report to payment for claims paid in the quarter (mean)."),
    ),
    MetricSpec(
        "claim_cycle_days_median",
        N_("Claim cycle time, median"),
        "days",
        False,
        N_("Days from report to payment for claims paid in the quarter (median)."),
    ),
    MetricSpec(
        "claim_cycle_days_p90",
        N_("Claim cycle time, 90th percentile"),
        "days",
        False,
        N_("Days from report to payment for claims paid in the quarter (90th percentile)."),
    ),
    MetricSpec(
        "claims_open_aged",
        N_("Aged open claims"),
        "count",
        False,
        N_(
            "Claims still open at quarter end that were reported more than the aged threshold "
            "(30 days by default) before it; the cycle time sees only paid claims."
        ),
    ),
    MetricSpec(
        "claims_open_aged_share",
        N_("Aged open claims, share"),
        "rate",
        False,
        N_("Aged open claims ÷ claims open at quarter end."),
    ),
    MetricSpec(
        "claim_closure_rate_12m",
        N_("Claim closure rate (12 months)"),
        "rate",
        True,
        N_(
            "Claims registered and closed within the last 12 months ÷ claims registered in "
            "the window (withdrawn claims excluded)."
        ),
    ),
    MetricSpec(
        "claim_paid_ratio",
        N_("Claim paid ratio"),
        "rate",
        True,
        N_("Claims closed with payment ÷ claims closed (withdrawn claims excluded)."),
    ),
    MetricSpec(
        "complaints_per_10k_policies",
        N_("Complaints per 10,000 policies"),
        "per_10k",
        False,
        N_("Complaints received ÷ (policies in force at quarter end / 10,000)."),
    ),
    MetricSpec(
        "complaints_per_100m_premium",
        N_("Complaints per CNY 100 million premium"),
        "per_100m",
        False,
        N_(
            "Complaints received ÷ (premium of the last four quarters / 100,000,000); the "
            "premium basis is a setting: written (booked, instalments falling due; the "
            "default) or collected (cash received)."
        ),
    ),
    MetricSpec(
        "complaint_on_time_rate",
        N_("Complaint on-time rate"),
        "rate",
        True,
        N_(
            "Complaints resolved within the limit (15 days; 30 for complex cases) ÷ "
            "complaints due in the quarter."
        ),
    ),
    MetricSpec(
        "complaint_resolution_rate",
        N_("Complaint resolution rate"),
        "rate",
        True,
        N_(
            "Complaints resolved with an outcome by quarter end ÷ complaints received in the "
            "quarter; withdrawn complaints are counted apart and are in neither term."
        ),
    ),
    MetricSpec(
        "complaints_withdrawn",
        N_("Complaints withdrawn"),
        "count",
        False,
        N_("Complaints received in the quarter and withdrawn by the customer by its end."),
    ),
    MetricSpec(
        "persistency_13_count",
        N_("13-month persistency (policies)"),
        "rate",
        True,
        N_(
            "Regular-premium policies issued 13 months before that are in force at month 13 "
            "with the instalment due there paid within the grace period (60 days by default), "
            "by policy count."
        ),
    ),
    MetricSpec(
        "persistency_13_premium",
        N_("13-month persistency (premium)"),
        "rate",
        True,
        N_("As the 13-month persistency, weighted by premium."),
    ),
    MetricSpec(
        "persistency_25_count",
        N_("25-month persistency (policies)"),
        "rate",
        True,
        N_(
            "Regular-premium policies issued 25 months before that are in force at month 25 "
            "with the instalment due there paid within the grace period (60 days by default), "
            "by policy count."
        ),
    ),
    MetricSpec(
        "persistency_25_premium",
        N_("25-month persistency (premium)"),
        "rate",
        True,
        N_("As the 25-month persistency, weighted by premium."),
    ),
    MetricSpec(
        "surrender_rate",
        N_("Surrender rate"),
        "rate",
        False,
        N_(
            "Policies surrendered in the quarter ÷ policies in force at quarter start (the "
            "reserve-based definition is used where reserves are held in the warehouse)."
        ),
    ),
    MetricSpec(
        "mystery_shop_compliance",
        N_("Mystery-shop compliance"),
        "rate",
        True,
        N_(
            "Checklist items passed ÷ items checked in mystery-shopper visits; its base is the "
            "number of visits (low base under 10 by default)."
        ),
    ),
)


SPECS: dict[str, MetricSpec] = {spec.code: spec for spec in (*INDICES, *KPIS)}


LINKAGE_GROUPS: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    (
        N_("By claim cycle time"),
        (
            ("linkage.cycle_band.le10", N_("Claim closed in ≤ 10 days")),
            ("linkage.cycle_band.d11_30", N_("Claim closed in 11–30 days")),
            ("linkage.cycle_band.gt30", N_("Claim closed in > 30 days")),
        ),
    ),
    (
        N_("By complaint experience"),
        (
            ("linkage.complained.yes", N_("Complained")),
            ("linkage.complained.no", N_("Did not complain")),
        ),
    ),
)
