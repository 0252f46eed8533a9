"""Operators' category choices kept as training examples in the cases table, on moto."""

from datetime import timedelta

from chalicelib.adapters.dynamo_training import DynamoTrainingExamples
from chalicelib.adapters.ports import TrainingExample


def test_examples_round_trip_and_a_later_choice_for_the_same_case_replaces_the_first(stack, clock):
    store = DynamoTrainingExamples(stack["CasesTableName"])
    first = TrainingExample("c_2", "waste.collection", "Мусор не вывозят", "operator:anna", clock(),
                            predicted="landscaping.yard", confidence=0.31)
    store.add(first)
    store.add(TrainingExample("c_1", "roads.pothole", "Яма", "operator:boris", clock()))
    again = TrainingExample("c_2", "waste.bins", "Мусор не вывозят", "operator:anna", clock() + timedelta(minutes=5))
    store.add(again)
    assert store.all() == [TrainingExample("c_1", "roads.pothole", "Яма", "operator:boris", clock()), again]
    assert store.all(limit=1)[0].case_id == "c_1"
