"""One report context per scope, built only from the stored results (so the PDF reconciles).

The context follows the ten sections of shared/design/report.md. Every figure comes from
the results table (metric names per the contract in the brief); a figure that is absent
is reported as not available, never filled in. Optional inputs the results table cannot
hold are keyword arguments: `scopes` (names of branches and segments) and `revision`
(from the report archive).

Rows whose details are JSON notes (written by operations.voc and targets.actions): `voc.theme.<dim>`
(value = texts; note = negative, positive, previous, change), `voc.quotes` (note = list of
masked quotes; flag "suppressed" below the verbatim minimum), `action.new.<k>` (note = the
SMART action) and `action.earlier.<id>` (flag = met | not_met | no_data). Data lineage is
read from `lineage.<source>.rows` and `lineage.<source>.quarantined` when stored.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from markupsafe import Markup

from etl import __version__
from etl.core.config import SERVICE_DIMENSIONS, ConfigError, ItemBank, Settings
from etl.core.periods import Quarter
from etl.core.scopes import COMPANY, Scope
from etl.report import charts
from etl.report.i18n import number_filters, quarter_label, quarter_tick, translations
from etl.report.pdf import TEMPLATES_DIR

TREND_QUARTERS = 8
KPI_PANELS = 9  # small multiples in the KPI trend chart (3 × 3)
HIDDEN_FLAGS = frozenset({"suppressed", "not_applicable"})
SENTIMENTS = ("negative", "neutral", "positive")


def N_(message: str) -> str:
    """Mark a message for the catalog; it is translated where it is shown."""
    return message


# ---- what the report knows about each figure -------------------------------------------


@dataclass(frozen=True)
class MetricSpec:
    """How a metric is named, shown and defined in the report."""

    code: str
    label: str  # msgid
    unit: str  # score | nps | csat | rate | days | per_10k | per_100m
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
        N_("Complaints received ÷ (written premium of the last four quarters / 100,000,000)."),
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
        N_("Complaints resolved ÷ complaints received in the quarter."),
    ),
    MetricSpec(
        "persistency_13_count",
        N_("13-month persistency (policies)"),
        "rate",
        True,
        N_(
            "Regular-premium policies issued 13 months before that are in force with premium "
            "paid at month 13, by policy count."
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
            "Regular-premium policies issued 25 months before that are in force with premium "
            "paid at month 25, by policy count."
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
        N_("Checklist items passed ÷ items checked in mystery-shopper visits."),
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

QUADRANTS: dict[str, str] = {
    "concentrate_here": N_("Concentrate here"),
    "keep_up": N_("Keep up the good work"),
    "low_priority": N_("Low priority"),
    "possible_overkill": N_("Possible overkill"),
}
RAG: dict[str, str] = {"green": N_("Green"), "amber": N_("Amber"), "red": N_("Red")}
ACTION_STATUS: dict[str, str] = {
    "open": N_("Open"),
    "in_progress": N_("In progress"),
    "done": N_("Done"),
    "dropped": N_("Dropped"),
}
SENTIMENT_LABELS: dict[str, str] = {
    "negative": N_("Negative"),
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


# ---- brand ------------------------------------------------------------------------------

_HEX_COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")
_FONT_LIST = re.compile(r"^[A-Za-z0-9 ,'\"-]+$")
BRAND_KEYS = (
    "name_zh",
    "name_en",
    "short_zh",
    "short_en",
    "logo",
    "confidentiality_zh",
    "confidentiality_en",
    "font_family",
)
BRAND_COLOURS = ("primary", "primary_light", "accent", "text", "muted", "good", "warning", "bad")


@dataclass(frozen=True)
class Brand:
    """Brand settings read from report_templates/brands/<name>/brand.toml."""

    name: str
    folder: Path
    raw: dict[str, Any]

    def _pick(self, key: str, language: str) -> str:
        return str(self.raw[f"{key}_zh" if language == "zh-CN" else f"{key}_en"])

    def company_name(self, language: str) -> str:
        return self._pick("name", language)

    def short_name(self, language: str) -> str:
        return self._pick("short", language)

    def confidentiality(self, language: str) -> str:
        return self._pick("confidentiality", language)

    @property
    def logo_url(self) -> str:
        return (self.folder / self.raw["logo"]).as_uri()

    @property
    def colours(self) -> dict[str, Any]:
        return dict(self.raw["colours"])

    def css(self) -> str:
        """Brand values as CSS custom properties (the stylesheet itself never changes)."""
        lines = [
            f"  --{key.replace('_', '-')}: {value};"
            for key, value in self.colours.items()
            if isinstance(value, str)
        ]
        return (
            ":root {\n"
            + "\n".join(lines)
            + "\n}\nhtml { font-family: "
            + self.raw["font_family"]
            + "; }"
        )

    def chart_style(self) -> charts.ChartStyle:
        colours = self.colours
        return charts.ChartStyle(
            palette=tuple(colours["palette"]),
            font_families=charts.font_families(self.raw["font_family"]),
            text=colours["text"],
            muted=colours["muted"],
            reference=colours["muted"],
            target=colours["bad"],
            highlight=colours["accent"],
        )


def load_brand(name: str) -> Brand:
    """A brand folder under report_templates/brands/, checked key by key.

    Brand values reach the stylesheet, so colours must be hex colours and the font list
    plain family names: a brand file cannot smuggle CSS into the report.
    """
    folder = TEMPLATES_DIR / "brands" / name
    path = folder / "brand.toml"
    if not re.fullmatch(r"[a-z0-9_-]+", name) or not path.exists():
        raise ConfigError(
            f"report.brand = {name!r}: {path} does not exist (brands are folders under "
            f"{TEMPLATES_DIR / 'brands'})"
        )
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"brand file {path} is not valid TOML: {exc}") from exc
    missing = [key for key in BRAND_KEYS if not isinstance(raw.get(key), str)]
    missing += [f"colours.{key}" for key in BRAND_COLOURS if key not in raw.get("colours", {})]
    if missing:
        raise ConfigError(f"brand file {path}: missing or non-text keys {missing}")
    colours = raw["colours"]
    for key, value in colours.items():
        values = value if isinstance(value, list) else [value]
        bad = [v for v in values if not isinstance(v, str) or not _HEX_COLOUR.match(v)]
        if bad:
            raise ConfigError(f"brand file {path}: colours.{key} = {bad}: expected #RRGGBB")
    if len(colours.get("palette", [])) < 6:
        raise ConfigError(f"brand file {path}: colours.palette needs at least 6 colours")
    if not _FONT_LIST.match(raw["font_family"]):
        raise ConfigError(
            f"brand file {path}: font_family {raw['font_family']!r} may hold only family "
            "names, quotes, commas and spaces"
        )
    logo = (folder / raw["logo"]).resolve()
    if not logo.is_relative_to(folder.resolve()) or not logo.is_file():
        raise ConfigError(f"brand file {path}: logo {raw['logo']!r} is not a file in {folder}")
    return Brand(name=name, folder=folder, raw=raw)


# ---- stored results ------------------------------------------------------------------


@dataclass(frozen=True)
class Stat:
    """One stored figure (a row of the results table)."""

    value: float | None
    lower: float | None = None
    upper: float | None = None
    n: int | None = None
    n_effective: float | None = None
    flag: str | None = None
    note: str | None = None

    @property
    def shown(self) -> bool:
        """A figure the report may print: present, and neither suppressed nor not applicable."""
        return self.value is not None and self.flag not in HIDDEN_FLAGS


def _column(frame: pd.DataFrame, name: str) -> list[Any]:
    """A column as plain Python values, missing (None, NaN, NA) as None; absent → all None."""
    if name not in frame.columns:
        return [None] * len(frame)
    return [
        None if value is None or value is pd.NA or (isinstance(value, float) and value != value)
        else value
        for value in frame[name].tolist()
    ]  # fmt: skip


def _number(value: Any) -> float | None:
    if value is None:
        return None
    number = float(value)
    return number if math.isfinite(number) else None


class Results:
    """Stored results indexed by (quarter, scope, metric)."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self._stats: dict[tuple[str, str, str], Stat] = {}
        self._scopes: dict[str, list[str]] = {}
        # Column lists rather than row records: a report reads tens of thousands of rows,
        # and the archive builds each context twice.
        columns = zip(
            *(
                _column(frame, name)
                for name in ("quarter", "scope", "metric", "value", "lower_bound",
                             "upper_bound", "n", "n_effective", "flag", "note")
            ),
            strict=True,
        )  # fmt: skip
        for quarter, scope, metric, value, lower, upper, n, n_eff, flag, note in columns:
            key = (str(quarter), str(scope), str(metric))
            self._stats[key] = Stat(
                value=_number(value),
                lower=_number(lower),
                upper=_number(upper),
                n=None if n is None else int(n),
                n_effective=_number(n_eff),
                flag=flag,
                note=note,
            )
            scopes = self._scopes.setdefault(key[0], [])
            if key[1] not in scopes:
                scopes.append(key[1])

    def get(self, quarter: str, scope: str, metric: str) -> Stat | None:
        return self._stats.get((quarter, scope, metric))

    def scopes(self, quarter: str) -> list[str]:
        return list(self._scopes.get(quarter, []))

    def metrics(self, quarter: str, scope: str, prefix: str) -> list[str]:
        return sorted(
            metric
            for (q, s, metric) in self._stats
            if q == quarter and s == scope and metric.startswith(prefix)
        )

    def any_metric(self, quarter: str, prefix: str) -> bool:
        """Whether any scope has a metric starting with `prefix` in the quarter."""
        return any(q == quarter and m.startswith(prefix) for (q, _s, m) in self._stats)

    def rows(self, quarter: str, scope: str) -> dict[str, Stat]:
        return {m: stat for (q, s, m), stat in self._stats.items() if q == quarter and s == scope}


