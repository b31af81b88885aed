"""The tagger a run uses: the shipped model is fresh, and the fallbacks say what they are."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from etl.operations.voc.lexicon import DEFAULT_LEXICON_DIR, load_lexicon
from etl.operations.voc.model import CORPUS_PATH, MODEL_PATH, corpus_digest, load
from etl.operations.voc.tagger import (
    METHOD_COMBINED,
    METHOD_REFITTED,
    METHOD_RULES,
    build_tagger,
    default_tagger,
)


def test_the_shipped_model_was_fitted_on_this_corpus_and_lexicon() -> None:
    model = load(MODEL_PATH)
    assert model is not None, "run: .venv/bin/python -m etl.operations.voc.train"
    assert model.corpus_digest == corpus_digest(CORPUS_PATH)
    assert model.lexicon_digest == load_lexicon(DEFAULT_LEXICON_DIR).digest


def test_a_run_uses_the_combined_tagger() -> None:
    tagger = default_tagger()
    assert tagger.method == METHOD_COMBINED
    found = tagger.tag_many(["钱到现在都没到账，无语了", "改个受益人跑了三趟", "理赔很快，点赞"])
    assert [t.dimensions for t in found] == [("claims",), ("policy_service",), ("claims",)]
    assert [t.sentiment for t in found] == ["negative", "negative", "positive"]


def test_an_edited_lexicon_refits_the_model_and_without_a_corpus_the_rules_tag(
    tmp_path: Path,
) -> None:
    edited = tmp_path / "lexicon"
    shutil.copytree(DEFAULT_LEXICON_DIR, edited)
    aspects = edited / "aspects.toml"
    aspects.write_text(aspects.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    lexicon = load_lexicon(edited)
    assert build_tagger(lexicon).method == METHOD_REFITTED
    bare = build_tagger(lexicon, model_path=tmp_path / "none", corpus_path=tmp_path / "none")
    assert bare.method == METHOD_RULES
    assert bare.tag("理赔太慢了").sentiment == "negative"


def test_a_huge_text_is_tagged_on_its_start() -> None:
    assert default_tagger().tag("理赔太慢了，" + "等" * 2_000_000).dimensions == ("claims",)


@pytest.mark.parametrize("broken", ["[presale]\nzh = 'not a list'\n", "[nowhere]\nzh = []\n"])
def test_a_broken_lexicon_is_a_clear_config_error(tmp_path: Path, broken: str) -> None:
    from etl.core.config import ConfigError

    shutil.copytree(DEFAULT_LEXICON_DIR, tmp_path / "lexicon")
    (tmp_path / "lexicon" / "aspects.toml").write_text(broken, encoding="utf-8")
    with pytest.raises(ConfigError, match=r"aspects\.toml"):
        load_lexicon(tmp_path / "lexicon")
