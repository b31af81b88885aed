"""The delivery log as a state machine: the quarter's lock, claims, outcomes that are never lost.

pending → sending (claimed, committed before the SMTP transaction) → delivered | failed |
uncertain | pending. Only the holder of the quarter's delivery lock plans and sends, whatever
started the run; a row still `sending` when a later attempt holds the lock was interrupted
inside the SMTP transaction and is sent once more under the same Message-ID. An outcome the
server has already accepted is written with retries and, if the warehouse still refuses,
journaled to a file that the next attempt replays before it plans anything: a database hiccup
never causes a resend.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from etl.delivery.plan import DeliveryError
from etl.warehouse import read_query
from etl.warehouse.stores import execute, execute_count

log = logging.getLogger(__name__)

LEASE_SECONDS = 300.0  # renewed before every message; a killed attempt's lock expires after this
LOCK_WAIT_SECONDS = 900.0  # how long a second attempt waits for the first before it fails
WRITE_RETRY_DELAYS = (0.2, 0.5, 1.0, 2.0, 4.0, 8.0)  # seconds, between writes of an outcome
JOURNAL_NAME = ".delivery-journal.jsonl"


class DeliveryBusy(DeliveryError):
    """Another attempt holds the quarter's delivery lock for longer than this one may wait."""


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def stamp(moment: dt.datetime) -> str:
    """ISO-8601 UTC text of a fixed width, so leases compare as text in SQL."""
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds")


def new_holder(run_id: str) -> str:
    """A lock holder unique per attempt: two `tasks test` of one run id are still two holders."""
    return f"{run_id}#{os.getpid()}.{uuid.uuid4().hex[:8]}"


def stable_message_id(row: Mapping[str, Any], domain: str) -> str:
    """One Message-ID per (quarter, scope, recipient, revision, file, times sent).

    A message resent after an interrupted transaction keeps its id (nothing was recorded as
    sent), so a recipient's mail client can recognise the copy; a requested resend gets a new one.
    """
    key = "|".join(
        str(row.get(part) or "")
        for part in ("quarter", "scope", "recipient", "revision", "pdf_sha256", "sequence")
    )
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:24]
    scope = "".join(ch for ch in str(row["scope"]) if ch.isalnum() or ch in "-_") or "scope"
    return f"<{row['quarter']}.{scope}.v{row.get('revision') or 0}.{digest}@{domain}>"


@dataclass
class QuarterLock:
    """The quarter's delivery lock in the warehouse (works across hosts, SQLite and PostgreSQL)."""

    engine: Engine
    quarter: str
    holder: str
    lease_seconds: float = LEASE_SECONDS
    wait_seconds: float = LOCK_WAIT_SECONDS
    poll_seconds: float = 0.5
    sleep: Callable[[float], None] = time.sleep

    def _params(self) -> dict[str, str]:
        now = utc_now()
        return {
            "quarter": self.quarter,
            "holder": self.holder,
            "now": stamp(now),
            "lease_until": stamp(now + dt.timedelta(seconds=self.lease_seconds)),
        }

    def holder_row(self) -> dict[str, Any] | None:
        rows = read_query(self.engine, "delivery_lock_holder", {"quarter": self.quarter})
        return None if rows.empty else rows.iloc[0].to_dict()

    def acquire(self) -> None:
        """Take the lock, waiting while another live attempt holds it; DeliveryBusy after that."""
        deadline = time.monotonic() + self.wait_seconds
        waiting_for = None
        while True:
            try:
                execute(self.engine, "delivery_lock_acquire", self._params())
            except DBAPIError as exc:  # a concurrent first insert: the other one won
                log.debug("delivery lock of %s contended: %s", self.quarter, exc)
            current = self.holder_row()
            if current is not None and current["holder"] == self.holder:
                return
            if current is not None and current["holder"] != waiting_for:
                # Said once per holder: the operator sees why this attempt does not send yet.
                waiting_for = current["holder"]
                log.info(
                    "delivery of %s is held by %s (lease until %s UTC): waiting",
                    self.quarter,
                    waiting_for,
                    current["lease_until"],
                )
            if time.monotonic() >= deadline:
                who = current["holder"] if current else "another attempt"
                until = current["lease_until"] if current else "?"
                raise DeliveryBusy(
                    f"delivery of {self.quarter} is held by {who} (lease until {until} UTC); "
                    "nothing was sent by this attempt, which will be retried"
                )
            self.sleep(self.poll_seconds)

    def renew(self) -> bool:
        """Extend the lease; False when it expired and someone else took it (stop sending)."""
        return execute_count(self.engine, "delivery_lock_renew", self._params()) == 1

    def release(self) -> None:
        try:
            execute(self.engine, "delivery_lock_release", self._params())
        except DBAPIError as exc:  # the lease expires by itself
            log.warning("releasing the delivery lock of %s failed: %s", self.quarter, exc)

    def __enter__(self) -> QuarterLock:
        self.acquire()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.release()


