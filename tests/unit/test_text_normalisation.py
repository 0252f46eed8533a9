"""Messy Russian text becomes the same features whatever the case, «ё», mentions, links or typos."""

from chalicelib.domain.features import Featurizer
from chalicelib.domain.text import letter_words, normalise


def test_caps_yo_vk_mentions_links_emails_and_phones_are_normalised():
    text = ("[club123|Жилкомсервис] ЗАЧЕМ ВЫ ЁЛКУ СРУБИЛИ?! https://vk.cc/abc пишите ivan@example.org "
            "или звоните +7 (921) 123-45-67")
    assert normalise(text).split() == ["жилкомсервис", "зачем", "вы", "елку", "срубили?!", "пишите", "или", "звоните"]


def test_house_numbers_are_not_words_for_the_classifier():
    assert letter_words("Дом 12, кв. 5: нет воды") == ["дом", "кв", "нет", "воды"]


def test_inflected_forms_share_a_stem_from_the_russian_stemmer():
    featurizer = Featurizer()
    stems = {featurizer.word(w)[0] for w in ("отопление", "отопления", "отоплением", "ОТОПЛЕНИЮ".lower())}
    assert stems == {"отоплен"}


def test_a_typo_keeps_most_character_n_grams():
    featurizer = Featurizer()
    right, typo = set(featurizer.word("контейнеры")[1]), set(featurizer.word("контеййнеры")[1])
    assert len(right & typo) / len(right) > 0.6


def test_the_same_text_gives_the_same_hashes_in_any_process():
    text = "НЕТ отопления во всём доме"
    assert Featurizer().hashes(text) == Featurizer().hashes(text.lower().replace("ё", "е"))
    assert Featurizer().hashes(text)[0] == 2638400  # CRC-32 of "w:нет" (UTF-16) in 22 bits: saved models stay valid
