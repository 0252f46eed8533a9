"""The classifier: a text model's labels mapped onto the rubricator, the resident's sector as a hint.

The model's labels are the rubricator's categories or source labels (the portal's `reason`) that the
rubricator maps to categories; a category's probability is the sum over its labels. The resident's
sector multiplies its categories' odds (a hint, never the final word). When no category reaches
MIN_TOPIC, nothing points anywhere: the hint's catch-all category is used if there is a hint,
otherwise there is no classification at all (the pipeline sends the case to an operator).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from chalicelib.domain.case import Classification
from chalicelib.domain.rubricator import Category, Rubricator

if TYPE_CHECKING:  # numpy is imported with the model, so functions that never classify start faster
    import numpy as np

    from chalicelib.domain.text_model import TextModel

HINT_WEIGHT = 2.0
MIN_TOPIC = 0.3
HINT_ONLY = "sector_hint"  # the method of a guess from the resident's sector alone: an operator decides
ALTERNATIVES = 3


class ModelClassifier:
    method = "model"

    def __init__(self, rubricator: Rubricator, load_model: Callable[[], TextModel]) -> None:
        self._rubricator = rubricator
        self._load_model = load_model
        self._model: TextModel | None = None
        self._categories: list[Category] = list(rubricator)
        self._to_category: Any = None  # labels × categories, 1 where a label means a category

    @property
    def model(self) -> TextModel:
        """Loaded on first use (once per Lambda container), not at import."""
        if self._model is None:
            import numpy as np

            model = self._load_model()
            index = {c.id: i for i, c in enumerate(self._categories)}
            mapping = np.zeros((len(model.labels), len(self._categories)), dtype=np.float32)
            for row, label in enumerate(model.labels):
                category = self._rubricator.for_label(label)
                if category is not None:
                    mapping[row, index[category.id]] = 1.0
            self._to_category, self._model = mapping, model
        return self._model

    def category_probabilities(self, text: str, sector_hint: str | None = None) -> np.ndarray | None:
        """One probability per rubricator category (in the rubricator's order), or None if nothing is known."""
        import numpy as np

        probabilities = self.model.probabilities(text)
        if probabilities is None:
            return None
        by_category = probabilities @ self._to_category
        if sector_hint:
            mapped = by_category.sum()
            boosted = by_category * np.array([HINT_WEIGHT if c.sector == sector_hint else 1.0
                                              for c in self._categories], dtype=np.float32)
            by_category = boosted * (mapped / boosted.sum())
        return by_category

    def classify(self, text: str, sector_hint: str | None = None) -> Classification | None:
        """The best category with a calibrated confidence and the runners-up, or None when nothing points."""
        by_category = self.category_probabilities(text, sector_hint)
        if by_category is None or by_category.max() < MIN_TOPIC:
            return self._from_hint(sector_hint, by_category)
        ranked = (-by_category).argsort()[:ALTERNATIVES + 1]
        best = self._categories[int(ranked[0])]
        alternatives = tuple((self._categories[int(i)].id, round(float(by_category[i]), 3)) for i in ranked[1:])
        return Classification(sector=best.sector, category=best.id, confidence=round(float(by_category[ranked[0]]), 3),
                              method=self.method, alternatives=alternatives)

    def _from_hint(self, sector_hint: str | None, by_category: np.ndarray | None) -> Classification | None:
        """The hinted sector's «other» category, for the operator to confirm or change. Its confidence is
        what the model gives that sector (0 when the text has nothing it knows): the hint is not evidence."""
        category = self._rubricator.get(f"{sector_hint}.other") if sector_hint else None
        if category is None:
            return None
        in_sector = 0.0 if by_category is None else float(sum(
            p for c, p in zip(self._categories, by_category, strict=True) if c.sector == category.sector))
        return Classification(sector=category.sector, category=category.id, confidence=round(in_sector, 3),
                              method=HINT_ONLY)
