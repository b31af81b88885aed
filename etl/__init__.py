"""Quarterly customer-service satisfaction assessment for insurers: the computing package."""

__version__ = "0.1.0"