# ---- the report being assembled --------------------------------------------------------


@dataclass
class _Report:
    """What every section builder needs: the scope, quarter, language, results and formats."""

    quarter: Quarter
    scope: Scope
    language: str
    results: Results
    bank: ItemBank
    settings: Settings
    brand: Brand
    names: dict[str, Scope]
    gettext: Callable[[str], str]
    fmt: dict[str, Callable[..., str]]
    style: charts.ChartStyle

    @property
    def q(self) -> str:
        return str(self.quarter)

    def stat(
        self, metric: str, scope: str | None = None, quarter: str | None = None
    ) -> Stat | None:
        return self.results.get(quarter or self.q, scope or self.scope.code, metric)

    def trend(self, metric: str, scope: str | None = None) -> list[Stat | None]:
        return [
            self.results.get(str(q), scope or self.scope.code, metric)
            for q in self.quarter.trailing(TREND_QUARTERS)
        ]

    def dimension_name(self, code: str) -> str:
        names = self.bank.dimension_names.get(code, {})
        return names.get("zh" if self.language == "zh-CN" else "en", code)

    def scope_name(self, code: str) -> str:
        if code in self.names:
            return self.names[code].name(self.language)
        if code == COMPANY:
            return self.gettext("Company")
        return code.split(".", 1)[-1]

    def branch_codes(self) -> list[str]:
        present = [s for s in self.results.scopes(self.q) if s != COMPANY and "." not in s]
        order = [code for code in self.names if code in present]
        return order + sorted(code for code in present if code not in order)

    def segment_codes(self, prefix: str) -> list[str]:
        present = [s for s in self.results.scopes(self.q) if s.startswith(prefix + ".")]
        order = [code for code in self.names if code in present]
        return order + sorted(code for code in present if code not in order)

    def format(self, unit: str, value: float | None) -> str:
        """A value in its unit, formatted for the report's locale."""
        _ = self.gettext
        number = self.fmt["number"]
        if value is None:
            return "—"
        if unit == "rate":
            return self.fmt["percent"](value, 1)
        if unit == "csat":
            return self.fmt["percent"](value / 100.0, 1)
        if unit == "days":
            return _("%(value)s days") % {"value": number(value, 1)}
        if unit == "per_10k":
            return number(value, 2)
        if unit == "per_100m":
            return number(value, 1)
        return number(value, 1)

    def format_difference(self, unit: str, difference: float) -> str:
        """A change in its unit: percentage points for rates, days for cycle times."""
        _ = self.gettext
        signed = self.fmt["signed"]
        if unit == "rate":
            return _("%(value)s pp") % {"value": signed(difference * 100.0, 1)}
        if unit == "csat":
            return _("%(value)s pp") % {"value": signed(difference, 1)}
        if unit == "days":
            return _("%(value)s days") % {"value": signed(difference, 1)}
        return signed(difference, 2 if unit == "per_10k" else 1)


def css_string(text: str) -> str:
    """A CSS string literal (quotes and backslashes escaped, no line breaks)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def page_footer_css(language: str) -> Markup:
    """`@page` footer "第 x 页 / 共 y 页" (or "Page x of y") from the catalog's pattern."""
    _ = translations(language).gettext
    pattern = _("Page {page} of {pages}")
    before, rest = pattern.split("{page}", 1)
    middle, after = rest.split("{pages}", 1)
    parts = (css_string(before), "counter(page)", css_string(middle), "counter(pages)")
    content = " ".join((*parts, css_string(after)))
    return Markup(
        "@page { @bottom-center { content: "
        + content
        + "; } }\n@page cover { @bottom-center { content: none; } }"
    )


# ---- small shared pieces ------------------------------------------------------------------


def change_marker(report: _Report, metric: str, which: str, unit: str) -> dict[str, str]:
    """How a `<metric>.change_prev|change_year` row reads: an arrow only when significant."""
    _ = report.gettext
    row = report.stat(f"{metric}.{which}")
    period = _("vs last quarter") if which == "change_prev" else _("vs a year ago")
    if row is None or (row.value is None and row.flag != "not_comparable"):
        return {
            "direction": "none",
            "short": "—",
            "long": _("%(period)s: not available") % {"period": period},
        }
    if row.flag == "not_comparable" or row.value is None:
        return {
            "direction": "none",
            "short": _("n/c"),
            "long": _("%(period)s: not comparable") % {"period": period},
        }
    difference = report.format_difference(unit, row.value)
    if row.flag in ("up", "down"):
        arrow = "▲" if row.flag == "up" else "▼"
        return {
            "direction": row.flag,
            "short": f"{arrow} {difference}",
            "long": _("%(arrow)s %(difference)s %(period)s (significant)")
            % {"arrow": arrow, "difference": difference, "period": period},
        }
    return {
        "direction": "none",
        "short": _("n.s. (%(difference)s)") % {"difference": difference},
        "long": _("%(period)s: no significant change (%(difference)s)")
        % {"period": period, "difference": difference},
    }


