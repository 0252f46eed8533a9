"""Hashed features of a resident's text for the linear classifier.

Each word gives its Snowball stem (Russian morphology from a library made for it, not a suffix list)
and its character 2–5-grams with word boundaries, which survive typos and odd endings; each pair of
neighbouring stems gives one more feature. Features are hashed (CRC-32, stable across processes), so
a model stores numbers, never a vocabulary or residents' words.
"""

from __future__ import annotations

import zlib
from dataclasses import asdict, dataclass
from itertools import pairwise
from typing import Any

import snowballstemmer

from chalicelib.domain.text import letter_words

CACHE_LIMIT = 100_000  # words (or word pairs); beyond it the cache starts over, so memory stays bounded


@dataclass(frozen=True)
class FeatureSpec:
    bits: int = 22
    char_min: int = 2
    char_max: int = 5
    bigrams: bool = True

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> FeatureSpec:
        return cls(**raw)


ENCODING = "utf-16-le"  # two bytes a letter, so a character n-gram is a plain slice of the encoded word
_GRAM_PREFIX = zlib.crc32("c:".encode(ENCODING))


def stable_hash(feature: str, mask: int) -> int:
    return zlib.crc32(feature.encode(ENCODING)) & mask


class Featurizer:
    """Text → feature hashes (with repeats). Stems and per-word hashes are cached unless `cache` is off
    (a model caches what it needs itself)."""

    def __init__(self, spec: FeatureSpec | None = None, cache: bool = True) -> None:
        self.spec = spec or FeatureSpec()
        self._mask = (1 << self.spec.bits) - 1
        self._stemmer = snowballstemmer.stemmer("russian")
        self._words: dict[str, tuple[str, tuple[int, ...]]] = {}
        self._cache = cache

    def word(self, word: str) -> tuple[str, tuple[int, ...]]:
        """The word's stem and the hashes of its own features (stem and character n-grams)."""
        cached = self._words.get(word)
        if cached is None:
            if len(self._words) >= CACHE_LIMIT:
                self._words.clear()
            stem = self._stemmer.stemWord(word)
            cached = (stem, (stable_hash("w:" + stem, self._mask), *self._gram_hashes(word)))
            if self._cache:
                self._words[word] = cached
        return cached

    def _gram_hashes(self, word: str) -> list[int]:
        """stable_hash("c:" + gram) of each character n-gram of " word ", via CRC-32's running value."""
        padded = f" {word} ".encode(ENCODING)
        length, mask, crc = len(padded) // 2, self._mask, zlib.crc32
        return [crc(padded[2 * i:2 * (i + n)], _GRAM_PREFIX) & mask
                for n in range(self.spec.char_min, self.spec.char_max + 1) for i in range(length - n + 1)]

    def words(self, text: str) -> list[str]:
        return letter_words(text)

    def pair_hash(self, first: str, second: str) -> int:
        return stable_hash(f"b:{first} {second}", self._mask)

    def pair_hashes(self, stems: list[str]) -> list[int]:
        if not self.spec.bigrams:
            return []
        return [self.pair_hash(a, b) for a, b in pairwise(stems)]

    def hashes(self, text: str) -> list[int]:
        stems: list[str] = []
        found: list[int] = []
        for word in self.words(text):
            stem, hashes = self.word(word)
            stems.append(stem)
            found.extend(hashes)
        found.extend(self.pair_hashes(stems))
        return found
