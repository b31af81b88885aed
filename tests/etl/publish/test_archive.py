"""The report archive: revisions, identical bytes for identical inputs, manifest and index."""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from etl import publish
from etl.core.config import TEMPLATES_DIR
from etl.core.results import ResultRow
from etl.publish import Revision, decide_revision, delivery_status, publish_revision
from etl.report.index import render_index
from etl.report.pdf import render_pdf
from etl.warehouse import read_query, upsert_results
from etl.warehouse.stores import records

QUARTER = "2026-Q3"
DAY_ONE = dt.date(2026, 10, 1)
LATER = dt.date(2026, 11, 20)


def html_for_figures(csi: str, seen: list[dict[str, object] | None] | None = None):
    """A report whose content is `csi`, showing its revision like the real cover does."""

    def html_for(revision: dict[str, object] | None, shown_run_id: str) -> str:
        if seen is not None:
            seen.append(revision)
        cover = revision or {"label": "v1", "reason": None, "date": None}
        return (
            f'<html lang="en"><body><h1>CSI {csi}</h1><p>{cover["label"]} {cover["reason"]} '
            f"{cover['date']} run {shown_run_id}</p></body></html>"
        )

    return html_for


def publish_one(
    engine: Engine,
    reports: Path,
    csi: str,
    run_id: str,
    today: dt.date,
    reason: str | None = None,
    scope: str = "company",
    language: str = "en",
) -> Path:
    return publish_revision(
        engine,
        reports / QUARTER / f"{scope}.{language}.pdf",
        quarter=QUARTER,
        scope=scope,
        language=language,
        html_for=html_for_figures(csi),
        render_pdf=render_pdf,
        run_id=run_id,
        reason=reason,
        today=today,
    )


def revisions(engine: Engine) -> list[tuple[int, str, str | None, str]]:
    rows = records(read_query(engine, "delivery_revisions", {"quarter": QUARTER}))
    return [(r["revision"], str(r["made_on"])[:10], r["reason"], r["run_id"]) for r in rows]


def test_unchanged_inputs_give_the_same_bytes_and_revision_on_a_later_day(
    warehouse: Engine, tmp_path: Path
) -> None:
    path = publish_one(warehouse, tmp_path, "78.4", "r1", DAY_ONE)
    first = path.read_bytes()
    publish_one(warehouse, tmp_path, "78.4", "r2", LATER, reason="nothing changed")
    # Same bytes although the run id and the day differ: the cover shows the stored date
    # and the run that made the revision.
    assert path.read_bytes() == first
    assert revisions(warehouse) == [(1, "2026-10-01", None, "r1")]


def test_changed_inputs_make_the_next_revision_and_keep_the_earlier_file(
    warehouse: Engine, tmp_path: Path
) -> None:
    path = publish_one(warehouse, tmp_path, "78.4", "r1", DAY_ONE)
    v1 = path.read_bytes()
    publish_one(warehouse, tmp_path, "79.0", "r2", LATER, reason="claims data corrected")
    v2 = path.read_bytes()
    publish_one(warehouse, tmp_path, "79.0", "r3", LATER + dt.timedelta(days=3))  # unchanged again
    publish_one(warehouse, tmp_path, "78.4", "r4", LATER + dt.timedelta(days=9))  # reverted

    assert path.read_bytes() != v2
    assert (tmp_path / QUARTER / "archive" / "company.en.v1.pdf").read_bytes() == v1
    assert (tmp_path / QUARTER / "archive" / "company.en.v2.pdf").read_bytes() == v2
    assert revisions(warehouse) == [
        (1, "2026-10-01", None, "r1"),
        (2, "2026-11-20", "claims data corrected", "r2"),
        # A return to v1's figures is still news for whoever read v2: a new revision.
        (3, "2026-11-29", None, "r4"),
    ]


def test_the_cover_gets_label_reason_and_the_date_the_revision_was_made(
    warehouse: Engine, tmp_path: Path
) -> None:
    publish_one(warehouse, tmp_path, "78.4", "r1", DAY_ONE)
    seen: list[dict[str, object] | None] = []
    publish_revision(
        warehouse,
        tmp_path / QUARTER / "company.zh-CN.pdf",
        quarter=QUARTER,
        scope="company",
        language="zh-CN",
        html_for=html_for_figures("80.0", seen),
        render_pdf=render_pdf,
        run_id="r2",
        today=LATER,
    )
    # First call: neutral (fingerprint); second: the decided revision.
    assert seen == [None, {"label": "v1", "reason": None, "date": LATER}]


