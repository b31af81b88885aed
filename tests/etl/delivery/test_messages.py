"""Messages: the operators' alert reaches them."""

from __future__ import annotations

from pathlib import Path

import etl.delivery as deliver
from etl.pipeline.alerts import Advice
from tests.e2e.smtp import SmtpServer
from tests.etl.delivery.helpers import (
    transport,
    write_list,
)


def test_alerts_reach_the_operators(smtp: SmtpServer, tmp_path: Path) -> None:
    text = deliver.render_alert(
        dag_id="quarterly_satisfaction_report", run_id="manual__1", quarter="2026-Q3",
        task_id="deliver_reports", map_index=None, try_number=3, error="boom", log_url="http://x",
        advice=Advice("other", "修复后清除此任务。", "Fix it, then clear the task."),
    )  # fmt: skip
    sent = deliver.send_alert(write_list(tmp_path), transport(smtp), "FAILED deliver_reports", text)
    assert sent == ["ops@example.com"]
    (received,) = smtp.inbox.received
    assert "deliver_reports" in received.message.get_content()
    assert "2026-Q3" in received.message.get_content()
    assert "修复后清除此任务。\nFix it, then clear the task." in received.message.get_content()
