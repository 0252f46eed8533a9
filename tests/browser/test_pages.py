"""The residents' widget and tracking page and the operators' admin page, in a real browser.

One local stack for the module, with answers waiting for an operator. The main test follows one appeal the whole
way: submitted through the widget with a photo and a point picked on the map, unplaceable so it lands in
moderation, given its category in the admin page, answered by the executor through its API, published from the
case page, and rated by the resident on the tracking page. Another test works cases from the pages: reassign,
return, publish, close, the duplicates to confirm, a parked delivery replayed and a dead letter sent back.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
import requests
from playwright.sync_api import expect

from chalicelib import reference
from tests.browser.conftest import (
    PHONE,
    Stack,
    admin_case,
    answer,
    click_district,
    executor_headers,
    operator_headers,
    operator_password,
    park,
    park_in_dead_letters,
    png,
    screenshot,
    sign_in,
    submit,
    wait_for,
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
    click_district(page, "nevsky")  # the point on the map: the district's name, lat/lon and the district filled in
    expect(widget.locator(".tsur-map-status")).to_contain_text("Невский район")
    expect(widget.get_by_label("Район / муниципальное образование")).to_have_value("nevsky")
    assert widget.get_by_label("Широта").input_value() and widget.get_by_label("Долгота").input_value()
    widget.get_by_label("Фото или видео").set_input_files(
        [{"name": "люк.png", "mimeType": "image/png", "buffer": png()}])
    expect(widget.locator(".tsur-file-status")).to_have_text("Загружено")
    widget.get_by_label("Электронная почта").fill("anna@example.org")
    widget.get_by_label("Согласен(на) на обработку персональных данных (152-ФЗ)").check()
    widget.locator(".tsur-field-municipality").evaluate("node => node.scrollIntoView()")  # the map and its district
    screenshot(page, "widget", readme=True)
    widget.get_by_role("button", name="Отправить обращение").click()
    link = widget.locator(".tsur-link a")
    expect(widget.get_by_role("heading", name="Обращение принято")).to_be_visible()
    href = link.get_attribute("href") or ""
    screenshot(page, "widget-accepted")
    found = re.search(r"id=([^&]+)&token=([^&]+)", href)
    assert found and "api=" not in href, href
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


def publish_on_case_page(page: Any, stack: Stack, case_id: str) -> None:
    page.goto(f"{stack.api}/admin/#/case/{case_id}")
    expect(page.get_by_role("heading", name=f"Обращение {case_id}")).to_be_visible()
    expect(page.locator(".resident-text.full").first).to_have_text(UNPLACEABLE)
    photo = page.locator(".photos img")
    expect(photo).to_have_count(1)
    page.wait_for_function("img => img.complete && img.naturalWidth === 64", arg=photo.element_handle())
    expect(page.locator(".map-small .map-point")).to_have_count(1)
    timeline = page.get_by_role("region", name="Все события обращения")
    expect(timeline).to_contain_text("Оператор operator")  # the actor in Russian, not "operator:operator"
    expect(timeline).not_to_contain_text("operator:")
    expect(page.locator(".answer")).to_contain_text(ANSWER[:40])
    expect(page.locator(".answer .badge")).to_have_text("по существу")
    answer_file = page.locator(".answer .answer-files a")  # the executor's photo, readable by the operator
    expect(answer_file).to_have_text("Файл: lyuk_zakryt.png")
    assert requests.get(answer_file.get_attribute("href") or "", timeout=5).content == png()
    screenshot(page, "admin-case", readme=True)
    page.get_by_role("button", name="Опубликовать ответ").click()
    expect(page.locator(".case-status")).to_contain_text("Ответ опубликован")


def upload_answer_photo(stack: Stack, case_id: str) -> str:
    """The executor's photo of the work done, straight to S3 with its presigned POST; its key."""
    target = requests.post(f"{stack.api}/v1/executor/cases/{case_id}/attachments", timeout=5,
                           headers=executor_headers(stack, "adm_nevsky"),
                           json={"filename": "люк закрыт.png", "content_type": "image/png", "size": len(png())})
    assert target.status_code == 201, target.text
    form = target.json()
    stored = requests.post(form["url"], data=form["fields"], files={"file": ("photo.png", png(), "image/png")},
                           timeout=10)
    assert stored.status_code in (200, 201, 204), stored.text
    return str(form["key"])