def flag_text(report: _Report, stat: Stat | None) -> str:
    """The words for a figure's flag (suppressed, low base, not applicable)."""
    _ = report.gettext
    if stat is None:
        return _("not available")
    if stat.flag == "suppressed":
        return _("suppressed (n < %(n)s)") % {"n": report.settings.suppression["suppress_below"]}
    if stat.flag == "low_base":
        return _("low base")
    if stat.flag == "not_applicable":
        return _("not applicable (no cases)")
    return ""


def interval_text(report: _Report, stat: Stat, unit: str = "score", digits: int = 1) -> str:
    """`68.8–71.8`; spaced (`-31.2 – -15.0`) when a bound is negative, so the dash reads."""
    if stat.lower is None or stat.upper is None:
        return ""
    if unit == "csat":
        low, high = report.format(unit, stat.lower), report.format(unit, stat.upper)
    else:
        low = report.fmt["number"](stat.lower, digits)
        high = report.fmt["number"](stat.upper, digits)
    return f"{low} – {high}" if min(stat.lower, stat.upper) < 0 else f"{low}–{high}"


def _trend_series(
    report: _Report,
    label: str,
    stats: list[Stat | None],
    reference: bool = False,
    scale: float = 1.0,
) -> charts.Series:
    def pick(attribute: str) -> tuple[float | None, ...]:
        values = []
        for stat in stats:
            value = getattr(stat, attribute) if stat is not None and stat.shown else None
            values.append(None if value is None else value * scale)
        return tuple(values)

    return charts.Series(
        label=label,
        values=pick("value"),
        lower=None if reference else pick("lower"),
        upper=None if reference else pick("upper"),
        reference=reference,
    )


def _labels(report: _Report, **extra: Any) -> charts.Labels:
    _ = report.gettext
    values: dict[str, Any] = {
        "reference": _("Company"),
        "target": _("Target"),
    }
    values.update(extra)
    return charts.Labels(**values)


def _n_text(report: _Report, n: int | float | None) -> str:
    _ = report.gettext
    return _("n = %(n)s") % {"n": report.fmt["number"](n or 0, 0)}


# ---- sections ---------------------------------------------------------------------------


def strengths_and_weaknesses(
    scores: Mapping[str, float], reference: Mapping[str, float] | None, count: int = 3
) -> tuple[list[tuple[str, float]], list[tuple[str, float]]]:
    """Strengths and weaknesses among the dimensions shown, each with its gap.

    The gap is the score minus the reference scope's score for the same dimension (a
    branch against the company) or, without a reference, minus the mean of the scope's
    own dimension scores. Strengths are the (up to) three largest positive gaps,
    weaknesses the three most negative; a dimension level with its reference is neither.
    """
    gaps: dict[str, float] = {}
    if reference:
        gaps = {
            code: score - reference[code] for code, score in scores.items() if code in reference
        }
    elif scores:
        mean = sum(scores.values()) / len(scores)
        gaps = {code: score - mean for code, score in scores.items()}
    ranked = sorted(gaps, key=lambda code: (-gaps[code], code))
    strengths = [(code, gaps[code]) for code in ranked if gaps[code] > 0][:count]
    weaknesses = [(code, gaps[code]) for code in reversed(ranked) if gaps[code] < 0][:count]
    return strengths, weaknesses


def _dimension_scores(report: _Report, scope: str) -> dict[str, float]:
    scores = {}
    for code in SERVICE_DIMENSIONS:
        stat = report.stat(f"dimension.{code}", scope)
        if stat is not None and stat.shown and stat.value is not None:
            scores[code] = stat.value
    return scores


def _headline_tile(report: _Report, spec: MetricSpec) -> dict[str, Any]:
    _ = report.gettext
    stat = report.stat(spec.code)
    tile: dict[str, Any] = {"code": spec.code, "label": _(spec.label), "available": False}
    if stat is None:
        tile["value"] = "—"
        tile["detail"] = _("Not available for this quarter.")
        tile["changes"] = []
        return tile
    if not stat.shown:
        tile["value"] = "—"
        tile["detail"] = flag_text(report, stat) + " · " + _n_text(report, stat.n)
        tile["changes"] = []
        return tile
    tile["available"] = True
    tile["value"] = report.format(spec.unit, stat.value)
    details = []
    interval = interval_text(report, stat, spec.unit)
    if interval:
        details.append(_("95%% interval %(interval)s") % {"interval": interval})
    details.append(_n_text(report, stat.n))
    if stat.flag == "low_base":
        details.append(_("low base"))
    tile["detail"] = " · ".join(details)
    tile["changes"] = [
        change_marker(report, spec.code, which, spec.unit)
        for which in ("change_prev", "change_year")
    ]
    return tile


def _grade_tile(report: _Report) -> dict[str, Any]:
    _ = report.gettext
    stat = report.stat("service_grade")
    tile: dict[str, Any] = {
        "code": "service_grade",
        "label": _("Service evaluation grade"),
        "available": False,
        "changes": [],
    }
    if stat is None or not stat.shown:
        tile["value"] = "—"
        tile["detail"] = _("Not available for this quarter.")
        return tile
    tile["available"] = True
    tile["value"] = stat.note or report.fmt["number"](stat.value, 1)
    tile["detail"] = _("Score %(score)s of 100 · internal estimate, not a regulatory rating") % {
        "score": report.fmt["number"](stat.value, 1)
    }
    # The grade is a composite of census KPIs, not a sample estimate: its change carries
    # no significance test, so it is shown as a difference with the earlier grade.
    for quarter, period in (
        (report.quarter.previous(), _("vs last quarter")),
        (report.quarter.year_ago(), _("vs a year ago")),
    ):
        before = report.stat("service_grade", quarter=str(quarter))
        if before is None or not before.shown or before.value is None:
            tile["changes"].append(
                {
                    "direction": "none",
                    "short": "—",
                    "long": _("%(period)s: not available") % {"period": period},
                }
            )
            continue
        tile["changes"].append(
            {
                "direction": "none",
                "short": report.fmt["signed"](stat.value - before.value, 1),
                "long": _("%(period)s: %(difference)s points (was %(grade)s)")
                % {
                    "period": period,
                    "difference": report.fmt["signed"](stat.value - before.value, 1),
                    "grade": before.note or report.fmt["number"](before.value, 1),
                },
            }
        )
    return tile


def scorecard(report: _Report) -> list[dict[str, Any]]:
    """Every figure with a target (`rag.<metric>`), in report order, with its RAG status."""
    _ = report.gettext
    known = [spec.code for spec in (*INDICES, *KPIS)]
    present = [
        m.removeprefix("rag.") for m in report.results.metrics(report.q, report.scope.code, "rag.")
    ]
    ordered = [code for code in known if code in present] + sorted(
        code for code in present if code not in known
    )
    rows = []
    for code in ordered:
        rag = report.stat(f"rag.{code}")
        stat = report.stat(code)
        spec = SPECS.get(code, MetricSpec(code, code, "score", True, ""))
        status = (rag.note or "") if rag is not None else ""
        rows.append(
            {
                "code": code,
                "label": _(spec.label) if code in SPECS else code,
                "value": report.format(spec.unit, stat.value)
                if stat is not None and stat.shown
                else flag_text(report, stat) or "—",
                "target": report.format(spec.unit, rag.value if rag else None),
                "status": status if status in RAG else "none",
                "status_label": _(RAG[status]) if status in RAG else _("no status"),
            }
        )
    return rows


