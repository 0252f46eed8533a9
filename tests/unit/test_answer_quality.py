"""The answer check on hand-written executors' answers: substance passes, «отписки» go back with reasons."""

import pytest

from chalicelib.domain.answer_quality import REASONS, Verdict, assess_answer, assess_interim

SUBSTANTIVE = {
    "work done": "Уважаемый пользователь! По адресу: ул. Садовая, д. 5, парадная 2 выполнены работы по замене "
                 "участка стояка отопления. Течи нет. Приложение: акт, фотофиксация.",
    "stock fix line": "Проблема устранена, мусор с газона вывезен.",
    "work with a deadline": "Для устранения протечки необходимо заменить участок кровли. Работы будут выполнены "
                            "в срок до 15.05.2026, материал заказан.",
    "month and year": "Ремонт крыльца включён в адресную программу и будет выполнен до 20 августа 2026 года.",
    "inspection with a finding": "Проведено обследование подвала дома 7 по Дровяному переулку. Инженерные сети "
                                 "находятся в исправном состоянии, течи нет, подвал сухой.",
    "enforcement": "Сотрудником администрации района составлен протокол об административном правонарушении "
                   "от 12.02.2026 № 14 по ст. 44 Закона Санкт-Петербурга № 273-70 в отношении продавца.",
    "notice to the owner": "Собственнику помещения направлено предписание о демонтаже кондиционера в срок до "
                           "01.06.2026.",
    "inspection and a hint of rights": "Проведено обследование подвала, самозахвата общего имущества не выявлено. "
                                       "Вы вправе обратиться в суд, если считаете, что ваши права нарушены.",
    "law plus action": "В соответствии с постановлением Правительства Санкт-Петербурга № 961 и согласно п. 8.4 "
                       "Правил благоустройства фасад очищен от надписей 12.03.2026.",
}

FORMAL = {
    "referral": ("Ваше обращение направлено в ГУП «Водоканал Санкт-Петербурга» для рассмотрения по компетенции.",
                 "referral"),
    "recommend to apply": ("Рекомендуем обратиться в управляющую компанию вашего дома.", "referral"),
    "not our competence": ("Решение данного вопроса не входит в компетенцию администрации района.", "referral"),
    "only the law": ("В соответствии с Федеральным законом от 02.05.2006 № 59-ФЗ «О порядке рассмотрения "
                     "обращений граждан» и согласно ст. 10 указанного закона обращение рассмотрено. Согласно "
                     "постановлению Правительства № 875 работы проводятся в агротехнический период.", "law_only"),
    "vague promise": ("Ваше обращение будет рассмотрено, по его результатам будут приняты необходимые меры.",
                      "vague"),
    "promise without a date": ("Работы по ремонту асфальтового покрытия будут выполнены в весенне-летний период.",
                               "no_date"),
    "bare not confirmed": ("Информация не подтвердилась.", "too_short"),
    "write again": ("Координаты на карте не соответствуют фотографиям. Просим оставить новое первичное "
                    "обращение с указанием правильного адреса.", "resubmit"),
    "deferred to capital repair": ("Восстановление окрасочного слоя будет выполнено при капитальном ремонте "
                                   "фасада, который запланирован на 2033-2035 годы.", "deferred"),
    "conditional enforcement only": ("В случае выявления нарушения владельцу будет направлено предписание о "
                                     "демонтаже, будут приняты меры административного воздействия.", "vague"),
}


@pytest.mark.parametrize("text", SUBSTANTIVE.values(), ids=SUBSTANTIVE.keys())
def test_an_answer_on_substance_passes(text):
    assessment = assess_answer(text)
    assert assessment.verdict is Verdict.SUBSTANTIVE, assessment
    assert assessment.reasons == () and assessment.evidence
    assert assessment.score < 0.5


@pytest.mark.parametrize(("text", "code"), FORMAL.values(), ids=FORMAL.keys())
def test_a_formal_reply_is_flagged_with_the_reason(text, code):
    assessment = assess_answer(text)
    assert assessment.is_formal, assessment
    assert code in assessment.codes
    assert REASONS[code] in assessment.reasons
    assert assessment.score >= 0.6


def test_reasons_are_russian_sentences_for_the_executor():
    reasons = assess_answer("Рекомендуем обратиться в районную администрацию.").reasons
    assert reasons and all(any("а" <= ch <= "я" for ch in reason.lower()) for reason in reasons)


def test_a_refund_hint_next_to_real_work_is_not_a_referral():
    text = ("Холодное водоснабжение в квартире восстановлено. Вы можете обратиться в управляющую компанию "
            "для перерасчёта платы. Приложение: акт.")
    assert not assess_answer(text).is_formal


def test_dates_inside_law_references_are_not_deadlines():
    text = ("Согласно распоряжению Комитета от 20.11.2019 № 328-р уборка проводится по регламенту. "
            "В соответствии с п. 6.1.1 регламента допускается снежный накат до 60 мм.")
    assert assess_answer(text).is_formal


def test_attachments_make_a_substantive_answer_look_more_solid():
    text = "Проведён осмотр. Освещение находится в рабочем состоянии."
    assert assess_answer(text, attachments=2).score < assess_answer(text).score


def test_stock_safety_phrases_are_not_findings():
    text = "Аварийность отсутствует, угрозы жизни и здоровью граждан нет, безотлагательных мер не требуется."
    assert assess_answer(text).is_formal


@pytest.mark.parametrize("text", [
    "Бригада выедет завтра, контейнерная площадка будет убрана.",
    "Работы по вывозу мусора запланированы на 05.12.2026.",
    "Проводится обследование кровли, выезд специалиста в течение двух дней.",
    "Мусор вывезен частично, остальное вывезут 3 декабря.",
])
def test_an_interim_answer_with_work_under_way_and_a_time_is_shown(text):
    assert assess_interim(text).verdict is Verdict.SUBSTANTIVE


@pytest.mark.parametrize("text, code", [
    ("Ваше обращение находится на рассмотрении.", "vague"),
    ("Обращение принято в работу.", "too_short"),
    ("Рекомендуем обратиться в управляющую компанию, работы будут выполнены завтра.", "referral"),
    ("Направлен запрос в управляющую компанию, ответ будет дан в установленный срок.", "no_date"),
    ("Работы будут выполнены в соответствии с Правилами благоустройства согласно ст. 5 Закона Санкт-Петербурга.",
     "law_only"),
])
def test_an_interim_answer_that_says_nothing_is_held_back(text, code):
    assessment = assess_interim(text)
    assert assessment.verdict is Verdict.FORMAL and code in assessment.codes