def rate_on_tracking_page(page: Any, accepted: dict[str, str]) -> None:
    page.goto(accepted["link"])
    expect(page.locator(".tr-answer")).to_contain_text(ANSWER[:40])
    photo_link = page.locator(".tr-files a")
    expect(photo_link).to_have_text("lyuk_zakryt.png")
    assert requests.get(photo_link.get_attribute("href") or "", timeout=5).content == png()
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

    assert reference.territories().locate(assigned["lat"], assigned["lon"]) == "nevsky"  # the point picked
    assert assigned["consent"]["version"] and assigned["contact_present"]

    photo = upload_answer_photo(stack, accepted["id"])
    answered = answer(stack, "adm_nevsky", accepted["id"], ANSWER, attachments=[photo])
    assert answered["status"] == "answered"  # waits for the operator
    publish_on_case_page(operator, stack, accepted["id"])

    rate_on_tracking_page(resident, accepted)
    assert admin_case(stack, accepted["id"])["rating"] == 5


def test_the_widget_shows_field_errors_on_a_phone(stack: Stack, open_page: Any) -> None:
    page = open_page(PHONE)
    missing: list[str] = []
    page.on("response", lambda r: missing.append(r.url) if r.status == 404 else None)
    page.goto(f"{stack.api}/demo/")
    widget = page.locator(".tsur-widget")
    expect(widget.locator(".tsur-map-svg")).to_be_visible()
    assert missing == []  # nothing the page asks for is missing
    # Headless Chromium asks for no favicon, a desktop browser would (a 404 without this inline one).
    assert (page.locator("link[rel='icon']").get_attribute("href") or "").startswith("data:image/svg+xml")
    widget.get_by_label("Электронная почта").fill("anna@example.org")
    widget.get_by_label("Фото или видео").set_input_files(
        [{"name": "заявление.txt", "mimeType": "text/plain", "buffer": "не фото".encode()}])
    expect(widget.locator(".tsur-file-failed .tsur-file-status")).to_contain_text("JPEG")  # the API's reason
    widget.get_by_role("button", name="Отправить обращение").click()
    expect(widget.locator(".tsur-field-text .tsur-error")).to_have_text("Напишите текст обращения.")
    expect(widget.get_by_label("Текст обращения")).to_be_focused()
    expect(widget.locator(".tsur-consent .tsur-error")).to_contain_text("согласие")
    expect(widget.locator(".tsur-field-attachments .tsur-error")).to_contain_text("не удалось загрузить")
    widget.locator(".tsur-map").focus()  # the map with the keyboard alone: arrows move the crosshair, Enter sets
    for key in ("ArrowLeft", "ArrowLeft"):
        page.keyboard.press(key)
    expect(widget.locator(".tsur-map-status")).to_contain_text("Перекрестие")
    page.keyboard.press("Enter")
    expect(widget.locator(".tsur-map-status")).to_contain_text("Место отмечено")
    lat, lon = (float(widget.get_by_label(name).input_value()) for name in ("Широта", "Долгота"))
    district = reference.territories().locate(lat, lon)
    status = widget.locator(".tsur-map-status").inner_text()
    assert district and reference.region().municipalities[district].name.split()[0] in status
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "widget-phone")


def seed_road_appeals(stack: Stack) -> list[str]:
    ids = [submit(stack, text=f"Глубокая яма на дороге, разрушено асфальтовое покрытие у дома {n + 3} по Приморскому "
                  "шоссе", sector="roads", municipality=RED_DISTRICT) for n in range(RED_COUNT)]
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
    page.get_by_label("С даты").fill("2026-12-01")  # a period that ends before it starts: said at the field
    page.get_by_label("По дату").fill("2026-11-01")
    page.get_by_role("button", name="Показать").click()
    expect(page.locator("#f-from-error")).to_have_text("Начало периода позже конца")
    expect(page.get_by_label("С даты")).to_have_attribute("aria-invalid", "true")
    expect(page.locator(".filter-error")).to_have_text("Проверьте параметры запроса")


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
    for link in municipal.locator("#nav a").all():  # every section of the menu fits on the phone's screen
        box = link.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], link.inner_text()
    expect(municipal.get_by_role("status").filter(has_text="Показано обращений")).to_be_visible()
    expect(municipal.get_by_role("link", name=kurortny)).to_have_count(0)
    screenshot(municipal, "admin-cases-phone")
    municipal.goto(f"{stack.api}/admin/#/case/{kurortny}")
    expect(municipal.get_by_role("alert")).to_contain_text("не найдено")
    screenshot(municipal, "admin-case-out-of-scope-phone")


