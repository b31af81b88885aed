"""Process-wide settings of the PDF renderer's libraries that no option reaches, and how
they are loaded."""

from __future__ import annotations

import ctypes.util
import io
import logging
import re
import sys
import weakref
import zlib
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stdout
from contextvars import ContextVar
from typing import Any

log = logging.getLogger(__name__)

# pydyf deflates every content stream and font at level 9; level 6 (zlib's default) wrote
# the company report 0.7% larger in 15% less PDF-writing time, and the same input still
# gives the same bytes.
DEFLATE_LEVEL = 6


class _Deflate:
    """zlib as pydyf sees it, with compressobj's level fixed at DEFLATE_LEVEL."""

    def __getattr__(self, name: str) -> Any:
        return getattr(zlib, name)

    @staticmethod
    def compressobj(level: int = -1, *args: Any, **kwargs: Any) -> Any:
        return zlib.compressobj(DEFLATE_LEVEL, *args, **kwargs)


class _CharacterRuns(dict):
    """tinyhtml5's cache of "characters until" patterns, filled under the key it looks up.

    tinyhtml5 2.1 stores each pattern under the compiled pattern instead of the characters
    (a chained assignment), so it never finds one and rebuilds it for every token of the
    report's HTML (14,000 times). Answering a miss here stores it where the lookup goes.
    """

    def __missing__(self, key: tuple[Any, bool]) -> re.Pattern[str]:
        characters, opposite = key
        pattern = "".join(f"\\x{ord(character):02x}" for character in characters)
        compiled = re.compile(f"[{pattern}]+" if opposite else f"[^{pattern}]+")
        self[key] = compiled
        return compiled


class _OneRun(str):
    """A text that iterates as one piece: WeasyPrint's SVG text loop then sees one "letter"."""

    def __iter__(self) -> Any:
        yield str(self)


# Attributes that place or space the letters of an SVG text one by one.
_PER_LETTER = ("dx", "dy", "rotate", "letter-spacing", "textLength")


def _one_position(value: str | None) -> bool:
    return value is None or len(value.replace(",", " ").split()) <= 1


def _whole_run(letter_by_letter: Any) -> Any:
    """WeasyPrint's SVG `<text>` drawing, one Pango layout per text instead of per letter.

    WeasyPrint 70 lays out, measures and draws every character of an SVG text on its own
    (so that per-letter x, dx or rotate lists can move each one): a chart's 360 labels cost
    2,100 layouts, a tenth of a report's render. A text placed at one point, with nothing
    that moves its letters, is drawn the same as one run; it keeps the font's kerning, as
    matplotlib measured it. Any other text is drawn letter by letter, as before.
    """

    def text(svg: Any, node: Any, font_size: float) -> Any:
        element = node._etree_node
        content = element.text
        if (
            content is None
            or len(content) < 2
            or any(name in node.attrib for name in _PER_LETTER)
            or not _one_position(node.get("x"))
            or not _one_position(node.get("y"))
        ):
            return letter_by_letter(svg, node, font_size)
        element.text = _OneRun(content)
        try:
            return letter_by_letter(svg, node, font_size)
        finally:
            element.text = content

    text.whole_run = True  # type: ignore[attr-defined]
    return text


# Every computed property WeasyPrint 70's split_first_line reads, itself or through what it
# calls (the Pango layout's set-up, font description and features, line size, hyphenation):
# two texts alike in these and in the call's own arguments break and measure alike.
LINE_BREAK_PROPERTIES = (
    "direction", "font_family", "font_feature_settings", "font_kerning",
    "font_language_override", "font_size", "font_stretch", "font_style",
    "font_variant_alternates", "font_variant_caps", "font_variant_east_asian",
    "font_variant_ligatures", "font_variant_numeric", "font_variant_position",
    "font_variation_settings", "font_weight", "hyphenate_character", "hyphenate_limit_chars",
    "hyphenate_limit_zone", "hyphens", "lang", "letter_spacing", "line_height",
    "overflow_wrap", "tab_size", "text_decoration_line", "white_space", "word_break",
    "word_spacing",
)  # fmt: skip
# Measured lines kept per font configuration: the 13 demo scopes in both languages ask
# 18,400 distinct ones, about 7 MB; past the limit the memo starts again.
CONTENT_WIDTHS_LIMIT = 50_000


def _frozen(value: Any) -> Any:
    """A property's value as a key: text-decoration-line, a set, as a frozenset."""
    return frozenset(value) if type(value) is set else value


def _content_widths(split_first_line: Any) -> Any:
    """WeasyPrint's line splitting for content widths, remembered per font configuration.

    A table's column widths start from each cell's narrowest and widest content. WeasyPrint
    finds the narrowest by splitting the text at every break opportunity, one Pango layout
    per split, and Chinese can break after every character: a company report made 6,700
    layouts for it, a tenth of its render. Half of them repeat a text in the same font and
    setting (a header, a quarter, a score), and most of a second report's do. Only the
    line's width and where the next one starts are read here, so only they are kept.
    """
    memo: weakref.WeakKeyDictionary[Any, dict[tuple[Any, ...], tuple[Any, Any]]]
    memo = weakref.WeakKeyDictionary()

    def measured(text: str, style: Any, context: Any, max_width: Any, justification_spacing: Any,
                 is_line_start: bool = True, minimum: bool = False) -> Any:  # fmt: skip
        try:
            lines = memo.setdefault(style.font_config, {})
            key = (text, max_width, justification_spacing, is_line_start, minimum,
                   *map(_frozen, (style[name] for name in LINE_BREAK_PROPERTIES)))  # fmt: skip
            found = lines.get(key)
        except TypeError:  # a value that cannot be a key: measure as WeasyPrint does
            return split_first_line(text, style, context, max_width, justification_spacing,
                                    is_line_start, minimum)  # fmt: skip
        if found is None:
            _, _, resume_index, width, _, _ = split_first_line(
                text, style, context, max_width, justification_spacing, is_line_start, minimum
            )
            if len(lines) >= CONTENT_WIDTHS_LIMIT:
                lines.clear()
            found = lines[key] = (resume_index, width)
        return None, None, found[0], found[1], None, None

    measured.remembers_widths = True  # type: ignore[attr-defined]
    return measured


