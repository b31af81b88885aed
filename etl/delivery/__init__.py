"""Delivery: each scope's PDF to its distribution list, once per file and person; the alert."""

from etl.delivery.ledger import DeliveryBusy, QuarterLock
from etl.delivery.messages import ReportFile, build_message, render_alert
from etl.delivery.plan import DeliveryError, DeliveryReport, Outcome, decide
from etl.delivery.recipients import (
    DistributionList,
    ListEntry,
    address_key,
    address_problem,
    load_distribution,
    recipients_path,
)
from etl.delivery.send import deliver_quarter, send_alert
from etl.delivery.transports import (
    OutboxTransport,
    SmtpSettings,
    SmtpTransport,
    Transport,
    UncertainDelivery,
    smtp_settings_from_connection,
)

__all__ = [
    "DeliveryBusy",
    "DeliveryError",
    "DeliveryReport",
    "DistributionList",
    "ListEntry",
    "OutboxTransport",
    "Outcome",
    "QuarterLock",
    "ReportFile",
    "SmtpSettings",
    "SmtpTransport",
    "Transport",
    "UncertainDelivery",
    "address_key",
    "address_problem",
    "build_message",
    "decide",
    "deliver_quarter",
    "load_distribution",
    "recipients_path",
    "render_alert",
    "send_alert",
    "smtp_settings_from_connection",
]
