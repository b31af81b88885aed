"""The manifest: every file with its revision, checksum and delivery status."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from etl import publish
from etl.core.results import ResultRow
from etl.publish import delivery_status
from etl.report.index import render_index
from etl.warehouse import upsert_results
from tests.etl.publish.helpers import (
    DAY_ONE,
    LATER,
    QUARTER,
    publish_one,
)


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