def test_an_executor_reads_its_case_without_actions(stack: Stack, open_page: Any) -> None:
    case_id = submit(stack, text="Во дворе дома 7 на улице Коллонтай не вывозят мусор, контейнеры переполнены",
                     municipality="nevsky")
    wait_for_status(stack, case_id, {"assigned"})
    page = open_page()
    sign_in(page, stack, "adm_nevsky")
    expect(page.locator("#nav a")).to_have_text(["Обращения"])
    page.goto(f"{stack.api}/admin/#/case/{case_id}")
    expect(page.get_by_role("heading", name=f"Обращение {case_id}")).to_be_visible()
    expect(page.get_by_role("heading", name="Действия")).to_have_count(0)
    expect(page.locator("form.action-form")).to_have_count(0)


GARBAGE = "Во дворе дома {n} на улице Коллонтай не вывозят мусор, контейнеры переполнены"
KOLLONTAI = {"lat": 59.9127, "lon": 30.4642}  # Невский район
DONE = ("Мусор во дворе дома 7 на улице Коллонтай вывезен 25.11.2026: подрядчик убрал площадку, контейнеры заменены, "
        "вывоз проверен инспектором районной администрации.")


def act_on_case(page: Any, action: str, reason: str | None = None, executor: str | None = None) -> None:
    """Submit one of the case page's action forms (by its button) and wait for the page to show the result."""
    form = page.locator("form.action-form").filter(has=page.get_by_role("button", name=action, exact=True))
    if executor:
        form.get_by_label("Новый исполнитель").select_option(executor)
    if reason:
        form.locator("textarea").fill(reason)
    form.get_by_role("button", name=action, exact=True).click()
    expect(page.locator("#notice")).to_contain_text("Обращение")


def test_cases_are_worked_from_the_case_page(stack: Stack, open_page: Any) -> None:
    case_id = submit(stack, text=GARBAGE.format(n=7), **KOLLONTAI)
    wait_for_status(stack, case_id, {"assigned"})
    page = open_page()
    sign_in(page, stack, "operator", f"#/case/{case_id}")
    actions = page.get_by_role("heading", name="Действия")
    timeline = page.get_by_role("heading", name="История и аудит")
    assert actions.bounding_box()["y"] < timeline.bounding_box()["y"]  # actions at the top, not under the history
    expect(page.locator(".facts")).to_contain_text("по типу исполнителя: Администрация Невского района")

    act_on_case(page, "Переназначить", "Двор относится к Кировскому району", executor="adm_kirovsky")
    expect(page.locator(".facts")).to_contain_text("Администрация Кировского района")
    expect(page.locator(".facts")).to_contain_text("вручную, оператором")
    assert admin_case(stack, case_id)["executor"]["id"] == "adm_kirovsky"

    # An interim answer that says nothing is held back by the check; the operator may publish it anyway.
    answer(stack, "adm_kirovsky", case_id, "Ваше обращение находится на рассмотрении.", kind="interim")
    page.reload()
    expect(page.locator(".answer .badge")).to_have_text("формальный ответ")
    act_on_case(page, "Опубликовать промежуточный ответ")
    expect(page.locator(".answer .badge")).to_have_text("по существу")
    expect(page.get_by_role("region", name="Все события обращения")).to_contain_text("Промежуточный ответ")
    expect(page.get_by_role("button", name="Опубликовать промежуточный ответ")).to_have_count(0)

    assert answer(stack, "adm_kirovsky", case_id, DONE)["status"] == "answered"
    page.reload()
    act_on_case(page, "Вернуть ответ исполнителю", "Приложите фото площадки")
    expect(page.locator(".case-status")).to_contain_text("возвращён")
    answer(stack, "adm_kirovsky", case_id, DONE + " Фото площадки приложено.")
    page.reload()
    act_on_case(page, "Опубликовать ответ")
    expect(page.locator(".case-status")).to_contain_text("Ответ опубликован")
    act_on_case(page, "Закрыть обращение", "Житель подтвердил по телефону")
    expect(page.locator(".case-status")).to_contain_text("Закрыто")
    history = page.get_by_role("region", name="Все события обращения")
    expect(history).to_contain_text("Приложите фото площадки")
    expect(history).to_contain_text("Житель подтвердил по телефону")
    screenshot(page, "admin-case-closed")
    statuses = [e["to_status"] for e in admin_case(stack, case_id)["timeline"] if e["to_status"]]
    assert statuses[-7:] == ["assigned", "in_progress", "answered", "returned", "answered", "published", "closed"], (
        statuses)


