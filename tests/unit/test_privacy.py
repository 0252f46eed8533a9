"""Personal data in a resident's text never reaches anything published."""

import pytest

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
