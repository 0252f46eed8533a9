"""Training the linear text model (development extras: scikit-learn, scipy).

One linear SVM per output column (one-vs-rest, as scikit-learn's LinearSVC does internally, but column
by column so the command can show progress and use every core) on binary hashed features weighted
by idf and L2-normalised: the same transform `TextModel` applies at run time. Rare labels weigh more
((n_max / n)^balance), which lifts macro-F1. With label groups (the portal's categories over its
reasons) a second head learns the groups. The temperatures are fitted on a held-out tenth, then the
final model is trained on everything and its weights quantised to int8.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from typing import Any, TypeVar

import numpy as np
from scipy import sparse

from chalicelib.domain.features import FeatureSpec, Featurizer
from chalicelib.domain.text_model import GroupHead, TextModel, fused_logits, quantise, softmax

T = TypeVar("T")
Progress = Callable[[Iterable[T], int, str], Iterable[T]]  # (items, how many, what) → the same items
MIN_ROWS_TO_CALIBRATE = 200
NO_GROUP = "—"  # the group of labels the group column says nothing about (the rubricator's own phrasings)


def no_progress(items: Iterable[T], total: int, label: str) -> Iterable[T]:
    return items


@dataclass(frozen=True)
class TrainingOptions:
    c: float = 0.5  # the SVM's regularisation (chosen on Oct–Dec → Jan, never on the test month)
    balance: float = 0.5
    min_df: int = 2  # a feature must occur in at least this many texts
    holdout: float = 0.1  # share of rows kept aside to fit the temperatures
    seed: int = 13
    jobs: int = min(4, os.cpu_count() or 1)  # liblinear releases the GIL: one thread per core


@dataclass(frozen=True)
class Example:
    text: str
    label: str
    weight: float = 1.0


@dataclass(frozen=True)
class Head:
    """Classes of one head: each row's class index and the rows' weights."""

    classes: tuple[str, ...]
    index: np.ndarray
    weights: np.ndarray

    @classmethod
    def of(cls, names: Sequence[str], own: np.ndarray, balance: float) -> Head:
        classes = tuple(sorted(set(names)))
        position = {name: i for i, name in enumerate(classes)}
        index = np.array([position[n] for n in names])
        counts = np.bincount(index, minlength=len(classes)).astype(float)
        return cls(classes, index, own * (counts.max() / counts[index]) ** balance)

    def rows(self, mask: np.ndarray) -> Head:
        return Head(self.classes, self.index[mask], self.weights[mask])


def train(examples: Sequence[Example], options: TrainingOptions | None = None, spec: FeatureSpec | None = None,
          progress: Progress[Any] = no_progress, info: dict[str, Any] | None = None,
          groups: Mapping[str, str] | None = None) -> TextModel:
    """A model over the examples' labels; with `groups` (label → group) also a head over the groups."""
    options = options or TrainingOptions()
    spec = spec or FeatureSpec()
    own = np.array([e.weight for e in examples])
    heads = [Head.of([e.label for e in examples], own, options.balance)]
    if len(heads[0].classes) < 2:
        raise ValueError("need at least two labels to train a classifier")
    if groups is not None:
        heads.append(Head.of([groups.get(e.label, NO_GROUP) for e in examples], own, options.balance))
    keys, matrix = _features(examples, spec, options.min_df, progress)
    idf, tfidf = _tfidf(matrix)
    labels = heads[0].classes
    group_head = None
    if groups is not None:
        of_label = np.array([heads[1].classes.index(groups.get(label, NO_GROUP)) for label in labels], dtype=np.int16)
        group_head = GroupHead(heads[1].classes, of_label)
    temperature, group_head = _calibrate(tfidf, heads, group_head, options, progress)
    coef, bias = _fit(tfidf, heads, options, progress, "Обучение / training")
    quantised, scales = quantise(coef)
    meta = {"rows": len(examples), "labels": len(labels), "features": int(keys.size),
            "trained_at": datetime.now(UTC).isoformat(timespec="seconds"), "options": asdict(options),
            **(info or {})}
    return TextModel(labels=labels, keys=keys.astype(np.uint32), idf=idf, weights=quantised, scales=scales,
                     bias=bias.astype(np.float32), temperature=temperature, spec=spec, info=meta, groups=group_head)


def hashed_matrix(texts: Sequence[str], featurizer: Featurizer, progress: Progress[Any] = no_progress,
                  label: str = "Признаки / features") -> sparse.csr_matrix:
    """Binary document × hash matrix over the whole hash space."""
    indptr = [0]
    indices: list[int] = []
    for text in progress(texts, len(texts), label):
        indices.extend(set(featurizer.hashes(text)))
        indptr.append(len(indices))
    data = np.ones(len(indices), dtype=np.float32)
    return sparse.csr_matrix((data, np.array(indices, dtype=np.int64), np.array(indptr, dtype=np.int64)),
                             shape=(len(texts), 1 << featurizer.spec.bits))


