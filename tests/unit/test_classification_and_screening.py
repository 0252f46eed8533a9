import pytest

from chalicelib import reference
from chalicelib.api.schemas import AppealIn
from chalicelib.domain.screening import screening_reason
from chalicelib.domain.statuses import Status
from chalicelib.services import admin, intake
from tests.unit.operators import USERS
from tests.unit.test_pipeline import drain


@pytest.fixture(scope="module")
def classifier():
    return reference.classifier()


@pytest.mark.parametrize(("text", "category"), [
    ("На Невском проспекте огромная яма, машины объезжают по встречке", "roads.pothole"),
    ("Третий день нет отопления в квартире, батареи ледяные", "housing_utilities.heating"),
    ("Во дворе переполнены мусорные контейнеры, мусор не вывозят неделю", "waste.collection"),
    ("В аптеке нет льготного лекарства по рецепту уже месяц", "health.medicines"),
    ("Открытый люк на тротуаре возле школы, дети могут упасть", "landscaping.manhole"),
])
def test_typical_appeals_land_in_their_category(classifier, text, category):
    result = classifier.classify(text)
    assert result is not None
    assert result.category == category
    assert result.confidence >= 0.55


def test_ё_caps_and_vk_mentions_do_not_confuse_it(classifier):
    result = classifier.classify("[club123|Жилкомсервис] НЕТ ОТОПЛЕНИЯ!!! батареи холодные https://vk.cc/x")
    assert result is not None and result.category == "housing_utilities.heating"


def test_the_residents_sector_is_a_fallback_hint(classifier):
    result = classifier.classify("Прошу разобраться с ситуацией около дома номер семь", sector_hint="ecology")
    assert result is not None
    assert (result.category, result.method) == ("ecology.other", "sector_hint")


def test_no_keyword_and_no_hint_means_no_guess(classifier):
    assert classifier.classify("Прошу разобраться с ситуацией около дома номер семь") is None


@pytest.mark.parametrize(("text", "reason"), [
    ("", "Пустое обращение"),
    ("😡😡😡", "Нет текста: только ссылки, цифры или эмодзи"),
    ("https://example.com/x", "Нет текста: только ссылки, цифры или эмодзи"),
    ("vk.com/club123", "Нет текста: только ссылки, цифры или эмодзи"),
    ("t.me/spb_chat  gosuslugi.ru/help", "Нет текста: только ссылки, цифры или эмодзи"),
    ("тест", "Тестовое сообщение"),
    ("Да пошли вы все, бля, надоели", "Нецензурная лексика"),
    ("Помогите!!!", "Слишком мало фактов для работы"),
])
def test_screening_sends_non_appeals_to_moderation_with_a_reason(text, reason):
    assert screening_reason(text) == reason


def test_a_real_appeal_passes_screening():
    assert screening_reason("Во дворе дома 12 по улице Ленина не вывозят мусор") is None
    assert screening_reason("Яма у дома 5, фото vk.com/photo1_2, пишите anna@mail.ru") is None


def test_the_default_rubricator_covers_every_sector_with_a_catch_all():
    from chalicelib.domain.sectors import SECTORS

    rubricator = reference.rubricator()
    for sector in SECTORS:
        assert rubricator.fallback_for(sector).sector == sector


def test_a_case_with_only_the_resident_s_sector_waits_for_an_operator(fake_deps):
    accepted = intake.submit_appeal(fake_deps, AppealIn(text="Прошу разобраться с ситуацией около дома номер семь",
                                                        sector="ecology", municipality="nevsky"))
    drain(fake_deps)
    case = fake_deps.cases.get(accepted.id)
    assert case.status is Status.MODERATION and case.executor_id is None
    assert case.classification.category == "ecology.other"  # proposed to the operator, who decides
    queued, = admin.moderation_queue(fake_deps, USERS["operator"])["cases"]
    assert "сфера, выбранная заявителем" in queued["moderation_reason"]
