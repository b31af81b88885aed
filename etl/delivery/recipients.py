"""The distribution list: who gets which scope's report, in which language; address checks."""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass
from email.utils import parseaddr
from pathlib import Path
from typing import Any

from etl.core.config import DEFAULTS_DIR, ConfigError, Settings, load_settings
from etl.report.i18n import LOCALES

DEFAULT_RECIPIENTS = DEFAULTS_DIR / "recipients.toml"


# Deliberately lenient (IDN domains pass) but strict where it matters: one @, a dotted
# domain, no spaces, no header-breaking characters.
_ADDRESS_RE = re.compile(r"[^\s@<>()\[\],;:\"]+@[^\s@<>()\[\],;:\".]+(?:\.[^\s@<>()\[\],;:\".]+)+")


@dataclass(frozen=True)
class ListEntry:
    """One group of a scope's distribution list: recipients, copies and their language."""

    scope: str
    to: tuple[str, ...]
    cc: tuple[str, ...]
    language: str
    where: str  # "recipients.toml [scopes.BJ]": named in every error about this entry

    def addresses(self) -> list[tuple[str, str, str]]:
        """(address as written, role, where) for every recipient, `to` first."""
        return [
            *((address, "to", f"{self.where}.to[{i}]") for i, address in enumerate(self.to)),
            *((address, "cc", f"{self.where}.cc[{i}]") for i, address in enumerate(self.cc)),
        ]


@dataclass(frozen=True)
class DistributionList:
    """Who receives which scope's report, who sends it, and who hears about failures."""

    source: str
    sender: str
    reply_to: str | None
    operators: tuple[str, ...]
    operators_language: str
    entries: tuple[ListEntry, ...]

    def for_scope(self, scope: str) -> list[ListEntry]:
        return [entry for entry in self.entries if entry.scope == scope]

    def languages_for(self, scope: str) -> list[str]:
        """The report languages a scope's recipients need (supported ones only)."""
        wanted = [entry.language for entry in self.for_scope(scope)]
        return [language for language in dict.fromkeys(wanted) if language in LOCALES]


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return tuple(value)
    raise ConfigError(f"{where}: expected a list of e-mail addresses (strings), got {value!r}")


def recipients_path(path: str | Path | None = None, settings: Settings | None = None) -> Path:
    """The distribution list in use: argument, SATISFACTION_RECIPIENTS, settings, default."""
    if path:
        return Path(path)
    if os.environ.get("SATISFACTION_RECIPIENTS"):
        return Path(os.environ["SATISFACTION_RECIPIENTS"])
    settings = settings or load_settings()
    configured = settings.raw.get("delivery", {}).get("recipients")
    if configured:
        chosen = Path(os.path.expanduser(str(configured)))
        return chosen if chosen.is_absolute() else settings.home / chosen
    return DEFAULT_RECIPIENTS


def load_distribution(
    path: str | Path | None = None, settings: Settings | None = None
) -> DistributionList:
    """Read and check the distribution list's shape; a broken file names file and key.

    Problems with single recipients (a malformed address, a scope the warehouse does not
    know, an unsupported language) do not stop the others: they are recorded per recipient
    when the run delivers.
    """
    chosen = recipients_path(path, settings)
    try:
        raw = tomllib.loads(chosen.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"distribution list {chosen} does not exist") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"distribution list {chosen} is not valid TOML: {exc}") from exc
    name = chosen.name
    sender = raw.get("sender", {}).get("from")
    if not isinstance(sender, str) or not sender.strip():
        raise ConfigError(f'{name}: [sender] from = "Name <address>" is required')
    reply_to = raw.get("sender", {}).get("reply_to")
    operators = raw.get("operators", {})
    scopes = raw.get("scopes", {})
    if not isinstance(scopes, dict):
        raise ConfigError(f"{name}: [scopes] must be a table of scope codes")
    default_language = (settings or load_settings()).raw.get("default_language", "zh-CN")
    entries: list[ListEntry] = []
    for scope, value in scopes.items():
        groups = value if isinstance(value, list) else [value]
        for position, group in enumerate(groups, start=1):
            where = f"{name} [scopes.{scope}]" + (f" #{position}" if len(groups) > 1 else "")
            if not isinstance(group, dict):
                raise ConfigError(f"{where}: expected a table with `to`, `cc` and `language`")
            unknown_keys = set(group) - {"to", "cc", "language"}
            if unknown_keys:
                raise ConfigError(f"{where}: unknown keys {sorted(unknown_keys)}")
            entries.append(
                ListEntry(
                    scope=str(scope),
                    to=_strings(group.get("to"), f"{where}.to"),
                    cc=_strings(group.get("cc"), f"{where}.cc"),
                    language=str(group.get("language", default_language)),
                    where=where,
                )
            )
    return DistributionList(
        source=str(chosen),
        sender=sender.strip(),
        reply_to=str(reply_to) if reply_to else None,
        operators=_strings(operators.get("to"), f"{name} [operators].to"),
        operators_language=str(operators.get("language", default_language)),
        entries=tuple(entries),
    )


def address_problem(text: str) -> str | None:
    """Why `text` is not a usable e-mail address, or None when it is."""
    if "\n" in text or "\r" in text:
        return "contains a line break"
    _, address = parseaddr(text)
    if not address or not _ADDRESS_RE.fullmatch(address):
        return "is not an e-mail address (expected name@domain.tld)"
    return None


def address_key(text: str) -> str:
    """The address the delivery log is keyed by: bare and lower-case."""
    return parseaddr(text)[1].strip().lower()
