"""A crash between render and publish leaves no manifest that lists a replaced file's old sha256."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy.engine import Engine

from etl import publish
from etl.publish.files import sha256_file
from etl.report.index import render_index
from tests.etl.delivery.helpers import QUARTER, make_report


def test_a_file_replaced_after_the_last_publish_is_listed_with_its_new_checksum(
    warehouse: Engine, reports: Path
) -> None:
    manifest_path = publish.publish_quarter(warehouse, reports, QUARTER, "r1", render_index)
    make_report(warehouse, reports, "SC", "en", body="corrected claims data", run_id="r2")
    # The run dies here: the publish task never runs.
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    current = next(f for f in manifest["files"] if f["scope"] == "SC" and f["current"])
    on_disk = sha256_file(reports / QUARTER / "SC.en.pdf")
    assert (current["revision_label"], current["sha256"]) == ("v2", on_disk)
    archived = next(f for f in manifest["files"] if f["scope"] == "SC" and not f["current"])
    assert archived["revision_label"] == "v1"
