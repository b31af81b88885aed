"""Layout checks on a rendered report: how full each page is, and columns that are always empty.

WeasyPrint lays the HTML out into page boxes; a page's fill is how far down its content area
the lowest laid-out text, image or chart reaches. A page under a third full says nothing
unless it is the cover, the contents or the end of a chapter (the next page starts a new
chapter), and a chapter's end is not a few spilled lines (under a tenth of a page). A table
column whose every body cell is empty or "—" says nothing either.
"""

from __future__ import annotations

from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

MIN_FILL = 1 / 3
# A chapter's last page may be short, but not a few spilled lines on a page of their own.
MIN_END_FILL = 0.1
EMPTY_CELLS = frozenset({"", "—", "-"})


@dataclass(frozen=True)
class PageFill:
    """One laid-out page: its number (1-based), fill 0–1 and what kind of page it is."""

    number: int
    fill: float
    kind: str  # cover | contents | chapter_end | body

    @property
    def near_empty(self) -> bool:
        if self.kind == "chapter_end":
            return self.fill < MIN_END_FILL
        return self.kind == "body" and self.fill < MIN_FILL


def _classes(box: Any) -> set[str]:
    element = getattr(box, "element", None)
    return set((element.get("class") or "").split()) if element is not None else set()


def _page_facts(page_box: Any) -> tuple[float, bool, set[str]]:
    """Fill of one page box, whether a chapter heading (h2) starts on it, its section classes."""
    top = page_box.content_box_y()
    height = page_box.height
    lowest = top
    has_heading = False
    classes: set[str] = set()
    roots = [child for child in page_box.children if getattr(child, "element_tag", None) == "html"]
    for root in roots:
        for box in root.descendants():
            tag = getattr(box, "element_tag", None)
            if tag == "h2":
                has_heading = True
            if tag == "section":
                classes |= _classes(box)
            if getattr(box, "children", None):
                continue  # a leaf (text, image, inline chart) marks where content ends
            bottom = box.position_y + box.margin_height()
            if box.margin_height() > 0:
                lowest = max(lowest, bottom)
    return min(1.0, max(0.0, (lowest - top) / height)), has_heading, classes


def page_fills(document: Any) -> list[PageFill]:
    """The fill of every page of a rendered WeasyPrint document (`HTML(...).render()`)."""
    facts = [_page_facts(page._page_box) for page in document.pages]
    fills = []
    for index, (fill, _heading, classes) in enumerate(facts):
        next_starts_chapter = index + 1 >= len(facts) or facts[index + 1][1]
        if "cover" in classes and index == 0:
            kind = "cover"
        elif "contents" in classes:
            kind = "contents"
        elif next_starts_chapter:
            kind = "chapter_end"
        else:
            kind = "body"
        fills.append(PageFill(index + 1, fill, kind))
    return fills


@dataclass(frozen=True)
class EmptyColumn:
    """A rendered table column with no content in any body row."""

    table: str  # the table's class, caption or first header
    column: str  # the column's header


class _Tables(HTMLParser):
    """Tables as (name, headers, body rows of cell texts), nested tables kept apart."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[dict[str, Any]] = []
        self._stack: list[dict[str, Any]] = []
        self._cell: list[str] | None = None
        self._in_head = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self._stack.append(
                {"name": dict(attrs).get("class") or "", "headers": [], "rows": [], "row": None}
            )
        elif not self._stack:
            return
        elif tag == "thead":
            self._in_head = True
        elif tag == "tr":
            self._stack[-1]["row"] = []
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if not self._stack:
            return
        table = self._stack[-1]
        if tag in ("td", "th") and self._cell is not None:
            text = " ".join("".join(self._cell).split())
            if self._in_head:
                table["headers"].append(text)
            elif table["row"] is not None:
                table["row"].append(text)
            self._cell = None
        elif tag == "tr" and table["row"] is not None:
            if not self._in_head and table["row"]:
                table["rows"].append(table["row"])
            table["row"] = None
        elif tag == "thead":
            self._in_head = False
        elif tag == "table":
            self.tables.append(self._stack.pop())

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def empty_columns(html: str) -> list[EmptyColumn]:
    """Columns of the report's tables whose body cells are all empty or "—"."""
    parser = _Tables()
    parser.feed(html)
    found = []
    for table in parser.tables:
        rows = [row for row in table["rows"] if len(row) == len(table["headers"])]
        if not rows:
            continue
        for position, header in enumerate(table["headers"]):
            if all(row[position] in EMPTY_CELLS for row in rows):
                name = table["name"] or (table["headers"][0] if table["headers"] else "")
                found.append(EmptyColumn(name, header))
    return found
