"""The two-quarter demo: an action is raised in 2026-Q2, a person accepts, reassigns and dates
it, 2026-Q3 carries it forward, it goes overdue and escalates; then a correction to 2026-Q2
marks 2026-Q3 stale and the new revision of 2026-Q2 says on its cover which figures moved."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from etl.cli import main
from etl.core import load_settings
from etl.pipeline import compute_one_quarter, compute_quarter, render_scope
from etl.publish import publish_quarter, read_manifests
from etl.report.index import render_index
from etl.warehouse import connect

WANG = "王芳 / Wang Fang"


@dataclass(frozen=True)
class Demo:
    url: str
    reports: Path
    action_id: str
    q3_pdf: str
    actions_before_correction: pd.DataFrame
    manifest_q3_stale: dict
    manifest_q2_after: dict
    q2_v2_cover: str
    q3_stale_after_rerun: list


def text_of(pdf: Path | str) -> str:
    return " ".join(page.extract_text() for page in PdfReader(str(pdf)).pages)


def query(url: str, sql: str, **params: object) -> pd.DataFrame:
    with connect(url).connect() as conn:
        return pd.read_sql(sa.text(sql), conn, params=params)


@pytest.fixture(scope="module")
def demo(small_demo_url: str, tmp_path_factory: pytest.TempPathFactory) -> Demo:
    folder = tmp_path_factory.mktemp("two_quarters")
    shutil.copy(small_demo_url.removeprefix("sqlite:///"), folder / "warehouse.db")
    url = f"sqlite:///{folder / 'warehouse.db'}"
    reports = folder / "reports"
    base = load_settings()
    settings = replace(
        base, raw=base.raw | {"paths": base.raw["paths"] | {"reports": str(reports)}}
    )

    def render(quarter: str, language: str, run_id: str, code: str = "") -> str:
        path = render_scope(url, quarter, code or scope, language, str(reports), run_id, settings)
        publish_quarter(connect(url), reports, quarter, run_id, render_index)
        return path

    compute_quarter(url, "2026-Q2", "q2-run", settings)
    raised = query(url, "select action_id, scope from improvement_actions "
                        "where quarter_raised = '2026-Q2' order by action_id")  # fmt: skip
    action_id, scope = str(raised["action_id"].iloc[0]), str(raised["scope"].iloc[0])
    render("2026-Q2", "en", "q2-run")
    render("2026-Q2", "en", "q2-run", "company")
    person = ["actions", "update", action_id, "--status", "in_progress", "--owner", WANG,
              "--due", "2026-06-30", "--on", "2026-07-15", "--by", "li.wei",
              "--note", "accepted; in place by end of June", "--results", url]  # fmt: skip
    assert main(person) == 0
    compute_quarter(url, "2026-Q3", "q3-run", settings)
    q3_pdf = render("2026-Q3", "en", "q3-run")
    actions_before = query(url, "select * from improvement_actions")
    # A correction to 2026-Q2: the claims answers had been loaded one point too high.
    with connect(url).begin() as conn:
        conn.execute(sa.text(
            "update survey_answers set score = score - 1 where item_code like 'CL%' and score > 1 "
            "and response_id in (select response_id from survey_responses "
            "where wave_id = '2026-Q2')"
        ))  # fmt: skip
    compute_one_quarter(url, "2026-Q2", "q2-fix", settings)
    manifest_q3 = json.loads((reports / "2026-Q3" / "manifest.json").read_text())
    q2_v2 = render("2026-Q2", "en", "q2-fix", "company")
    manifest_q2 = json.loads((reports / "2026-Q2" / "manifest.json").read_text())
    compute_one_quarter(url, "2026-Q3", "q3-rerun", settings)
    stale_after = query(url, "select * from report_staleness where quarter = '2026-Q3'")
    return Demo(url, reports, action_id, q3_pdf, actions_before, manifest_q3, manifest_q2,
                text_of(q2_v2).split("Contents")[0], stale_after.to_dict("records"))  # fmt: skip


def test_the_persons_change_survives_the_next_run(demo: Demo) -> None:
    row = demo.actions_before_correction.set_index("action_id").loc[demo.action_id]
    assert (row["owner"], row["status"], str(row["due_on"])[:10]) == (
        WANG,
        "in_progress",
        "2026-06-30",
    )
    history = query(
        demo.url, "select * from action_events where action_id = :id", id=demo.action_id
    )
    assert list(history["changed_by"]) == ["li.wei"]


def test_the_action_is_carried_forward_overdue_and_escalated_in_the_next_quarter(
    demo: Demo,
) -> None:
    followed = query(demo.url, "select action_id from action_follow_ups where quarter = '2026-Q3'")
    assert demo.action_id in set(followed["action_id"])
    text = text_of(demo.q3_pdf)
    assert "overdue 92 days" in text
    assert "escalated to Chief Customer Officer" in text
    assert "Changes since last quarter" in text and "Wang Fang" in text


def test_the_actions_cli_lists_it_overdue_and_escalated(
    demo: Demo, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["actions", "list", "--on", "2026-09-30",
                 "--results", demo.url]) == 0  # fmt: skip
    line = next(li for li in capsys.readouterr().out.splitlines() if li.startswith(demo.action_id))
    assert "in_progress (edited)" in line and "92 d" in line and "Chief Customer Officer" in line


def test_a_correction_to_q2_marks_q3_stale_with_the_reason_until_q3_is_computed_again(
    demo: Demo,
) -> None:
    (mark,) = demo.manifest_q3_stale["stale"]
    assert mark["because_of"] == "2026-Q2"
    assert mark["reason"].startswith("2026-Q2 recomputed (run q2-fix):")
    assert "figure(s) moved" in mark["reason"]
    index = render_index(read_manifests(demo.reports))
    assert "Stale" in index and "2026-Q2 recomputed (run q2-fix)" in index
    assert demo.q3_stale_after_rerun == []


def test_the_new_revision_says_on_its_cover_and_in_the_manifest_what_moved(demo: Demo) -> None:
    current = next(
        f for f in demo.manifest_q2_after["files"] if f["current"] and f["scope"] == "company"
    )
    assert current["revision_label"] == "v2"
    moved = {figure["metric"] for figure in current["changed"]}
    assert "dimension.claims" in moved
    assert "What changed since v1" in demo.q2_v2_cover
