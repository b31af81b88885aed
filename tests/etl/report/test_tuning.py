"""The renderer libraries' process-wide settings: same parse, same pattern, level-6 streams,
SVG labels drawn as one run."""

from __future__ import annotations

import gc
import re
import subprocess
import sys
import zlib
from collections.abc import Callable
from pathlib import Path

import pydyf
import pytest
import tinyhtml5
from tinyhtml5 import inputstream

from etl.report.tuning import (
    DEFLATE_LEVEL,
    _CharacterRuns,
    _whole_run,
    released_layouts,
    tune_renderer_libraries,
)


def test_character_runs_are_built_once_under_the_looked_up_key() -> None:
    cache = _CharacterRuns()
    until = cache[(("<", "&"), False)]
    assert until.match("ab&c").group(0) == "ab"
    spaces = cache[(frozenset(" \t"), True)]
    assert spaces.match("  \tx").group(0) == "  \t"
    assert cache[(("<", "&"), False)] is until  # a hit, not a rebuild
    assert len(cache) == 2


def test_tuned_libraries_parse_and_compress_as_before() -> None:
    html = '<p class="a b">x &amp; y</p><svg><path d="M 0 0 L 1 1"/></svg>'
    before = tinyhtml5.parse(html)
    tune_renderer_libraries()
    tune_renderer_libraries()  # twice is harmless
    assert isinstance(inputstream.characters_until_regex, _CharacterRuns)
    after = tinyhtml5.parse(html)
    assert [(e.tag, dict(e.attrib), e.text) for e in after.iter()] == [
        (e.tag, dict(e.attrib), e.text) for e in before.iter()
    ]
    stream = pydyf.Stream([b"0 0 m 1 1 l S"] * 50, compress=True)
    deflated = stream.data.split(b"stream\n", 1)[1].rsplit(b"\nendstream", 1)[0]
    assert zlib.decompress(deflated) == b"\n".join([b"0 0 m 1 1 l S"] * 50)
    expected = zlib.compressobj(DEFLATE_LEVEL)
    assert deflated == expected.compress(b"\n".join([b"0 0 m 1 1 l S"] * 50)) + expected.flush()


class _Node:
    """The part of WeasyPrint's SVG node the text drawing reads."""

    def __init__(self, text: str, **attributes: str) -> None:
        from xml.etree import ElementTree

        self._etree_node = ElementTree.Element("text", attributes)
        self._etree_node.text = text
        self.attrib = attributes

    def get(self, name: str, default: str | None = None) -> str | None:
        return self.attrib.get(name, default)


@pytest.mark.parametrize(
    ("text", "attributes", "drawn_as"),
    [
        ("近八个季度", {"x": "3", "y": "4"}, ["近八个季度"]),  # one place: one run
        ("71.5", {}, ["71.5"]),
        ("AB", {"x": "1 2", "y": "4"}, ["A", "B"]),  # a position per letter
        ("AB", {"x": "1", "dx": "2"}, ["A", "B"]),
        ("AB", {"x": "1", "rotate": "10"}, ["A", "B"]),
        ("AB", {"letter-spacing": "1"}, ["A", "B"]),
        ("AB", {"textLength": "20"}, ["A", "B"]),
        ("A", {"x": "1"}, ["A"]),
    ],
)
def test_svg_text_is_drawn_as_one_run_when_nothing_moves_its_letters(
    text: str, attributes: dict[str, str], drawn_as: list[str]
) -> None:
    seen: list[list[str]] = []

    def letter_by_letter(svg: object, node: _Node, font_size: float) -> None:
        seen.append(list(node._etree_node.text))  # WeasyPrint loops over the text's letters

    node = _Node(text, **attributes)
    _whole_run(letter_by_letter)(None, node, 8.0)
    assert seen == [drawn_as]
    assert type(node._etree_node.text) is str and node._etree_node.text == text  # restored


def test_weasyprint_finds_the_whole_run_text_for_every_text_tag() -> None:
    from weasyprint import svg

    tune_renderer_libraries()
    assert svg.TAGS["text"] is svg.TAGS["tspan"] is svg.TAGS["textPath"] is svg.text
    assert getattr(svg.text, "whole_run", False)


def test_a_chart_label_keeps_its_text_and_place_in_the_pdf(tmp_path: Path) -> None:
    """Drawn as one run, a label is still one searchable string where it was."""
    from etl.report.pdf import pdf_bytes

    html = (
        '<html lang="zh-CN"><body><svg width="300pt" height="60pt" viewBox="0 0 300 60">'
        '<text x="10" y="20" font-size="10px" font-family="Noto Sans CJK SC">客户满意度 CSI</text>'
        '<text x="110" y="50" font-size="10px" font-family="Noto Sans CJK SC">71.5</text>'
        "</svg></body></html>"
    )
    pdf = tmp_path / "label.pdf"
    pdf.write_bytes(pdf_bytes(html))
    words = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    found = re.findall(r'<word xMin="([0-9.]+)"[^>]*>([^<]+)</word>', words)
    assert [word for _, word in found] == ["客户满意度", "CSI", "71.5"]
    # 100 points apart, as placed (the page margin moves both)
    assert float(found[2][0]) - float(found[0][0]) == pytest.approx(100.0, abs=0.5)