def _features(examples: Sequence[Example], spec: FeatureSpec, min_df: int,
              progress: Progress[Any]) -> tuple[np.ndarray, sparse.csr_matrix]:
    full = hashed_matrix([e.text for e in examples], Featurizer(spec), progress)
    df = np.asarray(full.sum(axis=0)).ravel()
    keys = np.flatnonzero(df >= min_df)
    if keys.size == 0:
        raise ValueError(f"no feature occurs in {min_df} texts or more; more data is needed")
    return keys, full[:, keys].tocsr()


def _tfidf(binary: sparse.csr_matrix) -> tuple[np.ndarray, sparse.csr_matrix]:
    df = np.asarray(binary.sum(axis=0)).ravel()
    idf = np.log((1 + binary.shape[0]) / (1 + df)) + 1
    idf = idf.astype(np.float16).astype(np.float32)  # what the artifact stores, so training sees the same
    return idf, normalise_rows(binary @ sparse.diags(idf))


def normalise_rows(matrix: sparse.csr_matrix) -> sparse.csr_matrix:
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sparse.csr_matrix(sparse.diags(1 / norms) @ matrix)


def _fit(x: sparse.csr_matrix, heads: Sequence[Head], options: TrainingOptions, progress: Progress[Any],
         label: str) -> tuple[np.ndarray, np.ndarray]:
    """Weights (features × columns) and biases of every head's classes, side by side."""
    columns = [(head, j) for head in heads for j in range(len(head.classes))]
    coef = np.zeros((x.shape[1], len(columns)), dtype=np.float32)
    bias = np.full(len(columns), -1.0, dtype=np.float32)  # a class absent from this part never wins
    for at, column, intercept in progress(_one_vs_rest(x, columns, options), len(columns), label):
        coef[:, at], bias[at] = column, intercept
    return coef, bias


def _one_vs_rest(x: sparse.csr_matrix, columns: Sequence[tuple[Head, int]],
                 options: TrainingOptions) -> Iterator[tuple[int, np.ndarray, float]]:
    from sklearn.svm import LinearSVC

    def fit_one(at: int) -> tuple[int, np.ndarray, float]:
        head, j = columns[at]
        target = (head.index == j).astype(int)
        if not 0 < target.sum() < len(target):
            return at, np.zeros(x.shape[1], dtype=np.float32), -1.0
        svm = LinearSVC(C=options.c).fit(x, target, sample_weight=head.weights)
        return at, svm.coef_[0], float(svm.intercept_[0])

    with ThreadPoolExecutor(max_workers=max(1, options.jobs)) as pool:
        yield from pool.map(fit_one, range(len(columns)))


def _calibrate(x: sparse.csr_matrix, heads: Sequence[Head], groups: GroupHead | None, options: TrainingOptions,
               progress: Progress[Any]) -> tuple[float, GroupHead | None]:
    """The softmax temperatures that minimise the log-loss on a held-out part (1.0 for tiny data): the
    labels', the groups', then the fused distribution's."""
    if x.shape[0] < MIN_ROWS_TO_CALIBRATE:
        return 1.0, groups
    held = np.random.default_rng(options.seed).random(x.shape[0]) < options.holdout
    coef, bias = _fit(x[~held], [h.rows(~held) for h in heads], options, progress, "Калибровка / calibration")
    scores = np.asarray(x[held] @ coef + bias)
    n, truth = len(heads[0].classes), heads[0].index[held]
    temperature = best_temperature(scores[:, :n], truth)
    if groups is None:
        return temperature, None
    groups = replace(groups, temperature=best_temperature(scores[:, n:], heads[1].index[held]))
    fused = replace(groups, fused_temperature=best_temperature(fused_logits(scores, n, temperature, groups), truth))
    return temperature, fused


def best_temperature(scores: np.ndarray, y: np.ndarray) -> float:
    """Golden-section search of log T for the smallest negative log-likelihood."""
    def loss(log_t: float) -> float:
        p = softmax(scores / math.exp(log_t))
        return float(-np.mean(np.log(p[np.arange(len(y)), y] + 1e-12)))

    low, high = math.log(0.01), math.log(10.0)
    ratio = (math.sqrt(5) - 1) / 2
    for _ in range(60):
        a, b = high - ratio * (high - low), low + ratio * (high - low)
        if loss(a) < loss(b):
            high = b
        else:
            low = a
    return math.exp((low + high) / 2)