# The layout contexts built inside the innermost released_layouts() block, if any.
_BUILT_CONTEXTS: ContextVar[list[Any] | None] = ContextVar("built_layout_contexts", default=None)


@contextmanager
def released_layouts() -> Iterator[None]:
    """Take apart, on leaving, every WeasyPrint layout context built inside.

    A layout context and its target collector hold each other (and the collector's
    callbacks hold it), and through them hang a report's 20,000 computed styles and their
    cascaded values: two thirds of the 320,000 objects a company report leaves behind.
    Held by a cycle, all of them wait for the collector, which walks each one (a third of
    a second a report). Emptied once the PDF is written, the two let go and those objects
    are freed at once as their last reference goes; the collector walks the rest.
    Only for a document that is finished with: nothing inside may be laid out again.
    """
    built: list[Any] = []
    token = _BUILT_CONTEXTS.set(built)
    try:
        yield
    finally:
        _BUILT_CONTEXTS.reset(token)
        for context in built:
            collector = getattr(context, "target_collector", None)
            if collector is not None and hasattr(collector, "__dict__"):
                vars(collector).clear()
            vars(context).clear()


def _noting_contexts(build: Any) -> Any:
    """Document._build_layout_context that notes what it builds for released_layouts()."""

    def built(cls: Any, *args: Any, **kwargs: Any) -> Any:
        context = build(cls, *args, **kwargs)
        noted = _BUILT_CONTEXTS.get()
        if noted is not None:
            noted.append(context)
        return context

    built.notes_contexts = True  # type: ignore[attr-defined]
    return classmethod(built)


def tune_renderer_libraries() -> None:
    """Apply the settings once per process; a library version without the hook is left as is."""
    import pydyf
    from tinyhtml5 import inputstream
    from weasyprint import svg
    from weasyprint.document import Document
    from weasyprint.layout import preferred

    if getattr(pydyf, "zlib", None) is zlib:
        pydyf.zlib = _Deflate()  # type: ignore[attr-defined]
    cache = getattr(inputstream, "characters_until_regex", None)
    if type(cache) is dict:
        inputstream.characters_until_regex = _CharacterRuns(cache)
    letter_by_letter = svg.TAGS.get("text")
    if letter_by_letter is not None and not getattr(letter_by_letter, "whole_run", False):
        # draw_node compares a node's drawing function with the module's `text` to find text
        # nodes (anchors, bounding boxes): both names must point at the same function.
        whole_run = _whole_run(letter_by_letter)
        for tag, function in list(svg.TAGS.items()):
            if function is letter_by_letter:
                svg.TAGS[tag] = whole_run
        if getattr(svg, "text", None) is letter_by_letter:
            svg.text = whole_run  # type: ignore[attr-defined]
    split = getattr(preferred, "split_first_line", None)
    if split is not None and not getattr(split, "remembers_widths", False):
        # preferred.py reads only the width and the next line's start of each split.
        preferred.split_first_line = _content_widths(split)  # type: ignore[attr-defined]
    build = Document.__dict__.get("_build_layout_context")
    if isinstance(build, classmethod) and not getattr(build.__func__, "notes_contexts", False):
        Document._build_layout_context = _noting_contexts(build.__func__)  # type: ignore[method-assign]


# The libraries WeasyPrint may do without; loaded by file name or not at all, they are
# looked for once more by a search, in case only the search finds them.
OPTIONAL_LIBRARIES = ("harfbuzz-subset", "harfbuzz-vector")


def _not_searched(name: str) -> None:
    """ctypes.util.find_library that finds nothing: the library is loaded by its file name."""
    return None


def load_renderer() -> None:
    """Import WeasyPrint without searching for its libraries; once per process.

    WeasyPrint tries six names for each of its seven C libraries, Windows and macOS names
    first. cffi hands each name that is not a loadable file to ctypes.util.find_library,
    which runs ldconfig, gcc and ld to look for it: 54 programs started on Debian, 0.4–0.5 s
    of every render process's start. With the search answering nothing, each library loads
    by its Linux file name (libpango-1.0.so.0), the same file as before. Where a library
    loads only through the search (another platform), the import fails or leaves an
    optional library out; WeasyPrint is then imported again with the search.
    """
    if "weasyprint" in sys.modules:
        return
    search = ctypes.util.find_library
    ctypes.util.find_library = _not_searched
    try:
        # WeasyPrint prints its installation help before raising; here it is not the end.
        with redirect_stdout(io.StringIO()):
            from weasyprint.text import ffi
    except OSError:
        ffi = None
    finally:
        ctypes.util.find_library = search
    if ffi is not None and all(
        getattr(ffi, name.replace("-", "_")) is not None or search(name) is None
        for name in OPTIONAL_LIBRARIES
    ):
        return
    log.info("WeasyPrint's libraries need a search here: importing it again with one")
    for module in [name for name in sys.modules if name.partition(".")[0] == "weasyprint"]:
        del sys.modules[module]
    import weasyprint.text.ffi  # noqa: F401
