"""Voice of the customer: themes by dimension and sentiment, masked quotes, mystery shop."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from etl.core.config import SERVICE_DIMENSIONS
from etl.core.metrics import SPECS
from etl.report import charts
from etl.report.format import ReportView, chart_labels, n_text
from etl.report.labels import SENTIMENT_LABELS, SENTIMENTS
from etl.report.results import Stat
from etl.report.sections.kpis import kpi_row

CJK = re.compile(r"[\u3400-\u9fff]")
SENTIMENT_COLOURS = {"negative": "bad", "mixed": "warning", "neutral": "muted", "positive": "good"}


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
        "method": tagger_text(report),
    }


def theme_name(report: ReportView, code: str) -> str:
    return (
        report.dimension_name(code)
        if code in SERVICE_DIMENSIONS
        else report.gettext("Other topics")
    )


def sentiment_counts(report: ReportView, theme: Mapping[str, Any]) -> dict[str, float]:
    """Texts of a theme per sentiment; mixed and neutral from the results (older stores lack
    them: then all that is neither negative nor positive counts as neutral)."""
    code = str(theme["dimension"])
    total, negative, positive = (float(theme[key]) for key in ("texts", "negative", "positive"))
    mixed = report.stat(f"voc.theme.{code}.mixed")
    neutral = report.stat(f"voc.theme.{code}.neutral")
    mixed_n = float(mixed.value) if mixed is not None and mixed.value is not None else 0.0
    neutral_n = (
        float(neutral.value)
        if neutral is not None and neutral.value is not None
        else total - negative - positive - mixed_n
    )
    return {"negative": negative, "mixed": mixed_n, "neutral": neutral_n, "positive": positive}


def share_change(report: ReportView, code: str) -> dict[str, str]:
    """The change of a theme's negative share vs last quarter, an arrow only when significant."""
    _ = report.gettext
    row = report.stat(f"voc.theme.{code}.negative_share.change_prev")
    if row is None or row.value is None:
        return {"short": "—", "direction": "none"}
    difference = _("%(value)s pp") % {"value": report.fmt["signed"](row.value * 100.0, 0)}
    if row.flag in ("up", "down"):
        arrow = "▲" if row.flag == "up" else "▼"
        return {"short": f"{arrow} {difference}", "direction": row.flag}
    return {"short": _("n.s. (%(difference)s)") % {"difference": difference}, "direction": "none"}


def theme_row(report: ReportView, theme: Mapping[str, Any]) -> dict[str, Any]:
    """One theme's counts by sentiment, change in texts and in negative share."""
    number = report.fmt["number"]
    counts = sentiment_counts(report, theme)
    total = float(theme["texts"])
    code = str(theme["dimension"])
    return {
        "name": theme_name(report, code),
        "total": number(total, 0),
        "change": report.fmt["signed"](theme["change"], 0)
        if theme.get("change") is not None
        else "—",
        **{sentiment: number(counts[sentiment], 0) for sentiment in SENTIMENTS},
        "negative_share": report.fmt["percent"](counts["negative"] / total, 0),
        "share_change": share_change(report, code),
    }


def themes_chart(
    report: ReportView, themes: Sequence[Mapping[str, Any]], texts: Stat | None
) -> charts.Chart:
    """Texts per theme stacked by sentiment (negative, mixed, neutral, positive)."""
    _ = report.gettext
    stacks: dict[str, list[float]] = {sentiment: [] for sentiment in SENTIMENTS}
    for theme in themes:
        counts = sentiment_counts(report, theme)
        for sentiment in SENTIMENTS:
            stacks[sentiment].append(counts[sentiment])
    colours = report.brand.colours
    return charts.stacked_bars(
        "voc-themes",
        _("Feedback themes by dimension and sentiment"),
        _("Number of texts (survey comments, online messages, social media) · %(n)s")
        % {"n": n_text(report, texts.value if texts and texts.value is not None else None)},
        [theme_name(report, str(theme["dimension"])) for theme in themes],
        [
            charts.Stack(
                _(SENTIMENT_LABELS[sentiment]),
                tuple(stacks[sentiment]),
                colours[SENTIMENT_COLOURS[sentiment]],
            )
            for sentiment in SENTIMENTS
        ],
        report.style,
        chart_labels(report, value_axis=_("Texts")),
    )


def original_language_note(report: ReportView, text: str) -> str:
    """In the English report a Chinese quote is marked as quoted in its original language (and
    an English quote in the Chinese report)."""
    _ = report.gettext
    chinese = bool(CJK.search(text))
    if report.language == "en" and chinese:
        return _("quoted in the original Chinese")
    if report.language == "zh-CN" and not chinese:
        return _("quoted in the original English")
    return ""


def quote_row(report: ReportView, quote: Mapping[str, Any]) -> dict[str, Any]:
    """A masked quote with its theme, sentiment and, where it differs, its language named."""
    _ = report.gettext
    sentiment = str(quote.get("sentiment", ""))
    text = str(quote["quote_text"])
    return {
        "text": text,
        "dimension": theme_name(report, str(quote.get("dimension", ""))),
        "sentiment": _(SENTIMENT_LABELS[sentiment]) if sentiment in SENTIMENT_LABELS else "",
        "original_language": original_language_note(report, text),
        "lang": "zh-CN" if CJK.search(text) else "en",
    }


def tagger_text(report: ReportView) -> str:
    """Which tagger read the comments (for the appendix)."""
    _ = report.gettext
    row = report.stat("voc.tagger")
    method = (row.note or "") if row is not None else ""
    if method.startswith("combined"):
        text = _(
            "Feedback texts were tagged by the combined tagger: rules (jieba segmentation, "
            "editable lexicons, HowNet and VADER sentiment words, negation, contrast and irony "
            "cues) whose readings feed a character n-gram model trained on the labelled corpus."
        )
        if "refitted" in method:
            text += " " + _("The model was refitted for an edited lexicon.")
        return text
    if method == "rules":
        return _(
            "Feedback texts were tagged by the rules alone (jieba segmentation, editable "
            "lexicons, HowNet and VADER sentiment words, negation, contrast and irony cues)."
        )
    return ""
