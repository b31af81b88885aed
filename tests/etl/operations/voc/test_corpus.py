"""The labelled corpus meets its brief: size, languages, sources, dimensions, hard cases."""

from __future__ import annotations

import csv
from collections import Counter

from etl.core.config import SERVICE_DIMENSIONS
from etl.operations.voc.model import CORPUS_PATH, SENTIMENT_CLASSES


def rows() -> list[dict[str, str]]:
    with CORPUS_PATH.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_size_languages_sources_and_labels() -> None:
    corpus = rows()
    assert len(corpus) >= 600
    assert len({row["text"] for row in corpus}) == len(corpus)  # no text twice
    assert set(Counter(row["lang"] for row in corpus)) == {"zh-CN", "en"}
    sources = Counter(row["source"] for row in corpus)
    assert set(sources) == {"survey_comment", "online_message", "social_media"}
    assert {row["sentiment"] for row in corpus} == set(SENTIMENT_CLASSES)
    assert {row["reviewed"] for row in corpus} <= {"confirmed", "relabelled"}  # second pass


def test_every_dimension_sixty_times_and_a_hundred_multi_stage_texts() -> None:
    corpus = rows()
    dimensions = Counter(d for row in corpus for d in row["dimensions"].split("|") if d)
    assert set(dimensions) == set(SERVICE_DIMENSIONS)
    assert min(dimensions.values()) >= 60
    assert sum("|" in row["dimensions"] for row in corpus) >= 100


def test_hard_cases_in_quantity() -> None:
    texts = [row["text"] for row in rows()]
    contrast = ("虽然", "但", "可是", "不过", "可惜", "就是", " but ", "though", " yet ")
    assert sum(any(c in t for c in contrast) for t in texts) >= 60
    assert sum(any(c in t for c in ("不是很", "没有不", "not un", "不是不")) for t in texts) >= 5
    assert sum(("“" in t or "'" in t or "呵呵" in t) for t in texts) >= 10
    assert sum(any(c in t for c in ("踢皮球", "无语", "理陪", "绝了", "避雷")) for t in texts) >= 8
