"""A keyword classifier over the rubricator: simple, explainable, and fast.

A keyword matches any word that starts with it (a crude stem). The resident's chosen sector is a
hint that breaks ties and is the fallback when no keyword matches, never the final word.
"""

from __future__ import annotations

from chalicelib.domain.case import Classification
from chalicelib.domain.rubricator import Rubricator
from chalicelib.domain.text import words

HINT_BONUS = 0.5
CATCH_ALL_WEIGHT = 0.5  # a word that fits "roads: other" says less than one that fits "pothole"
SMOOTHING = 0.25
HINT_ONLY_CONFIDENCE = 0.6


class KeywordClassifier:
    method = "keywords"

    def __init__(self, rubricator: Rubricator) -> None:
        self._rubricator = rubricator

    def classify(self, text: str, sector_hint: str | None = None) -> Classification | None:
        """The best category with a confidence in [0, 1], or None when nothing points anywhere."""
        scores = self._scores(words(text), sector_hint)
        if not scores:
            return self._from_hint(sector_hint)
        ranked = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)[:3]
        best_id, best = ranked[0]
        runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
        confidence = round(best / (best + runner_up + SMOOTHING), 3)
        category = self._rubricator.get(best_id)
        assert category is not None
        alternatives = tuple((cid, round(score / (best + runner_up + SMOOTHING), 3)) for cid, score in ranked[1:])
        return Classification(sector=category.sector, category=category.id, confidence=confidence,
                              method=self.method, alternatives=alternatives)

    def _scores(self, tokens: list[str], sector_hint: str | None) -> dict[str, float]:
        scores: dict[str, float] = {}
        for category in self._rubricator:
            hits = sum(1 for keyword in category.keywords if any(t.startswith(keyword) for t in tokens))
            if hits:
                weight = CATCH_ALL_WEIGHT if category.id.endswith(".other") else 1.0
                scores[category.id] = hits * weight + (HINT_BONUS if category.sector == sector_hint else 0.0)
        return scores

    def _from_hint(self, sector_hint: str | None) -> Classification | None:
        if not sector_hint:
            return None
        category = self._rubricator.fallback_for(sector_hint)
        return Classification(sector=category.sector, category=category.id,
                              confidence=HINT_ONLY_CONFIDENCE, method="sector_hint")
