"""Personal data in a resident's text never reaches anything published."""

import pytest

from chalicelib.domain.case import Contact
from chalicelib.domain.privacy import mask_personal_data


@pytest.mark.parametrize(("text", "masked"), [
    ("Звоните +7 (921) 123-45-67 или 8 812 555 12 34", "Звоните [телефон скрыт] или [телефон скрыт]"),
    ("тел 89211234567, пишите ivan.petrov@mail.ru", "тел [телефон скрыт], пишите [email скрыт]"),
    ("паспорт 40 12 345678, СНИЛС 123-456-789 01", "паспорт [номер скрыт], СНИЛС [номер скрыт]"),
    ("Здравствуйте, меня зовут Иван Петров, живу в доме 5", "Здравствуйте, меня зовут [имя скрыто], живу в доме 5"),
    ("Нет воды. С уважением, Петрова А.В.", "Нет воды. С уважением, [имя скрыто]"),
])
def test_phones_emails_passport_numbers_and_names_are_masked(text, masked):
    assert mask_personal_data(text) == masked


@pytest.mark.parametrize("text", [
    "Дом 12 корпус 3 квартира 45, третий день нет воды",
    "Обращение от 12.02.2021, отопление 15 градусов",
    "меня зовут соседи на собрание жильцов",
])
def test_addresses_dates_and_ordinary_words_stay(text):
    assert mask_personal_data(text) == text


ANNA = Contact(name="Петрова Анна Сергеевна", email="anna.petrova@example.org", phone="+7 921 000-00-00")
IVANOV = Contact(name="Иванов Алексей Сергеевич", email="Ivanov.AS@mail.ru", phone="89215554433")


@pytest.mark.parametrize(("contact", "text", "masked"), [
    (ANNA, "Уважаемая Анна Сергеевна! Сообщаем, что вывоз мусора во дворе дома 12 выполнен 24.11.2026. "
           "По вопросам графика звоните мастеру участка 921-00-00.",
     "Уважаемая [имя скрыто]! Сообщаем, что вывоз мусора во дворе дома 12 выполнен 24.11.2026. "
     "По вопросам графика звоните мастеру участка [телефон скрыт]."),
    (IVANOV, "Иванову А.С. сообщаем, что яма у дома 5 заделана 20.11.2026. Ответ продублирован на "
             "ivanov.as@MAIL.ru и по номеру 8 (921) 555-44-33.",
     "[имя скрыто] сообщаем, что яма у дома 5 заделана 20.11.2026. Ответ продублирован на "
     "[email скрыт] и по номеру [телефон скрыт]."),
    (ANNA, "Заявителю Петровой Анне Сергеевне: контейнеры заменены. Петрова А. С. уведомлена по тел. 9210000000.",
     "Заявителю [имя скрыто]: контейнеры заменены. [имя скрыто] уведомлена по тел. [телефон скрыт]."),
    (IVANOV, "По обращению А.С. Иванова проведена проверка; с Алексеем Сергеевичем согласован срок.",
     "По обращению [имя скрыто] проведена проверка; с [имя скрыто] согласован срок."),
    (ANNA, "Звонок от жительницы принят с номера 000 00 00, перезвонили на 8-921-000-0000.",
     "Звонок от жительницы принят с номера [телефон скрыт], перезвонили на [телефон скрыт]."),
])
def test_a_published_answer_masks_the_resident_s_own_name_email_and_phone(contact, text, masked):
    assert mask_personal_data(text, contact) == masked


def test_masking_a_name_leaves_other_words_addresses_and_dates():
    lev = Contact(name="Лев Петров")
    text = "С левой стороны дома 5 по ул. Петровской, кв. 12, работы 24.11.2026 выполнены; Петрову Л. сообщено."
    assert mask_personal_data(text, lev) == ("С левой стороны дома 5 по ул. Петровской, кв. 12, работы 24.11.2026 "
                                             "выполнены; [имя скрыто] сообщено.")


@pytest.mark.parametrize("text", ["Звоните в диспетчерскую: 123-45-67", "тел. 921 00 00"])
def test_short_city_numbers_are_masked_without_a_contact(text):
    assert "[телефон скрыт]" in mask_personal_data(text) and not any(ch.isdigit() for ch in mask_personal_data(text))
