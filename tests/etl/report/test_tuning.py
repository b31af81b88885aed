"""The renderer libraries' process-wide settings: same parse, same pattern, level-6 streams."""

from __future__ import annotations

import zlib

import pydyf
import tinyhtml5
from tinyhtml5 import inputstream

from etl.report.tuning import DEFLATE_LEVEL, _CharacterRuns, tune_renderer_libraries


def test_character_runs_are_built_once_under_the_looked_up_key() -> None:
    cache = _CharacterRuns()
    until = cache[(("<", "&"), False)]
    assert until.match("ab&c").group(0) == "ab"
    spaces = cache[(frozenset(" \t"), True)]
    assert spaces.match("  \tx").group(0) == "  \t"
    assert cache[(("<", "&"), False)] is until  # a hit, not a rebuild
    assert len(cache) == 2


def test_tuned_libraries_parse_and_compress_as_before() -> None:
    html = '<p class="a b">x &amp; y</p><svg><path d="M 0 0 L 1 1"/></svg>'
    before = tinyhtml5.parse(html)
    tune_renderer_libraries()
    tune_renderer_libraries()  # twice is harmless
    assert isinstance(inputstream.characters_until_regex, _CharacterRuns)
    after = tinyhtml5.parse(html)
    assert [(e.tag, dict(e.attrib), e.text) for e in after.iter()] == [
        (e.tag, dict(e.attrib), e.text) for e in before.iter()
    ]
    stream = pydyf.Stream([b"0 0 m 1 1 l S"] * 50, compress=True)
    deflated = stream.data.split(b"stream\n", 1)[1].rsplit(b"\nendstream", 1)[0]
    assert zlib.decompress(deflated) == b"\n".join([b"0 0 m 1 1 l S"] * 50)
    expected = zlib.compressobj(DEFLATE_LEVEL)
    assert deflated == expected.compress(b"\n".join([b"0 0 m 1 1 l S"] * 50)) + expected.flush()
