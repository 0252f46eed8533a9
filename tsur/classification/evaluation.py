"""`tsur eval classifier`: our classifier against the usual baseline on real St Petersburg appeals.

The split the issue names: train on Oct 2020 – Jan 2021, evaluate on Feb 2021, appeals with at least
20 characters of text (both sides). The baseline (TF-IDF word 1–2-grams + character 2–5-grams within
words, LinearSVC, scikit-learn defaults) is trained once per level (the 15 categories, the 124
reasons) in the same run. Ours is the shipped recipe: one model over the reasons plus the
rubricator's phrasings and keywords for the categories the data lacks; a data category is the one
whose reasons' probabilities add up highest, and anything predicted outside the data's labels counts
as an error. Macro-F1 averages over the labels of the evaluated month (and any data label predicted).

Every fourth phrasing of the categories without history is held out of training and classified:
the cold-start figure for health, education and the other sectors the data lacks. Those phrasings
were written for the rubricator, not by residents, so the figure is indicative only.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from chalicelib.domain.classifier import ModelClassifier
from chalicelib.domain.rubricator import Rubricator
from chalicelib.domain.text_model import TextModel
from chalicelib.services.steps import CONFIDENCE_THRESHOLD
from tsur.classification.corpus import labelled_with_groups, rubricator_examples
from tsur.classification.training import Example, Progress, no_progress, train

TEST_MONTH = "2021-02"
MIN_CHARS = 20
HELD_OUT_EVERY = 4
Echo = Callable[[str], None]


@dataclass(frozen=True)
class Scores:
    accuracy: float
    macro_f1: float


@dataclass
class Report:
    rows: dict[str, int] = field(default_factory=dict)
    baseline: dict[str, Scores] = field(default_factory=dict)
    ours: dict[str, Scores] = field(default_factory=dict)
    rubricator: dict[str, float] = field(default_factory=dict)
    cold_start: dict[str, float] = field(default_factory=dict)
    inference: dict[str, float] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=1)


def split(rows: Sequence[dict[str, str]]) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    usable = [r for r in rows if len(r["text"].strip()) >= MIN_CHARS]
    return [r for r in usable if r["created"][:7] < TEST_MONTH], [r for r in usable if is_test(r)]


def is_test(row: dict[str, str]) -> bool:
    return row["created"][:7] == TEST_MONTH and len(row["text"].strip()) >= MIN_CHARS


def scores(truth: Sequence[str], predicted: Sequence[str], known: set[str]) -> Scores:
    from sklearn.metrics import accuracy_score, f1_score

    labels = sorted(set(truth) | (set(predicted) & known))
    return Scores(round(float(accuracy_score(truth, predicted)), 4),
                  round(float(f1_score(truth, predicted, labels=labels, average="macro", zero_division=0)), 4))


def baseline_predict(train_texts: Sequence[str], train_labels: Sequence[str], test_texts: Sequence[str]) -> list[str]:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import make_pipeline, make_union
    from sklearn.svm import LinearSVC

    features = make_union(TfidfVectorizer(ngram_range=(1, 2)), TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5)))
    model = make_pipeline(features, LinearSVC()).fit(train_texts, train_labels)
    return list(model.predict(test_texts))


def held_out_phrasings(rubricator: Rubricator, covered: set[str]) -> tuple[list[Example], list[Example]]:
    """(training examples, held-out phrasings) for the categories the data does not cover."""
    examples = rubricator_examples(rubricator, covered)
    phrasings = {(c.id, text) for c in rubricator for text in c.examples}
    held, kept, seen = [], [], Counter[str]()
    for example in examples:
        if (example.label, example.text) in phrasings:
            seen[example.label] += 1
            if seen[example.label] % HELD_OUT_EVERY == 0:
                held.append(example)
                continue
        kept.append(example)
    return kept, held


def group_predictions(model: TextModel, probabilities: np.ndarray, groups: dict[str, str]) -> list[str]:
    """The group (data category) whose labels' probabilities add up highest; other labels are their own group."""
    names = sorted({groups.get(label, "rubricator:" + label) for label in model.labels})
    membership = np.zeros((len(model.labels), len(names)), dtype=np.float32)
    for row, label in enumerate(model.labels):
        membership[row, names.index(groups.get(label, "rubricator:" + label))] = 1.0
    return [names[i] for i in (probabilities @ membership).argmax(axis=1)]


def rubricator_figures(classifier: ModelClassifier, rubricator: Rubricator, texts: Sequence[str],
                       reasons: Sequence[str]) -> dict[str, float]:
    """Accuracy at the rubricator's categories and sectors, and what the moderation threshold does."""
    truth = [rubricator.for_label(r) for r in reasons]
    results = [classifier.classify(t) for t in texts]
    right = np.array([bool(r and t and r.category == t.id) for r, t in zip(results, truth, strict=True)])
    sector = np.array([bool(r and t and r.sector == t.sector) for r, t in zip(results, truth, strict=True)])
    confidence = np.array([r.confidence if r else 0.0 for r in results])
    auto = confidence >= CONFIDENCE_THRESHOLD
    return {"category_accuracy": round(float(right.mean()), 4), "sector_accuracy": round(float(sector.mean()), 4),
            "auto_share": round(float(auto.mean()), 4),
            "auto_accuracy": round(float(right[auto].mean()) if auto.any() else 0.0, 4),
            "no_topic": round(float(np.mean([r is None for r in results])), 4),
            "expected_calibration_error": round(expected_calibration_error(confidence, right), 4)}


