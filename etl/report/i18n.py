"""Languages: message catalogs, Babel number and date formatting, quarter labels (one place)."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from functools import cache

from babel import Locale
from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent
from babel.support import Translations

from etl.core.config import REPOSITORY_ROOT
from etl.core.errors import ParamError
from etl.core.periods import Quarter

LOCALES_DIR = REPOSITORY_ROOT / "report_templates" / "locales"
LOCALES = {"zh-CN": "zh_Hans_CN", "en": "en_GB"}
MISSING = "—"


class LanguageError(ParamError):
    """A language the catalogs do not cover."""

    param = "language"


def babel_locale(language: str) -> Locale:
    """The Babel locale for a report language (`zh-CN`, `en`)."""
    if language not in LOCALES:
        raise LanguageError(
            f"language={language!r} is not supported; expected one of {sorted(LOCALES)}"
        )
    return Locale.parse(LOCALES[language])


@cache
def translations(language: str) -> Translations:
    """Message catalog for a language, compiled in memory from its .po file."""
    babel_locale(language)
    if language == "en":
        return Translations()  # msgids are English
    po_path = LOCALES_DIR / LOCALES[language] / "LC_MESSAGES" / "messages.po"
    with po_path.open("rb") as handle:
        catalog = read_po(handle, locale=LOCALES[language])
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer)


def _pattern(digits: int) -> str:
    return "#,##0" + ("." + "0" * digits if digits else "")


def format_number(value: float | None, language: str, digits: int = 1) -> str:
    """`1,234.5`; a missing value is an em dash."""
    if value is None or value != value:  # NaN is missing too
        return MISSING
    return format_decimal(value, _pattern(digits), locale=babel_locale(language))


def format_share(value: float | None, language: str, digits: int = 1) -> str:
    """A share (0.246) as a percentage (`24.6%`)."""
    if value is None or value != value:
        return MISSING
    return format_percent(value, _pattern(digits) + "%", locale=babel_locale(language))


def format_signed(value: float | None, language: str, digits: int = 1) -> str:
    """A change with its sign (`+1.2`, `−0.4`); a change that rounds to zero reads `±0.0`."""
    if value is None or value != value:
        return MISSING
    text = format_number(abs(value), language, digits)
    if round(value, digits) == 0:
        return "±" + text
    return ("+" if value > 0 else "−") + text


def format_long_date(value: dt.date | None, language: str) -> str:
    """`2026年12月2日` / `2 December 2026`."""
    return MISSING if value is None else format_date(value, "long", locale=babel_locale(language))


def number_filters(language: str) -> dict[str, Callable[..., str]]:
    """The formatters as Jinja filters (`number`, `percent`, `signed`, `date`)."""
    return {
        "number": lambda value, digits=1: format_number(value, language, digits),
        "percent": lambda value, digits=1: format_share(value, language, digits),
        "signed": lambda value, digits=1: format_signed(value, language, digits),
        "date": lambda value: format_long_date(value, language),
    }


def quarter_label(quarter: Quarter, language: str) -> str:
    """`2026年第3季度` / `Q3 2026`, from the catalog."""
    _ = translations(language).gettext
    return _("Q%(number)s %(year)s") % {"number": quarter.number, "year": quarter.year}


def quarter_tick(quarter: Quarter, language: str) -> str:
    """A short quarter label for chart axes (`26Q3`)."""
    _ = translations(language).gettext
    return _("%(yy)sQ%(number)s") % {"yy": f"{quarter.year % 100:02d}", "number": quarter.number}
