"""The least-privilege account of docs/deployment.md runs a whole quarter on PostgreSQL.

The tables belong to the owner who applied `sql/schema/`; the job's role gets exactly
`sql/grants/job_role.sql` (no CREATE anywhere, owns nothing) and computes, renders,
publishes and delivers a quarter. DDL the job used to run on every render and delivery
(`create index if not exists … on delivery_log`) is allowed only to the owner.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from etl import demo
from etl.core.periods import Quarter
from etl.delivery import OutboxTransport, deliver_quarter, load_distribution
from etl.pipeline import compute_quarter
from etl.pipeline.reports import render_scope
from etl.publish import publish_quarter
from etl.report.index import render_index
from etl.warehouse import SQL_DIR, apply_schema, available_scopes, connect, statements
from tests.etl.ingest.conftest import ingest
from tests.etl.ingest.test_load import qualtrics_file

pytestmark = pytest.mark.postgres
REPO = SQL_DIR.parent


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


# What the ingest task loads as the job's role: a survey export with hostile rows (new wave,
# responses, answers, quarantine, cell notes), feedback and mystery-shop files; then the same
# survey file again (the registry answers "already loaded").
MYSTERY = """visit_id,branch,channel,visited_on,scenario,checklist_item,passed
V-1,SC,AGENT,2026-10-12,新单咨询,主动出示执业证,是
V-1,SC,AGENT,2026-10-12,新单咨询,说明犹豫期,否
V-3,ZZ,AGENT,2026-10-14,理赔,一次性告知,1
"""
FEEDBACK = (
    '{"source": "weibo", "received_at": "2026-10-04T09:00:00+08:00", "text": "客服态度真好"}\n'
    '{"source": "传真", "received_at": "2026-10-05", "text": "来源不明"}\n'
)


def test_the_documented_rights_run_the_ingest_task(job_url: str, tmp_path: Path) -> None:
    engine = connect(job_url)
    survey = qualtrics_file(tmp_path, "wave.csv", range(40))
    (tmp_path / "mystery.csv").write_text(MYSTERY, encoding="utf-8")
    (tmp_path / "feedback.jsonl").write_text(FEEDBACK, encoding="utf-8")
    outcomes = {
        path.name: ingest(engine, path)
        for path in (survey, tmp_path / "mystery.csv", tmp_path / "feedback.jsonl")
    }
    loaded = {name: (o.rows_loaded, o.rows_quarantined) for name, o in outcomes.items()}
    assert loaded["wave.csv"][0] > 20 and loaded["wave.csv"][1] > 0
    assert loaded["mystery.csv"] == (2, 1) and loaded["feedback.jsonl"] == (1, 1)
    again = ingest(engine, survey)
    assert again.rows_loaded == 0
    with engine.connect() as conn:
        waves = conn.execute(sa.text("select count(*) from survey_waves where wave_id = '2026-Q4'"))
        assert waves.scalar() == 1
        files = conn.execute(sa.text("select count(*) from ingest_files")).scalar()
        assert files == 3


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


def granted_in_sql() -> dict[str, set[str]]:
    """Table → privileges of sql/grants/job_role.sql (schema usage as `schema public`)."""
    grants = (SQL_DIR / "grants" / "job_role.sql").read_text(encoding="utf-8")
    rights: dict[str, set[str]] = {}
    for grant in statements(grants):
        found = re.fullmatch(r"grant\s+(.+?)\s+on\s+(.+?)\s+to\s+satisfaction_job", grant, re.S)
        assert found, grant
        privileges = {p.strip() for p in found.group(1).split(",")}
        for table in found.group(2).replace("schema public", "schema_public").split(","):
            rights.setdefault(table.strip(), set()).update(privileges)
    return rights


def granted_in_docs() -> dict[str, set[str]]:
    """Table → privileges of the rights table in docs/deployment.md."""
    text = (REPO / "docs" / "deployment.md").read_text(encoding="utf-8")
    table = text.split("| right | on | why |", 1)[1].split("\n\n", 1)[0]
    rights: dict[str, set[str]] = {}
    for line in table.splitlines()[2:]:
        right, on, _ = (cell.strip() for cell in line.strip("|").split("|"))
        privileges = {p.strip() for p in right.split("`")[1].split(",")}
        tables = ["schema_public"] if on == "schema `public`" else re.findall(r"`(\w+)`", on)
        for name in tables:
            rights.setdefault(name, set()).update(privileges)
        for extra, name in re.findall(r"\(and `(\w+)` on `(\w+)`\)", right):
            rights[name].add(extra)
    return rights


def test_docs_and_the_grants_file_give_the_same_rights_on_the_same_tables() -> None:
    assert granted_in_docs() == granted_in_sql()
