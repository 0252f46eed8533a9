"""The executors' API through Chalice's test client: keys, scoping, answers through the quality gate."""

import json

import pytest
from chalice.test import Client

from app import app
from chalicelib.api.schemas import AppealIn
from chalicelib.domain.statuses import Status
from chalicelib.services import executor_keys, intake
from tests.unit.test_pipeline import drain

SUBSTANTIVE = ("Вывоз мусора во дворе дома 12 выполнен 24.11.2026 бригадой ООО «Экострой», "
               "контейнерная площадка убрана, график вывоза изменён на ежедневный. Фото прилагаем.")
FORMAL = ("Ваше обращение рассмотрено. В соответствии с Федеральным законом № 59-ФЗ сообщаем, что "
          "вопрос будет рассмотрен в установленном порядке. Рекомендуем обратиться в управляющую компанию.")


@pytest.fixture
def client(fake_deps):
    with Client(app) as test_client:
        yield test_client


@pytest.fixture
def assigned(fake_deps):
    appeal = AppealIn(text="Во дворе дома 12 не вывозят мусор, контейнеры переполнены", municipality="nevsky",
                      contact={"email": "resident@example.org"}, consent=True)
    accepted = intake.submit_appeal(fake_deps, appeal)
    drain(fake_deps)
    return accepted


def key_for(deps, executor_id):
    return {"Authorization": f"Bearer {executor_keys.issue(deps, executor_id).plaintext}"}


def call(client, method, path, headers, body=None):
    response = getattr(client.http, method)(
        path, headers={"Content-Type": "application/json", **headers},
        **({"body": json.dumps(body)} if body is not None else {}))
    return response.status_code, response.json_body


def test_without_a_valid_key_nothing_is_shown(client, fake_deps, assigned):
    for headers in ({}, {"Authorization": "Bearer tsk_nope_nope"}, {"Authorization": "Basic x"}):
        status, body = call(client, "get", "/v1/executor/cases", headers)
        assert status == 401 and body["error"] == "unauthorized"


def test_a_revoked_key_stops_working(client, fake_deps, assigned):
    issued = executor_keys.issue(fake_deps, "adm_nevsky")
    headers = {"Authorization": f"Bearer {issued.plaintext}"}
    assert call(client, "get", "/v1/executor/cases", headers)[0] == 200
    assert fake_deps.api_keys.revoke(issued.record.key_id, fake_deps.clock())
    assert call(client, "get", "/v1/executor/cases", headers)[0] == 401
    assert issued.plaintext not in json.dumps(vars(fake_deps.api_keys.get(issued.record.key_id)), default=str)


def test_an_executor_lists_and_reads_only_its_own_cases(client, fake_deps, assigned):
    own = key_for(fake_deps, "adm_nevsky")
    other = key_for(fake_deps, "adm_kirovsky")
    status, body = call(client, "get", "/v1/executor/cases?status=assigned", own)
    assert status == 200 and [c["id"] for c in body["cases"]] == [assigned.id]
    assert call(client, "get", "/v1/executor/cases", other)[1]["cases"] == []
    assert call(client, "get", f"/v1/executor/cases/{assigned.id}", own)[1]["text"].startswith("Во дворе")
    for path in ("", "/ack"):
        method = "post" if path else "get"
        assert call(client, method, f"/v1/executor/cases/{assigned.id}{path}", other, {} if path else None)[0] == 404
    status, _ = call(client, "post", f"/v1/executor/cases/{assigned.id}/answers", other,
                     {"kind": "final", "text": SUBSTANTIVE})
    assert status == 404
    assert fake_deps.cases.get(assigned.id).status is Status.ASSIGNED


def test_bad_listing_parameters_are_field_errors(client, fake_deps, assigned):
    own = key_for(fake_deps, "adm_nevsky")
    assert call(client, "get", "/v1/executor/cases?status=lost", own)[1]["fields"][0]["field"] == "status"
    assert call(client, "get", "/v1/executor/cases?limit=0", own)[0] == 422


def test_a_formal_answer_is_returned_and_a_substantive_one_published(client, fake_deps, assigned):
    fake_deps.settings = fake_deps.settings.__class__(**{**vars(fake_deps.settings), "answer_review": "auto"})
    own = key_for(fake_deps, "adm_nevsky")
    path = f"/v1/executor/cases/{assigned.id}"
    assert call(client, "post", f"{path}/ack", own, {})[1]["status"] == "in_progress"
    status, body = call(client, "post", f"{path}/answers", own, {"kind": "final", "text": FORMAL})
    assert status == 200 and body["status"] == "returned"
    assert body["answers"][-1]["verdict"] == "formal" and body["answers"][-1]["verdict_reasons"]
    status, body = call(client, "post", f"{path}/answers", own, {"kind": "final", "text": SUBSTANTIVE})
    assert body["status"] == "published"
    public = client.http.get(f"/v1/appeals/{assigned.id}", headers={"X-Tracking-Token": assigned.token}).json_body
    assert public["status"] == "published"
    assert "59-ФЗ" not in json.dumps(public, ensure_ascii=False)  # the returned answer never reached the resident


