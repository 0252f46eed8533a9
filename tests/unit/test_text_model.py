"""A tiny model trained in the test: saved, loaded back, and used through the rubricator."""

import numpy as np
import pytest

from chalicelib.domain.classifier import ModelClassifier
from chalicelib.domain.deadlines import DeadlineRule
from chalicelib.domain.rubricator import Category, Rubricator
from chalicelib.domain.text_model import ModelFileError, TextModel
from tsur.classification.training import Example, TrainingOptions, train

TRAINING = {
    "Яма на дороге": ["яма на дороге у дома", "огромная яма на проезжей части", "ямы и выбоины на дороге",
                      "дорога вся в ямах", "глубокая яма на асфальте дороги"],
    "Нет отопления": ["нет отопления в квартире", "батареи холодные, отопления нет", "холодные батареи в доме",
                      "отопление не работает третий день", "в квартире холодно, батареи ледяные"],
    "health.doctor": ["не записаться к врачу в поликлинике", "врач не принимает в поликлинике",
                      "очередь к врачу в поликлинике", "запись к врачу закрыта", "нет врача в поликлинике"],
}
RUBRICATOR = Rubricator([
    Category("roads.pothole", "roads", "Ямы", DeadlineRule(days=10), "roads_committee", labels=("Яма на дороге",)),
    Category("housing_utilities.heating", "housing_utilities", "Отопление", DeadlineRule(hours=24),
             "housing_committee", labels=("Нет отопления",)),
    Category("health.doctor", "health", "Врачи", DeadlineRule(days=7), "health_committee"),
    Category("health.other", "health", "Здравоохранение: другое", DeadlineRule(days=15), "health_committee"),
])


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    examples = [Example(text, label) for label, texts in TRAINING.items() for text in texts]
    path = tmp_path_factory.mktemp("model") / "tiny.model"
    train(examples, TrainingOptions(jobs=1)).save(path)
    return TextModel.load(path)


@pytest.mark.parametrize(("text", "label"), [
    ("ЯМА НА ДОРОГЕ возле остановки", "Яма на дороге"),
    ("в квартире нет отопления, батареи холодные", "Нет отопления"),
    ("никак не записаться к врачу", "health.doctor"),
])
def test_a_saved_model_loads_back_and_recognises_new_texts(model, text, label):
    probabilities = model.probabilities(text)
    assert model.labels[int(np.argmax(probabilities))] == label
    assert probabilities.sum() == pytest.approx(1.0)


def test_the_artifact_holds_hashes_and_int8_weights_not_words(model, tmp_path):
    path = tmp_path / "again.npz"
    model.save(path)
    assert model.weights.dtype == np.int8 and model.keys.dtype == np.uint32
    assert "отоплен".encode() not in path.read_bytes()
    again = TextModel.load(path)
    assert np.allclose(again.probabilities("яма на дороге"), model.probabilities("яма на дороге"))


def test_a_group_head_over_the_labels_survives_the_round_trip(tmp_path):
    examples = [Example(text, label) for label, texts in TRAINING.items() for text in texts]
    grouped = train(examples, TrainingOptions(jobs=1), groups={"Яма на дороге": "Дороги", "Нет отопления": "ЖКХ"})
    assert grouped.groups.names == ("Дороги", "ЖКХ", "—")
    grouped.save(tmp_path / "grouped.npz")
    again = TextModel.load(tmp_path / "grouped.npz")
    text = "в квартире нет отопления"
    assert again.labels[int(np.argmax(again.probabilities(text)))] == "Нет отопления"
    assert np.allclose(again.probabilities(text), grouped.probabilities(text))
    assert again.probabilities(text).sum() == pytest.approx(1.0)


def test_a_text_with_nothing_the_model_knows_has_no_probabilities(model):
    assert model.probabilities("zzz qqq") is None


def test_a_file_that_is_not_a_model_is_refused_clearly(tmp_path):
    path = tmp_path / "broken.npz"
    path.write_bytes(b"not a model")
    with pytest.raises(ModelFileError, match="not a model file"):
        TextModel.load(path)


def test_labels_become_rubricator_categories_with_alternatives(model):
    classifier = ModelClassifier(RUBRICATOR, lambda: model)
    result = classifier.classify("третий день нет отопления, батареи холодные")
    assert (result.category, result.method) == ("housing_utilities.heating", "model")
    assert result.sector == "housing_utilities"
    assert 0 < result.confidence <= 1
    assert [c for c, _ in result.alternatives] and all(p <= result.confidence for _, p in result.alternatives)


def test_the_residents_sector_is_a_hint_that_tips_an_unsure_text_but_not_a_clear_one(model):
    classifier = ModelClassifier(RUBRICATOR, lambda: model)
    unsure = "яма и холодные батареи"
    plain, hinted = classifier.category_probabilities(unsure), classifier.category_probabilities(unsure, "health")
    assert hinted[2] > plain[2] and hinted.sum() == pytest.approx(plain.sum())
    assert classifier.classify("огромная яма на дороге", sector_hint="health").category == "roads.pothole"


def test_no_known_feature_means_no_guess_unless_the_resident_chose_a_sector(model):
    classifier = ModelClassifier(RUBRICATOR, lambda: model)
    assert classifier.classify("zzz qqq") is None
    fallback = classifier.classify("zzz qqq", sector_hint="health")
    assert (fallback.category, fallback.method) == ("health.other", "sector_hint")


def test_the_model_is_loaded_once_on_first_use(model):
    loads = []

    def load():
        loads.append(1)
        return model

    classifier = ModelClassifier(RUBRICATOR, load)
    assert loads == []
    classifier.classify("яма на дороге")
    classifier.classify("нет отопления")
    assert loads == [1]