def _summary(report: _Report) -> dict[str, Any]:
    _ = report.gettext
    respondents = report.stat("respondents")
    csi = report.stat("csi")
    n = int(respondents.value or 0) if respondents and respondents.value is not None else 0
    lead = _(
        "Customer service satisfaction of %(scope)s in %(quarter)s, from %(n)s survey respondents."
    ) % {
        "scope": report.scope_name(report.scope.code),
        "quarter": quarter_label(report.quarter, report.language),
        "n": report.fmt["number"](n, 0),
    }
    if csi is not None and csi.n_effective:
        lead += " " + _("Effective sample size after weighting: %(n_eff)s.") % {
            "n_eff": report.fmt["number"](csi.n_effective, 0)
        }
    tiles = [_headline_tile(report, SPECS[code]) for code in ("csi", "nps", "csat")]
    tiles.append(_grade_tile(report))

    scores = _dimension_scores(report, report.scope.code)
    is_company = report.scope.code == COMPANY
    reference = None if is_company else _dimension_scores(report, COMPANY)
    strengths, weaknesses = strengths_and_weaknesses(scores, reference)

    def describe(code: str, gap: float) -> dict[str, str]:
        against = _("vs the mean of its dimensions") if is_company else _("vs the company")
        return {
            "name": report.dimension_name(code),
            "score": report.fmt["number"](scores[code], 1),
            "evidence": f"{report.fmt['signed'](gap, 1)} {against}",
        }

    if not scores:
        no_strengths = no_weaknesses = _("Dimension scores are not available for this quarter.")
    elif is_company:
        no_strengths = _("No dimension scores above the mean of the dimensions.")
        no_weaknesses = _("No dimension scores below the mean of the dimensions.")
    else:
        no_strengths = _("No dimension scores above the company.")
        no_weaknesses = _("No dimension scores below the company.")
    return {
        "lead": lead,
        "tiles": tiles,
        "strengths": [describe(code, gap) for code, gap in strengths],
        "weaknesses": [describe(code, gap) for code, gap in weaknesses],
        "no_strengths": no_strengths,
        "no_weaknesses": no_weaknesses,
        "scorecard": scorecard(report),
    }


def _branch_ranks(report: _Report, metric: str) -> list[tuple[str, float]]:
    """Branches with a shown figure for `metric`, best first (ties by code)."""
    ranked = []
    for code in report.branch_codes():
        stat = report.stat(metric, code)
        if stat is not None and stat.shown and stat.value is not None:
            ranked.append((code, stat.value))
    return sorted(ranked, key=lambda item: (-item[1], item[0]))


def _dimensions(report: _Report) -> dict[str, Any]:
    _ = report.gettext
    is_company = report.scope.code == COMPANY
    quarters = report.quarter.trailing(TREND_QUARTERS)
    ticks = [quarter_tick(q, report.language) for q in quarters]
    rows = []
    bars = []
    panels = []
    for code in SERVICE_DIMENSIONS:
        metric = f"dimension.{code}"
        stat = report.stat(metric)
        company = report.stat(metric, COMPANY)
        ranked = _branch_ranks(report, metric)
        row: dict[str, Any] = {
            "code": code,
            "name": report.dimension_name(code),
            "shown": bool(stat and stat.shown),
            "value": report.fmt["number"](stat.value, 1) if stat and stat.shown else "—",
            "interval": interval_text(report, stat) if stat and stat.shown else "",
            "n": report.fmt["number"](stat.n if stat else 0, 0),
            "flag": (stat.flag if stat else None) or "",
            "flag_text": flag_text(report, stat),
            "change_prev": change_marker(report, metric, "change_prev", "score"),
            "change_year": change_marker(report, metric, "change_year", "score"),
        }
        if is_company:
            row["best"] = (
                f"{report.scope_name(ranked[0][0])} {report.fmt['number'](ranked[0][1], 1)}"
                if ranked
                else "—"
            )
            row["worst"] = (
                f"{report.scope_name(ranked[-1][0])} {report.fmt['number'](ranked[-1][1], 1)}"
                if len(ranked) > 1
                else "—"
            )
        else:
            position = (
                [c for c, _v in ranked].index(report.scope.code) + 1
                if (report.scope.code in [c for c, _v in ranked])
                else None
            )
            row["rank"] = (
                _("%(rank)s of %(total)s") % {"rank": position, "total": len(ranked)}
                if position
                else "—"
            )
        rows.append(row)
        bars.append(
            charts.Bar(
                label=row["name"],
                value=stat.value if stat and stat.shown else None,
                lower=stat.lower if stat and stat.shown else None,
                upper=stat.upper if stat and stat.shown else None,
                reference=company.value
                if not is_company and company is not None and company.shown
                else None,
                note=(
                    flag_text(report, stat) + " " + _n_text(report, stat.n if stat else 0)
                ).strip()
                if not (stat and stat.shown) or (stat and stat.flag == "low_base")
                else _n_text(report, stat.n),
            )
        )
        series = [_trend_series(report, report.scope_name(report.scope.code), report.trend(metric))]
        if not is_company:
            series.append(
                _trend_series(report, _("Company"), report.trend(metric, COMPANY), reference=True)
            )
        panels.append(charts.Panel(title=row["name"], series=tuple(series)))

    respondents = report.stat("respondents")
    n_all = respondents.value if respondents and respondents.value is not None else 0
    scope_label = report.scope_name(report.scope.code)
    index_panels = []
    for code in ("csi", "nps"):
        series = [_trend_series(report, scope_label, report.trend(code))]
        if not is_company:
            series.append(
                _trend_series(report, _("Company"), report.trend(code, COMPANY), reference=True)
            )
        index_panels.append(charts.Panel(title=_(SPECS[code].label), series=tuple(series)))
    any_index = any(v is not None for panel in index_panels for s in panel.series for v in s.values)
    index_chart = (
        charts.trend_panels(
            "index-trend",
            _("CSI and NPS over eight quarters"),
            _("CSI 0–100, NPS −100 to 100; shaded: 95%% interval · %(n)s this quarter")
            % {"n": _n_text(report, n_all)},
            ticks,
            index_panels,
            report.style,
            _labels(report),
            columns=2,
            panel_height_in=1.8,
        )
        if any_index
        else None
    )
    any_dimension = any(bar.value is not None for bar in bars)
    bar_chart = (
        charts.bar_panels(
            "dimension-bars",
            _("Dimension scores with 95% intervals"),
            _("Score 0–100 · n = respondents who rated the dimension"),
            [charts.BarPanel("", tuple(bars))],
            report.style,
            _labels(report, value_axis=_("Score (0–100)")),
            value_limits=(0, 100),
        )
        if any_dimension
        else None
    )
    trend_chart = (
        charts.trend_panels(
            "dimension-trend",
            _("Dimension scores over eight quarters"),
            _("Score 0–100; shaded: 95%% interval · %(n)s this quarter")
            % {"n": _n_text(report, n_all)},
            ticks,
            panels,
            report.style,
            _labels(report),
            columns=3,
        )
        if any_dimension
        else None
    )
    return {
        "rows": rows,
        "is_company": is_company,
        "index_chart": index_chart,
        "bar_chart": bar_chart,
        "trend_chart": trend_chart,
        "items": _items(report),
    }


