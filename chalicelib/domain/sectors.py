"""The stable sector ids shared by the widget, the classifier and routing, with Russian names."""

from __future__ import annotations

SECTORS: dict[str, str] = {
    "health": "Здравоохранение",
    "education": "Образование",
    "social_protection": "Социальная защита",
    "transport": "Общественный транспорт",
    "roads": "Дороги",
    "housing_utilities": "ЖКХ",
    "energy": "Энергетика",
    "waste": "Вывоз мусора и отходов",
    "landscaping": "Благоустройство",
    "ecology": "Экология",
    "construction": "Строительство и архитектура",
    "safety": "Безопасность",
    "culture_sport": "Культура и спорт",
    "trade_business": "Торговля и предпринимательство",
    "state_services": "Государственные услуги",
    "communications": "Связь и интернет",
    "corruption": "Коррупция",
    "other": "Другое",
}


def is_sector(sector_id: str) -> bool:
    return sector_id in SECTORS
