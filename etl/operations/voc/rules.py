"""The rule tagger: stages by cue words, sentiment by words with negation, contrast and irony.

A comment is normalised (NFKC, lower case, slang and typos fixed), cut into clauses at
punctuation and at contrast cues (但是, but), and read clause by clause:

- a dimension is named by any of its cues (aspects.toml), or by two cues in one clause;
- the insurance phrases of sentiment.toml are matched first; the remaining words (jieba's
  segmentation for Chinese) are looked up in HowNet / VADER;
- a negator up to two words before a sentiment word turns it round (不是很满意 is negative,
  没有不满意 positive, not unhappy positive);
- clauses after a contrast cue weigh more than those before (虽然…但是…);
- praise in quotation marks or next to an irony cue (真是太“高效”了, oh great) counts as blame.

The sentiment is mixed when both sides carry real weight and the comment turns on a contrast.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

from etl.operations.voc.lexicon import Language, Lexicon

CJK = re.compile(r"[\u3400-\u9fff]")
CLAUSE_BREAK = re.compile(r"[,.!?;:，。！？；：、…\n]+|\s-\s")
QUOTED = re.compile(r"[“\"'‘「]([^”\"'’」]{1,12})[”\"'’」]")
EN_WORD = re.compile(r"[a-z][a-z'\-]*")
NEGATION_WINDOW = 3
BEFORE_CONTRAST = 0.6
AFTER_CONTRAST = 1.4
NEGATED = 0.8  # a negated word counts a little less than a plain one (不是很满意 is mild)
MIXED_BALANCE = 0.25  # mixed: the weaker side carries at least this share of the stronger one
REQUEST_CALM = 1.5  # a request or question whose sentiment weighs less than this is neutral
FACT_WEIGHT = 0.5  # a wait or a repeated trip counts half a negative word


@dataclass(frozen=True)
class RuleReading:
    """What the rules see in one comment: scores, cues and their verdicts."""

    language: str
    positive: float
    negative: float
    contrast: int
    irony: int
    negations: int
    facts: int
    question: int
    request: int
    clauses: int
    cue_counts: tuple[int, ...]  # per dimension of the lexicon's aspects
    dimensions: tuple[str, ...]
    sentiment: str

    @property
    def score(self) -> float:
        return self.positive - self.negative

    def features(self) -> list[float]:
        return [
            self.positive,
            self.negative,
            self.positive - self.negative,
            min(self.positive, self.negative),
            float(self.contrast),
            float(self.irony),
            float(self.negations),
            float(min(self.facts, 4)),
            float(self.question),
            float(self.request),
            float(self.language == "zh-CN"),
            *(float(min(c, 3)) for c in self.cue_counts),
        ]


def language_of(text: str) -> str:
    """zh-CN when a fifth or more of the letters are Chinese characters, else en."""
    letters = sum(map(str.isalpha, text))
    return "zh-CN" if letters and len(CJK.findall(text)) * 5 >= letters else "en"


def normalise(text: str, lexicon: Lexicon) -> str:
    """NFKC (full-width punctuation to ASCII), lower case, the lexicon's fixes applied."""
    text = unicodedata.normalize("NFKC", text).lower()
    for wrong, right in lexicon.fixes:
        text = text.replace(wrong.lower(), right.lower())
    return text


@cache
def _segmenter(words: tuple[str, ...]) -> Any:
    """A jieba tokenizer of its own (the process-wide one is left alone) with our words."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    for word in words:
        tokenizer.add_word(word, freq=2000)
    return tokenizer


@dataclass(frozen=True)
class Matchers:
    """A lexicon compiled once: the segmenter and one regular expression per word list."""

    segmenter: Any
    phrases: dict[str, tuple[re.Pattern[str], re.Pattern[str]]]  # language: (negative, positive)
    aspects_zh: tuple[re.Pattern[str] | None, ...]
    aspects_en: tuple[re.Pattern[str] | None, ...]
    excludes_en: tuple[re.Pattern[str] | None, ...]


def _alternation(words: Iterable[str], word_start: bool = False) -> re.Pattern[str] | None:
    ordered = sorted(set(words), key=len, reverse=True)
    if not ordered:
        return None
    prefix = r"(?<![a-z])" if word_start else ""
    return re.compile(prefix + "(?:" + "|".join(re.escape(w) for w in ordered) + ")")


NEVER = re.compile(r"(?!x)x")


_COMPILED: dict[int, tuple[Lexicon, Matchers]] = {}


def matchers(lexicon: Lexicon) -> Matchers:
    """The lexicon's compiled matchers (looked up by identity: hashing a lexicon is slow)."""
    known = _COMPILED.get(id(lexicon))
    if known is None or known[0] is not lexicon:
        known = _COMPILED[id(lexicon)] = (lexicon, _compile(lexicon))
    return known[1]