def test_with_operator_review_a_good_answer_waits_for_the_operator(client, fake_deps, assigned):
    own = key_for(fake_deps, "adm_nevsky")
    body = call(client, "post", f"/v1/executor/cases/{assigned.id}/answers", own,
                {"kind": "final", "text": SUBSTANTIVE})[1]
    assert body["status"] == "answered"
    from chalicelib.services import answers

    assert answers.confirm(fake_deps, assigned.id, "operator:ivanova").status is Status.PUBLISHED


def test_an_interim_answer_is_public_and_masks_personal_data(client, fake_deps, assigned):
    own = key_for(fake_deps, "adm_nevsky")
    text = "Бригада выедет завтра. Контакт мастера: +7 921 123-45-67."
    assert call(client, "post", f"/v1/executor/cases/{assigned.id}/answers", own,
                {"kind": "interim", "text": text})[1]["status"] == "in_progress"
    timeline = client.http.get(f"/v1/appeals/{assigned.id}?token={assigned.token}").json_body["timeline"]
    interim = next(e for e in timeline if e["kind"] == "interim_answer")
    assert "921" not in interim["note"] and "[телефон скрыт]" in interim["note"]


def test_a_formal_interim_answer_is_held_back_until_an_operator_publishes_it(client, fake_deps, assigned):
    from chalicelib.api.errors import ApiError
    from chalicelib.auth.operators import Principal, Role
    from chalicelib.services import admin_actions as admin

    own = key_for(fake_deps, "adm_nevsky")
    status, body = call(client, "post", f"/v1/executor/cases/{assigned.id}/answers", own,
                        {"kind": "interim", "text": "Ваше обращение находится на рассмотрении."})
    answer = body["answers"][-1]
    assert (status, body["status"], answer["verdict"]) == (200, "in_progress", "formal")
    drain(fake_deps)
    public = lambda: client.http.get(f"/v1/appeals/{assigned.id}?token={assigned.token}").json_body  # noqa: E731
    assert "interim_answer" not in [e["kind"] for e in public()["timeline"]]
    held, = webhooks_of(fake_deps, "case.answer_returned")
    assert (held["answer_id"], held["answer_kind"], held["status"]) == (answer["id"], "interim", "in_progress")
    assert held["message"].startswith("Промежуточный ответ не опубликован")
    operator = Principal("ivanova", Role.REGION_OPERATOR, "Иванова")
    admin.publish_interim(fake_deps, operator, assigned.id, answer["id"])
    shown = next(e for e in public()["timeline"] if e["kind"] == "interim_answer")
    assert shown["note"] == "Ваше обращение находится на рассмотрении."
    with pytest.raises(ApiError) as again:
        admin.publish_interim(fake_deps, operator, assigned.id, answer["id"])
    assert again.value.status == 409


def test_answer_attachments_must_belong_to_the_case_and_be_uploaded(client, fake_deps, assigned):
    own = key_for(fake_deps, "adm_nevsky")
    path = f"/v1/executor/cases/{assigned.id}"
    foreign = "cases/c_other/0123456789abcdef0123456789abcdef/x.jpg"
    fake_deps.storage.stored.add(foreign)
    status, body = call(client, "post", f"{path}/answers", own,
                        {"kind": "final", "text": SUBSTANTIVE, "attachments": [foreign]})
    assert status == 422 and body["fields"][0]["field"] == "attachments.0"
    status, upload = call(client, "post", f"{path}/attachments", own,
                          {"filename": "акт.pdf", "content_type": "application/pdf", "size": 200_000})
    assert status == 201 and upload["key"].startswith(f"cases/{assigned.id}/") and upload["key"].endswith("/akt.pdf")
    status, body = call(client, "post", f"{path}/answers", own,
                        {"kind": "final", "text": SUBSTANTIVE, "attachments": [upload["key"]]})
    assert status == 422 and body["fields"] == [{"field": "attachments.0",
                                                 "message": "Файл не загружен: загрузите его ещё раз"}]
    assert fake_deps.cases.get(assigned.id).answers == []
    fake_deps.storage.stored.add(upload["key"])
    status, body = call(client, "post", f"{path}/answers", own,
                        {"kind": "final", "text": SUBSTANTIVE, "attachments": [upload["key"]]})
    assert status == 200 and fake_deps.cases.get(assigned.id).answers[-1].attachments == (upload["key"],)
    status, body = call(client, "post", f"/v1/executor/cases/{assigned.id}/attachments", own,
                        {"filename": "x.exe", "content_type": "application/x-msdownload", "size": 10})
    assert status == 422 and body["fields"][0]["field"] == "content_type"


