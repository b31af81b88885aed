"""One report context per scope, built only from the stored results (so the PDF reconciles)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from markupsafe import Markup

from etl import __version__
from etl.config import SERVICE_DIMENSIONS, ItemBank, Settings
from etl.periods import Quarter
from etl.render import TEMPLATES_DIR, babel_locale, number_filters, translations
from etl.scopes import Scope


@dataclass(frozen=True)
class Brand:
    """Brand settings read from report_templates/brands/<name>/brand.toml."""

    folder: Path
    raw: dict[str, Any]

    def company_name(self, language: str) -> str:
        return self.raw["name_zh"] if language == "zh-CN" else self.raw["name_en"]

    def confidentiality(self, language: str) -> str:
        return (
            self.raw["confidentiality_zh"]
            if language == "zh-CN"
            else self.raw["confidentiality_en"]
        )

    @property
    def logo_url(self) -> str:
        return (self.folder / self.raw["logo"]).as_uri()

    def css(self) -> str:
        """Brand values as CSS custom properties (the stylesheet itself never changes)."""
        colours = self.raw["colours"]
        lines = [
            f"  --{key.replace('_', '-')}: {value};"
            for key, value in colours.items()
            if isinstance(value, str)
        ]
        return (
            ":root {\n"
            + "\n".join(lines)
            + "\n}\nhtml { font-family: "
            + self.raw["font_family"]
            + "; }"
        )


def load_brand(name: str) -> Brand:
    """A brand folder under report_templates/brands/."""
    folder = TEMPLATES_DIR / "brands" / name
    path = folder / "brand.toml"
    if not path.exists():
        raise FileNotFoundError(f"brand {name!r}: {path} does not exist")
    return Brand(folder=folder, raw=tomllib.loads(path.read_text(encoding="utf-8")))


def css_string(text: str) -> str:
    """A CSS string literal (quotes and backslashes escaped, no line breaks)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def page_footer_css(language: str) -> Markup:
    """`@page` footer "第 x 页 / 共 y 页" (or "Page x of y") from the catalog's pattern."""
    pattern = translations(language).gettext("Page {page} of {pages}")
    before, rest = pattern.split("{page}", 1)
    middle, after = rest.split("{pages}", 1)
    parts = (css_string(before), "counter(page)", css_string(middle), "counter(pages)")
    content = " ".join((*parts, css_string(after)))
    return Markup(
        "@page { @bottom-center { content: "
        + content
        + "; } }\n@page cover { @bottom-center { content: none; } }"
    )


def _metric(results: pd.DataFrame, metric: str) -> dict[str, Any] | None:
    match = results[results["metric"] == metric]
    if match.empty:
        return None
    row = match.iloc[0]

    def clean(value: Any) -> Any:
        return None if pd.isna(value) else value

    return {
        key: clean(row[key])
        for key in ("value", "lower_bound", "upper_bound", "n", "n_effective", "flag", "note")
    }


def weighting_text(company_results: pd.DataFrame, language: str) -> str:
    """The appendix sentence on raking, from the weighting figures stored for the company."""
    _ = translations(language).gettext
    fmt = number_filters(language)
    n_eff = _metric(company_results, "weighting.kish_effective_n")
    deff = _metric(company_results, "weighting.design_effect")
    iterations = _metric(company_results, "weighting.iterations")
    if not n_eff or not deff or not iterations:
        return _("Respondents were not weighted this quarter.")
    return _(
        "Respondents are raked to the policies in force at quarter end by branch, channel and "
        "product line (weights trimmed to 0.2–5 × the mean; %(iterations)s iterations). "
        "Kish effective sample size %(n_eff)s; design effect %(deff)s. Every interval uses "
        "the effective sample size."
    ) % {
        "iterations": fmt["number"](iterations["value"], 0),
        "n_eff": fmt["number"](n_eff["value"], 0),
        "deff": fmt["number"](deff["value"], 2),
    }


def quarter_label(quarter: Quarter, language: str) -> str:
    return (
        f"{quarter.year}年第{quarter.number}季度"
        if language == "zh-CN"
        else f"Q{quarter.number} {quarter.year}"
    )


