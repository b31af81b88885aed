"""The host name a Celery worker records on its task instances when several share a machine.

Airflow writes `[core] hostname_callable` into each task instance's `hostname`; in compose each
worker container has its own host name, while native workers on one machine would all record
the same one. Setting AIRFLOW__CORE__HOSTNAME_CALLABLE=tests.e2e.hostname.worker_hostname and
SATISFACTION_WORKER_HOSTNAME per worker keeps them apart. Kept tiny: every task imports it.
"""

from __future__ import annotations

import os
import socket


def worker_hostname() -> str:
    """SATISFACTION_WORKER_HOSTNAME when set, else the machine's name as Airflow's default."""
    return os.environ.get("SATISFACTION_WORKER_HOSTNAME") or socket.getfqdn()
