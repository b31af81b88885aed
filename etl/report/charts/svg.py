"""matplotlib's SVG made safe and small for inline use in the report HTML."""

from __future__ import annotations

import re
from xml.etree import ElementTree
from xml.sax.saxutils import escape, quoteattr

from markupsafe import Markup

from etl.report.charts.markers import expand_markers

_SVG_NS_ATTRIBUTES = {
    "font-size",
    "font-family",
    "font-weight",
    "font-style",
    "text-anchor",
    "fill",
    "fill-opacity",
    "stroke",
    "stroke-width",
    "stroke-linecap",
    "stroke-linejoin",
    "stroke-dasharray",
    "stroke-dashoffset",
    "stroke-miterlimit",
    "stroke-opacity",
    "opacity",
    "clip-path",
}


_SVG = "http://www.w3.org/2000/svg"


_XLINK_HREF = "{http://www.w3.org/1999/xlink}href"


_REFERENCE = re.compile(r"url\(#([^)]+)\)")


_NO_ROTATION = re.compile(r"rotate\(-?0 [-0-9.e ]+\)")


_NUMBER = r"-?[0-9.]+(?:e-?[0-9]+)?"
_TRANSLATION = re.compile(rf"translate\(({_NUMBER}) ({_NUMBER})\)")


def _declarations(style: str) -> list[tuple[str, str]]:
    """`fill: #fff; stroke: none` → [("fill", "#fff"), ("stroke", "none")] for SVG properties."""
    pairs = []
    for declaration in style.split(";"):
        if ":" in declaration:
            name, value = (part.strip() for part in declaration.split(":", 1))
            if name in _SVG_NS_ATTRIBUTES:
                pairs.append((name, value))
    return pairs


def _unwrap_groups(element: ElementTree.Element, referenced: set[str]) -> None:
    """Lift the children of groups that carry nothing but an id into their parent.

    matplotlib nests every tick, line and label in its own `<g id=…>`; the renderer
    draws each node in Python, so the empty wrappers cost time and nothing else.
    """
    children: list[ElementTree.Element] = []
    for child in element:
        _unwrap_groups(child, referenced)
        plain = set(child.attrib) <= {"id"} and child.get("id") not in referenced
        children.extend(list(child) if child.tag == f"{{{_SVG}}}g" and plain else [child])
    element[:] = children


def _merge_strokes(element: ElementTree.Element) -> None:
    """Join runs of sibling stroke-only paths drawn alike into one path of many subpaths.

    matplotlib writes every grid line, tick and spine as its own `<path>`; one path with
    the same stroke draws the same pixels (each subpath starts with an absolute move) and
    the renderer walks one node instead of dozens. Only opaque, unfilled paths without an
    id are joined, so no overlap can change how the strokes blend.
    """
    children: list[ElementTree.Element] = []
    for child in element:
        _merge_strokes(child)
        previous = children[-1] if children else None
        if (
            previous is not None
            and _joinable(child)
            and _joinable(previous)
            and _style(child) == _style(previous)
        ):
            previous.set("d", f"{previous.get('d')} {child.get('d')}")
            continue
        children.append(child)
    element[:] = children


def _joinable(element: ElementTree.Element) -> bool:
    """A stroke-only, opaque, unnamed path with an absolute first move."""
    return (
        element.tag == f"{{{_SVG}}}path"
        and len(element) == 0
        and element.get("fill") == "none"
        and "id" not in element.attrib
        and element.get("d", "").startswith("M")
        and not any("opacity" in name for name in element.attrib)
    )


def _style(element: ElementTree.Element) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((k, v) for k, v in element.attrib.items() if k != "d"))


