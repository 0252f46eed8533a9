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

CACHE_LIMIT = 200_000  # words; a city's appeals use far fewer, so in practice every stem is computed once


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


def stable_hash(feature: str, mask: int) -> int:
    return zlib.crc32(feature.encode("utf-8")) & mask


class Featurizer:
    """Text → feature hashes (with repeats). Stems and per-word hashes are cached."""

    def __init__(self, spec: FeatureSpec | None = None) -> None:
        self.spec = spec or FeatureSpec()
        self._mask = (1 << self.spec.bits) - 1
        self._stemmer = snowballstemmer.stemmer("russian")
        self._words: dict[str, tuple[str, tuple[int, ...]]] = {}

    def word(self, word: str) -> tuple[str, tuple[int, ...]]:
        """The word's stem and the hashes of its own features (stem and character n-grams)."""
        cached = self._words.get(word)
        if cached is None:
            if len(self._words) >= CACHE_LIMIT:
                self._words.clear()
            stem = self._stemmer.stemWord(word)
            padded = f" {word} "
            grams = [padded[i:i + n] for n in range(self.spec.char_min, self.spec.char_max + 1)
                     for i in range(len(padded) - n + 1)]
            hashes = (stable_hash("w:" + stem, self._mask), *(stable_hash("c:" + g, self._mask) for g in grams))
            cached = self._words[word] = (stem, hashes)
        return cached

    def words(self, text: str) -> list[str]:
        return letter_words(text)

    def pair_hashes(self, stems: list[str]) -> list[int]:
        if not self.spec.bigrams:
            return []
        return [stable_hash(f"b:{a} {b}", self._mask) for a, b in pairwise(stems)]

    def hashes(self, text: str) -> list[int]:
        stems: list[str] = []
        found: list[int] = []
        for word in self.words(text):
            stem, hashes = self.word(word)
            stems.append(stem)
            found.extend(hashes)
        found.extend(self.pair_hashes(stems))
        return found
