"""A compact linear text model: hashed features, int8 weights, temperature-scaled probabilities.

Only numpy at run time. The artifact (.npz) holds the hashes of the features the model knows (sorted),
their idf, the weights quantised to int8 with one scale per label, the biases, the temperature fitted
on held-out data and the labels; it is trained by `tsur train` (scikit-learn, a development extra).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from chalicelib.domain.features import CACHE_LIMIT, FeatureSpec, Featurizer

FORMAT = 1
EMPTY = np.zeros(0, dtype=np.int64)


class ModelFileError(ValueError):
    pass


@dataclass
class TextModel:
    labels: tuple[str, ...]
    keys: np.ndarray  # uint32, sorted: the hashes of the features the model knows
    idf: np.ndarray  # float32, one per key
    weights: np.ndarray  # int8, keys × labels
    scales: np.ndarray  # float32, one per label: weight = int8 × scale
    bias: np.ndarray  # float32, one per label
    temperature: float = 1.0
    spec: FeatureSpec = field(default_factory=FeatureSpec)
    info: dict[str, Any] = field(default_factory=dict)  # how it was trained: rows, date, label groups…

    def __post_init__(self) -> None:
        self._featurizer = Featurizer(self.spec)
        self._word_rows: dict[str, tuple[str, np.ndarray]] = {}

    # -- inference ----------------------------------------------------------------------------
    def rows(self, text: str) -> np.ndarray:
        """The distinct rows (known features) of the text."""
        stems: list[str] = []
        parts: list[np.ndarray] = []
        for word in self._featurizer.words(text):
            stem, rows = self._rows_of_word(word)
            stems.append(stem)
            parts.append(rows)
        parts.append(self._rows_of(self._featurizer.pair_hashes(stems)))
        return np.unique(np.concatenate(parts))

    def logits(self, text: str) -> np.ndarray | None:
        """Temperature-scaled scores per label, or None when the text has no feature the model knows."""
        rows = self.rows(text)
        if rows.size == 0:
            return None
        x = self.idf[rows]
        x = x / np.sqrt(x @ x)
        raw = (x @ self.weights[rows].astype(np.float32)) * self.scales + self.bias
        return raw / self.temperature

    def probabilities(self, text: str) -> np.ndarray | None:
        logits = self.logits(text)
        return None if logits is None else softmax(logits)

    def _rows_of_word(self, word: str) -> tuple[str, np.ndarray]:
        cached = self._word_rows.get(word)
        if cached is None:
            if len(self._word_rows) >= CACHE_LIMIT:
                self._word_rows.clear()
            stem, hashes = self._featurizer.word(word)
            cached = self._word_rows[word] = (stem, self._rows_of(hashes))
        return cached

    def _rows_of(self, hashes: list[int] | tuple[int, ...]) -> np.ndarray:
        if not hashes:
            return EMPTY
        wanted = np.fromiter(hashes, dtype=np.uint32, count=len(hashes))
        at = np.minimum(np.searchsorted(self.keys, wanted), len(self.keys) - 1)
        return at[self.keys[at] == wanted]

    # -- the artifact ---------------------------------------------------------------------------
    def save(self, path: Path | str) -> None:
        meta = {"format": FORMAT, "labels": list(self.labels), "temperature": self.temperature,
                "spec": self.spec.to_dict(), "info": self.info}
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
                           info=meta.get("info", {}))
        except (OSError, KeyError, ValueError) as exc:
            if isinstance(exc, ModelFileError):
                raise
            raise ModelFileError(f"{path}: not a model file ({exc})") from exc


def _write(handle: BinaryIO, model: TextModel, meta: dict[str, Any]) -> None:
    np.savez_compressed(handle, keys=model.keys.astype(np.uint32), idf=model.idf.astype(np.float16),
                        weights=model.weights.astype(np.int8), scales=model.scales.astype(np.float32),
                        bias=model.bias.astype(np.float32), meta=np.array(json.dumps(meta, ensure_ascii=False)))


def softmax(logits: np.ndarray) -> np.ndarray:
    shifted = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return shifted / shifted.sum(axis=-1, keepdims=True)


def quantise(weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Float weights (features × labels) → int8 and one scale per label."""
    scales = np.abs(weights).max(axis=0) / 127.0
    scales[scales == 0] = 1.0
    return np.round(weights / scales).astype(np.int8), scales.astype(np.float32)