def _compile(lexicon: Lexicon) -> Matchers:
    words = {cue for aspect in lexicon.aspects for cue in aspect.zh}
    words |= set(lexicon.zh.phrases_positive) | set(lexicon.zh.phrases_negative)
    words |= lexicon.zh.negators | lexicon.zh.intensifiers
    phrases = {}
    for name, language, start in (("zh", lexicon.zh, False), ("en", lexicon.en, True)):
        phrases[name] = (
            _alternation(language.phrases_negative, start) or NEVER,
            _alternation(language.phrases_positive, start) or NEVER,
        )
    return Matchers(
        segmenter=_segmenter(tuple(sorted(w for w in words if CJK.search(w)))),
        phrases=phrases,
        aspects_zh=tuple(_alternation(a.zh) for a in lexicon.aspects),
        aspects_en=tuple(_alternation(a.en, word_start=True) for a in lexicon.aspects),
        excludes_en=tuple(_alternation(a.exclude_en) for a in lexicon.aspects),
    )


def segmenter(lexicon: Lexicon) -> Any:
    return matchers(lexicon).segmenter


def clauses(text: str, language: Language) -> list[tuple[str, float, bool]]:
    """(clause, weight, is the turn of a contrast) in order; weights follow 虽然/但是, but."""
    pieces = [p.strip() for p in CLAUSE_BREAK.split(text) if p.strip()]
    split: list[str] = []
    for piece in pieces:  # "slow to pay but they paid" is two clauses
        split += [p for p in re.split(r"\s(?=(?:but|yet|though|however)\s)", piece) if p]
    out: list[tuple[str, float, bool]] = []
    turned = conceded = False
    for clause in split:
        turn = any(clause.startswith(cue) for cue in language.contrast) or (conceded and not turned)
        conceded = conceded or any(clause.startswith(cue) for cue in language.concessive)
        turned = turned or turn
        out.append((clause, 1.0, turn))
    if turned:
        first_turn = next(i for i, (_, _, turn) in enumerate(out) if turn)
        out = [
            (c, BEFORE_CONTRAST if i < first_turn else AFTER_CONTRAST, t)
            for i, (c, _, t) in enumerate(out)
        ]
    return out


def _negated(text: str, position: int, zh: bool, language: Language) -> bool:
    """A negator right before a sentiment word, intensifiers between them skipped
    (不是很满意, 没有不满意; not very happy, didn't like)."""
    if zh:
        head = text[max(0, position - 5) : position].rstrip()
        for _ in range(2):
            for word in language.intensifiers:
                if head.endswith(word):
                    head = head[: -len(word)]
                    break
        negator = next((w for w in language.negators if head.endswith(w)), None)
        if negator is None:
            return False
        head = head[: -len(negator)]  # 没有不满意: two negators cancel
        return not any(head.endswith(word) for word in language.negators)
    before = EN_WORD.findall(text[max(0, position - 40) : position])
    window = [w for w in before if w not in language.intensifiers][-NEGATION_WINDOW + 1 :]
    return any(w in language.negators or w.endswith("n't") for w in window)


def _phrase_hits(
    clause: str, found: tuple[re.Pattern[str], re.Pattern[str]]
) -> tuple[list[tuple[int, int]], str]:
    """Insurance phrases found (position, polarity), and the clause with them blanked out."""
    hits = []
    for pattern, polarity in zip(found, (-1, 1), strict=True):
        for match in pattern.finditer(clause):
            hits.append((match.start(), polarity))
        clause = pattern.sub(lambda m: " " * len(m.group(0)), clause)
    return hits, clause


def facts(clause: str, language: Language) -> int:
    """How many of the language's negative patterns (waiting, going back again) a clause holds."""
    return sum(1 for pattern in language.negative_patterns if pattern.search(clause))


