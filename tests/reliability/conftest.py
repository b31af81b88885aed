"""Fixtures of the red-team cases: the delivery tests' rendered reports and SMTP server."""

from tests.etl.delivery.conftest import reports, smtp

__all__ = ["reports", "smtp"]
