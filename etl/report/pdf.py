"""Jinja + WeasyPrint: one report context → one PDF, written atomically, fetching nothing else."""

from __future__ import annotations

import hashlib
import html as html_text
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import jinja2
import jinja2.bccache

from etl.core.config import TEMPLATES_DIR
from etl.report.i18n import number_filters, translations
from etl.report.tuning import load_renderer, released_layouts, tune_renderer_libraries

STYLESHEET = TEMPLATES_DIR / "assessment" / "report.css"
# Tagged PDF with the PDF/UA-1 identification (WeasyPrint 70 turns pdf_tags on for it).
PDF_VARIANT = "pdf/ua-1"

log = logging.getLogger(__name__)


class RenderError(RuntimeError):
    """A report that cannot be rendered; the message names the scope, language or asset."""


# How the report templates are compiled: part of the compiled-template cache's file names,
# so that code compiled under other options is never loaded.
_COMPILE_OPTIONS = {
    "autoescape": ("html", "j2", "xml"),
    "extensions": ("jinja2.ext.i18n",),
    "trim_blocks": True,
    "lstrip_blocks": True,
}


class CompiledTemplates(jinja2.FileSystemBytecodeCache):
    """The report templates compiled once per machine, not once per process.

    Compiling the report's template and partials took 0.2–0.3 s of each render process's
    first report (a pool worker's, a Celery task's). Jinja keys a compiled template on its
    name and checks its source and the Python version before using it; the file names
    carry Jinja's version and the compile options. A cache that cannot be read or written
    costs only the compile: the report never fails for it.
    """

    def __init__(self, directory: str | None = None) -> None:
        options = repr((jinja2.__version__, sorted(_COMPILE_OPTIONS.items())))
        digest = hashlib.sha256(options.encode()).hexdigest()[:16]
        super().__init__(directory, f"report-{digest}-%s.cache")

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except Exception as exc:  # unreadable (truncated, foreign): compile it instead
            log.debug("compiled template %s not loaded: %s", bucket.key, exc)
            bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError as exc:
            log.debug("compiled template %s not kept: %s", bucket.key, exc)


@cache
def compiled_templates() -> CompiledTemplates | None:
    """The machine's compiled report templates, in Jinja's private folder under the temporary
    directory; None (compile in every process) where that folder cannot be made or is unsafe."""
    try:
        return CompiledTemplates()
    except (OSError, RuntimeError) as exc:
        log.info("report templates are compiled in each process: %s", exc)
        return None


@cache
def environment(language: str) -> jinja2.Environment:
    """A Jinja environment with autoescape on, the language's catalog and number filters."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=jinja2.select_autoescape(_COMPILE_OPTIONS["autoescape"], default=True),
        undefined=jinja2.StrictUndefined,
        extensions=list(_COMPILE_OPTIONS["extensions"]),
        trim_blocks=_COMPILE_OPTIONS["trim_blocks"],
        lstrip_blocks=_COMPILE_OPTIONS["lstrip_blocks"],
        bytecode_cache=compiled_templates(),
    )
    env.install_gettext_translations(translations(language), newstyle=True)  # type: ignore[attr-defined]
    env.filters.update(number_filters(language))
    return env


def render_html(template: str, context: Mapping[str, Any], language: str) -> str:
    """The report's HTML for one scope and language."""
    return environment(language).get_template(template).render(**context, language=language)


# A chart as the report HTML carries it: one `<svg class="chart">` element written by
# etl.report.charts.svg.inline_svg (matplotlib writes no nested `<svg>`), and its `<title>`,
# which tagged PDF takes as the figure's alternative text.
_INLINE_CHART = re.compile(r'<svg\b[^>]*\bclass="chart"[^>]*>.*?</svg>', re.S)
_CHART_TITLE = re.compile(r"<title>(.*?)</title>", re.S)
CHART_SCHEME = "chart:"


@dataclass(frozen=True)
class DetachedCharts:
    """A report's HTML with each inline chart replaced by an image of it, and the images."""

    html: str
    images: dict[str, bytes]  # "chart:<digest of the SVG>" → the chart's SVG document


def detached_charts(html: str) -> DetachedCharts:
    """Each inline chart of the report HTML as an `<img>` of the same SVG, for WeasyPrint.

    The report HTML keeps its charts inline: it is one self-contained document. WeasyPrint,
    though, parses HTML in pure Python and gives every element a computed style, and a
    company report's charts are 71% of its HTML's characters and a third of its elements. As
    images they are parsed by ElementTree and skip the cascade, and they are drawn the same:
    the same pages to the pixel, the same text and the same tagged figures with the same
    alternative text (tests/etl/report/test_pdf.py). Measured in one process: 5% less time
    writing the PDF, 2–3% less for the whole report (bench/README.md).

    An image's URL is the digest of its SVG, so an image cache can never give one report
    another's chart; the fetcher serves these images and nothing else from outside the
    templates.
    """
    images: dict[str, bytes] = {}

    def image(match: re.Match[str]) -> str:
        svg = match.group(0)
        title = _CHART_TITLE.search(svg)
        alt = html_text.unescape(title.group(1)) if title else ""
        document = svg.encode("utf-8")
        url = CHART_SCHEME + hashlib.sha256(document).hexdigest()
        images[url] = document
        return f'<img class="chart" src="{url}" alt="{html_text.escape(alt, quote=True)}">'

    return DetachedCharts(_INLINE_CHART.sub(image, html), images)


