"""The delivery plan (pure): per recipient, send, skip or hold, from the log and the files."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from etl.core.scopes import Scope
from etl.delivery.messages import ReportFile
from etl.delivery.recipients import ListEntry, address_key, address_problem
from etl.report.i18n import LOCALES


class DeliveryError(RuntimeError):
    """Some recipients did not get their report; raised after everything else was delivered.

    The message lists each recipient with the reason, so the task log (and the operators'
    alert) says what to fix. Pending deliveries are retried by the next attempt.
    """

    def __init__(self, message: str, report: DeliveryReport | None = None) -> None:
        super().__init__(message)
        self.report = report


@dataclass
class Outcome:
    """What happened to one recipient in this run."""

    scope: str
    recipient: str
    role: str
    language: str
    status: str  # delivered | failed | pending | uncertain | held | skipped
    detail: str = ""


@dataclass
class DeliveryReport:
    """The run's deliveries, per recipient; small enough for XCom as a dict."""

    quarter: str
    channel: str
    outcomes: list[Outcome] = field(default_factory=list)

    def having(self, status: str) -> list[Outcome]:
        return [outcome for outcome in self.outcomes if outcome.status == status]

    def counts(self) -> dict[str, int]:
        statuses = ("delivered", "skipped", "held", "failed", "pending", "uncertain")
        return {status: len(self.having(status)) for status in statuses}

    def summary(self) -> str:
        counts = self.counts()
        text = ", ".join(f"{count} {status}" for status, count in counts.items() if count)
        return f"{self.quarter} via {self.channel}: {text or 'nothing to deliver'}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "quarter": self.quarter,
            "channel": self.channel,
            "counts": self.counts(),
            "problems": [
                f"{o.scope} {o.recipient}: {o.status}: {o.detail}"
                for o in self.outcomes
                if o.status in {"failed", "pending", "uncertain"}
            ],
        }


def decide(
    history: pd.DataFrame,
    *,
    checksum: str,
    language: str,
    run_id: str,
    resend: bool,
) -> tuple[str, str]:
    """Send, skip or hold one report for one recipient, given their delivery history.

    `history` is the recipient's delivery_log rows for this quarter and scope. Never twice
    the same file unless `resend`; never twice within one run (a retry of a resend run
    continues, it does not start over); a new revision goes to someone who already has an
    earlier one only with `resend`.
    """
    same = history[history["pdf_sha256"] == checksum]
    delivered_same = same[same["status"] == "delivered"]
    if (delivered_same["run_id"] == run_id).any():
        return "skip", "already delivered by this run"
    if not delivered_same.empty:
        return ("send", "resend requested") if resend else ("skip", "already delivered")
    earlier = history[
        (history["language"] == language)
        & (history["pdf_sha256"] != checksum)
        & (history["status"] == "delivered")
    ]
    if not earlier.empty:
        if resend:
            return "send", "new revision, resend requested"
        revisions = ", ".join(f"v{int(r)}" for r in sorted(set(earlier["revision"].dropna())))
        return "held", (
            f"already received {revisions or 'an earlier version'} of this report; "
            "a new revision is sent only when the run sets resend=true"
        )
    return "send", ""


def _times_sent(history: pd.DataFrame, checksum: str) -> int:
    """How often this file already went to this recipient (part of the stable Message-ID)."""
    if "times_sent" not in history.columns:
        return 0
    same = history.loc[history["pdf_sha256"] == checksum, "times_sent"]
    return int(same.max()) if not same.empty and pd.notna(same.max()) else 0


@dataclass
class _Message:
    report: ReportFile
    entry: ListEntry
    rows: list[dict[str, Any]]  # planned delivery_log rows (status pending)


@dataclass
class _Planner:
    """Decides, per recipient, what this run does; collects the rows to record first."""

    reports_dir: Path
    # The current file of each (scope, language), found before planning (None: not rendered).
    reports: dict[tuple[str, str], ReportFile | None]
    now: str  # the time the plan is made, recorded on each row
    quarter: str
    run_id: str
    resend: bool
    channel: str
    history: pd.DataFrame
    report: DeliveryReport
    planned: list[dict[str, Any]] = field(default_factory=list)
    messages: list[_Message] = field(default_factory=list)
    seen: set[tuple[str, str, str]] = field(default_factory=set)

    def row(
        self,
        scope: str,
        recipient: str,
        role: str,
        language: str,
        status: str,
        error: str | None,
        found: ReportFile | None = None,
        channel: str | None = None,
    ) -> dict[str, Any]:
        row = {
            "quarter": self.quarter,
            "scope": scope,
            "recipient": recipient,
            "pdf_sha256": found.checksum if found else "",
            "language": language,
            "revision": found.revision if found else None,
            "file_name": found.path.name if found else None,
            "role": role,
            "channel": channel or self.channel,
            "status": status,
            "error": error,
            "updated_at": self.now,
            "run_id": self.run_id,
        }
        self.planned.append(row)
        return row

    def fail(
        self,
        scope: str,
        recipient: str,
        role: str,
        language: str,
        error: str,
        found: ReportFile | None = None,
    ) -> None:
        self.row(scope, recipient, role, language, "failed", error, found, channel="none")
        self.report.outcomes.append(Outcome(scope, recipient, role, language, "failed", error))

    def unknown_scope(self, entry: ListEntry, known_scopes: Collection[str]) -> None:
        examples = ", ".join(sorted(known_scopes)[:6])
        for address, role, where in entry.addresses():
            error = (
                f"{where}: scope {entry.scope!r} is not a scope of the warehouse "
                f"(known scopes include {examples})"
            )
            self.fail(entry.scope, address_key(address) or address, role, entry.language, error)

    def entry(self, scope: Scope, entry: ListEntry) -> None:
        """Plan one distribution group of a scope: one message for those who need it."""
        found: ReportFile | None = None
        missing: str | None
        if entry.language not in LOCALES:
            missing = (
                f"{entry.where}.language = {entry.language!r} is not supported; "
                f"expected one of {sorted(LOCALES)}"
            )
        else:
            found = self.reports.get((scope.code, entry.language))
            expected = self.reports_dir / self.quarter / f"{scope.code}.{entry.language}.pdf"
            missing = None if found else f"no report {expected}: render it first"
        rows: list[dict[str, Any]] = []
        for address, role, where in entry.addresses():
            key = address_key(address) or address.strip()
            problem = address_problem(address)
            if problem or missing or found is None:
                error = f"{where} = {address!r} {problem}" if problem else str(missing)
                self.fail(scope.code, key, role, entry.language, error, found)
                continue
            if (scope.code, key, found.checksum) in self.seen:
                continue  # listed twice for the same file: one message is enough
            self.seen.add((scope.code, key, found.checksum))
            mine = self.history[
                (self.history["scope"] == scope.code) & (self.history["recipient"] == key)
            ]
            action, detail = decide(
                mine,
                checksum=found.checksum,
                language=entry.language,
                run_id=self.run_id,
                resend=self.resend,
            )
            if action == "send":
                row = self.row(scope.code, key, role, entry.language, "pending", None, found)
                row["sequence"] = _times_sent(mine, found.checksum)
                rows.append(row)
                continue
            if action == "held":
                self.row(scope.code, key, role, entry.language, "held", detail, found)
            status = "held" if action == "held" else "skipped"
            self.report.outcomes.append(
                Outcome(scope.code, key, role, entry.language, status, detail)
            )
        if rows and found is not None:
            self.messages.append(_Message(found, entry, rows))
