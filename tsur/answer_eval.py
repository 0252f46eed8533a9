"""How well the automatic answer check separates substance from formality, on hand-labelled real answers.

The labels (row id, label, reason code, split) are in tests/data/answer_quality_labels.csv; the
answers themselves are read from the shared data file and never stored here. The sample was drawn
with `stratified_sample`: the first 16 answers of each category in a fixed hash order are the `dev`
split the rules were written against, the next 8 of each category are the `holdout` split.
"""

from __future__ import annotations

import csv
import hashlib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from tsur.shared_data import REPO_ROOT, read_appeals

LABELS_FILE = REPO_ROOT / "tests" / "data" / "answer_quality_labels.csv"
SAMPLE_SEED = "answer-quality-v1"
FORMAL = "formal"
SUBSTANTIVE = "substantive"
Judge = Callable[[str], tuple[str, str]]  # answer text -> (verdict, first reason code)


@dataclass(frozen=True)
class AnsweredAppeal:
    id: str
    category: str
    answer: str


@dataclass(frozen=True)
class Label:
    id: str
    label: str
    reason: str
    split: str


@dataclass
class Confusion:
    """Counts for the `formal` class: what the check said against what the labeller said."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    mistakes: list[tuple[str, str, str]] = field(default_factory=list)  # (id, labelled, predicted)

    def add(self, appeal_id: str, truth: str, predicted: str) -> None:
        formal_truth, formal_predicted = truth == FORMAL, predicted == FORMAL
        if formal_truth and formal_predicted:
            self.tp += 1
        elif formal_predicted:
            self.fp += 1
        elif formal_truth:
            self.fn += 1
        else:
            self.tn += 1
        if formal_truth != formal_predicted:
            self.mistakes.append((appeal_id, truth, predicted))

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def answered_appeals(path: Path | None = None) -> list[AnsweredAppeal]:
    return [AnsweredAppeal(row["id"], row["category"], row["first_answer"].strip())
            for row in read_appeals(path) if row["first_answer"].strip()]


def stratified_sample(appeals: Iterable[AnsweredAppeal], per_category: int,
                      seed: str = SAMPLE_SEED) -> list[AnsweredAppeal]:
    """`per_category` answers of each category, picked in a fixed pseudo-random (hash) order."""
    by_category: dict[str, list[AnsweredAppeal]] = defaultdict(list)
    for appeal in appeals:
        by_category[appeal.category].append(appeal)

    def order(appeal: AnsweredAppeal) -> str:
        return hashlib.sha256(f"{seed}:{appeal.id}".encode()).hexdigest()

    return [a for category in sorted(by_category)
            for a in sorted(by_category[category], key=order)[:per_category]]


def read_labels(path: Path = LABELS_FILE) -> list[Label]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [Label(row["id"], row["label"], row["reason"], row["split"]) for row in csv.DictReader(handle)]


def confusion_by_split(labels: list[Label], answers: dict[str, str], judge: Judge) -> dict[str, Confusion]:
    """One confusion matrix per split and one for all labels together (`all`)."""
    result: dict[str, Confusion] = defaultdict(Confusion)
    for label in labels:
        predicted, _ = judge(answers[label.id])
        for split in (label.split, "all"):
            result[split].add(label.id, label.label, predicted)
    return dict(result)


def flagged_share(appeals: list[AnsweredAppeal], judge: Judge) -> tuple[float, Counter[str], dict[str, float]]:
    """Share flagged formal overall, the flagged ones by first reason, and the share per category."""
    reasons: Counter[str] = Counter()
    per_category: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for appeal in appeals:
        verdict, reason = judge(appeal.answer)
        counts = per_category[appeal.category]
        counts[1] += 1
        if verdict == FORMAL:
            reasons[reason] += 1
            counts[0] += 1
    share = sum(reasons.values()) / len(appeals) if appeals else 0.0
    return share, reasons, {c: flagged / total for c, (flagged, total) in per_category.items()}
