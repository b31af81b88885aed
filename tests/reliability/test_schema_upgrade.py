"""A delivery log made by the version before the state machine is upgraded with its rows kept."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from etl.warehouse import connect
from etl.warehouse.stores import ensure_schema
from tests.etl.delivery.helpers import QUARTER, log_rows

OLD_DELIVERY_LOG = """
create table delivery_log (
    quarter text not null, scope text not null, recipient text not null,
    pdf_sha256 text not null, language text not null, revision integer, file_name text,
    role text not null check (role in ('to', 'cc')),
    channel text not null check (channel in ('smtp', 'outbox', 'none')),
    status text not null check (status in ('pending', 'delivered', 'failed', 'held')),
    error text, attempts integer not null default 0, times_sent integer not null default 0,
    message_id text, sent_at text, updated_at text not null, run_id text not null,
    primary key (quarter, scope, recipient, pdf_sha256)
)
"""
OLD_ROW = """
insert into delivery_log values ('2026-Q3', 'company', 'ceo@example.com', 'abc', 'zh-CN', 1,
    'company.zh-CN.pdf', 'to', 'smtp', 'delivered', null, 1, 1, '<m@x>', '2026-10-02T06:00:00',
    '2026-10-02T06:00:00', 'scheduled__2026-10-01')
"""


def test_an_old_delivery_log_is_upgraded_in_place_keeping_every_row(
    postgres_url: str, tmp_path: Path
) -> None:
    for url in (postgres_url, f"sqlite:///{tmp_path / 'old.db'}"):
        if url.startswith("sqlite"):
            (tmp_path / "old.db").touch()
        engine = connect(url)
        with engine.begin() as conn:
            conn.execute(sa.text(OLD_DELIVERY_LOG))
            conn.execute(sa.text("create index ix_delivery_log_quarter on delivery_log (quarter)"))
            conn.execute(sa.text(OLD_ROW))
        ensure_schema(engine)
        rows = log_rows(engine)
        assert QUARTER == "2026-Q3"
        assert rows[["recipient", "status", "times_sent", "interrupted"]].values.tolist() == [
            ["ceo@example.com", "delivered", 1, 0]
        ]
        assert {"delivery_locks", "report_revisions"} <= set(sa.inspect(engine).get_table_names())
        ensure_schema(engine)  # the second time: nothing to do
        engine.dispose()