# Settings that take split_first_line down each of its paths: hyphenation, spacing
# attributes, word breaking, tabs, decorations, font features, preserved white space.
_LINE_STYLES = [
    "",
    "hyphens: auto",
    "hyphens: manual; hyphenate-character: '~'; hyphenate-limit-chars: 4 2 2",
    "letter-spacing: 1px; word-spacing: 2px",
    "overflow-wrap: anywhere",
    "word-break: break-all",
    "text-decoration: underline line-through",
    "white-space: pre-wrap; tab-size: 3",
    "font-variant: small-caps; font-feature-settings: 'liga' 0; font-kerning: none",
    "direction: rtl; line-height: 2",
]
_LINE_TEXTS = [
    "客户满意度（CSI）较上季度提升3.5分，理赔时效改善。",
    "Customer\tsatisfaction improved in extraordinarily\xadlong quarters",
    "71.5",
]


def _text_styles() -> list[object]:
    """The computed style of a text in each of _LINE_STYLES, as WeasyPrint lays it out."""
    from etl.report.pdf import layout

    html = "".join(
        f'<p lang="en" style="width: 40px; {css}">{_LINE_TEXTS[1]}</p>' for css in _LINE_STYLES
    )
    document = layout(f"<html><body>{html}</body></html>")
    styles: dict[str, object] = {}

    def walk(box: object) -> None:
        if type(box).__name__ == "TextBox":
            styles.setdefault(str(box.element.get("style")), box.style)  # type: ignore[attr-defined]
        for child in getattr(box, "children", []):
            walk(child)

    for page in document.pages:
        walk(page._page_box)
    return [styles[f"width: 40px; {css}"] for css in _LINE_STYLES]


def _context() -> object:
    """The part of WeasyPrint's layout context line splitting reads: hyphenation dictionaries."""
    from types import SimpleNamespace

    return SimpleNamespace(dictionaries={})


class _Recording:
    """A computed style that notes the name of every property read from it."""

    def __init__(self, style: object, seen: set[str]) -> None:
        self._style, self._seen = style, seen

    def __getitem__(self, name: str) -> object:
        self._seen.add(name)
        return self._style[name]  # type: ignore[index]

    def get(self, name: str, default: object = None) -> object:
        self._seen.add(name)
        return self._style.get(name, default)  # type: ignore[attr-defined]

    def __getattr__(self, name: str) -> object:
        return getattr(self._style, name)


def test_content_widths_are_keyed_on_every_property_line_splitting_reads() -> None:
    from weasyprint.text.line_break import split_first_line

    from etl.report.tuning import LINE_BREAK_PROPERTIES

    seen: set[str] = set()
    for style in _text_styles():
        for text in _LINE_TEXTS:
            for max_width in (0, 25, None):
                split_first_line(
                    text, _Recording(style, seen), _context(), max_width, 0, minimum=True
                )
    assert seen <= set(LINE_BREAK_PROPERTIES), sorted(seen - set(LINE_BREAK_PROPERTIES))
    assert {"hyphens", "hyphenate_limit_chars", "letter_spacing", "tab_size"} <= seen


def test_remembered_content_widths_are_weasyprints_own() -> None:
    from weasyprint.text.line_break import split_first_line

    from etl.report.tuning import LINE_BREAK_PROPERTIES, _content_widths, _frozen

    calls: list[str] = []

    def counted(text: str, *args: object, **kwargs: object) -> object:
        calls.append(text)
        return split_first_line(text, *args, **kwargs)

    measured = _content_widths(counted)
    styles = _text_styles()
    for _ in range(2):
        for style in styles:
            for text in _LINE_TEXTS:
                for max_width in (0, 25, None):
                    own = split_first_line(text, style, _context(), max_width, 0, minimum=True)
                    remembered = measured(text, style, _context(), max_width, 0, minimum=True)
                    assert remembered[2:4] == own[2:4], (text, max_width)
    # measured once per text and style that differ in a property; the second round is answered
    distinct = {tuple(map(_frozen, (s[name] for name in LINE_BREAK_PROPERTIES))) for s in styles}
    assert len(calls) == len(distinct) * len(_LINE_TEXTS) * 3


def test_the_content_width_memo_is_installed_once_where_preferred_widths_are_found() -> None:
    from weasyprint.layout import preferred
    from weasyprint.text import line_break

    tune_renderer_libraries()
    installed = preferred.split_first_line
    tune_renderer_libraries()
    assert preferred.split_first_line is installed
    assert getattr(installed, "remembers_widths", False)
    assert line_break.split_first_line is not installed  # laying out lines is untouched


_REPORT_LIKE = (
    '<html lang="zh-CN"><body><h1 id="top">客户满意度</h1>'
    + "".join(f"<p>第{i}段：理赔时效改善，投诉下降。<a href='#top'>返回</a></p>" for i in range(40))
    + "<table>"
    + "".join(f"<tr><td>分公司{i}</td><td>{70 + i / 10:.1f}</td></tr>" for i in range(60))
    + '</table><svg width="100" height="40"><text x="5" y="20">71.5</text></svg></body></html>'
)