def inline_svg(raw: str, key: str, alt: str) -> Markup:
    """matplotlib's SVG document → an `<svg>` element safe to place in the report HTML.

    Drops the prolog, metadata and the `<style>` block (which would otherwise style the
    whole HTML page), turns style attributes into SVG presentation attributes (the HTML
    cascade would read and warn about them), unwraps empty groups, keeps only the ids
    something refers to, prefixed with the chart key so charts can share a page, and adds
    a `<title>` that tagged PDF uses as the figure's alternative text.
    """
    root = ElementTree.fromstring(raw[raw.index("<svg") :])
    _remove(root, (f"{{{_SVG}}}metadata", f"{{{_SVG}}}style"))
    _presentation_attributes(root)
    expand_markers(root)
    referenced = _references(root)
    _remove_unreferenced_definitions(root, referenced)
    _unwrap_groups(root, referenced)
    _merge_strokes(root)
    _remove(root, (f"{{{_SVG}}}defs",), only_empty=True)
    _prefix_ids(root, key, referenced)
    title = ElementTree.Element(f"{{{_SVG}}}title")
    title.text = alt
    root.insert(0, title)
    root.set("class", "chart")
    root.set("stroke-linejoin", "round")
    root.set("stroke-linecap", "butt")
    root.set("xmlns", _SVG)
    return Markup(_serialise(root))


def _remove(root: ElementTree.Element, tags: tuple[str, ...], only_empty: bool = False) -> None:
    """Drop every element with one of `tags` (only childless ones with `only_empty`)."""
    for parent in list(root.iter()):
        for child in list(parent):
            if child.tag in tags and (not only_empty or len(child) == 0):
                parent.remove(child)


def _presentation_attributes(root: ElementTree.Element) -> None:
    """Style declarations become attributes; a no-op `rotate(-0 …)` transform is dropped, and
    a text moved by a translation alone is placed with x and y instead.

    matplotlib writes a transform on every label, and the renderer parses and applies each one.
    """
    for element in root.iter():
        for name, value in _declarations(element.attrib.pop("style", "")):
            element.set(name, value)
        transform = element.get("transform", "")
        if _NO_ROTATION.fullmatch(transform):
            del element.attrib["transform"]
        elif (
            element.tag == f"{{{_SVG}}}text"
            and (moved := _TRANSLATION.fullmatch(transform))
            and not {"x", "y"} & set(element.attrib)
        ):
            del element.attrib["transform"]
            element.set("x", moved.group(1))
            element.set("y", moved.group(2))


def _references(root: ElementTree.Element) -> set[str]:
    """The ids something refers to (a `use` or a `url(#…)`)."""
    referenced: set[str] = set()
    for element in root.iter():
        href = element.get(_XLINK_HREF, "")
        if href.startswith("#"):
            referenced.add(href[1:])
        for value in element.attrib.values():
            referenced.update(_REFERENCE.findall(value))
    return referenced


def _remove_unreferenced_definitions(root: ElementTree.Element, referenced: set[str]) -> None:
    """Drop the shapes in `<defs>` nothing refers to any more (markers drawn as paths)."""
    for defs in root.iter(f"{{{_SVG}}}defs"):
        for child in list(defs):
            if child.get("id") not in referenced:
                defs.remove(child)


def _prefix_ids(root: ElementTree.Element, key: str, referenced: set[str]) -> None:
    """Keep only referenced ids, prefixed with the chart key so charts can share a page."""
    for element in root.iter():
        if element.text is not None and not element.text.strip():
            element.text = None
        element.tail = None
        identifier = element.attrib.pop("id", None)
        if identifier in referenced:
            element.set("id", f"{key}-{identifier}")
        # SVG 2's plain `href`: no xlink prefix to declare (ElementTree's prefix registry is
        # global, and WeasyPrint rewrites it on import).
        href = element.attrib.pop(_XLINK_HREF, "")
        if href.startswith("#"):
            element.set("href", f"#{key}-{href[1:]}")
        for name, value in list(element.attrib.items()):
            if "url(#" in value:
                element.set(name, _REFERENCE.sub(lambda m: f"url(#{key}-{m.group(1)})", value))


def _serialise(element: ElementTree.Element) -> str:
    """Elements without namespace prefixes, as inline SVG in HTML is written.

    (ElementTree's own writer takes prefixes from a process-wide registry that other
    libraries change, WeasyPrint among them: `ns0:svg` would be no SVG in HTML.)
    """
    name = element.tag.rpartition("}")[2]
    attributes = "".join(f" {key}={quoteattr(value)}" for key, value in element.attrib.items())
    children = "".join(_serialise(child) for child in element)
    text = escape(element.text or "")
    if not children and not text:
        return f"<{name}{attributes}/>"
    return f"<{name}{attributes}>{text}{children}</{name}>"
