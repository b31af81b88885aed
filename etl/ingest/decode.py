"""Bytes of an export file to text: BOM, UTF-8, GB18030/GBK, and files that mix them.

A file has one encoding, in principle. Exports opened and re-saved in Excel, or appended to
by hand, sometimes do not: a UTF-8 file with a few GBK lines, say. Decoding such a file as
GB18030 would turn every UTF-8 line into mojibake without an error, so the decision is made
per physical line: a line that is not valid in the file's encoding is kept as a marked line,
and the rows it carries are quarantined with the rule `encoding` instead of loaded garbled.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

from etl.core.errors import UserError

UTF8 = "utf-8"
GB18030 = "gb18030"
# Names a mapping may declare; GBK and GB2312 are subsets of GB18030, which decodes them.
DECLARABLE = {
    "auto": None,
    "utf-8": UTF8,
    "utf8": UTF8,
    "utf-8-sig": UTF8,
    "gb18030": GB18030,
    "gbk": GB18030,
    "gb2312": GB18030,
    "cp936": GB18030,
}


class UnreadableFileError(UserError):
    """A file that cannot be read at all: it is registered as rejected with this reason."""


@dataclass(frozen=True)
class DecodedText:
    """The text of a file, its encoding, and the physical lines (1-based) it could not decode."""

    text: str
    encoding: str
    bad_lines: frozenset[int]


def _split_lines(data: bytes) -> list[bytes]:
    # CRLF, LF and a mix of both: `\n` ends a line and a trailing `\r` is dropped later by
    # the CSV reader, so line numbers match what an editor shows.
    return data.split(b"\n")


def _valid(line: bytes, encoding: str) -> bool:
    try:
        line.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


def decode(data: bytes, declared: str = "auto") -> DecodedText:
    """Decode an export; `declared` is the mapping's `encoding` (auto, utf-8, gb18030, gbk …)."""
    key = declared.strip().lower()
    if key not in DECLARABLE:
        raise UnreadableFileError(
            f"encoding {declared!r} is not supported; use auto, utf-8, gb18030 or gbk"
        )
    if data.startswith(codecs.BOM_UTF8):
        data, chosen = data[len(codecs.BOM_UTF8) :], UTF8
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise UnreadableFileError("the file is UTF-16; export it as UTF-8 or GB18030 CSV")
    else:
        chosen = DECLARABLE[key]
    if chosen is None:
        chosen = _guess(data)
    try:
        return DecodedText(data.decode(chosen), chosen, frozenset())
    except UnicodeDecodeError:
        return _decode_by_line(data, chosen)


def _guess(data: bytes) -> str:
    """UTF-8 when it decodes, or when most non-ASCII lines do (a mixed file); else GB18030."""
    try:
        data.decode(UTF8)
    except UnicodeDecodeError:
        pass
    else:
        return UTF8
    non_ascii = [line for line in _split_lines(data) if not line.isascii()]
    utf8_lines = sum(_valid(line, UTF8) for line in non_ascii)
    return UTF8 if utf8_lines * 2 > len(non_ascii) else GB18030


def _decode_by_line(data: bytes, encoding: str) -> DecodedText:
    lines = _split_lines(data)
    bad: set[int] = set()
    decoded: list[str] = []
    for number, line in enumerate(lines, start=1):
        try:
            decoded.append(line.decode(encoding))
        except UnicodeDecodeError:
            bad.add(number)
            decoded.append(line.decode(encoding, errors="replace"))
    if len(bad) * 2 > len(lines):
        raise UnreadableFileError(
            f"{len(bad)} of {len(lines)} lines are not valid {encoding}; declare the file's "
            'encoding in the mapping ([source] encoding = "gb18030" or "utf-8")'
        )
    return DecodedText("\n".join(decoded), encoding, frozenset(bad))