def _left_to_the_collector(write: Callable[[], bytes]) -> tuple[bytes, int]:
    """The PDF `write` makes and how many objects a full collection then finds unreachable."""
    gc.collect()
    gc.disable()
    try:
        pdf = write()
        return pdf, gc.collect()
    finally:
        gc.enable()


def test_a_written_report_is_freed_without_waiting_for_the_collector() -> None:
    import weasyprint

    from etl.report.pdf import _shared_resources, pdf_bytes

    pdf_bytes(_REPORT_LIKE)  # fonts, stylesheet and memos in place before counting
    stylesheet, fonts = _shared_resources()

    def unreleased() -> bytes:
        return weasyprint.HTML(string=_REPORT_LIKE).write_pdf(
            stylesheets=[stylesheet], font_config=fonts, pdf_variant="pdf/ua-1",
            pdf_identifier=b"report", optimize_images=False,
        )  # fmt: skip

    kept, left_kept = _left_to_the_collector(unreleased)
    released, left_released = _left_to_the_collector(lambda: pdf_bytes(_REPORT_LIKE))
    assert released == kept  # taken apart after writing: the same bytes
    assert left_released < left_kept / 3, (left_released, left_kept)


def test_only_contexts_built_inside_the_block_are_taken_apart_on_leaving_it() -> None:
    from etl.report.pdf import layout
    from etl.report.tuning import _BUILT_CONTEXTS

    with released_layouts():
        outer_noted = _BUILT_CONTEXTS.get()
        with released_layouts():
            inner_noted = _BUILT_CONTEXTS.get()
            layout(_REPORT_LIKE)
            assert len(inner_noted) == 1 and outer_noted == []  # the innermost block notes it
            assert vars(inner_noted[0])  # whole while inside
        assert vars(inner_noted[0]) == {}  # emptied on leaving
        layout(_REPORT_LIKE)
        assert len(outer_noted) == 1 and vars(outer_noted[0])
    assert vars(outer_noted[0]) == {}
    assert _BUILT_CONTEXTS.get() is None  # outside any block (the layout checks) nothing is
    assert layout(_REPORT_LIKE).write_pdf().startswith(b"%PDF")


# A fresh interpreter loads WeasyPrint one way or the other and prints how many programs it
# started (an audit hook counts them), whether it has the optional libraries, and the C
# libraries it mapped.
_LOAD = """
import re, sys
started = []
sys.addaudithook(lambda event, args: started.append(args) if event == "subprocess.Popen" else None)
if sys.argv[1] == "load_renderer":
    from etl.report.tuning import load_renderer
    load_renderer()
import weasyprint
from weasyprint.text import ffi
maps = open("/proc/self/maps").read()
library = r"/(lib(?:gobject|pango|harfbuzz|fontconfig)[\\w.+-]*\\.so[\\w.]*)$"
names = sorted(set(re.findall(library, maps, re.M)))
print(len(started), ffi.harfbuzz_subset is not None, ffi.harfbuzz_vector is not None, *names)
"""


def _loaded(way: str) -> tuple[int, list[str]]:
    printed = subprocess.run(
        [sys.executable, "-c", _LOAD, way], capture_output=True, text=True, check=True
    ).stdout.split()
    return int(printed[0]), printed[1:]


def test_load_renderer_maps_the_same_libraries_and_searches_only_for_a_missing_one() -> None:
    started_plain, plain = _loaded("plain")
    started, loaded = _loaded("load_renderer")
    assert loaded == plain
    assert any(name.startswith("libharfbuzz-subset") for name in loaded)  # the fast Chinese
    # Here WeasyPrint's search started 54 programs (ldconfig, gcc and ld, for each name
    # that is not a file); load_renderer searches once for an optional library it lacks.
    missing = loaded[:2].count("False")
    assert started_plain > 10
    assert started <= 3 * missing


# Where a library loads only through the search (as on another platform), load_renderer
# imports WeasyPrint again with it, and the renderer works.
_ONLY_BY_SEARCH = """
import ctypes.util
import logging
import cffi
logging.basicConfig(level=logging.INFO)
from etl.report import tuning
dlopen = cffi.FFI.dlopen
def by_search_only(self, name, flags=0):
    if "pango-1.0" in str(name) and ctypes.util.find_library is tuning._not_searched:
        raise OSError(f"{name}: not a file here")
    return dlopen(self, name, flags)
cffi.FFI.dlopen = by_search_only
tuning.load_renderer()
import weasyprint
print(weasyprint.HTML(string="<p>x</p>").write_pdf()[:5].decode())
"""


def test_load_renderer_searches_when_a_library_loads_only_through_the_search() -> None:
    printed = subprocess.run(
        [sys.executable, "-c", _ONLY_BY_SEARCH], capture_output=True, text=True, check=True
    )
    assert printed.stdout == "%PDF-\n"  # nothing else: not WeasyPrint's installation help
    assert "importing it again with one" in printed.stderr
