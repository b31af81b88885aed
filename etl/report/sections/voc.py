"""Voice of the customer: themes by dimension, sentiment, masked quotes, mystery shop."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from etl.core.config import SERVICE_DIMENSIONS
from etl.core.metrics import SPECS
from etl.report import charts
from etl.report.format import ReportView, chart_labels, n_text
from etl.report.labels import SENTIMENT_LABELS, SENTIMENTS
from etl.report.results import Stat
from etl.report.sections.kpis import kpi_row


def in_language(text: str, language: str) -> str:
    """`客户体验管理部 / Customer Experience` → the part for the report's language."""
    if " / " not in text:
        return text
    chinese, english = text.split(" / ", 1)
    return chinese if language == "zh-CN" else english


def voc_section(report: ReportView) -> dict[str, Any]:
    """Themes by dimension and sentiment, masked quotes (or why they are withheld), mystery shop."""
    texts = report.stat("voc.texts")
    order = {code: position for position, code in enumerate((*SERVICE_DIMENSIONS, "other"))}
    themes = sorted(
        (theme for theme in report.findings.themes if theme["texts"]),
        key=lambda theme: order.get(str(theme["dimension"]), len(order)),
    )
    stored = report.stat("voc.quotes")
    mystery = report.stat("mystery_shop_compliance")
    return {
        "available": bool(themes),
        "themes": [theme_row(report, theme) for theme in themes],
        "chart": themes_chart(report, themes, texts) if themes else None,
        "texts": report.fmt["number"](texts.value, 0)
        if texts and texts.value is not None
        else None,
        "quotes": [quote_row(report, quote) for quote in report.findings.quotes],
        "quotes_withheld": stored is not None and stored.flag == "suppressed",
        "min_verbatim": int(report.settings.suppression.get("min_verbatim_respondents", 5)),
        "mystery": kpi_row(report, SPECS["mystery_shop_compliance"]) if mystery else None,
    }


def theme_name(report: ReportView, code: str) -> str:
    return (
        report.dimension_name(code)
        if code in SERVICE_DIMENSIONS
        else report.gettext("Other topics")
    )


def theme_row(report: ReportView, theme: Mapping[str, Any]) -> dict[str, Any]:
    """One theme's counts: texts, change vs last quarter, negative share, positive."""
    total = float(theme["texts"])
    negative = float(theme["negative"])
    return {
        "name": theme_name(report, str(theme["dimension"])),
        "total": report.fmt["number"](total, 0),
        "change": report.fmt["signed"](theme["change"], 0)
        if theme.get("change") is not None
        else "—",
        "negative": report.fmt["number"](negative, 0),
        "negative_share": report.fmt["percent"](negative / total, 0),
        "positive": report.fmt["number"](float(theme["positive"]), 0),
    }


def themes_chart(
    report: ReportView, themes: Sequence[Mapping[str, Any]], texts: Stat | None
) -> charts.Chart:
    """Texts per theme stacked by sentiment (negative, neutral, positive)."""
    _ = report.gettext
    stacks: dict[str, list[float]] = {sentiment: [] for sentiment in SENTIMENTS}
    for theme in themes:
        total, negative, positive = (float(theme[key]) for key in ("texts", "negative", "positive"))
        for sentiment, value in zip(
            SENTIMENTS, (negative, total - negative - positive, positive), strict=True
        ):
            stacks[sentiment].append(value)
    colours = report.brand.colours
    return charts.stacked_bars(
        "voc-themes",
        _("Feedback themes by dimension and sentiment"),
        _("Number of texts (survey comments, online messages, social media) · %(n)s")
        % {"n": n_text(report, texts.value if texts and texts.value is not None else None)},
        [theme_name(report, str(theme["dimension"])) for theme in themes],
        [
            charts.Stack(_(SENTIMENT_LABELS[sentiment]), tuple(stacks[sentiment]), colours[colour])
            for sentiment, colour in zip(SENTIMENTS, ("bad", "muted", "good"), strict=True)
        ],
        report.style,
        chart_labels(report, value_axis=_("Texts")),
    )


def quote_row(report: ReportView, quote: Mapping[str, Any]) -> dict[str, Any]:
    """A masked quote with its theme and sentiment named for the reader."""
    _ = report.gettext
    sentiment = str(quote.get("sentiment", ""))
    return {
        "text": str(quote["quote_text"]),
        "dimension": theme_name(report, str(quote.get("dimension", ""))),
        "sentiment": _(SENTIMENT_LABELS[sentiment]) if sentiment in SENTIMENT_LABELS else "",
    }
