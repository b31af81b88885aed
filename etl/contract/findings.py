"""What a contract check found: one failed rule per line, a report with its exit code."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum

from etl.core.errors import PermanentError


class Severity(StrEnum):
    """An error stops the run before anything is computed; a warning is logged and reported."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Failure:
    """One rule of one relation that the warehouse breaks, with up to five example keys."""

    relation: str
    rule: str
    severity: Severity
    failed: int
    examples: tuple[str, ...]
    message: str

    def line(self) -> str:
        """`ERROR   claims  paid_on.after_reported  3 failed  (…); e.g. 17, 42`"""
        examples = f"; e.g. {', '.join(self.examples)}" if self.examples else ""
        return (
            f"{self.severity.value.upper():<7} {self.relation} {self.rule}: {self.failed} failed "
            f"({self.message}){examples}"
        )

    def as_dict(self) -> dict[str, object]:
        row = asdict(self)
        row["severity"] = self.severity.value
        row["examples"] = list(self.examples)
        return row


@dataclass(frozen=True)
class ContractReport:
    """The outcome of checking a warehouse for one quarter."""

    quarter: str
    rules_checked: int
    failures: tuple[Failure, ...] = field(default_factory=tuple)

    @property
    def errors(self) -> tuple[Failure, ...]:
        return tuple(f for f in self.failures if f.severity is Severity.ERROR)

    @property
    def warnings(self) -> tuple[Failure, ...]:
        return tuple(f for f in self.failures if f.severity is Severity.WARNING)

    @property
    def exit_code(self) -> int:
        """0 clean, 1 warnings only, 2 errors (the `check` command's exit status)."""
        if self.errors:
            return 2
        return 1 if self.warnings else 0

    def summary(self) -> str:
        return (
            f"data contract, {self.quarter}: {self.rules_checked} rules checked, "
            f"{len(self.errors)} error(s), {len(self.warnings)} warning(s)"
        )

    def lines(self) -> list[str]:
        """Errors first, then warnings, each sorted by relation and rule; the summary last."""
        ordered = sorted(
            self.failures, key=lambda f: (f.severity is not Severity.ERROR, f.relation, f.rule)
        )
        return [failure.line() for failure in ordered] + [self.summary()]


class ContractError(PermanentError):
    """The warehouse breaks a rule of the data contract whose severity is error.

    Raised before anything is computed, rendered or sent; no retry can fix the data.
    """

    def __init__(self, report: ContractReport) -> None:
        self.report = report
        errors = [failure.line() for failure in report.errors]
        super().__init__(
            f"the warehouse breaks the data contract for {report.quarter}; nothing was "
            "computed, rendered or sent (docs/data-contract.md):\n"
            + "\n".join(errors)
            + f"\n{report.summary()}"
        )


@dataclass(frozen=True)
class Found:
    """A rule a check found broken, before the contract gives it a severity and a meaning."""

    relation: str
    rule: str
    failed: int
    examples: tuple[str, ...] = ()
    detail: str = ""
