"""The least-privilege account of docs/deployment.md runs a whole quarter on PostgreSQL.

The tables belong to the owner who applied `sql/schema/`; the job's role gets exactly
`sql/grants/job_role.sql` (no CREATE anywhere, owns nothing) and computes, renders,
publishes and delivers a quarter. DDL the job used to run on every render and delivery
(`create index if not exists … on delivery_log`) is allowed only to the owner.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from etl import demo
from etl.core.periods import Quarter
from etl.delivery import OutboxTransport, deliver_quarter, load_distribution
from etl.pipeline import compute_quarter
from etl.pipeline.runs import render_scope
from etl.publish import publish_quarter
from etl.report.index import render_index
from etl.warehouse import SQL_DIR, apply_schema, available_scopes, connect, statements

pytestmark = pytest.mark.postgres


@pytest.fixture
def job_url(postgres_url: str) -> Iterator[str]:
    """The demo in a fresh database owned by the admin, and a login with the documented rights."""
    owner = connect(postgres_url)
    apply_schema(owner)
    demo.build(owner, demo.DemoPlan(through=Quarter(2026, 3), size=demo.SCALES["small"]))
    role = f"satisfaction_job_{uuid.uuid4().hex[:8]}"
    grants = (SQL_DIR / "grants" / "job_role.sql").read_text(encoding="utf-8")
    with owner.begin() as conn:
        conn.execute(sa.text(f"create role {role} login password 'job-secret'"))
        conn.execute(sa.text("revoke create on schema public from public"))
        for grant in statements(grants.replace("satisfaction_job", role)):
            conn.execute(sa.text(grant))
    url = sa.make_url(postgres_url).set(username=role, password="job-secret")
    yield url.render_as_string(hide_password=False)
    with owner.begin() as conn:
        conn.execute(sa.text(f"drop owned by {role}"))
    owner.dispose()
    with sa.create_engine(postgres_url, isolation_level="AUTOCOMMIT").connect() as conn:
        conn.execute(sa.text(f"drop role if exists {role}"))


def test_the_documented_rights_run_compute_render_publish_and_deliver(
    job_url: str, tmp_path: Path
) -> None:
    engine = connect(job_url)
    with engine.connect() as conn, pytest.raises(sa.exc.ProgrammingError, match="permission"):
        conn.execute(sa.text("create table probe (x int)"))  # the role really is narrow

    codes = compute_quarter(job_url, "2026-Q3", "least-privilege")
    assert "company" in codes
    reports = tmp_path / "reports"
    render_scope(job_url, "2026-Q3", "company", "zh-CN", str(reports), "least-privilege")
    publish_quarter(engine, reports, "2026-Q3", "least-privilege", render_index)
    recipients = tmp_path / "recipients.toml"
    recipients.write_text(COMPANY_ONLY, encoding="utf-8")
    known = available_scopes(engine)
    report = deliver_quarter(
        engine,
        reports,
        "2026-Q3",
        [scope for scope in known if scope.code == "company"],
        {scope.code for scope in known},
        load_distribution(recipients),
        OutboxTransport(tmp_path / "outbox"),
        "least-privilege",
    )
    assert report.counts()["delivered"] == 2
    assert len(list((tmp_path / "outbox").rglob("*.eml"))) == 2


COMPANY_ONLY = """
[sender]
from = "CX Reports <cx-reports@example.com>"
[operators]
to = ["ops@example.com"]
[scopes.company]
to = ["ceo@example.com"]
cc = ["audit@example.com"]
language = "zh-CN"
"""
