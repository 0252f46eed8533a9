"""Training data: a region's labelled history (CSV, optionally gzipped) plus the rubricator's own phrasings."""

from __future__ import annotations

import csv
import gzip
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TextIO

from chalicelib.domain.rubricator import Rubricator
from tsur.classification.training import Example

csv.field_size_limit(10_000_000)


class CorpusError(ValueError):
    pass


def _open(path: Path) -> TextIO:
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8", newline="")
    return open(path, encoding="utf-8", newline="")


def read_rows(path: Path) -> Iterator[dict[str, str]]:
    with _open(path) as handle:
        yield from csv.DictReader(handle)


def labelled_examples(rows: Iterable[dict[str, str]], text_column: str, label_column: str,
                      min_chars: int = 0) -> list[Example]:
    """Rows with a label and at least `min_chars` of text; a missing column is an error naming it."""
    return [Example(text, label) for text, label, _ in _labelled(rows, text_column, label_column, None, min_chars)]


def labelled_with_groups(rows: Iterable[dict[str, str]], text_column: str, label_column: str, group_column: str,
                         min_chars: int = 0) -> tuple[list[Example], dict[str, str]]:
    """The examples and each label's group: the group it has most often (a label may sit in two)."""
    examples: list[Example] = []
    counts: defaultdict[str, Counter[str]] = defaultdict(Counter)
    for text, label, group in _labelled(rows, text_column, label_column, group_column, min_chars):
        examples.append(Example(text, label))
        counts[label][group] += 1
    return examples, {label: c.most_common(1)[0][0] for label, c in counts.items()}


def _labelled(rows: Iterable[dict[str, str]], text_column: str, label_column: str, group_column: str | None,
              min_chars: int) -> Iterator[tuple[str, str, str]]:
    columns = [c for c in (text_column, label_column, group_column) if c]
    for number, row in enumerate(rows, start=2):  # line 1 is the header
        missing = [c for c in columns if c not in row]
        if missing:
            raise CorpusError(f"line {number}: no column {missing[0]!r} (columns: {', '.join(row)})")
        text, label = (row[text_column] or "").strip(), (row[label_column] or "").strip()
        if label and len(text) >= min_chars:
            yield text, label, (row[group_column] or "").strip() if group_column else ""


def rubricator_examples(rubricator: Rubricator, known_labels: set[str]) -> list[Example]:
    """Phrasings and keywords of the categories the history says nothing about, labelled by category id.

    A category is covered when one of its labels occurs in the history; the others (here: health,
    education, social protection… absent from the city-services data) are learnt from the rubricator.
    """
    examples: list[Example] = []
    for category in rubricator:
        if known_labels.intersection(category.labels):
            continue
        examples.extend(Example(text, category.id) for text in (*category.examples, *category.keywords))
    return examples