def test_duplicates_are_confirmed_or_unlinked_in_moderation(stack: Stack, open_page: Any) -> None:
    first = submit(stack, text=GARBAGE.format(n=21), **KOLLONTAI)
    wait_for_status(stack, first, {"assigned"})
    near = {"lat": KOLLONTAI["lat"] + 0.0004, "lon": KOLLONTAI["lon"]}  # 45 m north
    same, other = (submit(stack, text=GARBAGE.format(n=n), **near) for n in (21, 23))
    for case_id in (same, other):
        wait_for_status(stack, case_id, {"linked"})
    page = open_page()
    sign_in(page, stack, "nevsky", "#/moderation")
    cards = {case_id: page.locator(f"article[data-duplicate='{case_id}']") for case_id in (same, other)}
    expect(cards[same]).to_contain_text(f"Объединено с обращением {first}")
    expect(cards[same].get_by_role("link", name=first)).to_have_attribute("href", f"#/case/{first}")
    cards[same].evaluate("node => node.scrollIntoView({block: 'center'})")
    screenshot(page, "admin-duplicates", readme=True)
    cards[same].get_by_role("button", name="Подтвердить: та же проблема").click()
    expect(cards[same]).to_have_count(0)
    cards[other].get_by_text("Разъединить: это другая проблема").click()
    cards[other].get_by_label("Почему это другая проблема").fill("Дом 23 — другой двор")
    cards[other].get_by_role("button", name="Рассматривать отдельно").click()
    expect(cards[other]).to_have_count(0)
    assert wait_for_status(stack, other, {"assigned"})["duplicate_of"] is None
    assert admin_case(stack, same)["duplicate_confirmed"]
    assert admin_case(stack, first)["residents_affected"] == 2  # the first reporter and the confirmed one


def test_a_parked_delivery_is_replayed_and_a_dead_letter_sent_back_from_the_page(stack: Stack, open_page: Any
                                                                                  ) -> None:
    case_id = submit(stack, text=GARBAGE.format(n=31), municipality="nevsky")
    delivery = wait_for(lambda: next((d for d in admin_case(stack, case_id)["deliveries"]
                                      if d["status"] == "delivered"), None), 30, stack)
    park(stack, case_id, delivery["webhook_id"])
    park_in_dead_letters(stack, "notify", {"case_id": case_id, "step": "notify", "correlation_id": ""})
    page = open_page()
    sign_in(page, stack, "operator", "#/deliveries")
    parked = page.get_by_role("region", name="Доставки").locator("tr", has_text=delivery["webhook_id"])
    expect(parked).to_contain_text("Администрация Невского района")  # the executor's name, not its id
    expect(parked).to_contain_text("Назначено")  # the webhook's type in Russian
    dead = page.get_by_role("region", name="Очереди").locator("tr", has_text="Уведомление исполнителя")
    expect(dead).to_contain_text("1")
    screenshot(page, "admin-deliveries", readme=True)
    parked.get_by_role("button", name=f"Повторить доставку {delivery['webhook_id']}").click()
    expect(page.locator("#notice")).to_contain_text("поставлена в очередь повторно")
    wait_for(lambda: next(d for d in admin_case(stack, case_id)["deliveries"]
                          if d["webhook_id"] == delivery["webhook_id"])["status"] == "delivered", 30, stack)
    page.get_by_role("button", name="Показать сообщения очереди «Уведомление исполнителя»").click()
    messages = page.get_by_role("region", name="Сообщения очереди «Уведомление исполнителя»")
    expect(messages).to_contain_text(case_id)
    messages.locator("button", has_text="Вернуть в очередь").click()
    expect(page.locator("#notice")).to_contain_text("возвращено в очередь «Уведомление исполнителя»")
    expect(page.get_by_role("region", name="Очереди").locator("tr", has_text="Уведомление исполнителя")
           ).to_contain_text("0")
    replayed = [e for e in admin_case(stack, case_id)["timeline"] if e["kind"] == "delivery_replayed"]
    assert [e["actor"] for e in replayed] == ["operator:operator"]