def outcome_params(
    row: Mapping[str, Any],
    status: str,
    error: str | None,
    message_id: str | None,
    interrupted: int = 0,
) -> dict[str, Any]:
    """The bound parameters of `delivery_log_outcome` for one recipient's outcome."""
    delivered = status == "delivered"
    now = stamp(utc_now())
    return {
        "quarter": row["quarter"],
        "scope": row["scope"],
        "recipient": row["recipient"],
        "pdf_sha256": row["pdf_sha256"],
        "status": status,
        "error": error,
        "sent": 1 if delivered else 0,
        "interrupted": interrupted,
        "message_id": message_id if status in {"delivered", "uncertain"} else None,
        "sent_at": now if delivered else None,
        "updated_at": now,
        "run_id": row["run_id"],
    }


@dataclass
class Ledger:
    """Writes of the delivery log that must not fail after the server accepted a message."""

    engine: Engine
    journal: Path
    delays: tuple[float, ...] = WRITE_RETRY_DELAYS
    sleep: Callable[[float], None] = time.sleep
    journaled: list[dict[str, Any]] = field(default_factory=list)

    def claim(self, row: Mapping[str, Any], lock: QuarterLock, message_id: str) -> bool:
        """Mark one planned row `sending` for this attempt, committed before the transaction."""
        now = utc_now()
        holder = lock.holder
        params = {
            "quarter": row["quarter"],
            "scope": row["scope"],
            "recipient": row["recipient"],
            "pdf_sha256": row["pdf_sha256"],
            "run_id": row["run_id"],
            "holder": holder,
            "message_id": message_id,
            "now": stamp(now),
            "lease_until": stamp(now + dt.timedelta(seconds=lock.lease_seconds)),
        }
        return execute_count(self.engine, "delivery_log_claim", params) == 1

    def record(self, params: dict[str, Any]) -> None:
        """Write an outcome, retrying a busy or dropped database; journal it if that fails.

        Only outcomes the server may already hold (delivered, uncertain) are journaled: the
        others can be redone without a duplicate, so their error is raised.
        """
        for delay in (*self.delays, None):
            try:
                execute(self.engine, "delivery_log_outcome", params)
                return
            except DBAPIError as exc:
                if delay is None:
                    if params["status"] not in {"delivered", "uncertain"}:
                        raise
                    self._journal(params, exc)
                    return
                log.warning("recording %s failed (%s); retrying", params["recipient"], exc)
                self.sleep(delay)

    def _journal(self, params: dict[str, Any], exc: BaseException) -> None:
        line = json.dumps(params, ensure_ascii=False, sort_keys=True) + "\n"
        self.journal.parent.mkdir(parents=True, exist_ok=True)
        with self.journal.open("a", encoding="utf-8") as handle:
            handle.write(line)
            handle.flush()
            os.fsync(handle.fileno())
        self.journaled.append(params)
        log.error(
            "the delivery log could not record %s %s for %s (%s); journaled in %s for the next "
            "attempt, which will not send it again",
            params["scope"],
            params["status"],
            params["recipient"],
            exc,
            self.journal,
        )

    def replay(self) -> int:
        """Write the outcomes an earlier attempt journaled; raises (nothing sent) if it cannot."""
        if not self.journal.is_file():
            return 0
        lines = [line for line in self.journal.read_text(encoding="utf-8").splitlines() if line]
        try:
            for line in lines:
                execute(self.engine, "delivery_log_outcome", json.loads(line))
        except (DBAPIError, ValueError) as exc:
            raise DeliveryError(
                f"{self.journal}: {len(lines)} delivery outcome(s) of an earlier attempt cannot "
                f"be written to the delivery log ({exc}); nothing was sent, to send nobody twice"
            ) from exc
        self.journal.unlink()
        log.info("replayed %s journaled delivery outcome(s) from %s", len(lines), self.journal)
        return len(lines)


def mark_interrupted(engine: Engine, quarter: str) -> int:
    """Rows an earlier attempt left `sending` become `uncertain` (called under the lock)."""
    error = (
        "an earlier attempt was interrupted inside the SMTP transaction: the message may have "
        "been received; sent once more with the same Message-ID"
    )
    params = {"quarter": quarter, "error": error, "now": stamp(utc_now())}
    return execute_count(engine, "delivery_log_interrupted", params)
