"""What every fault test checks afterwards: nothing lost, nothing sent twice, all recorded."""

from __future__ import annotations

import pandas as pd
from sqlalchemy.engine import Engine

from tests.e2e.smtp import SmtpServer
from tests.etl.delivery.helpers import log_rows


def delivered_rows_were_received(engine: Engine, server: SmtpServer) -> pd.DataFrame:
    """Every row the log calls delivered is in the server's inbox (nobody 'delivered' unsent)."""
    rows = log_rows(engine)
    got = server.inbox.per_recipient()
    delivered = rows[rows["status"] == "delivered"]
    for recipient in delivered["recipient"]:
        assert got.get(str(recipient).lower(), 0) >= 1, (
            f"{recipient} recorded delivered, never sent"
        )
    return rows


def copies_by_message_id(server: SmtpServer) -> dict[tuple[str, str], int]:
    """(recipient, Message-ID) → how many copies the server accepted."""
    copies: dict[tuple[str, str], int] = {}
    for received in server.inbox.received:
        for address in received.rcpt_tos:
            key = (address.lower(), str(received.message["Message-ID"]))
            copies[key] = copies.get(key, 0) + 1
    return copies