def test_the_api_page_shows_the_operations_with_their_fields(stack: Stack, open_page: Any) -> None:
    page = open_page()
    page.goto(f"{stack.api}/api/")
    operation = page.locator("section.op[data-path='/v1/appeals'][data-method='post']")
    expect(operation.get_by_role("heading", level=3)).to_have_text("POST /v1/appeals")
    expect(operation).to_contain_text("Подать обращение")
    text_row = operation.get_by_role("row").filter(has=page.get_by_role("cell", name="text", exact=True))
    expect(text_row).to_contain_text("строка")
    expect(text_row).to_contain_text("да")  # required
    expect(text_row).to_contain_text("длина 1–5000")
    expect(operation.get_by_role("row").filter(has=page.get_by_role("cell", name="contact.email", exact=True))
           ).to_contain_text("не длиннее 254")
    expect(operation.get_by_role("row").filter(has=page.get_by_role("cell", name="Idempotency-Key"))
           ).to_contain_text("заголовок")
    expect(operation).to_contain_text("без авторизации")
    expect(operation.locator(".responses")).to_contain_text("202")
    tracking = page.locator("section.op[data-path='/v1/appeals/{case_id}'][data-method='get']")
    expect(tracking).to_contain_text("X-Tracking-Token")
    expect(page.get_by_role("heading", name="Исполнители", exact=True)).to_be_visible()
    expect(page.locator("section.op[data-method='options']")).to_have_count(0)  # CORS preflight is left out
    operation.evaluate("node => node.scrollIntoView()")
    screenshot(page, "api-page")


MARKUP = '<img src=x onerror="window.__injected=1"><b>Яма</b> на дороге у дома 5 по Приморскому шоссе, глубокая'
ANSWER_MARKUP = ('<script>window.__injected=1</script><i>Яма</i> у дома 5 по Приморскому шоссе заделана 24.11.2026 '
                 'бригадой подрядчика, покрытие восстановлено, место проверено инженером районной администрации.')


def test_markup_in_an_appeal_or_an_answer_is_shown_as_text(stack: Stack, open_page: Any) -> None:
    accepted = requests.post(f"{stack.api}/v1/appeals", timeout=5,
                             json={"text": MARKUP, "sector": "roads", "municipality": RED_DISTRICT}).json()
    case = wait_for_status(stack, accepted["id"], {"assigned"})
    answer(stack, case["executor"]["id"], accepted["id"], ANSWER_MARKUP)
    wait_for_status(stack, accepted["id"], {"answered"})
    published = requests.post(f"{stack.api}/v1/admin/cases/{accepted['id']}/publish", timeout=5,
                              headers=operator_headers(stack, "operator"))
    assert published.status_code == 200, published.text
    page = open_page()
    sign_in(page, stack, "operator", f"#/case/{accepted['id']}")
    expect(page.locator(".resident-text").first).to_have_text(MARKUP)
    expect(page.locator(".resident-text").nth(1)).to_have_text(ANSWER_MARKUP)
    assert page.locator("main img[src='x'], main b, main i, main script").count() == 0
    page.goto(f"{stack.api}/track/?id={accepted['id']}&token={accepted['token']}")
    expect(page.locator(".tr-answer-text")).to_have_text(ANSWER_MARKUP)
    assert page.evaluate("window.__injected") is None
    assert page.locator("main img[src='x'], main b, main i, main script").count() == 0