@pytest.mark.parametrize(
    ("number", "reason", "language", "expected"),
    [
        (1, None, "zh-CN", None),  # a first revision has no reason
        (2, "理赔数据更正", "zh-CN", "理赔数据更正"),
        (2, None, "zh-CN", "数据更新后重新生成"),  # no reason given: a neutral one
        (3, None, "en", "Regenerated after the data were updated"),
    ],
)
def test_cover_reason(number: int, reason: str | None, language: str, expected: str | None) -> None:
    revision = Revision(QUARTER, "company", language, number, "h", DAY_ONE, reason, "r1")
    assert revision.cover() == {"label": f"v{number}", "reason": expected, "date": DAY_ONE}


def test_decide_revision_keeps_the_stored_date_and_run(warehouse: Engine, tmp_path: Path) -> None:
    publish_one(warehouse, tmp_path, "78.4", "r1", DAY_ONE)
    stored = publish.latest_revision(warehouse, QUARTER, "company", "en")
    assert stored is not None
    again = decide_revision(
        warehouse,
        quarter=QUARTER,
        scope="company",
        language="en",
        inputs=stored.inputs_sha256,
        reason="ignored",
        run_id="r9",
        today=LATER,
    )
    assert (again.number, again.made_on, again.run_id, again.is_new) == (1, DAY_ONE, "r1", False)


def test_inputs_fingerprint_ignores_where_the_templates_live() -> None:
    here = TEMPLATES_DIR.as_uri()
    html = f'<img src="{here}/brands/chengyuan/logo.svg">'
    moved = '<img src="file:///srv/other/checkout/report_templates/brands/chengyuan/logo.svg">'
    assert publish.inputs_sha256(html) == publish.inputs_sha256(
        moved.replace("file:///srv/other/checkout/report_templates", here)
    )
    assert publish.inputs_sha256(html) != publish.inputs_sha256(html + " ")


def test_stale_temp_files_are_swept_and_young_ones_of_other_writers_spared(
    tmp_path: Path,
) -> None:
    folder = tmp_path / QUARTER
    folder.mkdir()
    mine = folder / ".company.en.pdf.abc123.part"
    other_young = folder / ".SC.en.pdf.def456.part"
    other_old = folder / ".BJ.en.pdf.ghi789.part"
    for path in (mine, other_young, other_old):
        path.write_bytes(b"%PDF-1.7 half")
    an_hour_ago = time.time() - 3600
    os.utime(other_old, (an_hour_ago, an_hour_ago))

    assert publish.remove_stale_parts(folder, prefix=".company.en.pdf.", older_than=None) == [mine]
    assert publish.remove_stale_parts(folder) == [other_old]
    assert other_young.exists()


def test_manifest_lists_every_file_with_revision_checksum_and_delivery(
    warehouse: Engine, tmp_path: Path
) -> None:
    upsert_results(
        warehouse,
        QUARTER,
        [
            ResultRow(QUARTER, "company", "csi", 78.44, n=1200),
            ResultRow(QUARTER, "company", "nps", 12.0, n=1200, flag="suppressed"),
        ],
        "r0",
        ["company"],
    )
    publish_one(warehouse, tmp_path, "78.4", "r1", DAY_ONE)
    publish_one(warehouse, tmp_path, "79.0", "r2", LATER, reason="corrected")
    (tmp_path / QUARTER / ".company.en.pdf.xyz.part").write_bytes(b"%PDF half")  # a killed write
    names = {"company": {"zh": "全公司", "en": "Company"}}

    manifest = json.loads(
        publish.publish_quarter(warehouse, tmp_path, QUARTER, "r2", render_index, names).read_text(
            "utf-8"
        )
    )

    files = {entry["path"]: entry for entry in manifest["files"]}
    assert set(files) == {"company.en.pdf", "archive/company.en.v1.pdf"}
    current = files["company.en.pdf"]
    assert current["current"] and current["revision_label"] == "v2"
    assert current["reason"] == "corrected" and current["revision_date"] == "2026-11-20"
    assert current["sha256"] == publish.sha256_file(tmp_path / QUARTER / "company.en.pdf")
    assert current["checksum_matches_record"] is True
    assert len(current["inputs_sha256"]) == 64 and current["run_id"] == "r2"
    assert current["delivery"] == {"status": "not_sent", "recipients": []}
    assert files["archive/company.en.v1.pdf"]["current"] is False
    assert manifest["runs"] == ["r2"]
    assert manifest["headline"]["company"]["csi"] == pytest.approx(78.44)
    assert manifest["headline"]["company"]["nps"] is None  # suppressed figures are not shown

    index = (tmp_path / "index.html").read_text("utf-8")
    assert 'href="2026-Q3/company.en.pdf"' in index
    assert "78.4" in index and "全公司" in index
    assert ".part" not in index


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        ([], "not_sent"),
        (["delivered", "delivered"], "delivered"),
        (["delivered", "failed"], "partial"),
        (["delivered", "pending"], "pending"),
        (["held"], "held"),
        (["failed", "held"], "failed"),
    ],
)
def test_delivery_status(statuses: list[str], expected: str) -> None:
    assert delivery_status([{"status": status} for status in statuses]) == expected


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
