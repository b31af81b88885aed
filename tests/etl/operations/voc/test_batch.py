"""Batches: forked workers give what one process gives; names as jieba's full cut finds them."""

from __future__ import annotations

import jieba.posseg
import pytest

from etl.operations.voc import default_tagger, mask_personal_data, tag_and_mask
from etl.operations.voc.batch import PARALLEL_MIN, workers_for
from etl.operations.voc.model import read_corpus
from etl.operations.voc.privacy import LABEL, NAME_FLAGS, SURNAME_START, segmenter_names


def full_cut_names(text: str) -> list[str]:
    """Names as jieba.posseg.cut (HMM over every loose run) tags them: the reference."""
    found = set()
    for piece in LABEL.split(text)[::2]:
        for pair in jieba.posseg.cut(piece):
            named = pair.flag == "nrt" or SURNAME_START.match(pair.word)
            if len(pair.word) >= 2 and pair.flag in NAME_FLAGS and named:
                found.add(pair.word)
    return sorted(found, key=len, reverse=True)


def test_names_match_jiebas_full_cut_on_the_corpus():
    texts = [item.text for item in read_corpus()]
    texts += ["王小明说理赔太慢", "联系了李建国经理", "欧阳娜娜的保单", "2026年的理赔", "张三丰和"]
    assert [segmenter_names(t) for t in texts] == [full_cut_names(t) for t in texts]


@pytest.mark.parametrize(
    ("count", "workers", "expected"),
    [
        (10, None, 1),
        (PARALLEL_MIN - 1, 2, 1),
        (PARALLEL_MIN, 2, 2),
        (PARALLEL_MIN, 1, 1),
    ],
)
def test_workers_for(count, workers, expected):
    assert workers_for(count, workers) == expected


def test_forked_workers_give_the_single_process_result():
    corpus = [item.text for item in read_corpus()]
    texts = [f"{corpus[i % len(corpus)]} 第{i % 90}天，电话138{i:08d}" for i in range(PARALLEL_MIN)]
    parallel = tag_and_mask(texts, workers=2)
    tagged = default_tagger().tag_many(texts)
    assert [c.tagged for c in parallel] == tagged
    assert [c.masked_text for c in parallel] == [mask_personal_data(t) for t in texts]
    assert all("[手机号]" in c.masked_text for c in parallel)
