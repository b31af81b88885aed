"""The report's fixed vocabulary: section list, status and quadrant labels, trend length."""

from __future__ import annotations

from etl.core.metrics import N_

TREND_QUARTERS = 8


KPI_PANELS = 9  # small multiples in the KPI trend chart (3 × 3)


HIDDEN_FLAGS = frozenset(
    {"suppressed", "not_applicable", "insufficient_pairs", "insufficient_coverage"}
)


SENTIMENTS = ("negative", "mixed", "neutral", "positive")


QUADRANTS: dict[str, str] = {
    "concentrate_here": N_("Concentrate here"),
    "keep_up": N_("Keep up the good work"),
    "low_priority": N_("Low priority"),
    "possible_overkill": N_("Possible overkill"),
}


# A dimension whose importance interval contains the split has no quadrant.
UNDETERMINED = N_("Undetermined")


RAG: dict[str, str] = {
    "green": N_("Green"),
    "amber": N_("Amber"),
    "red": N_("Red"),
    # The data cannot decide: the interval crosses a threshold, or a KPI rests on few cases.
    "within_margin": N_("Within margin"),
    "low_base": N_("Low base"),
}


ACTION_STATUS: dict[str, str] = {
    "open": N_("Open"),
    "in_progress": N_("In progress"),
    "done": N_("Done"),
    "dropped": N_("Dropped"),
}


SENTIMENT_LABELS: dict[str, str] = {
    "negative": N_("Negative"),
    "mixed": N_("Mixed"),
    "neutral": N_("Neutral"),
    "positive": N_("Positive"),
}


SECTIONS: tuple[tuple[str, str], ...] = (
    ("summary", N_("Executive summary")),
    ("dimensions", N_("The six service dimensions")),
    ("drivers", N_("Key drivers")),
    ("kpis", N_("Operational KPIs")),
    ("segments", N_("Segments")),
    ("voc", N_("Voice of the customer")),
    ("actions", N_("Improvement plan")),
    ("methodology", N_("Methodology appendix")),
)


GRADE_GROUPS: tuple[tuple[str, str], ...] = (
    ("service", N_("Contact centre and satisfaction")),
    ("claims", N_("Claims")),
    ("complaints", N_("Complaints")),
)


SEGMENT_KPIS = ("claim_cycle_days_mean", "complaints_per_10k_policies", "persistency_13_count")


SEGMENT_KPI_HEADERS = (
    N_("Claim cycle (days)"),
    N_("Complaints per 10k"),
    N_("13-month persistency"),
)


ACTION_REASONS: dict[str, str] = {
    "concentrate_here": N_("Concentrate here: important and below average"),
    "red_kpi": N_("Red against target"),
    "significant_decline": N_("Significant decline"),
}


ACTION_MET: dict[str, str] = {
    "met": N_("Met"),
    "not_met": N_("Not met"),
    "no_data": N_("Not measured"),
}


INGEST_KINDS: dict[str, str] = {
    "survey": N_("Survey exports"),
    "feedback": N_("Feedback files"),
    "mystery_shop": N_("Mystery-shop checklists"),
}


# The ingest rules a quarantined row can break (etl/ingest), as the appendix names them.
QUARANTINE_RULES: dict[str, str] = {
    "bad_time": N_("unreadable date or time"),
    "column_count": N_("wrong number of cells"),
    "duplicate_answer": N_("item answered twice"),
    "duplicate_id": N_("duplicate id"),
    "duplicate_policy_in_wave": N_("policy answered twice in the wave"),
    "duplicate_response_id": N_("duplicate response id"),
    "encoding": N_("unreadable characters"),
    "future_time": N_("date in the future"),
    "incomplete_response": N_("incomplete response"),
    "inconsistent_response": N_("response rows disagree"),
    "inconsistent_visit": N_("visit rows disagree"),
    "json": N_("not a JSON object"),
    "missing_required": N_("required field missing"),
    "no_answers": N_("no item answered"),
    "not_a_score": N_("not a score"),
    "not_integer": N_("score not a whole number"),
    "not_yes_no": N_("result not yes/no"),
    "out_of_scale": N_("score outside the item's scale"),
    "outside_wave": N_("submitted outside the wave"),
    "unknown_branch": N_("unknown branch"),
    "unknown_channel": N_("unknown channel"),
    "unknown_item": N_("unknown item"),
    "unknown_policy": N_("unknown policy number"),
    "unknown_product_line": N_("unknown product line"),
    "unknown_source": N_("unknown feedback source"),
    "visit_quarantined": N_("another row of the visit rejected"),
}
