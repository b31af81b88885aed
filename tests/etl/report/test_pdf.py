"""Rendering: complete catalogs, locale formats, autoescape, a fetcher serving only assets."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
import subprocess
from pathlib import Path

import jinja2
import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po
from PIL import Image, ImageChops
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject

from etl.report import pdf
from etl.report.charts.svg import inline_svg
from etl.report.i18n import number_filters, translations
from etl.report.pdf import (
    TEMPLATES_DIR,
    CompiledTemplates,
    DetachedCharts,
    RenderError,
    TemplateAssetFetcher,
    compiled_templates,
    detached_charts,
    environment,
    pdf_bytes,
    render_html,
    render_pdf,
)

ROOT = TEMPLATES_DIR.parent
PO_PATH = TEMPLATES_DIR / "locales" / "zh_Hans_CN" / "LC_MESSAGES" / "messages.po"
PLACEHOLDER = re.compile(r"%\([a-z_0-9]+\)s|\{[a-z_]+\}")


def _source_msgids() -> set[str]:
    """Every msgid the report code and templates use (the babel.cfg extraction)."""
    keywords = {**DEFAULT_KEYWORDS, "N_": None}  # pybabel's defaults plus -k N_
    found: set[str] = set()
    python = extract_from_dir(
        ROOT / "etl",
        method_map=[
            ("report/**.py", "python"),
            ("core/metrics.py", "python"),
            ("delivery/messages.py", "python"),
        ],
        keywords=keywords,
    )
    jinja = extract_from_dir(
        TEMPLATES_DIR,
        method_map=[("**.j2", "jinja2")],
        options_map={"**.j2": {"extensions": "jinja2.ext.i18n"}},
        keywords=keywords,
    )
    for _filename, _lineno, message, _comments, _context in [*python, *jinja]:
        found.add(message if isinstance(message, str) else message[0])
    return found


@pytest.fixture(scope="module")
def zh_catalog():  # type: ignore[no-untyped-def]
    with PO_PATH.open("rb") as handle:
        return read_po(handle, locale="zh_Hans_CN")


def test_every_msgid_has_a_chinese_translation(zh_catalog) -> None:  # type: ignore[no-untyped-def]
    used = _source_msgids()
    assert len(used) > 200  # the whole report, not a stub
    untranslated = sorted(
        msgid for msgid in used if not (zh_catalog.get(msgid) and zh_catalog.get(msgid).string)
    )
    assert untranslated == [], f"{PO_PATH}: msgids without msgstr {untranslated}"
    fuzzy = sorted(m.id for m in zh_catalog if m.id and m.fuzzy)
    assert fuzzy == [], f"{PO_PATH}: fuzzy entries {fuzzy}"
    unused = sorted(m.id for m in zh_catalog if m.id and m.id not in used)
    assert unused == [], f"{PO_PATH}: entries no template or code uses {unused}"


def test_translations_keep_every_placeholder(zh_catalog) -> None:  # type: ignore[no-untyped-def]
    broken = [
        message.id
        for message in zh_catalog
        if message.id
        and sorted(PLACEHOLDER.findall(message.id)) != sorted(PLACEHOLDER.findall(message.string))
    ]
    assert broken == []


@pytest.mark.parametrize(
    ("language", "kind", "args", "expected"),
    [
        ("zh-CN", "number", (3271.0, 0), "3,271"),
        ("en", "number", (71.14861, 1), "71.1"),
        ("zh-CN", "percent", (0.2535, 1), "25.4%"),
        ("en", "percent", (0.96691, 1), "96.7%"),
        ("en", "signed", (1.25, 1), "+1.2"),  # half to even, as Babel rounds
        ("en", "signed", (-2.04, 1), "−2.0"),
        ("en", "signed", (0.04, 1), "±0.0"),  # rounds to zero: no sign
        ("zh-CN", "number", (None, 1), "—"),
        ("zh-CN", "date", (dt.date(2026, 9, 30),), "2026年9月30日"),
        ("en", "date", (dt.date(2026, 9, 30),), "30 September 2026"),
    ],
)
def test_number_and_date_formats_follow_the_locale(
    language: str, kind: str, args: tuple[object, ...], expected: str
) -> None:
    assert number_filters(language)[kind](*args) == expected


@pytest.mark.parametrize(
    ("language", "msgid", "expected"),
    [
        ("zh-CN", "Page {page} of {pages}", "第 {page} 页 / 共 {pages} 页"),
        ("en", "Page {page} of {pages}", "Page {page} of {pages}"),
        ("zh-CN", "Q%(number)s %(year)s", "%(year)s年第%(number)s季度"),
    ],
)
def test_catalog_lookup(language: str, msgid: str, expected: str) -> None:
    assert translations(language).gettext(msgid) == expected


LOGO = TEMPLATES_DIR / "brands" / "chengyuan" / "logo.svg"


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        (TEMPLATES_DIR / ".." / "etl" / "config.py").as_uri(),  # climbs out of the templates
        (TEMPLATES_DIR / "brands" / "no-such-file.svg").as_uri(),
        "http://127.0.0.1:9/x",
        "https://example.com/logo.svg",
        "data:image/svg+xml;base64,PHN2Zy8+",
        "chart:" + "0" * 64,  # no such chart in this report
        "ftp://example.com/x",
    ],
)
def test_fetcher_refuses_everything_but_template_assets(url: str) -> None:
    fetcher = TemplateAssetFetcher()
    with pytest.raises(RenderError, match="refused to fetch"):
        fetcher(url)
    assert fetcher.refused == [url]
    assert fetcher.served == []


def test_fetcher_serves_a_template_asset() -> None:
    fetcher = TemplateAssetFetcher()
    response = fetcher(LOGO.as_uri())
    assert fetcher.served == [LOGO.as_uri()]
    assert response.headers["Content-Type"] == "image/svg+xml"


def test_autoescape_turns_markup_from_data_into_text() -> None:
    html = render_html("assessment/partials/macros.html.j2", {}, "en") + render_html(
        "assessment/partials/contents.html.j2",
        {
            "sections": [{"id": "summary", "title": '<img src="file:///etc/passwd">'}],
            "scope": {"name": "<script>alert(1)</script>"},
        },
        "en",
    )
    assert '<img src="file:///etc/passwd">' not in html
    assert "&lt;img src=&#34;file:///etc/passwd&#34;&gt;" in html
    assert "<script>" not in html


def test_second_wall_refuses_markup_that_got_through(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Even raw markup (bypassing autoescape) cannot make the renderer read a file or a server."""
    html = (
        '<html lang="en"><head><title>t</title></head><body><p>x</p>'
        '<img src="file:///etc/passwd" alt="a">'
        '<img src="http://127.0.0.1:9/x" alt="b">'
        '<link rel="stylesheet" href="https://example.com/x.css">'
        f'<img src="{LOGO.as_uri()}" alt="logo"></body></html>'
    )
    fetcher = TemplateAssetFetcher()
    with caplog.at_level(logging.ERROR, logger="weasyprint"):
        content = pdf_bytes(html, fetcher, "out.pdf")
    assert content.startswith(b"%PDF-")
    assert set(fetcher.refused) == {
        "file:///etc/passwd",
        "http://127.0.0.1:9/x",
        "https://example.com/x.css",
    }
    assert fetcher.served == [LOGO.as_uri()]


