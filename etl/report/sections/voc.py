"""Voice of the customer: themes by dimension, sentiment, masked quotes, mystery shop."""

from __future__ import annotations

import json
from typing import Any

from etl.core.config import SERVICE_DIMENSIONS
from etl.core.metrics import SPECS
from etl.report import charts
from etl.report.format import ReportView, chart_labels, n_text
from etl.report.labels import SENTIMENT_LABELS, SENTIMENTS
from etl.report.sections.kpis import kpi_row


def parse_note(text: str | None) -> Any:
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


def voc_section(report: ReportView) -> dict[str, Any]:
    """Themes (`voc.theme.<dim>`, counts in a JSON note), quotes (`voc.quotes`), mystery shop."""
    _ = report.gettext
    texts = report.stat("voc.texts")
    themes = []
    categories: list[str] = []
    stacks: dict[str, list[float]] = {sentiment: [] for sentiment in SENTIMENTS}
    for code in (*SERVICE_DIMENSIONS, "other"):
        stat = report.stat(f"voc.theme.{code}")
        counts = parse_note(stat.note) if stat is not None else None
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
            % {"n": n_text(report, texts.value if texts and texts.value is not None else None)},
            categories,
            [
                charts.Stack(
                    _(SENTIMENT_LABELS[sentiment]), tuple(stacks[sentiment]), colours[colour]
                )
                for sentiment, colour in zip(SENTIMENTS, ("bad", "muted", "good"), strict=True)
            ],
            report.style,
            chart_labels(report, value_axis=_("Texts")),
        )
        if themes
        else None
    )
    stored = report.stat("voc.quotes")
    listed = parse_note(stored.note) if stored is not None and stored.shown else None
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
        "mystery": kpi_row(report, SPECS["mystery_shop_compliance"]) if mystery else None,
    }