def good_facts(clause: str, language: Language) -> int:
    """How many of the language's positive patterns (done within minutes) a clause holds."""
    return sum(1 for pattern in language.positive_patterns if pattern.search(clause))


def clause_scores(clause: str, lexicon: Lexicon, zh: bool) -> tuple[float, float, int, bool, int]:
    """Positive and negative weight of one clause, negations seen, whether it is ironic, and
    how many negative patterns (facts) it holds."""
    language = lexicon.zh if zh else lexicon.en
    ironic = any(cue in clause for cue in language.irony) or any(
        quoted.strip() in language.positive or quoted.strip() in language.phrases_positive
        for quoted in QUOTED.findall(clause)
    )
    original = clause
    hits, rest = _phrase_hits(clause, matchers(lexicon).phrases["zh" if zh else "en"])
    words = segmenter(lexicon).lcut(rest) if zh else EN_WORD.findall(rest)
    position = 0
    for word in words:
        found = rest.find(word, position)
        position = found + len(word) if found >= 0 else position
        if word in language.positive:
            hits.append((max(found, 0), 1))
        elif word in language.negative:
            hits.append((max(found, 0), -1))
    seen_facts = facts(original, language)
    positive = FACT_WEIGHT * good_facts(original, language)
    negative = FACT_WEIGHT * seen_facts
    negations = 0
    for start, polarity in hits:
        weight = 1.0
        if _negated(original, start, zh, language):
            polarity, weight = -polarity, NEGATED
            negations += 1
        if ironic and polarity > 0:
            polarity = -1
        if polarity > 0:
            positive += weight
        else:
            negative += weight
    return positive, negative, negations, ironic, seen_facts


def cue_counts(text: str, lexicon: Lexicon) -> tuple[int, ...]:
    """How many cues of each dimension a normalised comment holds."""
    compiled = matchers(lexicon)
    pieces = [p for p in CLAUSE_BREAK.split(text) if p.strip()]
    counts = []
    for index, aspect in enumerate(lexicon.aspects):
        zh, en, exclude = (
            compiled.aspects_zh[index],
            compiled.aspects_en[index],
            compiled.excludes_en[index],
        )
        count = len(zh.findall(text)) if zh else 0
        count += sum(1 for a, b in aspect.zh_pairs for piece in pieces if a in piece and b in piece)
        if en is not None:
            count += len(en.findall(exclude.sub(" ", text) if exclude else text))
        counts.append(count)
    return tuple(counts)


def sentiment_of(positive: float, negative: float, contrast: int) -> str:
    """positive / negative / neutral / mixed from the two weights and the comment's turn."""
    if positive == 0 and negative == 0:
        return "neutral"
    weaker, stronger = sorted((positive, negative))
    if weaker > 0 and contrast and weaker >= MIXED_BALANCE * stronger:
        return "mixed"
    return "positive" if positive > negative else "negative"  # a tie leans to the complaint


def read(text: str, lexicon: Lexicon) -> RuleReading:
    """The rules' reading of one comment."""
    language = language_of(text)
    zh = language == "zh-CN"
    normal = normalise(text, lexicon)
    parts = clauses(normal, lexicon.zh if zh else lexicon.en)
    positive = negative = 0.0
    negations = irony = seen_facts = 0
    for clause, weight, _turn in parts:
        p, n, negs, ironic, clause_facts = clause_scores(clause, lexicon, zh)
        positive += p * weight
        negative += n * weight
        negations += negs
        irony += ironic
        seen_facts += clause_facts
    contrast = sum(turn for _, _, turn in parts)
    counts = cue_counts(normal, lexicon)
    request = int(any(cue in normal for cue in (lexicon.zh if zh else lexicon.en).request))
    sentiment = sentiment_of(positive, negative, contrast)
    if request and positive + negative < REQUEST_CALM:
        sentiment = "neutral"
    return RuleReading(
        language=language,
        positive=round(positive, 3),
        negative=round(negative, 3),
        contrast=contrast,
        irony=irony,
        negations=negations,
        facts=seen_facts,
        question=int("?" in normal or "吗" in normal),
        request=request,
        clauses=len(parts),
        cue_counts=counts,
        dimensions=tuple(a.dimension for a, c in zip(lexicon.aspects, counts, strict=True) if c),
        sentiment=sentiment,
    )
