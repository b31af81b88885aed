"""The rules: negation, contrast, irony, implicit stages and slang, read clause by clause."""

from __future__ import annotations

import pytest

from etl.operations.voc.lexicon import load_lexicon
from etl.operations.voc.rules import language_of, read

# (text, dimensions the rules name, their sentiment)
CASES = [
    ("不是很满意，等太久了", (), "negative"),  # negated praise
    ("没有不满意的地方", (), "positive"),  # double negation
    ("I am not unhappy with it", (), "positive"),
    ("理赔不是很慢", ("claims",), "positive"),  # negated complaint
    ("虽然最后赔了，但是过程太折腾", ("claims",), "mixed"),  # contrast
    ("Slow to pay, but they paid every cent", ("claims",), "mixed"),
    ("真是太“高效”了，三个月还没赔下来", ("claims",), "negative"),  # irony in quotes
    ("Oh great, another month of 'reviewing' my claim", ("claims",), "negative"),
    ("钱到现在都没到账", ("claims",), "negative"),  # implicit stage: claims
    ("改个受益人跑了三趟", ("policy_service",), "negative"),  # implicit: policy service
    ("各部门互相踢皮球", ("complaints",), "negative"),  # slang
    ("理陪太慢了", ("claims",), "negative"),  # typo 理陪 → 理赔
    ("请问理赔需要哪些材料？", ("claims",), "neutral"),  # a request
    ("手机上十分钟就出单了，很方便", ("purchase",), "positive"),
]


@pytest.mark.parametrize(("text", "dimensions", "sentiment"), CASES)
def test_rules_read_the_hard_cases(text: str, dimensions: tuple[str, ...], sentiment: str) -> None:
    reading = read(text, load_lexicon())
    assert (reading.dimensions, reading.sentiment) == (dimensions, sentiment)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("理赔很快", "zh-CN"),
        ("The claim was quick", "en"),
        ("APP上改了银行卡", "zh-CN"),
        ("", "en"),
    ],
)
def test_language(text: str, language: str) -> None:
    assert language_of(text) == language


def test_negation_and_irony_are_features_the_model_sees() -> None:
    negated = read("不是很满意", load_lexicon())
    ironic = read("真是太“高效”了", load_lexicon())
    assert negated.negations == 1 and ironic.irony == 1
    assert len(negated.features()) == len(ironic.features())
