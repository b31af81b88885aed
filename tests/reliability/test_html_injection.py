"""Hostile values (branch names from the warehouse, the `reason` Param) in every HTML template."""

from __future__ import annotations

import datetime as dt
from html.parser import HTMLParser
from pathlib import Path

import pytest

from etl.core.config import TEMPLATES_DIR
from etl.core.scopes import Scope
from etl.delivery import ReportFile, build_message
from etl.delivery.messages import escapes
from etl.report.pdf import environment
from tests.etl.delivery.helpers import write_list

HOSTILE = [
    '<img src="http://tracker.example/p.gif">',
    "<script>fetch('file:///etc/passwd')</script>",
    '<a href="http://phish.example/login">查看报告</a>',
    '"><iframe src=//evil.example></iframe>',
    "{{ 7*7 }}",
]
ALLOWED_TAGS = {"html", "head", "meta", "title", "body", "div", "p", "strong", "table", "tr",
                "td", "hr"}  # fmt: skip


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.urls += [v or "" for k, v in attrs if k in {"src", "href", "action"} or k[:2] == "on"]


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_branch_name_and_reason_reach_the_html_mail_only_as_text(
    hostile: str, tmp_path: Path
) -> None:
    pdf = tmp_path / "SC.en.pdf"
    pdf.write_bytes(b"%PDF-1.7\n%%EOF\n")
    report = ReportFile(
        quarter="2026-Q3",
        scope=Scope("SC", "branch", f"四川{hostile}", f"Sichuan {hostile}"),
        language="en",
        path=pdf,
        checksum="0" * 64,
        revision=2,
        revision_reason=f"claims corrected {hostile}",
        revision_date=dt.date(2026, 10, 9),
    )
    distribution = write_list(tmp_path)
    (entry,) = distribution.for_scope("SC")
    message = build_message(report, entry, distribution, {"csi": 70.1}, distribution.sender)
    html = message.get_body(preferencelist=("html",)).get_content()
    parsed = _Tags()
    parsed.feed(html)
    assert parsed.tags <= ALLOWED_TAGS, parsed.tags - ALLOWED_TAGS
    assert parsed.urls == []  # no request leaves the mail client
    assert "{{" in html or "7*7" not in hostile  # a template in data stays text
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert hostile in text  # the plain part shows exactly what the warehouse says


@pytest.mark.parametrize(
    "template",
    sorted(str(p.relative_to(TEMPLATES_DIR)) for p in TEMPLATES_DIR.rglob("*.html.j2")),
)
def test_every_html_template_is_rendered_with_autoescape(template: str) -> None:
    if template.startswith("email/"):
        assert escapes(Path(template).name)
    elif template.startswith("assessment/"):
        assert environment("en").autoescape(template) is True  # type: ignore[operator]
    else:
        from etl.report.index import _index_environment

        assert _index_environment().autoescape is True
