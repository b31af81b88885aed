"""Methodology appendix: sample, weighting, methods, data sources and lineage."""

from __future__ import annotations

from typing import Any

from etl import __version__
from etl.core.metrics import INDICES, KPIS, N_
from etl.core.scopes import COMPANY
from etl.report.format import ReportView
from etl.report.i18n import quarter_label
from etl.report.labels import INGEST_KINDS, QUARANTINE_RULES, TREND_QUARTERS
from etl.report.sections.conventions import (
    change_test_rows,
    kpi_conventions_text,
    multiplicity_text,
    weighting_details,
)
from etl.report.sections.voc import tagger_text


def weighting_text(report: ReportView) -> str:
    """The appendix sentence on raking, from the weighting figures stored for the company."""
    _ = report.gettext
    number = report.fmt["number"]
    n_eff = report.stat("weighting.kish_effective_n", COMPANY)
    deff = report.stat("weighting.design_effect", COMPANY)
    iterations = report.stat("weighting.iterations", COMPANY)
    if not n_eff or not deff or not iterations:
        return _("Respondents were not weighted this quarter.")
    trim = report.settings.weighting.get("trim", [0.2, 5.0])
    text = _(
        "Respondents are raked to the policies in force at quarter end by branch, channel and "
        "product line (weights trimmed to %(low)s–%(high)s × the mean; %(iterations)s "
        "iterations). Kish effective sample size %(n_eff)s; design effect %(deff)s. Every "
        "interval uses the effective sample size."
    ) % {
        "low": number(trim[0], 1),
        "high": number(trim[1], 0),
        "iterations": number(iterations.value, 0),
        "n_eff": number(n_eff.value, 0),
        "deff": number(deff.value, 2),
    }
    if iterations.flag == "not_converged":
        text += " " + _(
            "Raking within these bounds did not converge; what was done instead is stated below."
        )
    return text


# Terms the appendix defines beyond the metric catalogue (msgids; translated where shown).
METHOD_TERMS: tuple[tuple[str, str], ...] = (
    (
        N_("Dimension score"),
        N_(
            "Item answers rescaled to 0–100 (reverse items flipped), averaged per "
            "respondent over the dimension's items, then the weighted mean over the "
            "respondents who used the touchpoint. Touchpoints not used are missing by "
            "design, never scored low."
        ),
    ),
    (
        N_("Significance"),
        N_(
            "A change vs last quarter or a year ago is tested by a two-sample z test on the "
            "two estimates. The p-values of all tests one report prints (the company with "
            "its channel and product segments; each branch on its own) are adjusted "
            "together by the Benjamini–Hochberg procedure; a change is marked ▲/▼ only when "
            "its adjusted p-value is at most 0.05, otherwise it reads “n.s.”. Both p-values "
            "are listed below. KPI changes are differences of census figures and carry no "
            "test."
        ),
    ),
    (
        N_("Key drivers"),
        N_(
            "Johnson's relative weights of the dimensions for overall satisfaction, "
            "normalised to 100%, on correlations of the respondents who rated each pair "
            "(the smallest pair n is printed), with bootstrap 95% intervals (1,000 "
            "resamples, fixed seed). Impact = importance × incidence (the weighted share "
            "who used the touchpoint), rescaled to 100%. Quadrants split importance and "
            "performance at their means (Martilla & James); a dimension whose importance "
            "interval contains the split is “undetermined”."
        ),
    ),
    (
        N_("Strengths and weaknesses"),
        N_(
            "For a branch, up to three dimensions whose 95% interval lies wholly above "
            "(strengths) or below (weaknesses) the company's score for the same dimension; "
            "for the company, against the mean of its own dimension scores. Suppressed and "
            "low-base figures are never picked."
        ),
    ),
    (
        N_("Red / amber / green"),
        N_(
            "Each figure against its target and amber threshold for the scope: green meets "
            "the target, amber lies between target and threshold, red is beyond the "
            "threshold. A survey figure whose 95% interval contains the target or the "
            "threshold is “within margin”: the data cannot tell its colour. A KPI on a low "
            "base has no colour."
        ),
    ),
    (
        N_("Branch ranks"),
        N_(
            "Each branch's rank comes with a 95% interval from a parametric bootstrap of "
            "the league table (1,000 replicates drawing every branch's figure from its "
            "estimate and standard error). A single place is printed only when the interval "
            "is one place; otherwise the interval is printed."
        ),
    ),
    (
        N_("Service grade scoring"),
        N_(
            "Each KPI of the grade maps to a 0–100 sub-score on a straight line derived "
            "from its own target: the target scores 100 and the amber threshold 60, clipped "
            "to 0–100; a KPI without a target uses the configured line. The grade letters "
            "are an internal estimate in the shape of the regulator's service evaluation, "
            "not the regulator's rating."
        ),
    ),
    (
        N_("Suppressed cells"),
        N_(
            "A cell below the minimum base is stored with its n and the reason only, never "
            "its value, in the results table and in the report."
        ),
    ),
    (
        N_("Satisfaction by cycle time"),
        N_(
            "Mean overall satisfaction (0–100) of respondents whose most recent claim "
            "closed within the year before they answered, by days from report to closure "
            "(≤ 10, 11–30, > 30), and of respondents with and without a complaint on "
            "their policy in that year."
        ),
    ),
)