def test_render_pdf_gives_the_bytes_publish_writes() -> None:
    html = '<html lang="en"><head><title>t</title></head><body><p>x</p></body></html>'
    assert render_pdf(html, "a.pdf") == pdf_bytes(html, None, "a.pdf")


def test_pdf_bytes_are_repeatable() -> None:
    html = '<html lang="zh-CN"><head><title>标题</title></head><body><h2>摘要</h2></body></html>'
    assert pdf_bytes(html, name="x.pdf") == pdf_bytes(html, name="x.pdf")


def _templates_env(folder: Path, cache: CompiledTemplates) -> jinja2.Environment:
    """An environment as a new process builds one: its own loader, the cache on disk."""
    return jinja2.Environment(loader=jinja2.FileSystemLoader(folder), bytecode_cache=cache)


def _compiles(env: jinja2.Environment, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    compiled: list[str] = []
    compile_source = jinja2.Environment.compile

    def counting(self: jinja2.Environment, source: str, *args: object, **kwargs: object) -> object:
        compiled.append(source)
        return compile_source(self, source, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(jinja2.Environment, "compile", counting)
    return compiled


def test_compiled_templates_are_loaded_not_compiled_in_the_next_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    templates, cache = tmp_path / "templates", tmp_path / "compiled"
    templates.mkdir()
    cache.mkdir()
    (templates / "page.j2").write_text("{% for n in items %}<li>{{ n }}</li>{% endfor %}")
    compiled = _compiles(jinja2.Environment(), monkeypatch)
    first = _templates_env(templates, CompiledTemplates(str(cache)))
    assert first.get_template("page.j2").render(items=[1, 2]) == "<li>1</li><li>2</li>"
    assert len(compiled) == 1 and len(list(cache.iterdir())) == 1

    second = _templates_env(templates, CompiledTemplates(str(cache)))
    assert second.get_template("page.j2").render(items=[3]) == "<li>3</li>"
    assert len(compiled) == 1  # loaded from the cache

    (templates / "page.j2").write_text("{{ items | length }}")  # an edited template
    third = _templates_env(templates, CompiledTemplates(str(cache)))
    assert third.get_template("page.j2").render(items=[3, 4]) == "2"
    assert len(compiled) == 2


@pytest.mark.parametrize("damage", ["truncated", "unwritable"])
def test_a_damaged_template_cache_costs_only_the_compile(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage: str
) -> None:
    templates, cache = tmp_path / "templates", tmp_path / "compiled"
    templates.mkdir()
    cache.mkdir()
    (templates / "page.j2").write_text("{{ 6 * 7 }}")
    _templates_env(templates, CompiledTemplates(str(cache))).get_template("page.j2")
    if damage == "truncated":
        for kept in cache.iterdir():
            kept.write_bytes(kept.read_bytes()[:30])
    else:
        for kept in cache.iterdir():
            kept.unlink()
        monkeypatch.setattr(jinja2.FileSystemBytecodeCache, "dump_bytecode", _disk_full)
    compiled = _compiles(jinja2.Environment(), monkeypatch)
    env = _templates_env(templates, CompiledTemplates(str(cache)))
    assert env.get_template("page.j2").render() == "42"
    assert len(compiled) == 1


def _disk_full(self: object, bucket: object) -> None:
    raise OSError(28, "No space left on device")


def test_compile_options_name_the_cache_files() -> None:
    """Code compiled under other options (or another Jinja) lives under other names."""
    assert CompiledTemplates("/nonexistent").pattern.startswith("report-")
    assert environment("en").bytecode_cache is compiled_templates()


# A chart as the report carries it: matplotlib's kind of document through inline_svg, with
# Chinese text, a line and markup characters in its alternative text.
CHART = inline_svg(
    '<svg xmlns="http://www.w3.org/2000/svg" width="360pt" height="120pt" '
    'viewBox="0 0 360 120" version="1.1"><g id="figure_1">'
    '<path d="M 20 100 L 120 40 L 220 60 L 340 20" fill="none" stroke="#0072b2" '
    'stroke-width="2"/><text x="20" y="115" font-size="10">客户满意度 &amp; NPS</text>'
    "</g></svg>",
    "trend",
    'CSI "2026-Q3" & <NPS>',
)


def _report_with_a_chart() -> str:
    return (
        '<html lang="zh-CN"><head><title>t</title></head><body><h2>趋势</h2>'
        f'<figure class="chart">{CHART}</figure><p>注：n = 3,110</p>'
        '<svg width="10" height="10"><rect width="10" height="10"/></svg></body></html>'
    )


def test_each_chart_becomes_an_image_of_its_own_svg() -> None:
    html = _report_with_a_chart()
    detached = detached_charts(html)
    document = str(CHART).encode("utf-8")
    url = "chart:" + hashlib.sha256(document).hexdigest()
    assert detached.images == {url: document}
    assert (
        f'<img class="chart" src="{url}" alt="CSI &quot;2026-Q3&quot; &amp; &lt;NPS&gt;">'
        in detached.html
    )
    assert 'class="chart"' not in detached.html.replace('<img class="chart"', "").replace(
        '<figure class="chart"', ""
    )
    assert '<svg width="10" height="10">' in detached.html  # not a chart: stays inline
    assert detached_charts("<p>no chart</p>") == DetachedCharts("<p>no chart</p>", {})


def test_the_fetcher_serves_the_report_charts_and_keeps_them_out_of_served() -> None:
    detached = detached_charts(_report_with_a_chart())
    fetcher = TemplateAssetFetcher()
    fetcher.charts.update(detached.images)
    (url,) = detached.images
    assert fetcher(url).headers["Content-Type"] == "image/svg+xml"
    assert fetcher.served == [] and fetcher.refused == []


def _figure_alternatives(path: Path) -> list[str]:
    """The alternative text of every Figure in the PDF's structure tree, in order."""
    found: list[str] = []

    def walk(node: object) -> None:
        node = node.get_object() if hasattr(node, "get_object") else node
        if isinstance(node, ArrayObject):
            for child in node:
                walk(child)
        elif isinstance(node, DictionaryObject):
            if node.get("/S") == "/Figure":
                found.append(str(node.get("/Alt", "")))
            if "/K" in node:
                walk(node["/K"])

    walk(PdfReader(path).trailer["/Root"]["/StructTreeRoot"])
    return found


def _pages(
    content: bytes, folder: Path, name: str
) -> tuple[str, str, list[str], list[Image.Image]]:
    """What a reader gets from a PDF: its text, its tagged structure (with each figure's
    alternative text) and its pages at 100 dpi."""
    path = folder / f"{name}.pdf"
    path.write_bytes(content)

    def run(*command: str) -> str:
        return subprocess.run(command, capture_output=True, text=True, check=True).stdout

    run("pdftoppm", "-r", "100", "-png", str(path), str(folder / name))
    images = [Image.open(page).convert("RGB") for page in sorted(folder.glob(f"{name}-*.png"))]
    structure = run("pdfinfo", "-struct-text", str(path))
    return run("pdftotext", str(path), "-"), structure, _figure_alternatives(path), images


def test_a_chart_drawn_as_an_image_gives_the_page_it_gave_inline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    html = _report_with_a_chart()
    as_images = pdf_bytes(html, name="r.pdf")
    monkeypatch.setattr(pdf, "detached_charts", lambda html: DetachedCharts(html, {}))
    inline = pdf_bytes(html, name="r.pdf")
    text, structure, alternatives, pages = _pages(as_images, tmp_path, "images")
    inline_text, inline_structure, inline_alternatives, inline_pages = _pages(
        inline, tmp_path, "inline"
    )
    assert "客户满意度 & NPS" in text and text == inline_text
    assert structure.count("Figure") == 2 and structure == inline_structure
    assert alternatives[0] == 'CSI "2026-Q3" & <NPS>' and alternatives == inline_alternatives
    assert len(pages) == len(inline_pages) == 1
    assert ImageChops.difference(pages[0], inline_pages[0]).getbbox() is None
