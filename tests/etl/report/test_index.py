"""The reports index page: names escaped, unreadable manifests skipped."""

from __future__ import annotations

import json
from pathlib import Path

from etl import publish
from etl.report.index import render_index


def test_index_escapes_names_and_skips_unreadable_manifests(tmp_path: Path) -> None:
    (tmp_path / "2026-Q2").mkdir()
    (tmp_path / "2026-Q2" / "manifest.json").write_text("{not json", encoding="utf-8")
    (tmp_path / "drafts").mkdir()
    manifest = {
        "quarter": "2026-Q3",
        "runs": ["r1"],
        "scope_names": {"SC": {"zh": "<script>alert(1)</script>", "en": "Sichuan"}},
        "headline": {"SC": {"csi": 70.06}},
        "files": [
            {"path": "SC.zh-CN.pdf", "scope": "SC", "language": "zh-CN", "current": True,
             "revision_label": "v1", "sha256": "ab", "delivery": {"status": "delivered"}},
        ],
    }  # fmt: skip
    (tmp_path / "2026-Q3").mkdir()
    (tmp_path / "2026-Q3" / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")

    manifests = publish.read_manifests(tmp_path)
    html = render_index(manifests)

    assert [m["quarter"] for m in manifests] == ["2026-Q3"]
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    assert 'href="2026-Q3/SC.zh-CN.pdf"' in html and "70.1" in html


def test_index_links_the_workbook_and_says_why_a_quarter_is_stale() -> None:
    manifest = {
        "quarter": "2026-Q3", "runs": ["r1"], "scope_names": {}, "headline": {},
        "files": [
            {"path": "company.zh-CN.pdf", "scope": "company", "language": "zh-CN",
             "current": True, "revision_label": "v1", "sha256": "ab",
             "delivery": {"status": "delivered"}},
        ],
        "export": {"path": "results.2026-Q3.xlsx", "sha256": "cd", "bytes": 1},
        "stale": [{"because_of": "2026-Q2", "reason": "2026-Q2 recomputed: 3 figures moved"}],
    }  # fmt: skip
    html = render_index([manifest])
    assert 'href="2026-Q3/results.2026-Q3.xlsx"' in html
    assert "2026-Q2 recomputed: 3 figures moved" in html and "已过期" in html
    assert "results.2026-Q3.xlsx" not in render_index([manifest | {"export": None}])
