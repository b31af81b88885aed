"""One report context per scope, built only from the stored results (so the PDF reconciles)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

import pandas as pd
from markupsafe import Markup

from etl import __version__
from etl.core.config import ItemBank, Settings
from etl.core.periods import Quarter
from etl.core.scopes import Scope
from etl.report.brand import load_brand, page_footer_css
from etl.report.format import ReportView
from etl.report.i18n import number_filters, quarter_label, translations
from etl.report.labels import SECTIONS
from etl.report.results import Findings, Results
from etl.report.sections.actions import actions_section
from etl.report.sections.cover import cover_section
from etl.report.sections.dimensions import dimensions_section
from etl.report.sections.drivers import drivers_section
from etl.report.sections.kpis import kpis_section
from etl.report.sections.methodology import methodology_section
from etl.report.sections.segments import segments_section
from etl.report.sections.summary import summary_section
from etl.report.sections.trends import trends_section
from etl.report.sections.voc import voc_section


def report_view(
    quarter: Quarter,
    scope: Scope,
    language: str,
    results: pd.DataFrame | Results,
    bank: ItemBank,
    settings: Settings,
    scopes: Sequence[Scope] | None,
) -> ReportView:
    """What every section reads: results, names, brand, catalog and formats. The results come
    as the stored rows or already indexed (a run's reports share one index)."""
    # Unset means neutral here; the pipeline resolves the demo's brand on the demo warehouse.
    brand = load_brand(str(settings.raw["report"].get("brand") or "neutral"))
    names = {s.code: s for s in (scopes or [])}
    names[scope.code] = scope  # the report's own scope as given, whatever the list says
    return ReportView(
        quarter=quarter,
        scope=scope,
        language=language,
        results=results if isinstance(results, Results) else Results(results),
        bank=bank,
        settings=settings,
        brand=brand,
        names=names,
        gettext=translations(language).gettext,
        fmt=number_filters(language),
        style=brand.chart_style(),
    )


def build_context(
    quarter: Quarter,
    scope: Scope,
    language: str,
    results: pd.DataFrame | Results,
    bank: ItemBank,
    settings: Settings,
    run_id: str,
    revision: Mapping[str, Any] | None = None,
    *,
    scopes: Sequence[Scope] | None = None,
    findings: Findings | None = None,
) -> dict[str, Any]:
    """Everything the template shows for one scope and language, from stored results only.

    `revision` ({"label": "v2", "reason": …, "date": "2026-11-02"}) comes from the report
    archive; a first render is v1 with no reason. `scopes` gives branch and segment names
    (codes are shown without it). `findings` holds the scope's VoC themes and quotes and its
    improvement actions, read from the findings tables.
    """
    report = report_view(quarter, scope, language, results, bank, settings, scopes)
    report = replace(report, findings=findings or Findings())
    brand = report.brand
    _ = report.gettext
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
        "cover": cover_section(report, revision),
        "brand": {
            "company_name": brand.company_name(language),
            "short_name": brand.short_name(language),
            "confidentiality": brand.confidentiality(language),
            "logo_url": brand.logo_url,
        },
        "brand_css": Markup(brand.css()),  # checked config, and <style> must not be escaped
        "page_css": page_footer_css(language),
        "summary": summary_section(report),
        "dimensions": dimensions_section(report),
        "drivers": drivers_section(report),
        "kpis": kpis_section(report),
        "segments": segments_section(report),
        "trends": trends_section(report),
        "voc": voc_section(report),
        "actions": actions_section(report),
        "methodology": methodology_section(report, run_id),
    }