def sample_rows(report: ReportView) -> list[dict[str, Any]]:
    """Respondents and effective n of the company and each branch."""
    number = report.fmt["number"]
    samples = []
    for code in [COMPANY, *report.branch_codes()]:
        respondents = report.stat("respondents", code)
        csi = report.stat("csi", code)
        samples.append(
            {
                "name": report.scope_name(code),
                "respondents": number(
                    respondents.value if respondents and respondents.value is not None else 0, 0
                ),
                "n_effective": number(csi.n_effective, 0) if csi and csi.n_effective else "—",
                "highlight": code == report.scope.code,
            }
        )
    return samples


def lineage_rows(report: ReportView) -> list[dict[str, Any]]:
    """Rows each source fed into the quarter for this report's scope (a branch's own rows),
    and rows quarantined where the run recorded them (`quarantined` is None otherwise)."""
    number = report.fmt["number"]
    scope = report.scope.code
    lineage = []
    for metric in report.results.metrics(report.q, scope, "lineage."):
        if not metric.endswith(".rows"):
            continue
        source = metric.removeprefix("lineage.").removesuffix(".rows")
        rows = report.stat(metric, scope)
        quarantined = report.stat(f"lineage.{source}.quarantined", scope)
        lineage.append(
            {
                "source": source,
                "rows": number(rows.value if rows else None, 0),
                "quarantined": number(quarantined.value, 0)
                if quarantined is not None and quarantined.value is not None
                else None,
            }
        )
    return lineage


def lineage_fields(report: ReportView) -> dict[str, Any]:
    """The lineage table of the report's scope; the quarantine column only when some source
    recorded quarantined rows (never an all-"—" column)."""
    lineage = lineage_rows(report)
    return {
        "lineage": lineage,
        "lineage_quarantine": any(row["quarantined"] is not None for row in lineage),
        "lineage_scope": report.scope_name(report.scope.code),
    }


def ingest_rows(report: ReportView) -> list[dict[str, Any]]:
    """Per kind of ingested file: rows received, loaded, quarantined (by rule) and flagged."""
    _ = report.gettext
    number = report.fmt["number"]
    rows = []
    for kind, label in INGEST_KINDS.items():
        prefix = f"lineage.ingest.{kind}"
        received = report.stat(f"{prefix}.received", COMPANY)
        if received is None:
            continue
        rules = [
            (metric.rsplit(".", 1)[1], report.stat(metric, COMPANY))
            for metric in report.results.metrics(report.q, COMPANY, f"{prefix}.rule.")
        ]
        rows.append(
            {
                "source": _(label),
                "received": number(received.value, 0),
                "loaded": number(report.stat(f"{prefix}.loaded", COMPANY).value, 0),
                "quarantined": number(report.stat(f"{prefix}.quarantined", COMPANY).value, 0),
                "by_rule": [
                    {"rule": _(QUARANTINE_RULES.get(rule, rule)), "rows": number(stat.value, 0)}
                    for rule, stat in rules
                    if stat is not None
                ],
                "flagged": number(report.stat(f"{prefix}.flagged", COMPANY).value, 0),
            }
        )
    return rows