def _items(report: _Report) -> list[dict[str, Any]]:
    """Item-level scores per dimension (`item.<CODE>`); empty when none are stored."""
    groups = []
    for code in SERVICE_DIMENSIONS:
        items = []
        for item in report.bank.items:
            if item.dimension != code:
                continue
            stat = report.stat(f"item.{item.code}")
            if stat is None:
                continue
            items.append(
                {
                    "code": item.code,
                    "text": item.text_zh if report.language == "zh-CN" else item.text_en,
                    "value": report.fmt["number"](stat.value, 1) if stat.shown else "—",
                    "n": report.fmt["number"](stat.n or 0, 0),
                    "flag_text": flag_text(report, stat),
                }
            )
        if items:
            groups.append({"name": report.dimension_name(code), "items": items})
    return groups


def _drivers(report: _Report) -> dict[str, Any]:
    _ = report.gettext
    rows = []
    points = []
    for code in SERVICE_DIMENSIONS:
        importance = report.stat(f"drivers.{code}.importance")
        if importance is None:
            continue
        if not importance.shown or importance.value is None:
            rows.append(
                {
                    "name": report.dimension_name(code),
                    "importance": "—",
                    "interval": "",
                    "score": "—",
                    "quadrant": "",
                    "quadrant_label": flag_text(report, importance),
                }
            )
            continue
        quadrant = report.stat(f"drivers.{code}.quadrant")
        score = report.stat(f"dimension.{code}")
        quadrant_code = quadrant.note if quadrant is not None else None
        rows.append(
            {
                "name": report.dimension_name(code),
                "importance": report.fmt["number"](importance.value, 1) + "%",
                "interval": interval_text(report, importance),
                "score": report.fmt["number"](score.value, 1) if score and score.shown else "—",
                "quadrant": quadrant_code or "",
                "quadrant_label": _(QUADRANTS[quadrant_code])
                if quadrant_code in QUADRANTS
                else "—",
            }
        )
        if score is not None and score.shown and score.value is not None:
            points.append(
                charts.QuadrantPoint(report.dimension_name(code), importance.value, score.value)
            )
    r_squared = report.stat("drivers.r_squared")
    n = next(
        (
            stat.n
            for code in SERVICE_DIMENSIONS
            if (stat := report.stat(f"drivers.{code}.importance")) is not None and stat.n
        ),
        None,
    )
    chart = None
    if len(points) >= 2:
        chart = charts.quadrant_chart(
            "quadrant",
            _("Importance–performance quadrants"),
            _(
                "Importance: relative weight, %% · performance: score 0–100 · split at the means "
                "· %(n)s"
            )
            % {"n": _n_text(report, n)},
            points,
            report.style,
            _labels(
                report,
                quadrants=tuple((key, _(label)) for key, label in QUADRANTS.items()),
                x_axis=_("Performance: dimension score (0–100)"),
                y_axis=_("Importance: relative weight (%)"),
            ),
        )
    paths = []
    for metric in report.results.metrics(report.q, report.scope.code, "pls.path."):
        stat = report.stat(metric)
        parts = metric.removeprefix("pls.path.").split(".")
        if stat is None or stat.value is None or len(parts) != 2:
            continue
        paths.append(
            {
                "source": _pls_name(report, parts[0]),
                "target": _pls_name(report, parts[1]),
                "value": report.fmt["number"](stat.value, 3),
                "interval": interval_text(report, stat, digits=3),
            }
        )
    pls = report.stat("csi.pls")
    pls_r2 = report.stat("pls.r_squared.sat")
    return {
        "available": any(row["importance"] != "—" for row in rows),
        "rows": rows,
        "chart": chart,
        "r_squared": report.fmt["number"](r_squared.value, 2)
        if r_squared is not None and r_squared.value is not None
        else None,
        "n": report.fmt["number"](n, 0) if n else None,
        "pls_index": report.fmt["number"](pls.value, 1) if pls is not None and pls.shown else None,
        "pls_interval": interval_text(report, pls) if pls is not None and pls.shown else "",
        "paths": paths,
        "pls_r_squared": report.fmt["number"](pls_r2.value, 2)
        if pls_r2 is not None and pls_r2.value is not None
        else None,
        "pls_n": report.fmt["number"](pls.n, 0) if pls is not None and pls.n else None,
    }


def _pls_name(report: _Report, code: str) -> str:
    _ = report.gettext
    if code in SERVICE_DIMENSIONS:
        return report.dimension_name(code)
    return {
        "sat": _("Satisfaction"),
        "satisfaction": _("Satisfaction"),
        "overall": _("Satisfaction"),
        "loy": _("Loyalty"),
        "loyalty": _("Loyalty"),
    }.get(code, code)


def _kpi_row(report: _Report, spec: MetricSpec) -> dict[str, Any] | None:
    _ = report.gettext
    stat = report.stat(spec.code)
    if stat is None:
        return None
    rag = report.stat(f"rag.{spec.code}")
    previous = report.stat(spec.code, quarter=str(report.quarter.previous()))
    change = "—"
    if stat.shown and previous is not None and previous.shown and previous.value is not None:
        change = report.format_difference(spec.unit, stat.value - previous.value)  # type: ignore[operator]
    status = rag.note if rag is not None and rag.note in RAG else "none"
    return {
        "code": spec.code,
        "label": _(spec.label),
        "value": report.format(spec.unit, stat.value) if stat.shown else "—",
        "note": flag_text(report, stat),
        "n": report.fmt["number"](stat.n, 0) if stat.n is not None else "—",
        "target": report.format(spec.unit, rag.value) if rag is not None else "—",
        "status": status,
        "status_label": _(RAG[status]) if status in RAG else "",
        "change": change,
    }