def expected_calibration_error(confidence: np.ndarray, right: np.ndarray, bins: int = 10) -> float:
    """Mean |accuracy − confidence| over ten confidence bins, weighted by their sizes."""
    edges = np.linspace(0, 1, bins + 1)
    which = np.clip(np.digitize(confidence, edges[1:-1]), 0, bins - 1)
    gaps = [abs(right[which == b].mean() - confidence[which == b].mean()) * (which == b).mean()
            for b in range(bins) if (which == b).any()]
    return float(sum(gaps))


def cold_start_figures(classifier: ModelClassifier, held: Sequence[Example]) -> dict[str, float]:
    """On held-out phrasings: right category, right sector, and no classification (left to an operator)."""
    results = [classifier.classify(e.text) for e in held]
    pairs = list(zip(results, held, strict=True))
    return {"phrasings": len(held),
            "category_accuracy": round(float(np.mean([bool(r and r.category == e.label) for r, e in pairs])), 4),
            "sector_accuracy": round(float(np.mean([bool(r and r.sector == e.label.split(".")[0])
                                                    for r, e in pairs])), 4),
            "no_topic": round(float(np.mean([r is None for r in results])), 4)}


class Evaluation:
    def __init__(self, rubricator: Rubricator, out_dir: Path, echo: Echo, progress: Progress[Any] = no_progress,
                 jobs: int = 2) -> None:
        self.rubricator, self.out_dir, self.echo, self.progress, self.jobs = rubricator, out_dir, echo, progress, jobs
        self.report = Report()

    def run(self, rows: Sequence[dict[str, str]]) -> Report:
        train_rows, test_rows = split(rows)
        self.report.rows = {"train": len(train_rows), "test": len(test_rows)}
        self.echo(f"Обучение / train: {len(train_rows)} (Oct 2020 – Jan 2021), "
                  f"проверка / test: {len(test_rows)} (Feb 2021), текст ≥ {MIN_CHARS} символов")
        self._baseline(train_rows, test_rows)
        model, held = self._ours(train_rows, test_rows)
        classifier = ModelClassifier(self.rubricator, lambda: model)
        texts = [r["text"] for r in test_rows]
        reasons = [r["reason"] for r in test_rows]
        self.report.rubricator = rubricator_figures(classifier, self.rubricator, texts, reasons)
        self.report.cold_start = cold_start_figures(classifier, held)
        return self.report

    def _timed(self, name: str, work: Callable[[], Any]) -> Any:
        self.echo(f"… {name}")
        started = time.perf_counter()
        result = work()
        self.report.seconds[name] = round(time.perf_counter() - started, 1)
        return result

    def _baseline(self, train_rows: Sequence[dict[str, str]], test_rows: Sequence[dict[str, str]]) -> None:
        texts, test_texts = [r["text"] for r in train_rows], [r["text"] for r in test_rows]
        for level in ("category", "reason"):
            labels = [r[level] for r in train_rows]
            predicted = self._timed(f"baseline {level}", partial(baseline_predict, texts, labels, test_texts))
            known = {r[level] for r in train_rows}
            self.report.baseline[level] = scores([r[level] for r in test_rows], predicted, known)

    def _ours(self, train_rows: Sequence[dict[str, str]],
              test_rows: Sequence[dict[str, str]]) -> tuple[TextModel, list[Example]]:
        from tsur.classification.training import TrainingOptions

        data, groups = labelled_with_groups(train_rows, "text", "reason", "category")
        extra, held = held_out_phrasings(self.rubricator, {e.label for e in data})
        model: TextModel = self._timed("ours: training", lambda: train(
            data + extra, TrainingOptions(jobs=self.jobs), progress=self.progress, groups=groups))
        self.out_dir.mkdir(parents=True, exist_ok=True)
        model.save(self.out_dir / "eval_model.npz")
        probabilities = np.stack([self._probabilities(model, r["text"]) for r in test_rows])
        reasons = [model.labels[i] for i in probabilities.argmax(axis=1)]
        categories = group_predictions(model, probabilities, groups)
        for level, predicted in (("category", categories), ("reason", reasons)):
            self.report.ours[level] = scores([r[level] for r in test_rows], predicted, {r[level] for r in train_rows})
        confusion_png([r["category"] for r in test_rows], categories, self.out_dir / "confusion_category.png")
        return model, held

    @staticmethod
    def _probabilities(model: TextModel, text: str) -> np.ndarray:
        p = model.probabilities(text)
        return p if p is not None else np.zeros(len(model.labels), dtype=np.float32)


def confusion_png(truth: Sequence[str], predicted: Sequence[str], path: Path) -> None:
    """Row-normalised confusion matrix of the data's categories (what was predicted for each true one)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = sorted(set(truth))
    index = {label: i for i, label in enumerate(labels)}
    matrix = np.zeros((len(labels), len(labels) + 1))
    for t, p in zip(truth, predicted, strict=True):
        matrix[index[t], index.get(p, len(labels))] += 1
    matrix /= matrix.sum(axis=1, keepdims=True)
    names = [label if len(label) <= 45 else label[:44] + "…" for label in labels]
    figure, axes = plt.subplots(figsize=(14, 11))
    axes.imshow(matrix, cmap="Blues", vmin=0, vmax=1)
    axes.set_xticks(range(len(labels) + 1), [*names, "вне данных / outside"], rotation=75, ha="right", fontsize=8)
    axes.set_yticks(range(len(labels)), names, fontsize=8)
    for (i, j), value in np.ndenumerate(matrix):
        if value >= 0.005:
            axes.text(j, i, f"{value:.2f}", ha="center", va="center", fontsize=6,
                      color="white" if value > 0.5 else "black")
    axes.set_xlabel("предсказано / predicted")
    axes.set_ylabel("на самом деле / true")
    axes.set_title("Категории, февраль 2021: доля по строке / categories, Feb 2021, row-normalised")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
