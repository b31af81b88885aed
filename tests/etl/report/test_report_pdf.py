"""The assessment PDFs read back: sections, figures, metadata, tags, bookmarks, bytes, safety."""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import logging
import re
import subprocess
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from pypdf import PdfReader

from etl.core.config import load_item_bank, load_settings
from etl.core.periods import Quarter
from etl.core.scopes import Scope
from etl.pipeline import branded, render_scope
from etl.report.context import build_context
from etl.report.i18n import number_filters, translations
from etl.report.labels import SECTIONS
from etl.report.pdf import (
    TEMPLATES_DIR,
    TemplateAssetFetcher,
    pdf_bytes,
    render_html,
)
from etl.report.results import Findings
from etl.warehouse import available_scopes, connect, read_findings
from tests.etl.report.history import history_results, with_history

QUARTER = Quarter(2026, 3)
PAYLOAD = (
    '<img src="file:///etc/passwd"> <script>alert(1)</script> <link href="http://127.0.0.1:9/x">'
)
# The stylesheet's own asset (the contents page's dotted rule), served from the templates.
STYLESHEET_ASSETS = [(TEMPLATES_DIR / "assessment" / "toc-dots.svg").as_uri()]
RENDERS = (("company", "zh-CN"), ("company", "en"), ("SC", "zh-CN"))


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(scope="module")
def weasyprint_log() -> Iterator[list[logging.LogRecord]]:
    """Every warning WeasyPrint logs while this module renders (missing glyphs among them)."""
    handler = _Collect()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(handler)
    yield handler.records
    logger.removeHandler(handler)


@pytest.fixture(scope="module")
def warehouse_url(small_demo_url: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A private copy of the small demo with eight quarters computed, so trends have history."""
    return with_history(small_demo_url, tmp_path_factory, "report_pdf")


@pytest.fixture(scope="module")
def results(warehouse_url: str) -> pd.DataFrame:
    return history_results(warehouse_url)


@pytest.fixture(scope="module")
def reports(
    warehouse_url: str,
    tmp_path_factory: pytest.TempPathFactory,
    weasyprint_log: list[logging.LogRecord],
) -> dict[tuple[str, str], Path]:
    """The pipeline's own renders: the company in both languages and a branch."""
    folder = tmp_path_factory.mktemp("reports")
    return {
        (scope, language): Path(
            render_scope(warehouse_url, str(QUARTER), scope, language, str(folder), "test-run")
        )
        for scope, language in RENDERS
    }


def page_texts(path: Path) -> list[str]:
    """The text of each page, as a reader copying from the PDF gets it (pdftotext)."""
    output = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True
    ).stdout.decode("utf-8")
    return output.split("\f")[:-1]


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def section_titles(language: str) -> list[str]:
    _ = translations(language).gettext
    return [_("Contents"), *(_(title) for _key, title in SECTIONS)]


@pytest.mark.parametrize(("scope", "language"), RENDERS)
def test_every_section_heading_is_in_the_pdf(
    reports: dict[tuple[str, str], Path], scope: str, language: str
) -> None:
    pages = page_texts(reports[(scope, language)])
    lines = {line.strip() for page in pages for line in page.splitlines()}
    for title in section_titles(language):
        assert title in lines, f"heading {title!r} missing from {scope}.{language}"
    contents = pages[1]
    for title in section_titles(language)[1:]:
        assert title in contents  # and listed in the contents page


@pytest.mark.parametrize(("scope", "language"), RENDERS)
def test_page_count_within_bounds(
    reports: dict[tuple[str, str], Path], scope: str, language: str
) -> None:
    assert 10 <= len(PdfReader(reports[(scope, language)]).pages) <= 30


@pytest.mark.parametrize("language", ["zh-CN", "en"])
def test_headline_figures_equal_the_results_table(
    reports: dict[tuple[str, str], Path], results: pd.DataFrame, language: str
) -> None:
    path = reports[("company", language)]
    reader = PdfReader(path)
    summary_title = translations(language).gettext("Executive summary")
    item = next(o for o in reader.outline if not isinstance(o, list) and o.title == summary_title)
    summary = flat(page_texts(path)[reader.get_destination_page_number(item)])
    stored = results[(results["quarter"] == str(QUARTER)) & (results["scope"] == "company")]
    value = dict(zip(stored["metric"], stored["value"], strict=True))
    fmt = number_filters(language)
    expected = [
        fmt["number"](value["csi"], 1),
        fmt["number"](value["nps"], 1),
        fmt["percent"](value["csat"] / 100.0, 1),
        fmt["number"](value["respondents"], 0),
    ]
    for text in expected:
        assert text in summary, f"{text} (results table) not on the {language} summary page"