def test_a_declined_case_goes_back_to_the_operators_not_to_the_resident(client, fake_deps, assigned):
    own, other = key_for(fake_deps, "adm_nevsky"), key_for(fake_deps, "adm_kirovsky")
    path = f"/v1/executor/cases/{assigned.id}/decline"
    assert call(client, "post", path, other, {"reason": "Не наш район"})[0] == 404
    assert call(client, "post", path, own, {})[0] == 422
    assert call(client, "post", path, own, {"reason": "Контейнерная площадка на территории другого района"})[0] == 200
    assert fake_deps.cases.get(assigned.id).status is Status.MODERATION
    assert call(client, "get", f"/v1/executor/cases/{assigned.id}", own)[0] == 404
    public = client.http.get(f"/v1/appeals/{assigned.id}?token={assigned.token}").json_body
    assert "другого района" not in json.dumps(public, ensure_ascii=False)


def webhooks_of(deps, event_type):
    bodies = [json.loads(body) for _, _, body in deps.webhooks.requests]
    return [b["data"] for b in bodies if b["type"] == event_type]


def test_an_operator_s_return_is_shown_to_the_executor_and_sent_as_a_webhook(client, fake_deps, assigned):
    from chalicelib.auth.operators import Principal, Role
    from chalicelib.services import admin_actions as admin

    own = key_for(fake_deps, "adm_nevsky")
    path = f"/v1/executor/cases/{assigned.id}"
    assert call(client, "post", f"{path}/answers", own, {"kind": "final", "text": SUBSTANTIVE})[1]["status"] == (
        "answered")  # the automatic check let it through; the operator reviews
    operator = Principal("ivanova", Role.REGION_OPERATOR, "Иванова")
    admin.send_back(fake_deps, operator, assigned.id, "Нет фото контейнерной площадки после уборки")
    drain(fake_deps)
    status, body = call(client, "get", path, own)
    assert status == 200
    answer = body["answers"][-1]
    assert (body["status"], answer["verdict"], answer["verdict_by"]) == ("returned", "formal", "operator:ivanova")
    assert answer["verdict_reasons"] == ["Нет фото контейнерной площадки после уборки"]
    returned, = webhooks_of(fake_deps, "case.answer_returned")
    assert (returned["case_id"], returned["answer_id"], returned["verdict"], returned["returned_by"]) == (
        assigned.id, answer["id"], "formal", "operator:ivanova")
    assert returned["reasons"] == ["Нет фото контейнерной площадки после уборки"] and returned["deadline"]
    ids = [d.id for d in fake_deps.deliveries.of_case(assigned.id) if d.event_type == "case.answer_returned"]
    assert ids == [f"msg_{assigned.id}_returned-{answer['id']}"]


def test_an_automatic_return_is_sent_to_the_executor_too(client, fake_deps, assigned):
    own = key_for(fake_deps, "adm_nevsky")
    call(client, "post", f"/v1/executor/cases/{assigned.id}/answers", own, {"kind": "final", "text": FORMAL})
    drain(fake_deps)
    returned, = webhooks_of(fake_deps, "case.answer_returned")
    assert (returned["verdict"], returned["returned_by"], returned["status"]) == ("formal", "system", "returned")
    assert returned["reasons"] and returned["message"].startswith("Ответ возвращён на доработку")


def test_the_executor_hears_when_the_resident_clarifies(client, fake_deps, assigned):
    from chalicelib.api.schemas import ResidentClarificationIn
    from chalicelib.services import resident

    own = key_for(fake_deps, "adm_nevsky")
    call(client, "post", f"/v1/executor/cases/{assigned.id}/clarifications", own, {"question": "Какой подъезд?"})
    resident.clarify(fake_deps, assigned.id, assigned.token,
                     ResidentClarificationIn(text="Второй подъезд, звоните 89210001122"))
    drain(fake_deps)
    clarified, = webhooks_of(fake_deps, "case.clarified")
    assert (clarified["question"], clarified["status"]) == ("Какой подъезд?", "in_progress")
    assert clarified["text"] == "Второй подъезд, звоните [телефон скрыт]"


def test_another_executor_cannot_ask_the_resident_or_upload_to_a_case(client, fake_deps, assigned):
    other = key_for(fake_deps, "adm_kirovsky")
    path = f"/v1/executor/cases/{assigned.id}"
    assert call(client, "post", f"{path}/clarifications", other, {"question": "Какой подъезд?"})[0] == 404
    upload = {"filename": "photo.jpg", "content_type": "image/jpeg", "size": 1000}
    assert call(client, "post", f"{path}/attachments", other, upload)[0] == 404
    assert fake_deps.cases.get(assigned.id).status is Status.ASSIGNED and fake_deps.storage.presigned == []


