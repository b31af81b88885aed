"""matplotlib's point markers (one `<use>` per point) redrawn as one path per series; round
markers as round-capped dots."""

from __future__ import annotations

import math
import re
from xml.etree import ElementTree

_SVG = "http://www.w3.org/2000/svg"
_XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
_USE = f"{{{_SVG}}}use"
_PATH = f"{{{_SVG}}}path"

# Only commands whose every argument is an absolute (x, y) pair can be moved by adding the
# point's offset; matplotlib writes its markers with exactly these.
_PAIR_COMMANDS = frozenset("MLCQST")
_TOKEN = re.compile(r"[A-Za-z]|[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


def expand_markers(root: ElementTree.Element) -> None:
    """Replace each run of sibling `<use>` of one marker, drawn alike, by one `<path>`.

    A line with markers is written as a marker shape in `<defs>` and a `<use x= y=>` per
    point; the renderer resolves and draws every `use` in Python, which made markers a tenth
    of a report's drawing time. One path whose subpaths are the shape moved to each point
    draws the same pixels: the points of one series share fill and stroke, the fill and the
    stroke are one opaque colour (so drawing all fills before all strokes changes nothing
    where two markers overlap), and nonzero filling of same-direction circles is their union.
    """
    shapes = {
        element.get("id"): element
        for defs in root.iter(f"{{{_SVG}}}defs")
        for element in defs
        if element.tag == _PATH and element.get("id")
    }
    for parent in list(root.iter()):
        children: list[ElementTree.Element] = []
        run: list[ElementTree.Element] = []
        for child in [*parent, None]:
            if child is not None and run and _same_marker(run[0], child):
                run.append(child)
                continue
            if run:
                children.extend(_as_path(run, shapes))
            run = [child] if child is not None and child.tag == _USE else []
            if child is not None and not run:
                children.append(child)
        parent[:] = children


def _same_marker(first: ElementTree.Element, other: ElementTree.Element) -> bool:
    """`other` is a `use` of the same shape with the same attributes but its position."""
    return other.tag == _USE and _drawing(first) == _drawing(other)


def _drawing(element: ElementTree.Element) -> dict[str, str]:
    return {k: v for k, v in element.attrib.items() if k not in ("x", "y")}


def _as_path(
    run: list[ElementTree.Element], shapes: dict[str | None, ElementTree.Element]
) -> list[ElementTree.Element]:
    """One path drawing every marker of `run`, or `run` as it is when that is not exact."""
    href = run[0].get(_XLINK_HREF, run[0].get("href", ""))
    shape = shapes.get(href[1:]) if href.startswith("#") else None
    if shape is None:
        return run
    attributes = {k: v for k, v in run[0].attrib.items() if k not in ("x", "y", _XLINK_HREF)}
    # The shape's own attributes win over those it inherits from its `use`.
    attributes.update({k: v for k, v in shape.attrib.items() if k not in ("d", "id")})
    tokens = _TOKEN.findall(shape.get("d", ""))
    if not _exact(attributes, tokens):
        return run
    path = ElementTree.Element(_PATH)
    radius = _circle_radius(tokens)
    if radius is None:
        path.set("d", " ".join(_moved(tokens, _offset(use)) for use in run))
    else:
        attributes = _as_dot(attributes, radius)
        path.set("d", " ".join(_dot(_offset(use)) for use in run))
    for name, value in attributes.items():
        path.set(name, value)
    return [path]


def _circle_radius(tokens: list[str]) -> float | None:
    """The radius of matplotlib's circle marker (eight Bézier arcs about the origin), else None.

    Every point the outline passes through lies at one distance from the marker's centre.
    """
    letters = [token for token in tokens if token.isalpha()]
    if letters[:1] != ["M"] or letters[-1:] not in (["z"], ["Z"]):
        return None
    if set(letters[1:-1]) != {"C"} or len(letters) - 2 < 4:
        return None
    numbers = [float(token) for token in tokens if not token.isalpha()]
    points = list(zip(numbers[0::2], numbers[1::2], strict=True))
    on_curve = [points[0], *points[3::3]]  # the start, then each arc's end point
    radii = [math.hypot(x, y) for x, y in on_curve]
    radius = radii[0]
    if radius <= 0 or any(abs(r - radius) > 1e-3 * radius for r in radii):
        return None
    return radius


def _as_dot(attributes: dict[str, str], radius: float) -> dict[str, str]:
    """A filled and outlined circle as one round-capped stroke of a zero-length line.

    The disc's diameter is the circle's plus its outline's width; a renderer lays out one
    short segment instead of eight curves, so a report's 300 markers draw in a tenth of the
    time and look the same.
    """
    outline = float(attributes.get("stroke-width", "1"))
    dot = {k: v for k, v in attributes.items() if k not in ("fill", "stroke-width")}
    dot["fill"] = "none"
    dot["stroke"] = attributes.get("fill", "#000000")
    dot["stroke-width"] = _number(2 * radius + outline)
    dot["stroke-linecap"] = "round"
    return dot


def _dot(offset: tuple[float, float]) -> str:
    # A segment of a thousandth of a point: some viewers draw nothing for a zero-length one.
    return f"M {_number(offset[0])} {_number(offset[1])} h 0.001"


def _exact(attributes: dict[str, str], tokens: list[str]) -> bool:
    """Whether one path draws what the separate markers drew (see expand_markers)."""
    if any("opacity" in name or name in ("transform", "clip-path") for name in attributes):
        return False
    if attributes.get("stroke", "none") not in ("none", attributes.get("fill", "#000000")):
        return False
    letters = {token for token in tokens if token.isalpha()}
    return bool(tokens) and tokens[0] == "M" and letters <= _PAIR_COMMANDS | {"z", "Z"}


def _offset(use: ElementTree.Element) -> tuple[float, float]:
    return float(use.get("x", "0")), float(use.get("y", "0"))


def _moved(tokens: list[str], offset: tuple[float, float]) -> str:
    """The path's absolute coordinates moved by `offset`, written as matplotlib writes them."""
    parts: list[str] = []
    axis = 0
    for token in tokens:
        if token.isalpha():
            parts.append(token)
            axis = 0
            continue
        parts.append(_number(float(token) + offset[axis]))
        axis = 1 - axis
    return " ".join(parts)


def _number(value: float) -> str:
    text = f"{value:f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text
