"""Encodings: detected per file, and per line when a file mixes them."""

from __future__ import annotations

import codecs

import pytest

from etl.ingest.decode import UnreadableFileError, decode

TEXT = "序号,提交答卷时间\n1,2026/10/3 10:00:00\n"


@pytest.mark.parametrize(
    ("data", "declared", "encoding"),
    [
        (TEXT.encode("utf-8"), "auto", "utf-8"),
        (codecs.BOM_UTF8 + TEXT.encode("utf-8"), "auto", "utf-8"),
        (TEXT.encode("gb18030"), "auto", "gb18030"),
        (TEXT.encode("gbk"), "auto", "gb18030"),
        (TEXT.encode("gbk"), "gbk", "gb18030"),
        (TEXT.encode("utf-8"), "UTF-8", "utf-8"),
    ],
)
def test_whole_file_encodings(data: bytes, declared: str, encoding: str) -> None:
    decoded = decode(data, declared)
    assert (decoded.text.replace("\r", ""), decoded.encoding, decoded.bad_lines) == (
        TEXT,
        encoding,
        frozenset(),
    )


def test_a_gbk_line_in_a_utf8_file_is_marked_not_garbled() -> None:
    data = "a,b\n1,好\n".encode() + "2,坏\n".encode("gbk") + "3,好\n".encode()
    decoded = decode(data)
    assert decoded.encoding == "utf-8"
    assert decoded.bad_lines == frozenset({3})
    assert decoded.text.splitlines()[3] == "3,好"


@pytest.mark.parametrize(
    ("data", "declared", "says"),
    [
        (codecs.BOM_UTF16_LE + "a,b".encode("utf-16-le"), "auto", "UTF-16"),
        (b"a,b", "latin-9", "not supported"),
    ],
)
def test_unreadable_encodings_are_named(data: bytes, declared: str, says: str) -> None:
    with pytest.raises(UnreadableFileError, match=says):
        decode(data, declared)
