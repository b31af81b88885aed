"""Revisions: same inputs keep the revision and bytes; changed inputs make the next."""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from etl import publish
from etl.core.config import TEMPLATES_DIR
from etl.publish import Revision, decide_revision, publish_revision
from etl.report.pdf import render_pdf
from tests.etl.publish.helpers import (
    DAY_ONE,
    LATER,
    QUARTER,
    html_for_figures,
    publish_one,
    revisions,
)


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


def record_delivered(engine: Engine, revision: int, status: str = "delivered") -> None:
    """One recipient's row of the delivery log for company.en's `revision`."""
    from etl.warehouse.stores import execute

    execute(engine, "delivery_log_plan", [{
        "quarter": QUARTER, "scope": "company", "recipient": "ceo@example.com",
        "pdf_sha256": f"sha-v{revision}", "language": "en", "revision": revision,
        "file_name": "company.en.pdf", "role": "to", "channel": "smtp", "status": status,
        "error": None, "updated_at": "2026-10-01T08:00:00", "run_id": "r1",
    }])  # fmt: skip


@pytest.mark.parametrize(
    ("delivered", "reason", "refused"),
    [
        ("delivered", None, True),  # readers hold v1: v2 must say why
        ("delivered", "  ", True),
        ("delivered", "claims data corrected", False),
        ("held", None, False),  # nobody has v1: no one needs telling
        (None, None, False),
    ],
)
def test_a_new_revision_of_a_delivered_report_needs_a_reason(
    warehouse: Engine, tmp_path: Path, delivered: str | None, reason: str | None, refused: bool
) -> None:
    path = publish_one(warehouse, tmp_path, "78.4", "r1", DAY_ONE)
    v1 = path.read_bytes()
    if delivered:
        record_delivered(warehouse, 1, delivered)

    def rerun() -> Path:
        return publish_revision(
            warehouse, path, quarter=QUARTER, scope="company", language="en",
            html_for=html_for_figures("79.0"), render_pdf=render_pdf, run_id="r2",
            reason=reason, today=LATER, require_reason=True,
        )  # fmt: skip

    if refused:
        with pytest.raises(publish.ReasonRequiredError, match=r"^reason: 2026-Q3 company \(en\)"):
            rerun()
        assert path.read_bytes() == v1  # nothing written, nothing archived
        assert not (tmp_path / QUARTER / "archive").exists()
        assert [r[0] for r in revisions(warehouse)] == [1]
    else:
        rerun()
        assert [r[0] for r in revisions(warehouse)] == [1, 2]


def test_two_runs_rendering_one_report_at_once_make_one_revision_with_one_file(
    warehouse: Engine, tmp_path: Path
) -> None:
    # Two runs of the quarter reach the same report together (two `dags test`, a CLI run
    # beside a DAG run). Both used to decide v1 before either recorded it, each printed its
    # own run id, and the later file replaced the earlier under the same revision number.
    path = tmp_path / QUARTER / "SC.en.pdf"
    rendered: list[str] = []

    def slow_render(html: str, name: str) -> bytes:
        rendered.append(html)
        time.sleep(0.5)  # the other run reaches the report meanwhile
        return render_pdf(html, name)

    def run(run_id: str) -> bytes:
        publish_revision(
            warehouse, path, quarter=QUARTER, scope="SC", language="en",
            html_for=html_for_figures("70.1"), render_pdf=slow_render, run_id=run_id,
            today=DAY_ONE,
        )  # fmt: skip
        return path.read_bytes()

    with ThreadPoolExecutor(max_workers=2) as pool:
        first = pool.submit(run, "run-a")
        time.sleep(0.05)
        second = pool.submit(run, "run-b")
        seen = [first.result(timeout=120), second.result(timeout=120)]

    # One render: the second run found the first one's revision and its intact file.
    assert len(rendered) == 1 and "run run-a" in rendered[0]
    assert seen[0] == seen[1] == path.read_bytes()
    stored = publish.latest_revision(warehouse, QUARTER, "SC", "en")
    assert stored is not None and stored.number == 1 and stored.run_id == "run-a"
    assert stored.pdf_sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
