"""Overlapping deliveries of one quarter (scheduler, `dags test`, `tasks test`, the CLI): once each.

Whatever starts them, attempts meet at the quarter's delivery lock in the warehouse; the
second waits, then finds everything delivered. The SMTP server is slow, so they overlap.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from etl.delivery import DeliveryError, DeliveryReport, deliver_quarter
from etl.delivery.ledger import DeliveryBusy, QuarterLock
from etl.warehouse import connect
from tests.e2e.smtp import SmtpServer
from tests.etl.delivery.helpers import (
    ALL_FOUR,
    KNOWN,
    QUARTER,
    SCOPES,
    log_rows,
    transport,
    write_list,
)


def _deliver_in_threads(
    url: str, reports: Path, tmp_path: Path, smtp: SmtpServer, run_ids: tuple[str, ...]
) -> list[DeliveryReport | BaseException]:
    outcomes: list[DeliveryReport | BaseException] = []
    start = threading.Barrier(len(run_ids))

    def attempt(run_id: str) -> None:
        engine = connect(url)  # each attempt its own connections, as separate processes have
        start.wait()
        try:
            outcomes.append(
                deliver_quarter(
                    engine,
                    reports,
                    QUARTER,
                    [SCOPES["company"], SCOPES["SC"]],
                    KNOWN,
                    write_list(tmp_path),
                    transport(smtp),
                    run_id,
                )
            )
        except BaseException as exc:
            outcomes.append(exc)

    threads = [threading.Thread(target=attempt, args=(run_id,)) for run_id in run_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    return outcomes


@pytest.mark.parametrize(
    "run_ids",
    [("scheduled__2026-10-01", "manual__dags-test"), ("same-run", "same-run")],
    ids=["two-runs", "two-attempts-of-one-run"],
)
def test_two_concurrent_deliveries_send_each_message_exactly_once(
    warehouse: Engine,
    reports: Path,
    smtp: SmtpServer,
    tmp_path: Path,
    run_ids: tuple[str, str],
) -> None:
    smtp.inbox.data_delay = 0.4
    url = warehouse.url.render_as_string(hide_password=False)
    outcomes = _deliver_in_threads(url, reports, tmp_path, smtp, run_ids)

    assert all(isinstance(o, DeliveryReport) for o in outcomes), outcomes
    assert smtp.inbox.per_recipient() == ALL_FOUR
    counts = sorted(o.counts()["delivered"] for o in outcomes if isinstance(o, DeliveryReport))
    assert counts == [0, 4]
    assert log_rows(warehouse)["times_sent"].tolist() == [1, 1, 1, 1]


CLI_DELIVERY = """
import sys
from pathlib import Path
from etl.core.scopes import Scope
from etl.delivery import SmtpSettings, SmtpTransport, deliver_quarter, load_distribution
from etl.warehouse import connect
url, reports, recipients, port, run_id = sys.argv[1:6]
scopes = [Scope("company", "company", "全公司", "Company"),
          Scope("SC", "branch", "四川分公司", "Sichuan Branch")]
report = deliver_quarter(connect(url), Path(reports), "2026-Q3", scopes, {"company", "SC", "BJ"},
                         load_distribution(Path(recipients)),
                         SmtpTransport(SmtpSettings("127.0.0.1", int(port), starttls=False)),
                         run_id)
print(report.summary())
"""


def test_two_delivery_processes_send_each_message_exactly_once(
    warehouse: Engine, reports: Path, smtp: SmtpServer, tmp_path: Path
) -> None:
    smtp.inbox.data_delay = 0.4
    url = warehouse.url.render_as_string(hide_password=False)
    recipients = str(write_list(tmp_path).source)
    children = [
        subprocess.Popen(
            [sys.executable, "-c", CLI_DELIVERY, url, str(reports), recipients, str(smtp.port), r],
            stdout=subprocess.PIPE,
            text=True,
        )
        for r in ("process-a", "process-b")
    ]
    summaries = [child.communicate(timeout=300)[0] for child in children]
    assert [child.returncode for child in children] == [0, 0], summaries
    assert smtp.inbox.per_recipient() == ALL_FOUR
    assert sorted("4 delivered" in s for s in summaries) == [False, True]


def test_a_second_delivery_that_cannot_wait_sends_nothing_and_says_who_holds_the_lock(
    warehouse: Engine, reports: Path, smtp: SmtpServer, tmp_path: Path
) -> None:
    other = QuarterLock(warehouse, QUARTER, "scheduled__2026-10-01#1.abc", lease_seconds=60)
    other.acquire()
    with pytest.raises(DeliveryBusy, match="held by scheduled__2026-10-01") as raised:
        deliver_quarter(
            warehouse,
            reports,
            QUARTER,
            [SCOPES["company"]],
            KNOWN,
            write_list(tmp_path),
            transport(smtp),
            "r2",
            lock_wait_seconds=0.5,
        )
    assert isinstance(raised.value, DeliveryError)
    assert smtp.inbox.received == [] and log_rows(warehouse).empty
    other.release()


def test_a_lock_left_by_a_killed_attempt_expires_and_the_next_attempt_delivers(
    warehouse: Engine, reports: Path, smtp: SmtpServer, tmp_path: Path
) -> None:
    QuarterLock(warehouse, QUARTER, "killed#1.dead", lease_seconds=0.5).acquire()
    deliver_quarter(
        warehouse,
        reports,
        QUARTER,
        [SCOPES["company"], SCOPES["SC"]],
        KNOWN,
        write_list(tmp_path),
        transport(smtp),
        "r2",
        lock_wait_seconds=30,
    )
    assert smtp.inbox.per_recipient() == ALL_FOUR
