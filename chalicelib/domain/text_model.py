"""A compact linear text model: hashed features, int8 weights, temperature-scaled probabilities.

Only numpy at run time. The artifact (.npz) holds the hashes of the features the model knows (sorted),
their idf, the weights quantised to int8 with one scale per column, the biases, the temperatures fitted
on held-out data and the labels; it is trained by `tsur train` (scikit-learn, a development extra).

An optional second head scores coarser groups of the labels (the portal's 15 categories over its 124
reasons). A label's probability is multiplied by its group's and renormalised (a product of experts),
which keeps a reason from straying into the wrong category.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from chalicelib.domain.features import CACHE_LIMIT, FeatureSpec, Featurizer

FORMAT = 1
EMPTY = np.zeros(0, dtype=np.int64)


class ModelFileError(ValueError):
    pass


@dataclass(frozen=True)
class GroupHead:
    names: tuple[str, ...]
    of_label: np.ndarray  # int16: each label's group
    temperature: float = 1.0
    fused_temperature: float = 1.0  # the product of two calibrated heads is over-sure: calibrated again

    def to_dict(self) -> dict[str, Any]:
        return {"names": list(self.names), "of_label": self.of_label.tolist(), "temperature": self.temperature,
                "fused_temperature": self.fused_temperature}

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> GroupHead:
        return cls(tuple(raw["names"]), np.array(raw["of_label"], dtype=np.int16), float(raw["temperature"]),
                   float(raw["fused_temperature"]))


@dataclass
class TextModel:
    labels: tuple[str, ...]
    keys: np.ndarray  # uint32, sorted: the hashes of the features the model knows
    idf: np.ndarray  # float32, one per key
    weights: np.ndarray  # int8, keys × columns (the labels, then the groups)
    scales: np.ndarray  # float32, one per column: weight = int8 × scale
    bias: np.ndarray  # float32, one per column
    temperature: float = 1.0
    spec: FeatureSpec = field(default_factory=FeatureSpec)
    info: dict[str, Any] = field(default_factory=dict)  # how it was trained: rows, date, options…
    groups: GroupHead | None = None

    def __post_init__(self) -> None:
        self._featurizer = Featurizer(self.spec, cache=False)
        self._word_rows: dict[str, tuple[str, np.ndarray]] = {}
        self._pair_rows: dict[tuple[str, str], int] = {}

    # -- inference ----------------------------------------------------------------------------
    def rows(self, text: str) -> np.ndarray:
        """The distinct rows (known features) of the text, sorted."""
        stems: list[str] = []
        parts: list[np.ndarray] = []
        for word in self._featurizer.words(text):
            stem, rows = self._rows_of_word(word)
            stems.append(stem)
            parts.append(rows)
        parts.append(self._rows_of_pairs(stems))
        found = np.concatenate(parts)
        found.sort()
        return found[np.concatenate(([True], found[1:] != found[:-1]))] if found.size else found

    def scores(self, text: str) -> np.ndarray | None:
        """The raw linear scores of every column, or None when the text has no feature the model knows."""
        rows = self.rows(text)
        if rows.size == 0:
            return None
        x = self.idf[rows]
        x = x / np.sqrt(x @ x)
        scores: np.ndarray = (x @ self.weights[rows].astype(np.float32)) * self.scales + self.bias
        return scores

    def probabilities(self, text: str) -> np.ndarray | None:
        """One probability per label, or None when the text has no feature the model knows."""
        scores = self.scores(text)
        return None if scores is None else self.from_scores(scores)

    def from_scores(self, scores: np.ndarray) -> np.ndarray:
        """Scores (of one text, or a texts × columns matrix) → label probabilities.

        With groups: softmax(labels) × softmax(groups)[label's group], renormalised, which is one softmax
        of the summed logits (the two normalisers cancel).
        """
        return softmax(fused_logits(scores, len(self.labels), self.temperature, self.groups))

    def _rows_of_word(self, word: str) -> tuple[str, np.ndarray]:
        cached = self._word_rows.get(word)
        if cached is None:
            if len(self._word_rows) >= CACHE_LIMIT:
                self._word_rows.clear()
            stem, hashes = self._featurizer.word(word)
            cached = self._word_rows[word] = (stem, self._rows_of(hashes))
        return cached

    def _rows_of_pairs(self, stems: list[str]) -> np.ndarray:
        if not self.spec.bigrams or len(stems) < 2:
            return EMPTY
        pairs = list(pairwise(stems))
        new = [p for p in pairs if p not in self._pair_rows]
        if new:
            if len(self._pair_rows) + len(new) > CACHE_LIMIT:
                self._pair_rows.clear()
            hashes = [self._featurizer.pair_hash(a, b) for a, b in new]
            self._pair_rows.update(zip(new, self._row_or_missing(hashes).tolist(), strict=True))
        rows = [self._pair_rows[p] for p in pairs]
        return np.array([r for r in rows if r >= 0], dtype=np.int64)

    def _rows_of(self, hashes: list[int] | tuple[int, ...]) -> np.ndarray:
        """The rows of the hashes the model knows (the others dropped)."""
        found = self._row_or_missing(hashes)
        return found[found >= 0]

    def _row_or_missing(self, hashes: list[int] | tuple[int, ...]) -> np.ndarray:
        """For each hash its row, or -1 if the model does not know it."""
        if not hashes:
            return EMPTY
        wanted = np.fromiter(hashes, dtype=np.uint32, count=len(hashes))
        at = np.minimum(np.searchsorted(self.keys, wanted), len(self.keys) - 1)
        return np.where(self.keys[at] == wanted, at, -1)

    # -- the artifact ---------------------------------------------------------------------------
    def save(self, path: Path | str) -> None:
        meta = {"format": FORMAT, "labels": list(self.labels), "temperature": self.temperature,
                "spec": self.spec.to_dict(), "info": self.info,
                "groups": self.groups.to_dict() if self.groups else None}
        with open(path, "wb") as handle:  # a handle, so numpy does not append ".npz" to the name
            _write(handle, self, meta)

    @classmethod
    def load(cls, path: Path | str) -> TextModel:
        try:
            with np.load(path, allow_pickle=False) as data:
                meta = json.loads(str(data["meta"]))
                if meta.get("format") != FORMAT:
                    raise ModelFileError(f"{path}: unsupported model format {meta.get('format')!r}")
                return cls(labels=tuple(meta["labels"]), keys=data["keys"], idf=data["idf"].astype(np.float32),
                           weights=data["weights"], scales=data["scales"], bias=data["bias"],
                           temperature=float(meta["temperature"]), spec=FeatureSpec.from_dict(meta["spec"]),
                           info=meta.get("info", {}),
                           groups=GroupHead.from_dict(meta["groups"]) if meta.get("groups") else None)
        except (OSError, KeyError, ValueError) as exc:
            if isinstance(exc, ModelFileError):
                raise
            raise ModelFileError(f"{path}: not a model file ({exc})") from exc


def _write(handle: BinaryIO, model: TextModel, meta: dict[str, Any]) -> None:
    np.savez_compressed(handle, keys=model.keys.astype(np.uint32), idf=model.idf.astype(np.float16),
                        weights=model.weights.astype(np.int8), scales=model.scales.astype(np.float32),
                        bias=model.bias.astype(np.float32), meta=np.array(json.dumps(meta, ensure_ascii=False)))


def fused_logits(scores: np.ndarray, n_labels: int, temperature: float, groups: GroupHead | None) -> np.ndarray:
    logits = scores[..., :n_labels] / temperature
    if groups is None:
        return logits
    by_group = scores[..., n_labels:] / groups.temperature
    return (logits + by_group[..., groups.of_label]) / groups.fused_temperature


def softmax(logits: np.ndarray) -> np.ndarray:
    shifted = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return shifted / shifted.sum(axis=-1, keepdims=True)


def quantise(weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Float weights (features × columns) → int8 and one scale per column."""
    scales = np.abs(weights).max(axis=0) / 127.0
    scales[scales == 0] = 1.0
    return np.round(weights / scales).astype(np.int8), scales.astype(np.float32)