def contract_warning_rows(report: ReportView) -> list[dict[str, Any]]:
    """The data contract's warnings for the quarter (docs/data-contract.md): the rule, how
    many rows broke it, and what it asks, as the check stored them (company scope)."""
    number = report.fmt["number"]
    rows = []
    for metric in report.results.metrics(report.q, COMPANY, "contract."):
        stat = report.stat(metric, COMPANY)
        if stat is None or metric == "contract.checked":
            continue
        rows.append(
            {
                "rule": metric.removeprefix("contract."),
                "failed": number(stat.value, 0),
                "note": stat.note or "",
            }
        )
    return rows


def _csi_method_text(report: ReportView) -> str:
    _ = report.gettext
    if report.settings.csi_method == "weighted":
        return _("weighted mean of dimension scores")
    return _("PLS path model (ACSI style)")


def methodology_section(report: ReportView, run_id: str) -> dict[str, Any]:
    _ = report.gettext
    number = report.fmt["number"]
    suppression = report.settings.suppression
    samples = sample_rows(report)
    definitions = [
        {"term": report.metric_label(spec.code), "definition": report.metric_definition(spec.code)}
        for spec in (*INDICES, *KPIS)
    ]
    definitions += [{"term": _(term), "definition": _(text)} for term, text in METHOD_TERMS]
    weights = [
        {"name": report.dimension_name(code), "weight": report.fmt["percent"](weight, 0)}
        for code, weight in report.settings.csi_weights.items()
    ]
    # The run ids stored with the figures are not shown: a recompute over unchanged data
    # must give the same report (the archive keeps its revision), so only `run_id` is.
    figures = report.results.rows(report.q, report.scope.code)
    quarters_with_data = [
        quarter_label(q, report.language)
        for q in report.quarter.trailing(TREND_QUARTERS)
        if report.stat("respondents", quarter=str(q)) is not None
    ]
    return {
        "samples": samples,
        "weighting_text": weighting_text(report),
        "weighting_details": weighting_details(report),
        "multiplicity_text": multiplicity_text(report),
        "change_tests": change_test_rows(report),
        "voc_method": tagger_text(report),
        "kpi_conventions": kpi_conventions_text(report),
        "csi_method": _csi_method_text(report),
        "csi_weights": weights,
        "definitions": definitions,
        "suppression_text": _(
            "A figure with n < %(suppress)s is not shown (“—”, footnoted); with n < %(low)s it is "
            "shown flagged “low base”. Verbatim comments are quoted only for a scope with at "
            "least %(verbatim)s respondents, with personal data masked."
        )
        % {
            "suppress": suppression["suppress_below"],
            "low": suppression["low_base_below"],
            "verbatim": suppression.get("min_verbatim_respondents", 5),
        },
        **lineage_fields(report),
        "ingested": ingest_rows(report),
        "contract_warnings": contract_warning_rows(report),
        "contract_checked": report.stat("contract.checked", COMPANY) is not None,
        # Stored items for the scope: its figures and its actions (new and followed up).
        "figures": number(
            len(figures) + len(report.findings.new_actions) + len(report.findings.follow_ups), 0
        ),
        "history": ", ".join(quarters_with_data) if quarters_with_data else "—",
        "run_id": run_id,
        "software_version": __version__,
        "item_bank_version": report.bank.version,
        "item_count": number(len(report.bank.items), 0),
        "brand": report.brand.name,
    }