def _kpis(report: _Report) -> dict[str, Any]:
    _ = report.gettext
    rows = []
    missing = []
    with_target: list[charts.Panel] = []
    without_target: list[charts.Panel] = []
    for spec in KPIS:
        row = _kpi_row(report, spec)
        if row is None:
            missing.append(_(spec.label))
            continue
        rows.append(row)
        history = report.trend(spec.code)
        scale = 100.0 if spec.unit == "rate" else 1.0
        if sum(1 for stat in history if stat is not None and stat.shown) >= 2:
            rag = report.stat(f"rag.{spec.code}")
            unit = {"rate": "%", "days": _("days")}.get(spec.unit, "")
            panel = charts.Panel(
                title=_(spec.label) + (f" ({unit})" if unit else ""),
                series=(
                    _trend_series(
                        report, report.scope_name(report.scope.code), history, scale=scale
                    ),
                ),
                target=None if rag is None or rag.value is None else rag.value * scale,
            )
            (without_target if panel.target is None else with_target).append(panel)
    # The chart is about targets: KPIs that have one, else the first six with a history.
    panels = with_target[:KPI_PANELS] if with_target else without_target[:6]
    ticks = [quarter_tick(q, report.language) for q in report.quarter.trailing(TREND_QUARTERS)]
    trend_chart = (
        charts.trend_panels(
            "kpi-trend",
            _("KPIs over eight quarters against their targets"),
            _(
                "Rates in %%, cycle times in days, complaints per 10,000 policies · dotted "
                "line: target · n in the KPI table"
            )
            % {},
            ticks,
            panels,
            report.style,
            _labels(report),
            columns=3,
        )
        if panels
        else None
    )
    linkage_panels = []
    linkage_rows = []
    for group_label, bands in LINKAGE_GROUPS:
        bars = []
        for metric, label in bands:
            stat = report.stat(metric)
            if stat is None:
                continue
            shown = stat.shown
            bars.append(
                charts.Bar(
                    label=_(label),
                    value=stat.value if shown else None,
                    lower=stat.lower if shown else None,
                    upper=stat.upper if shown else None,
                    note=_n_text(report, stat.n)
                    if shown
                    else (flag_text(report, stat) + " " + _n_text(report, stat.n)).strip(),
                )
            )
            linkage_rows.append(
                {
                    "group": _(group_label),
                    "label": _(label),
                    "value": report.fmt["number"](stat.value, 1) if shown else "—",
                    "n": report.fmt["number"](stat.n or 0, 0),
                    "flag_text": flag_text(report, stat),
                }
            )
        if bars:
            linkage_panels.append(charts.BarPanel(_(group_label), tuple(bars)))
    linkage_chart = (
        charts.bar_panels(
            "linkage",
            _("Satisfaction by claim cycle time and complaint experience"),
            _("Mean overall satisfaction of the respondents in each group, 0–100 · n per bar"),
            linkage_panels,
            report.style,
            _labels(report, value_axis=_("Overall satisfaction (0–100)")),
            value_limits=(0, 100),
        )
        if any(bar.value is not None for panel in linkage_panels for bar in panel.bars)
        else None
    )
    return {
        "available": bool(rows),
        "rows": rows,
        "missing": missing,
        "trend_chart": trend_chart,
        "linkage_chart": linkage_chart,
        "linkage_rows": linkage_rows,
        "grade": _grade_tile(report),
        "grade_groups": _grade_groups(report),
        "surrender_basis": _surrender_basis(report),
    }


GRADE_GROUPS: tuple[tuple[str, str], ...] = (
    ("service", N_("Contact centre and satisfaction")),
    ("claims", N_("Claims")),
    ("complaints", N_("Complaints")),
)


def _grade_groups(report: _Report) -> list[dict[str, str]]:
    """The grade's component scores (`service_grade.group.<group>`), where stored."""
    _ = report.gettext
    rows = []
    for code, label in GRADE_GROUPS:
        stat = report.stat(f"service_grade.group.{code}")
        if stat is not None and stat.value is not None:
            rows.append({"label": _(label), "score": report.fmt["number"](stat.value, 1)})
    return rows


def _surrender_basis(report: _Report) -> str:
    """Which surrender-rate definition the figure used, read from its stored note."""
    _ = report.gettext
    stat = report.stat("surrender_rate")
    if stat is None or not stat.note:
        return ""
    if stat.note.startswith("count"):
        return _(
            "Surrender rate on the count basis: policies surrendered in the quarter ÷ "
            "policies in force at quarter start (reserves are not held in the warehouse)."
        )
    return _(
        "Surrender rate on the reserve basis: surrender payments in the quarter ÷ (reserves "
        "at quarter start + premium written in the quarter)."
    )


SEGMENT_KPIS = ("claim_cycle_days_mean", "complaints_per_10k_policies", "persistency_13_count")
SEGMENT_KPI_HEADERS = (
    N_("Claim cycle (days)"),
    N_("Complaints per 10k"),
    N_("13-month persistency"),
)


def _segment_rows(report: _Report, codes: Sequence[str]) -> list[dict[str, Any]]:
    """One row per branch or segment: survey indices, three headline KPIs and the CSI rank."""
    ranks = {code: position for position, (code, _v) in enumerate(_branch_ranks(report, "csi"), 1)}
    rows = []
    for code in codes:
        respondents = report.stat("respondents", code)
        csi = report.stat("csi", code)
        nps = report.stat("nps", code)
        csat = report.stat("csat", code)
        kpis = []
        for metric in SEGMENT_KPIS:
            stat = report.stat(metric, code)
            unit = SPECS[metric].unit
            kpis.append(
                report.fmt["number"](stat.value, 1)
                if unit == "days" and stat and stat.shown
                else report.format(unit, stat.value)
                if stat and stat.shown
                else "—"
            )
        rows.append(
            {
                "code": code,
                "name": report.scope_name(code),
                "respondents": report.fmt["number"](respondents.value, 0)
                if respondents is not None and respondents.value is not None
                else "—",
                "csi": report.fmt["number"](csi.value, 1) if csi and csi.shown else "—",
                "nps": report.fmt["number"](nps.value, 1) if nps and nps.shown else "—",
                "csat": report.format("csat", csat.value) if csat and csat.shown else "—",
                "kpis": kpis,
                "flag": (csi.flag if csi else "") or "",
                "flag_text": flag_text(report, csi) if csi is not None and csi.flag else "",
                "rank": ranks.get(code),
                "highlight": code == report.scope.code,
            }
        )
    return rows


def _segments(report: _Report) -> dict[str, Any]:
    _ = report.gettext
    branches = _segment_rows(report, report.branch_codes())
    ranked = _branch_ranks(report, "csi")
    own_rank = next(
        (position for position, (code, _v) in enumerate(ranked, 1) if code == report.scope.code),
        None,
    )
    rank_sentence = ""
    if report.scope.kind == "branch":
        rank_sentence = (
            _("%(scope)s ranks %(rank)s of %(total)s branches by CSI this quarter.")
            % {
                "scope": report.scope_name(report.scope.code),
                "rank": own_rank,
                "total": len(ranked),
            }
            if own_rank
            else _("%(scope)s is not ranked this quarter: its CSI is suppressed.")
            % {"scope": report.scope_name(report.scope.code)}
        )
    company = report.stat("csi", COMPANY)
    bars = []
    for code, value in ranked:
        stat = report.stat("csi", code)
        assert stat is not None
        bars.append(
            charts.Bar(
                label=report.scope_name(code),
                value=value,
                lower=stat.lower,
                upper=stat.upper,
                note=(_("low base") if stat.flag == "low_base" else ""),
                highlight=code == report.scope.code,
            )
        )
    for code in report.branch_codes():
        if code not in [c for c, _v in ranked]:
            stat = report.stat("csi", code)
            bars.append(
                charts.Bar(label=report.scope_name(code), value=None, note=flag_text(report, stat))
            )
    chart = (
        charts.bar_panels(
            "branch-csi",
            _("CSI by branch with 95% intervals"),
            _("CSI 0–100; company %(value)s · n per branch in the table")
            % {
                "value": report.fmt["number"](company.value, 1)
                if company and company.shown
                else "—"
            },
            [charts.BarPanel("", tuple(bars))],
            report.style,
            _labels(report, value_axis=_("CSI (0–100)")),
            value_limits=(0, 100),
            bar_height_in=0.2,
        )
        if ranked
        else None
    )
    channels = _segment_rows(report, report.segment_codes("channel"))
    products = _segment_rows(report, report.segment_codes("product"))
    return {
        "kpi_columns": [_(label) for label in SEGMENT_KPI_HEADERS],
        "survey_missing": [
            kind
            for kind, rows in ((_("channel"), channels), (_("product line"), products))
            if rows and all(row["csi"] == "—" and not row["flag_text"] for row in rows)
        ],
        "branches": branches,
        "rank_sentence": rank_sentence,
        "chart": chart,
        "channels": channels,
        "products": products,
        "suppress_below": report.settings.suppression["suppress_below"],
        "low_base_below": report.settings.suppression["low_base_below"],
    }