@pytest.mark.parametrize(("scope", "language"), RENDERS)
def test_metadata_language_and_tags(
    reports: dict[tuple[str, str], Path], scope: str, language: str
) -> None:
    reader = PdfReader(reports[(scope, language)])
    meta = reader.metadata
    assert meta is not None
    _ = translations(language).gettext
    label = _("Q%(number)s %(year)s") % {"number": 3, "year": 2026}
    assert label in (meta.title or "")
    assert meta.author == (
        "澄远人寿保险股份有限公司" if language == "zh-CN" else "Chengyuan Life Insurance Co., Ltd."
    )
    assert label in (meta.subject or "")
    root = reader.trailer["/Root"]
    assert root["/Lang"] == language
    assert bool(root["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in root
    xmp = root["/Metadata"].get_object().get_data().decode("utf-8")
    assert 'pdfuaid:part="1"' in xmp  # identified as PDF/UA-1
    assert "CreateDate" not in xmp and "/CreationDate" not in meta  # no wall clock


def _struct_figures(node: Any, found: list[dict[str, Any]]) -> None:
    node = node.get_object() if hasattr(node, "get_object") else node
    if isinstance(node, list):
        for child in node:
            _struct_figures(child, found)
        return
    if not hasattr(node, "get"):
        return
    if node.get("/S") == "/Figure":
        found.append({"alt": str(node.get("/Alt", ""))})
    kids = node.get("/K")
    if kids is not None:
        _struct_figures(kids, found)


def test_charts_are_tagged_figures_with_alternative_text(
    reports: dict[tuple[str, str], Path],
) -> None:
    reader = PdfReader(reports[("company", "zh-CN")])
    figures: list[dict[str, Any]] = []
    _struct_figures(reader.trailer["/Root"]["/StructTreeRoot"], figures)
    alts = [figure["alt"] for figure in figures]
    assert len(alts) >= 6  # logo + the charts
    assert all(alts), "every figure needs alternative text"
    assert any(alt.startswith("近八个季度各维度得分") for alt in alts)


@pytest.mark.parametrize(("scope", "language"), RENDERS)
def test_bookmarks_follow_the_headings(
    reports: dict[tuple[str, str], Path], scope: str, language: str
) -> None:
    outline = PdfReader(reports[(scope, language)]).outline
    top = [item.title for item in outline if not isinstance(item, list)]
    assert top == section_titles(language)
    assert any(isinstance(item, list) and item for item in outline)  # h3 below the chapters


def test_contents_links_point_inside_the_pdf(reports: dict[tuple[str, str], Path]) -> None:
    reader = PdfReader(reports[("company", "en")])
    annotations = [a.get_object() for a in reader.pages[1].get("/Annots", [])]
    links = [a for a in annotations if a.get("/Subtype") == "/Link"]
    assert {str(a["/Dest"]) for a in links} == {key for key, _title in SECTIONS}
    assert all("/A" not in a for a in links)  # named destinations inside, no web links
    destinations = reader.named_destinations
    assert {key for key, _title in SECTIONS} <= set(destinations)


@pytest.mark.parametrize("language", ["zh-CN", "en"])
def test_text_is_extractable_and_charts_are_vector(
    reports: dict[tuple[str, str], Path], language: str
) -> None:
    path = reports[("company", language)]
    text = flat("".join(page_texts(path)))
    _ = translations(language).gettext
    # Two company charts the small demo always draws (its branches are below the CSI's
    # coverage rule, so the branch chart is left out there, with the reason in the table).
    for chart_title in (_("Dimension scores over eight quarters"),
                        _("CSI and NPS over eight quarters")):  # fmt: skip
        assert flat(chart_title) in text  # chart text is text, not outlines
    reader = PdfReader(path)
    for page in reader.pages:
        xobjects = page.get("/Resources", {}).get("/XObject", {})
        for name in xobjects:
            assert xobjects[name].get_object().get("/Subtype") != "/Image", "raster image"


def test_branch_report_shows_its_rank(
    reports: dict[tuple[str, str], Path], results: pd.DataFrame
) -> None:
    text = flat("".join(page_texts(reports[("SC", "zh-CN")])))
    stored = results[(results["quarter"] == str(QUARTER)) & (results["metric"] == "csi")
                     & (results["flag"] != "suppressed")]  # fmt: skip
    branches = stored[~stored["scope"].str.contains(r"\.|company")].sort_values(
        ["value", "scope"], ascending=[False, True]
    )
    if "SC" in set(branches["scope"]):
        rank = list(branches["scope"]).index("SC") + 1
        assert f"在{len(branches)}家分公司中排名第{rank}" in text
    else:  # the small demo may leave Sichuan below the suppression threshold
        assert "四川分公司本季度不参与排名" in text


def test_no_missing_glyphs_or_renderer_warnings(
    reports: dict[tuple[str, str], Path], weasyprint_log: list[logging.LogRecord]
) -> None:
    messages = [record.getMessage() for record in weasyprint_log]
    assert not [m for m in messages if ".notdef" in m or "unsupported by fonts" in m]
    assert messages == []


def test_two_renders_of_the_same_inputs_are_byte_identical(
    reports: dict[tuple[str, str], Path], warehouse_url: str, tmp_path: Path
) -> None:
    again = render_scope(warehouse_url, str(QUARTER), "company", "zh-CN", str(tmp_path), "test-run")
    assert Path(again).read_bytes() == reports[("company", "zh-CN")].read_bytes()


def _render(
    results: pd.DataFrame, warehouse_url: str, scope: Scope, language: str, path: Path,
    settings: Any = None, findings: Findings | None = None,
) -> TemplateAssetFetcher:  # fmt: skip
    scopes = available_scopes(connect(warehouse_url))
    if findings is None:
        findings = Findings.from_store(
            read_findings(connect(warehouse_url), str(QUARTER), scope.code)
        )
    context = build_context(
        QUARTER, scope, language, results, load_item_bank(),
        settings or branded(load_settings(), connect(warehouse_url)),
        "test-run", scopes=scopes, findings=findings,
    )  # fmt: skip
    fetcher = TemplateAssetFetcher()
    html = render_html("assessment/report.html.j2", context, language)
    path.write_bytes(pdf_bytes(html, fetcher, path.name))
    return fetcher


def test_markup_in_the_data_is_printed_as_text_and_fetches_nothing(
    results: pd.DataFrame, warehouse_url: str, tmp_path: Path,
    weasyprint_log: list[logging.LogRecord],
) -> None:  # fmt: skip
    """A customer comment and a scope name carrying markup: literal text, no fetch at all."""
    quote = {"position": 1, "dimension": "claims", "sentiment": "negative",
             "quote_text": PAYLOAD, "source": "x"}  # fmt: skip
    stored = Findings.from_store(read_findings(connect(warehouse_url), str(QUARTER), "company"))
    findings = replace(stored, quotes=(quote,))
    scope = Scope("company", "company", "全公司" + PAYLOAD, "Company" + PAYLOAD)
    fetcher = _render(
        results, warehouse_url, scope, "en", tmp_path / "injected.pdf", findings=findings
    )
    assert fetcher.refused == []
    logo = (TEMPLATES_DIR / "brands" / "chengyuan" / "logo.svg").as_uri()
    assert sorted(fetcher.served) == sorted([logo, *STYLESHEET_ASSETS])
    text = flat("".join(page_texts(tmp_path / "injected.pdf")))
    assert flat(PAYLOAD) in text  # the quote, shown as the customer wrote it
    assert text.count(flat("Company" + PAYLOAD)) >= 3  # header, cover, charts
    assert not [r for r in weasyprint_log if "passwd" in r.getMessage() or "127.0.0.1" in
                r.getMessage()]  # fmt: skip


def _templates_digest() -> str:
    digest = hashlib.sha256()
    for path in sorted((TEMPLATES_DIR / "assessment").rglob("*")):
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()


def test_rebrand_needs_no_template_edit(
    results: pd.DataFrame, warehouse_url: str, tmp_path: Path
) -> None:
    before = _templates_digest()
    settings = load_settings()
    raw = copy.deepcopy(settings.raw)
    raw["report"]["brand"] = "hengtai"
    rebranded = dataclasses.replace(settings, raw=raw)
    company = Scope("company", "company", "全公司", "Company")
    fetcher = _render(results, warehouse_url, company, "zh-CN", tmp_path / "hengtai.pdf", rebranded)
    assert _templates_digest() == before
    logo = (TEMPLATES_DIR / "brands" / "hengtai" / "logo.svg").as_uri()
    assert sorted(fetcher.served) == sorted([logo, *STYLESHEET_ASSETS])
    pages = page_texts(tmp_path / "hengtai.pdf")
    assert "恒泰财产保险股份有限公司" in pages[0]
    assert "机密 · 仅供公司内部使用，未经许可不得外传" in pages[0]
    assert "澄远" not in "".join(pages)
    assert PdfReader(tmp_path / "hengtai.pdf").metadata.author == "恒泰财产保险股份有限公司"
