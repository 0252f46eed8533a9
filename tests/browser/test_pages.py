"""The residents' widget and tracking page and the operators' admin page, in a real browser.

One local stack for the module. The main test follows one appeal the whole way: submitted through the widget
with a photo, unplaceable so it lands in moderation, given its category in the admin page, answered by the
executor through its API, and rated by the resident on the tracking page.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
import requests
from playwright.sync_api import expect

from tests.browser.conftest import (
    PHONE,
    Stack,
    admin_case,
    executor_headers,
    operator_password,
    png,
    screenshot,
    sign_in,
    wait_for_status,
)

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

UNPLACEABLE = ("Возле дома 14 по проспекту Большевиков третью неделю никто не реагирует на наши просьбы, "
               "разберитесь пожалуйста")
CATEGORY = "landscaping.manhole"  # «Открытый люк»: the district administration's
ANSWER = ("Открытый люк у дома 14 по проспекту Большевиков закрыт 24.11.2026: бригада подрядчика установила "
          "новую крышку, место проверено инженером районной администрации.")
RED_DISTRICT, RED_COUNT = "kurortny", 4


def submit_through_widget(page: Any, stack: Stack) -> dict[str, str]:
    page.goto(f"{stack.api}/demo/")
    widget = page.locator(".tsur-widget")
    widget.get_by_label("Текст обращения").fill(UNPLACEABLE)
    widget.get_by_label("Адрес").fill("пр. Большевиков, 14")
    widget.get_by_label("Район / муниципальное образование").select_option("nevsky")
    widget.get_by_label("Широта").fill("59.9037")
    widget.get_by_label("Долгота").fill("30.4736")
    widget.get_by_label("Фото или видео").set_input_files(
        [{"name": "люк.png", "mimeType": "image/png", "buffer": png()}])
    expect(widget.locator(".tsur-file-status")).to_have_text("Загружено")
    widget.evaluate("node => node.scrollIntoView()")
    screenshot(page, "widget", readme=True)
    widget.get_by_role("button", name="Отправить обращение").click()
    link = widget.locator(".tsur-link a")
    expect(widget.get_by_role("heading", name="Обращение принято")).to_be_visible()
    href = link.get_attribute("href") or ""
    screenshot(page, "widget-accepted")
    found = re.search(r"id=([^&]+)&token=([^&]+)", href)
    assert found, href
    return {"id": found.group(1), "token": found.group(2), "link": href}


def choose_category_in_admin(page: Any, stack: Stack, case_id: str) -> None:
    sign_in(page, stack, "operator", "#/moderation")
    card = page.locator(f"article[data-case='{case_id}']")
    expect(card).to_contain_text(UNPLACEABLE[:40])
    card.get_by_label("Категория").select_option(CATEGORY)
    card.evaluate("node => node.scrollIntoView()")
    screenshot(page, "admin-moderation", readme=True)
    card.get_by_role("button", name="Назначить с этой категорией").click()
    expect(page.locator("#notice")).to_contain_text(f"Обращение {case_id}")
    expect(card).to_have_count(0)


def check_case_page(page: Any, stack: Stack, case_id: str) -> None:
    page.goto(f"{stack.api}/admin/#/case/{case_id}")
    expect(page.get_by_role("heading", name=f"Обращение {case_id}")).to_be_visible()
    expect(page.locator(".resident-text.full").first).to_have_text(UNPLACEABLE)
    photo = page.locator(".photos img")
    expect(photo).to_have_count(1)
    page.wait_for_function("img => img.complete && img.naturalWidth === 64", arg=photo.element_handle())
    expect(page.locator(".map-small .map-point")).to_have_count(1)
    timeline = page.get_by_role("region", name="Все события обращения")
    expect(timeline).to_contain_text("operator:operator")
    expect(page.locator(".answer")).to_contain_text(ANSWER[:40])
    expect(page.locator(".answer .badge")).to_have_text("по существу")
    screenshot(page, "admin-case", readme=True)


def rate_on_tracking_page(page: Any, accepted: dict[str, str]) -> None:
    page.goto(accepted["link"])
    expect(page.locator(".tr-answer")).to_contain_text(ANSWER[:40])
    page.get_by_text("Проблема не решена? Открыть обращение повторно").click()
    page.get_by_role("button", name="Открыть повторно").click()
    reason_error = page.locator("#tr-reopen-reason-error")
    expect(reason_error).to_be_visible()  # the API's field error, next to its field
    expect(page.locator("#tr-reopen-reason")).to_have_attribute("aria-invalid", "true")
    page.get_by_label("5", exact=True).check()
    page.get_by_label("Комментарий (необязательно)").fill("Люк закрыли быстро, спасибо")
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "tracking", readme=True)
    page.get_by_role("button", name="Отправить оценку").click()
    expect(page.locator(".tr-rated")).to_contain_text("5 из 5")
    screenshot(page, "tracking-rated")


def test_an_appeal_goes_from_the_widget_through_moderation_to_a_rated_answer(stack: Stack, open_page: Any) -> None:
    resident = open_page()
    accepted = submit_through_widget(resident, stack)
    wait_for_status(stack, accepted["id"], {"moderation"})

    operator = open_page()
    choose_category_in_admin(operator, stack, accepted["id"])
    assigned = wait_for_status(stack, accepted["id"], {"assigned"})  # the pipeline assigns after the operator
    assert assigned["category"] == CATEGORY and assigned["executor"]["id"] == "adm_nevsky"
    assert len(assigned["attachments"]) == 1

    answered = requests.post(f"{stack.api}/v1/executor/cases/{accepted['id']}/answers", timeout=5,
                             headers=executor_headers(stack, "adm_nevsky"), json={"kind": "final", "text": ANSWER})
    assert answered.status_code == 200 and answered.json()["status"] == "published", answered.text
    check_case_page(operator, stack, accepted["id"])

    rate_on_tracking_page(resident, accepted)
    assert admin_case(stack, accepted["id"])["rating"] == 5


def test_the_widget_shows_field_errors_on_a_phone(stack: Stack, open_page: Any) -> None:
    page = open_page(PHONE)
    page.goto(f"{stack.api}/demo/")
    widget = page.locator(".tsur-widget")
    widget.get_by_label("Электронная почта").fill("anna@example.org")
    widget.get_by_label("Фото или видео").set_input_files(
        [{"name": "заявление.txt", "mimeType": "text/plain", "buffer": "не фото".encode()}])
    expect(widget.locator(".tsur-file-failed .tsur-file-status")).to_contain_text("JPEG")  # the API's reason
    widget.get_by_role("button", name="Отправить обращение").click()
    expect(widget.locator(".tsur-field-text .tsur-error")).to_have_text("Напишите текст обращения.")
    expect(widget.get_by_label("Текст обращения")).to_be_focused()
    expect(widget.locator(".tsur-consent .tsur-error")).to_contain_text("согласие")
    expect(widget.locator(".tsur-field-attachments .tsur-error")).to_contain_text("не удалось загрузить")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "widget-phone")


def seed_road_appeals(stack: Stack) -> list[str]:
    ids = []
    for n in range(RED_COUNT):
        response = requests.post(f"{stack.api}/v1/appeals", timeout=5, json={
            "text": f"Глубокая яма на дороге, разрушено асфальтовое покрытие у дома {n + 3} по Приморскому шоссе",
            "sector": "roads", "municipality": RED_DISTRICT})
        assert response.status_code == 202, response.text
        ids.append(response.json()["id"])
    for case_id in ids:
        wait_for_status(stack, case_id, {"assigned"})
    return ids


def test_the_heat_map_shows_the_red_zone(stack: Stack, open_page: Any) -> None:
    seed_road_appeals(stack)
    page = open_page()
    sign_in(page, stack, "governor", "#/heatmap")
    # Курортный район: 4 appeals for about 80 thousand residents is 0.05 per 1,000: red at a 0.04 threshold.
    page.get_by_label("Порог красной зоны, на 1000 жителей").fill("0.04")
    page.get_by_role("button", name="Показать").click()
    red = page.locator(f".map-figure:not(.map-before) path[data-district='{RED_DISTRICT}']")
    expect(red).to_have_attribute("fill", "#c62828")
    expect(page.locator(".map-before path[data-district='kurortny']")).not_to_have_attribute("fill", "#c62828")
    expect(page.locator("[data-red-count]")).to_contain_text("Курортный")
    expect(page.locator("[data-red-count]")).to_have_attribute("data-red-count", "1")
    screenshot(page, "admin-heatmap", readme=True)


def test_each_role_sees_only_its_part(stack: Stack, open_page: Any) -> None:
    kurortny = seed_road_appeals(stack)[0]
    head = open_page()
    head.goto(f"{stack.api}/admin/")  # signed in with the keyboard alone: focus starts in the form
    head.keyboard.type("governor")
    head.keyboard.press("Tab")
    head.keyboard.type(operator_password(stack, "governor"))
    head.keyboard.press("Enter")
    expect(head.locator("#nav a")).to_have_text(["Просрочки", "Тепловая карта"])
    expect(head.get_by_role("heading", name="Просрочки по исполнителям")).to_be_visible()
    screenshot(head, "admin-board", readme=True)

    municipal = open_page(PHONE)
    sign_in(municipal, stack, "nevsky", "#/cases")
    expect(municipal.locator("#nav a", has_text="Доставки и DLQ")).to_have_count(0)
    expect(municipal.get_by_role("status").filter(has_text="Показано обращений")).to_be_visible()
    expect(municipal.get_by_role("link", name=kurortny)).to_have_count(0)
    screenshot(municipal, "admin-cases-phone")
    municipal.goto(f"{stack.api}/admin/#/case/{kurortny}")
    expect(municipal.get_by_role("alert")).to_contain_text("не найдено")
    screenshot(municipal, "admin-case-out-of-scope-phone")

    operator = open_page()
    sign_in(operator, stack, "operator", "#/deliveries")
    expect(operator.get_by_role("heading", name="Очереди недоставленных (DLQ)")).to_be_visible()
    screenshot(operator, "admin-deliveries")


def test_an_executor_reads_its_case_without_actions(stack: Stack, open_page: Any) -> None:
    response = requests.post(f"{stack.api}/v1/appeals", timeout=5, json={
        "text": "Во дворе дома 7 на улице Коллонтай не вывозят мусор, контейнеры переполнены",
        "municipality": "nevsky"})
    case_id = response.json()["id"]
    wait_for_status(stack, case_id, {"assigned"})
    page = open_page()
    sign_in(page, stack, "adm_nevsky")
    expect(page.locator("#nav a")).to_have_text(["Обращения"])
    page.goto(f"{stack.api}/admin/#/case/{case_id}")
    expect(page.get_by_role("heading", name=f"Обращение {case_id}")).to_be_visible()
    expect(page.get_by_role("heading", name="Действия")).to_have_count(0)
    expect(page.locator("form.action-form")).to_have_count(0)


def test_the_api_page_shows_the_operations_with_their_fields(stack: Stack, open_page: Any) -> None:
    page = open_page()
    page.goto(f"{stack.api}/api/")
    submit = page.locator("section.op[data-path='/v1/appeals'][data-method='post']")
    expect(submit.get_by_role("heading", level=3)).to_have_text("POST /v1/appeals")
    expect(submit).to_contain_text("Подать обращение")
    text_row = submit.get_by_role("row").filter(has=page.get_by_role("cell", name="text", exact=True))
    expect(text_row).to_contain_text("строка")
    expect(text_row).to_contain_text("да")  # required
    expect(text_row).to_contain_text("длина 1–5000")
    expect(submit.get_by_role("row").filter(has=page.get_by_role("cell", name="contact.email", exact=True))
           ).to_contain_text("не длиннее 254")
    expect(submit.get_by_role("row").filter(has=page.get_by_role("cell", name="Idempotency-Key"))
           ).to_contain_text("заголовок")
    expect(submit).to_contain_text("без авторизации")
    expect(submit.locator(".responses")).to_contain_text("202")
    tracking = page.locator("section.op[data-path='/v1/appeals/{case_id}'][data-method='get']")
    expect(tracking).to_contain_text("X-Tracking-Token")
    expect(page.get_by_role("heading", name="Исполнители", exact=True)).to_be_visible()
    expect(page.locator("section.op[data-method='options']")).to_have_count(0)  # CORS preflight is left out
    submit.evaluate("node => node.scrollIntoView()")
    screenshot(page, "api-page")
