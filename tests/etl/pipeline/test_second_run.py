"""A second run over unchanged inputs computes and renders nothing; a correction still makes a
new revision (the quarter's inputs fingerprint and each report's sources fingerprint)."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa

from etl.pipeline import compute_quarter, render_scope, reports
from etl.warehouse import connect, read_query, read_results

QUARTER = "2026-Q3"
SC_CLAIMS_ANSWERS_TO_ONE = (
    "update survey_answers set score = 1 where item_code like 'CL%' and response_id in "
    "(select response_id from survey_responses where wave_id = '2026-Q3' and branch_code = 'SC')"
)
COMPANY_CSI_PLUS_FIVE = (
    "update results set value = value + 5, run_id = 'hand' "
    "where quarter = '2026-Q3' and scope = 'company' and metric = 'csi'"
)


@dataclass(frozen=True)
class Case:
    warehouse_sql: str | None  # a correction at the source, before the second compute
    store_sql: str | None  # a correction of a stored result, after it
    recomputed: bool  # the second compute wrote the quarter again
    rendered: bool  # the second render built the report's HTML at all
    revisions: list[int]  # the company report's revisions after the second run


CASES = {
    "nothing changed": Case(None, None, recomputed=False, rendered=False, revisions=[1]),
    "SC's claims answers corrected in the warehouse": Case(
        SC_CLAIMS_ANSWERS_TO_ONE, None, recomputed=True, rendered=True, revisions=[1, 2]
    ),
    "the company CSI corrected in the results store": Case(
        None, COMPANY_CSI_PLUS_FIVE, recomputed=False, rendered=True, revisions=[1, 2]
    ),
}


def run_ids(url: str) -> set[str]:
    return set(read_results(connect(url), [QUARTER])["run_id"])


def revisions(url: str) -> list[int]:
    rows = read_query(connect(url), "delivery_revisions", {"quarter": QUARTER})
    return sorted(int(v) for v in rows[rows["scope"] == "company"]["revision"])


def execute(url: str, sql: str | None) -> None:
    if sql:
        with connect(url).begin() as conn:
            assert conn.execute(sa.text(sql)).rowcount > 0


@pytest.fixture(scope="module")
def first_run(small_demo_url: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small demo after one run: 2026-Q3 (and its history) computed, the company
    report rendered."""
    folder = tmp_path_factory.mktemp("first-run")
    shutil.copy(small_demo_url.removeprefix("sqlite:///"), folder / "warehouse.db")
    url = f"sqlite:///{folder / 'warehouse.db'}"
    compute_quarter(url, QUARTER, "run-1")
    render_scope(url, QUARTER, "company", "zh-CN", str(folder / "reports"), "run-1")
    return folder


@pytest.mark.parametrize("name", list(CASES))
def test_a_second_run_redoes_only_what_its_inputs_changed(
    first_run: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    case = CASES[name]
    shutil.copytree(first_run, tmp_path, dirs_exist_ok=True)
    url = f"sqlite:///{tmp_path / 'warehouse.db'}"
    pdf = tmp_path / "reports" / QUARTER / "company.zh-CN.pdf"
    before = pdf.read_bytes()
    built: list[str] = []
    real_build = reports.build_context
    monkeypatch.setattr(
        reports, "build_context", lambda *a, **k: built.append("html") or real_build(*a, **k)
    )

    stored_rows = len(read_results(connect(url), [QUARTER]))
    execute(url, case.warehouse_sql)
    compute_quarter(url, QUARTER, "run-2")
    assert run_ids(url) == ({"run-2"} if case.recomputed else {"run-1"})  # replaced or kept
    assert len(read_results(connect(url), [QUARTER])) == stored_rows  # never duplicated
    execute(url, case.store_sql)
    render_scope(url, QUARTER, "company", "zh-CN", str(tmp_path / "reports"), "run-2")

    assert bool(built) is case.rendered
    assert revisions(url) == case.revisions
    assert (pdf.read_bytes() == before) is (case.revisions == [1])
    if case.revisions != [1]:
        archived = tmp_path / "reports" / QUARTER / "archive" / "company.zh-CN.v1.pdf"
        assert archived.read_bytes() == before


def test_a_damaged_report_file_is_rendered_again_although_its_sources_are_unchanged(
    first_run: Path, tmp_path: Path
) -> None:
    shutil.copytree(first_run, tmp_path, dirs_exist_ok=True)
    url = f"sqlite:///{tmp_path / 'warehouse.db'}"
    pdf = tmp_path / "reports" / QUARTER / "company.zh-CN.pdf"
    intact = pdf.read_bytes()
    pdf.write_bytes(intact[: len(intact) // 2])

    render_scope(url, QUARTER, "company", "zh-CN", str(tmp_path / "reports"), "run-2")

    assert pdf.read_bytes() == intact  # same revision, same bytes
    assert revisions(url) == [1]
