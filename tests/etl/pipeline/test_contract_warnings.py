"""A warning of the data contract does not stop the run: it is logged, stored with the
results (contract.<relation>.<rule>), printed in the methodology appendix and the manifest."""

from __future__ import annotations

import shutil
from pathlib import Path

import sqlalchemy as sa

from etl.core import Scope, load_item_bank, load_settings
from etl.pipeline import check_inputs, compute_quarter
from etl.publish import build_manifest
from etl.report import Findings, build_context, render_html
from etl.warehouse import available_scopes, connect, read_findings, read_results
from tests.conftest import DEMO_THROUGH

QUARTER = str(DEMO_THROUGH)
LATE_RESPONSE = (
    "update survey_responses set responded_on = '2026-12-31' where response_id = "
    "(select min(response_id) from survey_responses where wave_id = '2026-Q3')"
)


def test_a_warning_reaches_the_results_the_appendix_and_the_manifest(
    small_demo_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "warehouse.db"
    shutil.copy(small_demo_url.removeprefix("sqlite:///"), path)
    url = f"sqlite:///{path}"
    with connect(url).begin() as conn:
        conn.execute(sa.text(LATE_RESPONSE))

    report = check_inputs(url, QUARTER, run_id="warned")
    assert [(f.relation, f.rule) for f in report.warnings] == [
        ("survey_responses", "responded_on.within_fieldwork")
    ]
    compute_quarter(url, QUARTER, "warned")

    results = read_results(connect(url), [QUARTER], ["company"])
    stored = results[results.metric.str.startswith("contract.")].set_index("metric")
    assert (
        stored.loc["contract.survey_responses.responded_on.within_fieldwork", "flag"] == "warning"
    )
    assert stored.loc["contract.checked", "value"] == 1.0

    scope = Scope("company", "company", "全公司", "Company")
    findings = Findings.from_store(read_findings(connect(url), QUARTER, "company"))
    context = build_context(
        DEMO_THROUGH, scope, "en", read_results(connect(url), [QUARTER]), load_item_bank(),
        load_settings(), "warned", scopes=available_scopes(connect(url)), findings=findings,
    )  # fmt: skip
    html = render_html("assessment/report.html.j2", context, "en")
    assert "survey_responses.responded_on.within_fieldwork" in html
    assert "these warning rules failed" in html

    manifest = build_manifest(connect(url), tmp_path / "reports", QUARTER, "warned")
    (warning,) = manifest["contract_warnings"]
    assert warning["rule"] == "responded_on.within_fieldwork"
    assert warning["failed"] == 1
