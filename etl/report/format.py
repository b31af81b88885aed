"""The report being assembled: its scope, language, formats, and the pieces sections share."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from etl.core.config import ItemBank, Settings
from etl.core.metrics import SPECS
from etl.core.periods import Quarter
from etl.core.scopes import COMPANY, Scope, is_branch_segment
from etl.report import charts
from etl.report.brand import Brand
from etl.report.labels import TREND_QUARTERS
from etl.report.results import Findings, Results, Stat


@dataclass
class ReportView:
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
    findings: Findings = field(default_factory=Findings)

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

    def csat_boxes(self) -> tuple[int, int]:
        """The scale points CSAT counts (9, 10 by default) and the scale's top (10)."""
        item = self.bank.by_code()[self.bank.codes("overall")[0]]
        return item.scale_max - (self.settings.csat_top_boxes - 1), item.scale_max

    def metric_label(self, code: str) -> str:
        """A metric's name as the reader sees it; CSAT names the boxes it counts."""
        _ = self.gettext
        if code == "csat":
            low, high = self.csat_boxes()
            return _("CSAT (share scoring %(low)s–%(high)s of %(high)s)") % {
                "low": low,
                "high": high,
            }
        return _(SPECS[code].label) if code in SPECS else code

    def metric_definition(self, code: str) -> str:
        _ = self.gettext
        if code == "csat":
            low, high = self.csat_boxes()
            return _(
                "Share of respondents scoring %(low)s–%(high)s on the %(high)s-point overall "
                "satisfaction item (top %(boxes)s boxes; settings [csat] top_boxes). It is not "
                "the share “satisfied or very satisfied” of a five-point scale."
            ) % {"low": low, "high": high, "boxes": self.settings.csat_top_boxes}
        return _(SPECS[code].definition)

    def dimension_name(self, code: str) -> str:
        names = self.bank.dimension_names.get(code, {})
        return names.get("zh" if self.language == "zh-CN" else "en", code)

    def scope_name(self, code: str) -> str:
        if code in self.names:
            return self.names[code].name(self.language)
        if code == COMPANY:
            return self.gettext("Company")
        if is_branch_segment(code):
            return self.scope_name(code.split(".", 1)[1])  # SC.channel.TELE → the channel's name
        return code.split(".", 1)[-1]

    def branch_codes(self) -> list[str]:
        present = [s for s in self.results.scopes(self.q) if s != COMPANY and "." not in s]
        order = [code for code in self.names if code in present]
        return order + sorted(code for code in present if code not in order)

    def segment_codes(self, prefix: str, own: bool = True) -> list[str]:
        """The channel or product-line scopes of this report, in the configured order.

        A branch report's are the branch's own (`SC.channel.TELE`); the company's (or, with
        `own=False`, always the company-wide ones) are `channel.TELE`.
        """
        branch = own and self.scope.kind == "branch"
        head = f"{self.scope.code}.{prefix}." if branch else f"{prefix}."
        present = [s for s in self.results.scopes(self.q) if s.startswith(head)]
        order = [
            head + code.split(".", 1)[1] for code in self.names if code.startswith(prefix + ".")
        ]
        ordered = [code for code in order if code in present]
        return ordered + sorted(code for code in present if code not in ordered)

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
        if unit == "count":
            return number(value, 0)
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
        if unit == "count":
            return signed(difference, 0)
        return signed(difference, 2 if unit == "per_10k" else 1)


def change_marker(report: ReportView, metric: str, which: str, unit: str) -> dict[str, str]:
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
            "long": _("%(arrow)s %(difference)s %(period)s (significant after FDR correction)")
            % {"arrow": arrow, "difference": difference, "period": period},
        }
    return {
        "direction": "none",
        "short": _("n.s. (%(difference)s)") % {"difference": difference},
        "long": _("%(period)s: no significant change (%(difference)s)")
        % {"period": period, "difference": difference},
    }


def flag_text(report: ReportView, stat: Stat | None) -> str:
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
    if stat.flag == "insufficient_coverage":
        return _("CSI not computed: too few service dimensions with data (needs %(minimum)s)") % {
            "minimum": report.settings.raw.get("contract", {}).get("csi_min_dimensions", 3)
        }
    if stat.flag == "insufficient_pairs":
        return _("left out: smallest pair n = %(n)s < %(minimum)s") % {
            "n": report.fmt["number"](stat.n or 0, 0),
            "minimum": report.settings.suppression["suppress_below"],
        }
    return ""


def rank_text(report: ReportView, metric: str, scope: str | None = None) -> str:
    """`3 of 12` when the data separate the place, else its 95% interval `2–6 of 12`."""
    _ = report.gettext
    stat = report.stat(f"rank.{metric}", scope)
    if stat is None or stat.value is None or stat.lower is None or stat.upper is None:
        return "—"
    total = report.fmt["number"](stat.n or 0, 0)
    if stat.lower == stat.upper:
        return _("%(rank)s of %(total)s") % {"rank": int(stat.value), "total": total}
    return _("%(low)s–%(high)s of %(total)s") % {
        "low": int(stat.lower),
        "high": int(stat.upper),
        "total": total,
    }


def interval_text(report: ReportView, stat: Stat, unit: str = "score", digits: int = 1) -> str:
    """`68.8–71.8`; spaced (`-31.2 – -15.0`) when a bound is negative, so the dash reads."""
    if stat.lower is None or stat.upper is None:
        return ""
    if unit == "csat":
        low, high = report.format(unit, stat.lower), report.format(unit, stat.upper)
    else:
        low = report.fmt["number"](stat.lower, digits)
        high = report.fmt["number"](stat.upper, digits)
    return f"{low} – {high}" if min(stat.lower, stat.upper) < 0 else f"{low}–{high}"


def trend_series(
    report: ReportView,
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


def chart_labels(report: ReportView, **extra: Any) -> charts.Labels:
    _ = report.gettext
    values: dict[str, Any] = {
        "reference": _("Company"),
        "target": _("Target"),
        "language": report.language,
    }
    values.update(extra)
    return charts.Labels(**values)


def n_text(report: ReportView, n: int | float | None) -> str:
    _ = report.gettext
    return _("n = %(n)s") % {"n": report.fmt["number"](n or 0, 0)}