class TemplateAssetFetcher:
    """WeasyPrint URL fetcher that serves files under report_templates/ and refuses all else.

    Text from the warehouse is escaped, but this is the second wall: even markup that got
    through could not make the renderer read a local file or call a server. The report's own
    charts (`charts`, from detached_charts) are served from memory by their exact URL.
    """

    # WeasyPrint 70 asks its fetcher whether a failed fetch stops the render: a refused URL
    # is logged and skipped, and the report still renders without it.
    _fail_on_errors = False

    def __init__(self, root: Path = TEMPLATES_DIR) -> None:
        self.root = root.resolve()
        self.charts: dict[str, bytes] = {}
        self.served: list[str] = []  # template assets
        self.refused: list[str] = []

    def __call__(self, url: str) -> Any:
        from weasyprint.urls import URLFetcherResponse

        if url in self.charts:
            return URLFetcherResponse(url, self.charts[url], {"Content-Type": "image/svg+xml"})
        parts = urlsplit(url)
        path = Path(unquote(parts.path)).resolve() if parts.scheme == "file" else None
        if path is None or not path.is_relative_to(self.root) or not path.is_file():
            self.refused.append(url)
            raise RenderError(f"refused to fetch {url!r}: only report template assets are served")
        self.served.append(url)
        media = {".css": "text/css", ".svg": "image/svg+xml", ".png": "image/png"}
        return URLFetcherResponse(
            url,
            path.read_bytes(),
            {"Content-Type": media.get(path.suffix, "application/octet-stream")},
        )

    fetch = __call__


@cache
def _shared_resources() -> tuple[Any, Any]:
    """The report stylesheet, parsed once per process, and the font configuration it uses.

    Every report of a run uses the same CSS; parsing it (and setting up fonts) once is
    what lets a worker render many scopes quickly.
    """
    load_renderer()
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

    tune_renderer_libraries()
    fonts = FontConfiguration()
    stylesheet = weasyprint.CSS(
        string=STYLESHEET.read_text(encoding="utf-8"),
        base_url=STYLESHEET.parent.as_uri() + "/",
        url_fetcher=TemplateAssetFetcher(),
        font_config=fonts,
    )
    return stylesheet, fonts


def pdf_bytes(
    html: str, fetcher: TemplateAssetFetcher | None = None, name: str = "report"
) -> bytes:
    """The PDF of a report's HTML: tagged (PDF/UA-1), fixed identifier, no dates.

    Same HTML, same bytes: the identifier is derived from `name`, WeasyPrint writes no
    creation date unless asked, and the charts carry no random ids.
    """
    stylesheet, fonts = _shared_resources()  # WeasyPrint is loaded from here on
    document = _document(html, fetcher or TemplateAssetFetcher())
    with released_layouts():  # the document is written and dropped: free it without the GC
        return document.write_pdf(
            stylesheets=[stylesheet],
            font_config=fonts,
            pdf_variant=PDF_VARIANT,
            pdf_identifier=name.encode("utf-8"),
            optimize_images=False,
        )


def render_pdf(html: str, name: str) -> bytes:
    """The PDF of a report's HTML; `name` (the file name) fixes its identifier.

    Bytes only: the publish stage writes them atomically (a temp file, then a rename).
    """
    return pdf_bytes(html, None, name)


def layout(html: str) -> Any:
    """The laid-out document (WeasyPrint pages and boxes) of a report's HTML, for the layout
    checks (etl.report.layout): same stylesheet and fonts as the PDF, nothing fetched."""
    stylesheet, fonts = _shared_resources()
    return _document(html, TemplateAssetFetcher()).render(
        stylesheets=[stylesheet], font_config=fonts
    )


def _document(html: str, fetcher: TemplateAssetFetcher) -> Any:
    """WeasyPrint's document of a report's HTML, its charts as images `fetcher` serves."""
    import weasyprint

    detached = detached_charts(html)
    fetcher.charts.update(detached.images)
    return weasyprint.HTML(
        string=detached.html,
        base_url=(TEMPLATES_DIR / "assessment").as_uri() + "/",
        url_fetcher=fetcher,
    )
