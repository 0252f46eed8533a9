"""A region's rubricator is data: the default one is complete, and a broken file says which line is wrong."""

import json

import pytest

from chalicelib import reference
from chalicelib.domain.rubricator import Rubricator, RubricatorError
from chalicelib.domain.sectors import SECTORS

GOOD = {"id": "roads.pothole", "sector": "roads", "name": "Ямы", "deadline": {"days": 10},
        "executor_type": "roads_committee", "labels": ["Яма на дороге"], "examples": ["Яма у дома"]}


def lines(*items):
    return "\n".join(json.dumps(i, ensure_ascii=False) if isinstance(i, dict) else i for i in items)


def errors_of(text):
    with pytest.raises(RubricatorError) as caught:
        Rubricator.from_jsonl(text, source="r.jsonl")
    return caught.value.errors


def test_the_default_rubricator_covers_every_sector_with_named_categories_and_deadlines():
    rubricator = reference.rubricator()
    assert len(rubricator) >= 120
    assert {c.sector for c in rubricator} == set(SECTORS)
    for sector in SECTORS:
        assert rubricator.fallback_for(sector).sector == sector
    assert all(c.name and c.deadline and c.examples for c in rubricator)
    assert {c.id for c in rubricator if c.fast_track} >= {"landscaping.manhole", "housing_utilities.heating"}


def test_every_category_has_an_executor_type_the_region_has():
    types = {e.type for e in reference.region().executors.values()}
    assert {c.executor_type for c in reference.rubricator()} <= types


def test_every_portal_reason_maps_to_exactly_one_category():
    rubricator = reference.rubricator()
    labels = [label for c in rubricator for label in c.labels]
    assert len(labels) == len(set(labels)) == 124
    assert rubricator.for_label("Открыт колодец, люк").id == "landscaping.manhole"
    assert rubricator.for_label("landscaping.manhole").id == "landscaping.manhole"


def test_unknown_sector_duplicate_id_and_missing_deadline_name_their_lines():
    text = lines({"rubricator": "test", "version": 1}, GOOD, "",
                 {**GOOD, "labels": []},
                 {**GOOD, "id": "helth.doctors", "sector": "helth", "labels": []},
                 {k: v for k, v in GOOD.items() if k != "deadline"} | {"id": "roads.snow", "labels": []})
    assert errors_of(text) == [
        "r.jsonl, line 4 (roads.pothole): duplicate category id 'roads.pothole' (first on line 2)",
        f"r.jsonl, line 5 (helth.doctors): unknown sector 'helth' (known: {', '.join(SECTORS)})",
        "r.jsonl, line 6 (roads.snow): missing 'deadline'",
    ]


@pytest.mark.parametrize(("change", "message"), [
    ({"deadline": {"days": 0}}, "deadline: a deadline must be positive"),
    ({"deadline": {"days": "10"}}, "deadline: days and hours must be whole numbers"),
    ({"deadline": {"hours": 6}}, "a fast track has its deadline in hours"),
    ({"deadline": {"days": 3}, "fast_track": True}, "a fast track has its deadline in hours"),
    ({"dedline": {"days": 3}}, "unknown field 'dedline'"),
    ({"id": "Roads.Pothole"}, "must look like <sector>.<name>"),
    ({"id": "waste.pothole"}, "must start with its sector 'roads'"),
    ({"examples": "Яма"}, "'examples' must be a list of non-empty strings"),
    ({"deadline": {"days": 31}}, "past the legal 30 days"),
    ({"deadline": {"days": 23, "working": True}}, "past the legal 30 days"),
    ({"deadline": {"hours": 721}, "fast_track": True}, "past the legal 30 days"),
])
def test_each_mistake_is_reported_with_its_line(change, message):
    (error,) = errors_of(lines(GOOD | change))
    assert error.startswith("r.jsonl, line 1")
    assert message in error


def test_the_longest_deadlines_the_law_allows_are_accepted():
    for deadline in ({"days": 30}, {"days": 22, "working": True}):
        loaded = Rubricator.from_jsonl(lines(GOOD | {"deadline": deadline}), source="r.jsonl")
        assert next(iter(loaded)).deadline.days == deadline["days"]


def test_broken_json_and_a_label_mapped_twice_are_errors_too():
    text = lines(GOOD, '{"id": "roads.snow", ', {**GOOD, "id": "roads.snow"})
    assert errors_of(text) == [
        "r.jsonl, line 2: not valid JSON (Expecting property name enclosed in double quotes, column 22)",
        "r.jsonl, line 3 (roads.snow): label 'Яма на дороге' is already mapped on line 1",
    ]


def test_an_operator_loads_another_rubricator_from_a_file(tmp_path, monkeypatch):
    path = tmp_path / "mine.jsonl"
    path.write_text(lines(GOOD, {**GOOD, "id": "roads.other", "name": "Дороги: другое", "labels": []}), "utf-8")
    monkeypatch.setenv("RUBRICATOR_FILE", str(path))
    reference.rubricator.cache_clear()
    try:
        assert [c.id for c in reference.rubricator()] == ["roads.pothole", "roads.other"]
    finally:
        monkeypatch.delenv("RUBRICATOR_FILE")
        reference.rubricator.cache_clear()
