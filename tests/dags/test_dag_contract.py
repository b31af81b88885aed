"""The DAG checks the data contract first: an error fails `check_inputs` at once (no retry),
nothing is computed, rendered or sent, and the operators' alert names the failed rules — with
the warehouse (and results store) on SQLite and on PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from etl import demo
from etl.warehouse import connect
from tests.conftest import DEMO_THROUGH
from tests.e2e.site import make_site, migrate, private_demo, run_dag
from tests.e2e.smtp import SmtpServer
from tests.etl.delivery.helpers import DISTRIBUTION

pytestmark = pytest.mark.e2e

# The survey wave keyed 2026Q3 instead of 2026-Q3 (the warehouse's keys allow the move).
MALFORMED_WAVE = [
    "insert into survey_waves select '2026Q3', '2026Q3', fielded_from, fielded_to, "
    "item_bank_version, invited_count from survey_waves where wave_id = '2026-Q3'",
    "update survey_responses set wave_id = '2026Q3' where wave_id = '2026-Q3'",
    "delete from survey_waves where wave_id = '2026-Q3'",
]


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def warehouse_url(request: pytest.FixtureRequest, tmp_path: Path, small_demo_url: str) -> str:
    """The small demo with the malformed wave: a private SQLite copy, or built on PostgreSQL
    (a database of this test's own; fails, never skips, when the server is down)."""
    if request.param == "sqlite":
        url = private_demo(small_demo_url, tmp_path)
    else:
        url = request.getfixturevalue("postgres_url")
        demo.build(connect(url), demo.DemoPlan(through=DEMO_THROUGH, size=demo.SCALES["small"]))
    with connect(url).begin() as conn:
        for statement in MALFORMED_WAVE:
            conn.execute(sa.text(statement))
    return url


def test_a_contract_error_fails_fast_and_nothing_is_made_or_sent(
    tmp_path: Path, warehouse_url: str
) -> None:
    smtp = SmtpServer().start()
    try:
        site = migrate(make_site(tmp_path, warehouse_url, DISTRIBUTION, smtp))
        run = run_dag(site, {"quarter": "2026-Q3"})
    finally:
        smtp.stop()
    assert run.state == "failed"
    # Failed fast, one try and no retry: in check_inputs, or already in resolve_run when the
    # quarter has no responses and the contract's rules say why (the wave keyed 2026Q3).
    failed = {task: state for task, state in run.tasks.items() if state[0] == "failed"}
    assert list(failed.values()) == [["failed", 1]], run.tasks
    assert set(failed) <= {"resolve_run", "check_inputs"}
    assert run.tasks["compute_indices"][0] == "upstream_failed"
    assert "survey_waves wave_id.form" in run.output  # the task log
    assert not list((tmp_path / "reports").rglob("*.pdf"))
    with connect(warehouse_url).connect() as conn:
        stored = conn.execute(sa.text("select count(*) from results where quarter = '2026-Q3'"))
        assert stored.scalar() == 0
    assert [m.rcpt_tos for m in smtp.inbox.received] == [["ops@example.com"]]  # operators
    alert = smtp.inbox.received[0].message
    assert next(iter(failed)) in alert["Subject"]
    body = alert.get_body(("plain",)).get_content()
    assert "ERROR   survey_waves wave_id.form: 1 failed" in body
    assert "ERROR   survey_waves quarter_wave: 1 failed" in body