def _json(text: str | None) -> Any:
    """A JSON note of a result row; None when the note is not JSON."""
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def in_language(text: str, language: str) -> str:
    """`客户体验管理部 / Customer Experience` → the part for the report's language."""
    if " / " not in text:
        return text
    chinese, english = text.split(" / ", 1)
    return chinese if language == "zh-CN" else english


def _voc(report: _Report) -> dict[str, Any]:
    """Themes (`voc.theme.<dim>`, counts in a JSON note), quotes (`voc.quotes`), mystery shop."""
    _ = report.gettext
    texts = report.stat("voc.texts")
    themes = []
    categories: list[str] = []
    stacks: dict[str, list[float]] = {sentiment: [] for sentiment in SENTIMENTS}
    for code in (*SERVICE_DIMENSIONS, "other"):
        stat = report.stat(f"voc.theme.{code}")
        counts = _json(stat.note) if stat is not None else None
        if stat is None or not stat.value or not isinstance(counts, dict):
            continue
        total = stat.value
        negative = float(counts.get("negative", 0))
        positive = float(counts.get("positive", 0))
        name = report.dimension_name(code) if code != "other" else _("Other topics")
        change = counts.get("change")
        themes.append(
            {
                "name": name,
                "total": report.fmt["number"](total, 0),
                "change": report.fmt["signed"](change, 0) if change is not None else "—",
                "negative": report.fmt["number"](negative, 0),
                "negative_share": report.fmt["percent"](negative / total, 0),
                "positive": report.fmt["number"](positive, 0),
            }
        )
        categories.append(name)
        for sentiment, value in zip(
            SENTIMENTS, (negative, total - negative - positive, positive), strict=True
        ):
            stacks[sentiment].append(value)
    colours = report.brand.colours
    chart = (
        charts.stacked_bars(
            "voc-themes",
            _("Feedback themes by dimension and sentiment"),
            _("Number of texts (survey comments, online messages, social media) · %(n)s")
            % {"n": _n_text(report, texts.value if texts and texts.value is not None else None)},
            categories,
            [
                charts.Stack(
                    _(SENTIMENT_LABELS[sentiment]), tuple(stacks[sentiment]), colours[colour]
                )
                for sentiment, colour in zip(SENTIMENTS, ("bad", "muted", "good"), strict=True)
            ],
            report.style,
            _labels(report, value_axis=_("Texts")),
        )
        if themes
        else None
    )
    stored = report.stat("voc.quotes")
    listed = _json(stored.note) if stored is not None and stored.shown else None
    quotes = []
    for quote in listed if isinstance(listed, list) else []:
        if not isinstance(quote, dict) or not quote.get("text"):
            continue
        dimension = str(quote.get("dimension", ""))
        sentiment = str(quote.get("sentiment", ""))
        quotes.append(
            {
                "text": str(quote["text"]),
                "dimension": report.dimension_name(dimension)
                if dimension in SERVICE_DIMENSIONS
                else _("Other topics"),
                "sentiment": _(SENTIMENT_LABELS[sentiment])
                if sentiment in SENTIMENT_LABELS
                else "",
            }
        )
    mystery = report.stat("mystery_shop_compliance")
    return {
        "available": bool(themes),
        "themes": themes,
        "chart": chart,
        "texts": report.fmt["number"](texts.value, 0)
        if texts and texts.value is not None
        else None,
        "quotes": quotes,
        "quotes_withheld": stored is not None and stored.flag == "suppressed",
        "min_verbatim": int(report.settings.suppression.get("min_verbatim_respondents", 5)),
        "mystery": _kpi_row(report, SPECS["mystery_shop_compliance"]) if mystery else None,
    }


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


def _subject(report: _Report, code: str) -> str:
    """A dimension or KPI code of an action, named for the reader."""
    code = code.removeprefix("dimension.")
    if code in SERVICE_DIMENSIONS:
        return report.dimension_name(code)
    return report.gettext(SPECS[code].label) if code in SPECS else code


def _unit(metric: str) -> str:
    return SPECS[metric].unit if metric in SPECS else "score"


def _target_text(report: _Report, metric: str, value: Any) -> str:
    label = _subject(report, metric)
    if value is None:
        return label
    return f"{label} {report.format(_unit(metric), float(value))}"


def _date(report: _Report, value: Any) -> str:
    if value in (None, ""):
        return "—"
    day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])
    return report.fmt["date"](day)


def _actions(report: _Report) -> dict[str, Any]:
    """New SMART actions (`action.new.<k>`) and earlier ones with their target met or not
    (`action.earlier.<id>`); each row's details are in its JSON note."""
    _ = report.gettext
    language = report.language
    new = []
    for metric in report.results.metrics(report.q, report.scope.code, "action.new."):
        stat = report.stat(metric)
        action = _json(stat.note) if stat is not None else None
        if stat is None or not isinstance(action, dict):
            continue
        reason = str(action.get("reason", ""))
        new.append(
            {
                "id": str(action.get("action_id", metric)),
                "subject": _subject(report, str(action.get("subject", ""))),
                "issue": _(ACTION_REASONS[reason]) if reason in ACTION_REASONS else reason,
                "evidence": _("now %(value)s")
                % {"value": report.format(_unit(str(action.get("subject", ""))), stat.value)},
                "department": in_language(str(action.get("department", "")), language),
                "owner": in_language(str(action.get("owner", "")), language),
                "due": _date(report, action.get("due_on")),
                "target": _target_text(
                    report, str(action.get("target_metric", "")), action.get("target_value")
                ),
            }
        )
    earlier = []
    for metric in report.results.metrics(report.q, report.scope.code, "action.earlier."):
        stat = report.stat(metric)
        action = _json(stat.note) if stat is not None else None
        if stat is None or not isinstance(action, dict):
            continue
        target_metric = str(action.get("target_metric", ""))
        issue = str(action.get("issue", ""))
        met = stat.flag if stat.flag in ACTION_MET else "no_data"
        raised = str(action.get("quarter_raised", ""))
        status = str(action.get("status", ""))
        earlier.append(
            {
                "id": str(action.get("action_id", metric)),
                "quarter": raised,
                "raised": quarter_label(Quarter.parse(raised), language) if raised else "—",
                "subject": _subject(report, str(action.get("subject", ""))),
                "issue": _(ACTION_REASONS[issue]) if issue in ACTION_REASONS else issue,
                "department": in_language(str(action.get("department", "")), language),
                "owner": in_language(str(action.get("owner", "")), language),
                "due": _date(report, action.get("due_on")),
                "target": _target_text(report, target_metric, action.get("target_value")),
                "status_label": _(ACTION_STATUS[status]) if status in ACTION_STATUS else status,
                "current": report.format(_unit(target_metric), stat.value),
                "met": {"met": "yes", "not_met": "no"}.get(met, "unknown"),
                "met_label": _(ACTION_MET[met]),
            }
        )
    earlier.sort(key=lambda row: (row["quarter"], row["id"]))
    # The plan is computed for every scope at once: any action row in the quarter means the
    # plan ran, so a scope without rows has no actions rather than no plan.
    available = report.results.any_metric(report.q, "action.")
    return {"available": available, "new": new, "earlier": earlier}


