"""The hand labels of real answers, and the check measured against them (when the data file is present)."""

from collections import Counter

import pytest
from click.testing import CliRunner

from chalicelib.domain.answer_quality import assess_answer
from tsur.answer_eval import answered_appeals, confusion_by_split, read_labels, stratified_sample
from tsur.cli import main
from tsur.shared_data import appeals_path

MIN_F1 = 0.85
needs_data = pytest.mark.skipif(not appeals_path().is_file(),
                                reason=f"real appeals data not found at {appeals_path()} (set TSUR_DATA_DIR)")


def test_the_labels_are_ids_and_codes_only_and_cover_both_verdicts():
    labels = read_labels()
    assert len(labels) >= 200
    assert len({label.id for label in labels}) == len(labels)
    assert {label.label for label in labels} == {"formal", "substantive"}
    assert {label.split for label in labels} == {"dev", "holdout"}
    assert all(label.id.isdigit() and len(label.reason) <= 12 for label in labels)


@pytest.fixture(scope="module")
def appeals():
    return answered_appeals()


@needs_data
def test_the_labelled_sample_is_stratified_over_every_category(appeals):
    labelled = {label.id for label in read_labels()}
    sample = stratified_sample(appeals, per_category=24)
    assert {a.id for a in sample} == labelled
    per_category = Counter(a.category for a in sample)
    assert len(per_category) == 15 and set(per_category.values()) == {24}


@needs_data
def test_the_check_agrees_with_the_hand_labels(appeals):
    by_id = {a.id: a.answer for a in appeals}
    confusions = confusion_by_split(read_labels(), by_id, lambda text: (assess_answer(text).verdict.value, ""))
    assert confusions["all"].f1 >= MIN_F1
    assert confusions["holdout"].f1 >= MIN_F1


def test_the_evaluation_says_clearly_when_the_data_is_absent(tmp_path, monkeypatch):
    monkeypatch.setenv("TSUR_DATA_DIR", str(tmp_path))
    result = CliRunner().invoke(main, ["eval", "answers"])
    assert result.exit_code == 0
    assert "data file not found" in result.output and str(tmp_path) in result.output