def test_the_resident_sees_the_published_answer_with_links_to_its_files(client, fake_deps, assigned):
    fake_deps.settings = fake_deps.settings.__class__(**{**vars(fake_deps.settings), "answer_review": "auto"})
    own = key_for(fake_deps, "adm_nevsky")
    path = f"/v1/executor/cases/{assigned.id}"
    key = call(client, "post", f"{path}/attachments", own,
               {"filename": "Акт уборки.pdf", "content_type": "application/pdf", "size": 50_000})[1]["key"]
    fake_deps.storage.stored.add(key)
    text = SUBSTANTIVE + " Копия направлена на resident@example.org."
    assert call(client, "post", f"{path}/answers", own, {"kind": "final", "text": text, "attachments": [key]}
                )[1]["status"] == "published"
    public = client.http.get(f"/v1/appeals/{assigned.id}", headers={"X-Tracking-Token": assigned.token}).json_body
    answer = public["answer"]
    assert answer["text"].startswith("Вывоз мусора во дворе дома 12 выполнен") and "[email скрыт]" in answer["text"]
    assert "resident@example.org" not in json.dumps(public)
    assert answer["published_at"].endswith("+03:00")
    assert answer["attachments"] == [{"name": "akt_uborki.pdf", "url": f"https://storage.test/{key}?expires=900"}]


def test_an_executor_filters_its_cases_by_overdue_and_category_page_by_page(client, fake_deps, assigned):
    texts = ["Открытый люк во дворе дома 3, опасно для детей", "Во дворе дома 7 сломаны качели на детской площадке",
             "Во дворе дома 9 не вывозят мусор, контейнеры переполнены",
             "Во дворе дома 14 не вывозят мусор, контейнеры переполнены"]
    ids = [intake.submit_appeal(fake_deps, AppealIn(text=t, municipality="nevsky")).id for t in texts]
    drain(fake_deps)
    late = fake_deps.cases.get(ids[2])
    late.overdue = True
    fake_deps.cases.save(late)
    own = key_for(fake_deps, "adm_nevsky")

    def listed(query):
        status, body = call(client, "get", f"/v1/executor/cases?{query}", own)
        assert status == 200, body
        return [c["id"] for c in body["cases"]], body["next_cursor"]

    assert listed("overdue=true") == ([ids[2]], None)
    assert set(listed("overdue=false")[0]) == {assigned.id, ids[0], ids[1], ids[3]}
    assert listed("category=landscaping.manhole&status=assigned") == ([ids[0]], None)
    first, cursor = listed("category=waste.collection&limit=2")
    assert len(first) == 2 and cursor
    rest, _ = listed(f"category=waste.collection&limit=2&cursor={cursor}")
    assert sorted(first + rest) == sorted([assigned.id, ids[2], ids[3]])
    assert listed("category=waste.collection&overdue=false&limit=5")[0].count(ids[2]) == 0
    status, body = call(client, "get", "/v1/executor/cases?category=no.such", own)
    assert status == 422 and body["fields"] == [{"field": "category", "message": "Неизвестная категория"}]


def test_the_executor_and_the_operators_can_open_the_files_of_a_case(client, fake_deps):
    from chalicelib.domain.attachments import new_upload_key
    from chalicelib.services import admin
    from tests.unit.operators import USERS

    photo = new_upload_key("uploads/", "фото двора", "jpg")
    fake_deps.storage.stored.add(photo)
    case_id = intake.submit_appeal(fake_deps, AppealIn(text="Во дворе дома 12 не вывозят мусор, контейнеры полные",
                                                       municipality="nevsky", attachments=[photo])).id
    drain(fake_deps)
    headers = key_for(fake_deps, "adm_nevsky")
    status, seen = call(client, "get", f"/v1/executor/cases/{case_id}", headers)
    assert status == 200 and seen["files"] == [{"name": "foto_dvora.jpg",
                                                "url": f"https://storage.test/{photo}?expires=900"}]
    status, target = call(client, "post", f"/v1/executor/cases/{case_id}/attachments", headers,
                          {"filename": "акт.pdf", "content_type": "application/pdf", "size": 1000})
    fake_deps.storage.stored.add(target["key"])
    call(client, "post", f"/v1/executor/cases/{case_id}/answers", headers,
         {"kind": "final", "text": SUBSTANTIVE, "attachments": [target["key"]]})
    (answer,) = admin.detail(fake_deps, USERS["operator"], case_id)["answers"]
    assert [f["name"] for f in answer["files"]] == ["akt.pdf"] and answer["files"][0]["url"].startswith("https://")
