"""One family of errors a user can act on: the CLI prints them, the DAG fails the task with them."""

from __future__ import annotations


class UserError(Exception):
    """Bad input, a bad Param or unreachable data: the message names what and the rule broken.

    The CLI prints the message without a traceback and exits 2; the DAG fails the task
    with it. Anything else is a bug and keeps its traceback.
    """


class WarehouseError(UserError, RuntimeError):
    """The warehouse cannot be reached or does not hold what the job needs."""


class PermanentError(UserError):
    """An error that waiting cannot fix (a bad Param, a broken config file): fail, no retry."""


class ParamError(PermanentError, ValueError):
    """A run Param that cannot be right however often the task is retried."""

    param: str | None = None  # the Param to correct when triggering again
