"""Characters of real names (CJK Extension B) and emoji print as themselves, never as boxes."""

from __future__ import annotations

import io
import subprocess

import pytest
from pypdf import PdfReader

from etl.report.pdf import render_pdf

NAMES = ["赵𠀀", "钱𪚥", "孙𡈽", "李😀", "周🙏"]


@pytest.mark.parametrize("character", sorted({ch for name in NAMES for ch in name}))
def test_an_installed_font_has_the_glyph(character: str) -> None:
    found = subprocess.run(
        ["fc-list", f":charset={ord(character):x}", "family"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert found.strip(), f"no font covers U+{ord(character):04X} {character}: it would be a box"


def test_names_render_and_copy_back_as_the_same_characters() -> None:
    html = (
        '<html lang="zh-CN"><body style="font-family: \'Noto Sans CJK SC\', sans-serif">'
        + "".join(f"<p>{name}</p>" for name in NAMES)
        + "</body></html>"
    )
    text = "".join(
        page.extract_text() for page in PdfReader(io.BytesIO(render_pdf(html, "t"))).pages
    )
    for name in NAMES:
        assert name in text