def build_context(
    quarter: Quarter,
    scope: Scope,
    language: str,
    results: pd.DataFrame,
    bank: ItemBank,
    settings: Settings,
    run_id: str,
    revision: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Everything the template shows for one scope and language, from stored results only.

    `revision` ({"label": "v2", "reason": …, "date": …}) comes from the report archive;
    a first render is v1 with no reason.
    """
    _ = translations(language).gettext
    fmt = number_filters(language)
    babel_locale(language)
    scoped = results[(results["quarter"] == str(quarter)) & (results["scope"] == scope.code)]
    label = quarter_label(quarter, language)
    suppression = settings.suppression

    def shown(metric: dict[str, Any] | None) -> bool:
        return metric is not None and metric["value"] is not None and metric["flag"] != "suppressed"

    def tile(metric_name: str, label_text: str, digits: int = 1) -> dict[str, str]:
        metric = _metric(scoped, metric_name)
        if not shown(metric):
            n = 0 if metric is None else int(metric["n"] or 0)
            return {
                "label": label_text,
                "value": "—",
                "detail": _("Suppressed: n = %(n)s") % {"n": n},
            }
        detail = _("95%% interval %(low)s–%(high)s · n = %(n)s") % {
            "low": fmt["number"](metric["lower_bound"], digits),
            "high": fmt["number"](metric["upper_bound"], digits),
            "n": fmt["number"](metric["n"], 0),
        }
        if metric["flag"] == "low_base":
            detail += " · " + _("low base")
        return {
            "label": label_text,
            "value": fmt["number"](metric["value"], digits),
            "detail": detail,
        }

    company = results[(results["quarter"] == str(quarter)) & (results["scope"] == "company")]
    respondents = _metric(scoped, "respondents")
    dimensions = []
    for code in SERVICE_DIMENSIONS:
        metric = _metric(scoped, f"dimension.{code}") or {
            "value": None,
            "n": 0,
            "flag": "suppressed",
        }
        flag = metric["flag"]
        dimensions.append(
            {
                "code": code,
                "name": bank.dimension_names[code]["zh" if language == "zh-CN" else "en"],
                "value": metric["value"],
                "lower": metric.get("lower_bound"),
                "upper": metric.get("upper_bound"),
                "n": metric["n"] or 0,
                "flag": flag,
                "shown": shown(metric),
                "flag_text": {
                    "suppressed": _("suppressed (n < %(n)s)")
                    % {"n": suppression["suppress_below"]},
                    "low_base": _("low base"),
                }.get(flag or "", ""),
            }
        )
    cycle = {
        stat: _metric(scoped, f"claim_cycle_days_{stat}") for stat in ("mean", "median", "p90")
    }
    claim_cycle = (
        {
            "mean": cycle["mean"]["value"],
            "median": cycle["median"]["value"],
            "p90": cycle["p90"]["value"],
            "n": cycle["mean"]["n"],
        }
        if cycle["mean"] and cycle["mean"]["value"] is not None
        else None
    )
    brand = load_brand(settings.raw["report"]["brand"])
    title = _("%(quarter)s Customer Service Satisfaction Assessment") % {"quarter": label}
    return {
        "title": f"《{title}》" if language == "zh-CN" else title,
        "subject": _("Customer service satisfaction assessment, %(scope)s, %(quarter)s")
        % {"scope": scope.name(language), "quarter": label},
        "software_version": __version__,
        "scope": {"code": scope.code, "name": scope.name(language), "kind": scope.kind},
        "quarter": {
            "code": str(quarter),
            "label": label,
            "period": f"{quarter.start.isoformat()} – {quarter.last_day.isoformat()}",
            "as_of": quarter.last_day.isoformat(),
        },
        "revision": revision or {"label": "v1", "reason": None, "date": None},
        "brand": {
            "company_name": brand.company_name(language),
            "confidentiality": brand.confidentiality(language),
            "logo_url": brand.logo_url,
        },
        "brand_css": Markup(brand.css()),  # trusted config, and <style> must not be entity-escaped
        "page_css": page_footer_css(language),
        "headline": {
            "respondents": int(respondents["value"]) if respondents else 0,
            "tiles": [
                tile("csi", _("CSI (customer satisfaction index)")),
                tile("nps", _("NPS (net promoter score)")),
                tile("csat", _("CSAT (top-2-box, %)")),
            ],
        },
        "dimensions": dimensions,
        "kpis": {"claim_cycle": claim_cycle},
        "methodology": {
            "csi_weights": [
                {
                    "name": bank.dimension_names[code]["zh" if language == "zh-CN" else "en"],
                    "weight": weight,
                }
                for code, weight in settings.csi_weights.items()
            ],
            "weighting_text": weighting_text(company, language),
            "suppress_below": suppression["suppress_below"],
            "low_base_below": suppression["low_base_below"],
            "run_id": run_id,
            "item_bank_version": bank.version,
        },
    }