def _weighting_text(report: _Report) -> str:
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
        text += " " + _("The raking did not converge; the weights of the last iteration are used.")
    return text


def _methodology(report: _Report, run_id: str) -> dict[str, Any]:
    _ = report.gettext
    number = report.fmt["number"]
    suppression = report.settings.suppression
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
    definitions = [
        {"term": _(spec.label), "definition": _(spec.definition)} for spec in (*INDICES, *KPIS)
    ]
    definitions += [
        {
            "term": _("Dimension score"),
            "definition": _(
                "Item answers rescaled to 0–100 (reverse items flipped), averaged per "
                "respondent over the dimension's items, then the weighted mean over the "
                "respondents who used the touchpoint. Touchpoints not used are missing by "
                "design, never scored low."
            ),
        },
        {
            "term": _("Significance"),
            "definition": _(
                "A change vs last quarter or a year ago is marked ▲/▼ only when a two-sample "
                "z test on the two estimates is significant at 95%; otherwise it reads "
                "“n.s.” (no significant change). KPI changes are differences of census "
                "figures and carry no test."
            ),
        },
        {
            "term": _("Key drivers"),
            "definition": _(
                "Johnson's relative weights of the six dimensions for overall satisfaction, "
                "normalised to 100%, with bootstrap 95% intervals. Quadrants split importance "
                "and performance at their means (Martilla & James)."
            ),
        },
        {
            "term": _("Strengths and weaknesses"),
            "definition": _(
                "For a branch, up to three dimensions furthest above (strengths) and below "
                "(weaknesses) the company's score for the same dimension; for the company, "
                "up to three furthest above and below the mean of its own dimension scores. "
                "Suppressed dimensions are left out."
            ),
        },
        {
            "term": _("Red / amber / green"),
            "definition": _(
                "Each KPI against its target and amber threshold for the scope: green meets "
                "the target, amber lies between target and threshold, red is beyond the "
                "threshold."
            ),
        },
        {
            "term": _("Satisfaction by cycle time"),
            "definition": _(
                "Mean overall satisfaction (0–100) of respondents whose most recent claim "
                "closed within the year before they answered, by days from report to closure "
                "(≤ 10, 11–30, > 30), and of respondents with and without a complaint on "
                "their policy in that year."
            ),
        },
    ]
    weights = [
        {"name": report.dimension_name(code), "weight": report.fmt["percent"](weight, 0)}
        for code, weight in report.settings.csi_weights.items()
    ]
    lineage = []
    for metric in report.results.metrics(report.q, COMPANY, "lineage."):
        if not metric.endswith(".rows"):
            continue
        source = metric.removeprefix("lineage.").removesuffix(".rows")
        rows = report.stat(metric, COMPANY)
        quarantined = report.stat(f"lineage.{source}.quarantined", COMPANY)
        lineage.append(
            {
                "source": source,
                "rows": number(rows.value if rows else None, 0),
                "quarantined": number(quarantined.value, 0)
                if quarantined is not None and quarantined.value is not None
                else "—",
            }
        )
    # The run ids stored with the figures are not shown: a recompute over unchanged data
    # must give the same report (the archive keeps its revision), so only `run_id` is.
    figures = report.results.rows(report.q, report.scope.code)
    quarters_with_data = [
        quarter_label(q, report.language)
        for q in report.quarter.trailing(TREND_QUARTERS)
        if report.stat("respondents", quarter=str(q)) is not None
    ]
    csi_method = report.settings.csi_method
    return {
        "samples": samples,
        "weighting_text": _weighting_text(report),
        "csi_method": _("weighted mean of dimension scores")
        if csi_method == "weighted"
        else _("PLS path model (ACSI style)"),
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
        "lineage": lineage,
        "figures": number(len(figures), 0),
        "history": ", ".join(quarters_with_data) if quarters_with_data else "—",
        "run_id": run_id,
        "software_version": __version__,
        "item_bank_version": report.bank.version,
        "item_count": number(len(report.bank.items), 0),
        "brand": report.brand.name,
    }


def _cover(report: _Report, revision: Mapping[str, Any] | None) -> dict[str, Any]:
    _ = report.gettext
    fmt = report.fmt
    revision = dict(revision or {})
    label = str(revision.get("label") or "v1")
    reason = revision.get("reason")
    date_text = revision.get("date")
    issued = None
    if date_text:
        issued = fmt["date"](dt.date.fromisoformat(str(date_text)[:10]))
    kind = {
        "company": _("Company report"),
        "branch": _("Branch report"),
        "channel": _("Channel report"),
        "product": _("Product line report"),
    }.get(report.scope.kind, "")
    return {
        "kind": kind,
        "period": _("%(start)s – %(end)s")
        % {"start": fmt["date"](report.quarter.start), "end": fmt["date"](report.quarter.last_day)},
        "as_of": fmt["date"](report.quarter.last_day),
        "revision": {"label": label, "reason": reason, "date": issued},
    }


def build_context(
    quarter: Quarter,
    scope: Scope,
    language: str,
    results: pd.DataFrame,
    bank: ItemBank,
    settings: Settings,
    run_id: str,
    revision: Mapping[str, Any] | None = None,
    *,
    scopes: Sequence[Scope] | None = None,
) -> dict[str, Any]:
    """Everything the template shows for one scope and language, from stored results only.

    `revision` ({"label": "v2", "reason": …, "date": "2026-11-02"}) comes from the report
    archive; a first render is v1 with no reason. `scopes` gives branch and segment names
    (codes are shown without it).
    """
    gettext = translations(language).gettext
    _ = gettext
    brand = load_brand(str(settings.raw["report"]["brand"]))
    names = {s.code: s for s in (scopes or [])}
    names[scope.code] = scope  # the report's own scope as given, whatever the list says
    report = _Report(
        quarter=quarter,
        scope=scope,
        language=language,
        results=Results(results),
        bank=bank,
        settings=settings,
        brand=brand,
        names=names,
        gettext=gettext,
        fmt=number_filters(language),
        style=brand.chart_style(),
    )
    label = quarter_label(quarter, language)
    title = _("%(quarter)s Customer Service Satisfaction Assessment") % {"quarter": label}
    scope_name = report.scope_name(scope.code)
    return {
        "title": f"《{title}》" if language == "zh-CN" else title,
        "subject": _("Customer service satisfaction assessment, %(scope)s, %(quarter)s")
        % {"scope": scope_name, "quarter": label},
        "keywords": ", ".join((brand.short_name(language), scope_name, label)),
        "software_version": __version__,
        "scope": {"code": scope.code, "name": scope_name, "kind": scope.kind},
        "quarter": {"code": str(quarter), "label": label},
        "sections": [{"id": key, "title": _(title)} for key, title in SECTIONS],
        "section_titles": {key: _(title) for key, title in SECTIONS},
        "cover": _cover(report, revision),
        "brand": {
            "company_name": brand.company_name(language),
            "short_name": brand.short_name(language),
            "confidentiality": brand.confidentiality(language),
            "logo_url": brand.logo_url,
        },
        "brand_css": Markup(brand.css()),  # checked config, and <style> must not be escaped
        "page_css": page_footer_css(language),
        "summary": _summary(report),
        "dimensions": _dimensions(report),
        "drivers": _drivers(report),
        "kpis": _kpis(report),
        "segments": _segments(report),
        "voc": _voc(report),
        "actions": _actions(report),
        "methodology": _methodology(report, run_id),
    }
