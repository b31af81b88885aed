"""E-mails: the report message to a distribution group and the operators' failure alert."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from etl.core.config import TEMPLATES_DIR
from etl.core.periods import Quarter
from etl.core.scopes import Scope
from etl.delivery.recipients import DistributionList, ListEntry, address_problem
from etl.report.i18n import LOCALES, format_number, quarter_label, translations


def escapes(template_name: str | None) -> bool:
    """Autoescape every template except plain-text ones (`*.txt.j2`), whatever else it is named.

    `select_autoescape(["html"])` matched only names ending in `.html`, so `body.html.j2`
    rendered warehouse values and the `reason` Param raw into the HTML part.
    """
    return not (template_name or "").endswith((".txt.j2", ".txt"))


def header_safe(text: str) -> str:
    """A header value: control characters (CR, LF, …) become spaces, never a new header line."""
    return " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())


@cache
def _email_environment(language: str = "en") -> jinja2.Environment:
    """The e-mail templates with the language's catalog (the alert is bilingual as written)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR / "email"),
        autoescape=escapes,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_translations(translations(language), newstyle=True)  # type: ignore[attr-defined]
    return env


def headline_text(figures: Mapping[str, Any], language: str) -> dict[str, str]:
    """The headline figures as the e-mail prints them (Babel, em dash when missing)."""
    return {
        "csi": format_number(figures.get("csi"), language),
        "nps": format_number(figures.get("nps"), language),
        "csat": format_number(figures.get("csat"), language),
        "respondents": format_number(figures.get("respondents"), language, 0),
        # The boxes CSAT counted, as stored with the figure (9–10 of 10 unless configured).
        "csat_low": (figures.get("csat_boxes") or (9, 10))[0],
        "csat_high": (figures.get("csat_boxes") or (9, 10))[1],
    }


@dataclass(frozen=True)
class ReportFile:
    """A rendered report as delivery sees it."""

    quarter: str
    scope: Scope
    language: str
    path: Path
    checksum: str
    revision: int
    revision_reason: str | None
    revision_date: dt.date | None

    @property
    def attachment_name(self) -> str:
        return f"{self.quarter}_{self.scope.code}_{self.language}_v{self.revision}.pdf"


def build_message(
    report: ReportFile,
    entry: ListEntry,
    distribution: DistributionList,
    figures: Mapping[str, Any],
    sender: str,
) -> EmailMessage:
    """The e-mail for one distribution group: bilingual body, headline figures, the PDF."""
    languages = [entry.language] + [lang for lang in LOCALES if lang != entry.language]
    languages = [language for language in languages if language in LOCALES]
    subject = header_safe(" / ".join(subject_line(report, language) for language in languages))
    revision = {
        "number": report.revision,
        "label": f"v{report.revision}",
        "reason": report.revision_reason or "",
        "date": report.revision_date.isoformat() if report.revision_date else "",
    }
    context = {
        "subject": subject,
        "parts": [body_part(report, figures, revision, language) for language in languages],
        "file_name": report.attachment_name,
        "checksum": report.checksum,
    }
    env = _email_environment()
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = header_safe(sender)
    valid_to = [address for address in entry.to if address_problem(address) is None]
    valid_cc = [address for address in entry.cc if address_problem(address) is None]
    if valid_to:
        message["To"] = ", ".join(valid_to)
    if valid_cc:
        message["Cc"] = ", ".join(valid_cc)
    if distribution.reply_to:
        message["Reply-To"] = header_safe(distribution.reply_to)
    message["Date"] = format_datetime(dt.datetime.now(dt.UTC))
    message["Message-ID"] = make_msgid(
        idstring=f"{report.quarter}.{report.scope.code}.{report.language}.v{report.revision}",
        domain=_domain(sender),
    )
    message["Content-Language"] = entry.language
    message["X-Report-Quarter"] = report.quarter
    message["X-Report-Scope"] = report.scope.code
    message["X-Report-Language"] = report.language
    message["X-Report-Revision"] = f"v{report.revision}"
    message["X-Report-SHA256"] = report.checksum
    message.set_content(env.get_template("body.txt.j2").render(**context))
    message.add_alternative(env.get_template("body.html.j2").render(**context), subtype="html")
    message.add_attachment(
        report.path.read_bytes(),
        maintype="application",
        subtype="pdf",
        filename=report.attachment_name,
    )
    return message


def subject_line(report: ReportFile, language: str) -> str:
    """The subject in one language, from the catalog."""
    _ = translations(language).gettext
    return _("%(quarter)s customer service satisfaction assessment – %(scope)s (%(revision)s)") % {
        "quarter": quarter_label(Quarter.parse(report.quarter), language),
        "scope": report.scope.name(language),
        "revision": f"v{report.revision}",
    }


def body_part(
    report: ReportFile, figures: Mapping[str, Any], revision: Mapping[str, Any], language: str
) -> dict[str, Any]:
    """One language's part of the body, as text and as HTML, from its catalog."""
    part = {
        "language": language,
        "scope_name": report.scope.name(language),
        "quarter_label": quarter_label(Quarter.parse(report.quarter), language),
        "figures": headline_text(figures, language),
    }
    env = _email_environment(language)
    context = {"part": part, "revision": revision}
    return {
        "language": language,
        "text": env.get_template("part.txt.j2").render(**context).rstrip("\n"),
        "html": Markup(env.get_template("part.html.j2").render(**context).rstrip("\n")),
    }


def _domain(sender: str) -> str:
    address = parseaddr(sender)[1]
    return address.rsplit("@", 1)[-1] if "@" in address else "localhost"


def render_alert(**context: Any) -> str:
    """The operators' failure message (report_templates/email/alert.txt.j2), both languages."""
    env = _email_environment("zh-CN")
    english = translations("en").gettext
    return env.get_template("alert.txt.j2").render(**context, en=english)
