"""The resident's side: letters, clarification and its timeout, rating, reopening, auto-close."""

from dataclasses import replace

import pytest

from chalicelib.api.errors import ApiError
from chalicelib.api.schemas import AnswerIn, AppealIn, ClarificationIn, RatingIn, ReopenIn, ResidentClarificationIn
from chalicelib.auth.operators import Principal, Role
from chalicelib.domain.statuses import Status
from chalicelib.services import admin_actions, effects, executor_api, intake, resident, resident_mail, tracking
from tests.unit.test_executor_api import FORMAL, SUBSTANTIVE
from tests.unit.test_pipeline import drain

EMAIL = "resident@example.org"


@pytest.fixture
def case(fake_deps):
    fake_deps.settings = replace(fake_deps.settings, answer_review="auto", tracking_page_url="http://tsur.test/track/")
    appeal = AppealIn(text="Во дворе дома 12 не вывозят мусор, контейнеры переполнены", municipality="nevsky",
                      contact={"name": "Анна", "email": EMAIL, "phone": "+7 921 000-00-00"}, consent=True)
    accepted = intake.submit_appeal(fake_deps, appeal)
    drain(fake_deps)
    return accepted


def publish(deps, case_id):
    executor_api.post_answer(deps, "adm_nevsky", case_id, AnswerIn(kind="final", text=SUBSTANTIVE))
    drain(deps)


def letters(deps):
    return [(subject, text) for to, subject, text in deps.mailer.sent if to == EMAIL]


def test_the_resident_gets_a_letter_with_the_tracking_link_at_each_public_step(fake_deps, case):
    executor_api.acknowledge(fake_deps, "adm_nevsky", case.id)
    drain(fake_deps)
    publish(fake_deps, case.id)
    texts = [text for _, text in letters(fake_deps)]
    assert len(texts) == 4  # received, assigned, taken into work, answer published
    assert all(f"http://tsur.test/track/?id={case.id}&token={case.token}" in t for t in texts)
    assert "Администрация Невского района" in texts[1]
    assert "Исполнитель принял обращение в работу" in texts[2]
    assert "Вывоз мусора во дворе дома 12 выполнен" in texts[3]
    assert all("+7 921" not in t for t in texts)


def test_the_steps_between_letters_are_listed_in_the_next_one(fake_deps, case):
    executor_api.acknowledge(fake_deps, "adm_nevsky", case.id)
    drain(fake_deps)
    publish(fake_deps, case.id)
    texts = [text for _, text in letters(fake_deps)]
    listed = [t.split("Что ещё произошло с обращением:\n")[1].split("\n\n")[0] if "Что ещё" in t else ""
              for t in texts]
    assert "Обращение прошло автоматическую проверку" in listed[1] and "Тема: Невывоз мусора" in listed[1]
    assert "Обращение передано исполнителю" in listed[2]
    assert "Исполнитель направил ответ" in listed[3]
    without_letter = [e for e in fake_deps.cases.events(case.id) if e.public and effects.mail_kind(e) is None]
    assert without_letter and all(sum(e.reason in lines for lines in listed) == 1 for e in without_letter)


def test_a_redelivered_mail_message_sends_one_letter(fake_deps, case):
    before = len(fake_deps.mailer.sent)
    appeal_letter = resident_mail.MailMessage(case_id=case.id, kind="received",
                                              event_at=fake_deps.cases.events(case.id)[0].at.isoformat())
    resident_mail.send(fake_deps, appeal_letter)
    assert len(fake_deps.mailer.sent) == before


def test_no_address_no_letter(fake_deps):
    intake.submit_appeal(fake_deps, AppealIn(text="Во дворе дома 3 не вывозят мусор, контейнеры полные"))
    drain(fake_deps)
    assert fake_deps.mailer.sent == []


def test_a_clarification_round_trip(fake_deps, case):
    executor_api.request_clarification(fake_deps, "adm_nevsky", case.id, ClarificationIn(question="Какой подъезд?"))
    drain(fake_deps)
    assert fake_deps.cases.get(case.id).status is Status.CLARIFICATION
    assert "Какой подъезд?" in letters(fake_deps)[-1][1]
    with pytest.raises(ApiError) as wrong:
        resident.clarify(fake_deps, case.id, "not-the-token", ResidentClarificationIn(text="Второй"))
    assert wrong.value.status == 404
    resident.clarify(fake_deps, case.id, case.token,
                     ResidentClarificationIn(text="Второй подъезд, звоните 89210001122"))
    stored = fake_deps.cases.get(case.id)
    assert stored.status is Status.IN_PROGRESS
    published = next(e for e in fake_deps.cases.events(case.id) if e.kind == "clarification")
    assert "89210001122" not in published.reason


def test_no_clarification_within_three_days_rejects_the_case_with_that_reason(fake_deps, clock, case):
    executor_api.request_clarification(fake_deps, "adm_nevsky", case.id, ClarificationIn(question="Какой подъезд?"))
    clock.advance(days=2)
    assert resident.expire_waiting(fake_deps)["resident_clarification"] == 0
    clock.advance(days=1, minutes=1)
    assert resident.expire_waiting(fake_deps)["resident_clarification"] == 1
    assert resident.expire_waiting(fake_deps)["resident_clarification"] == 0
    stored = fake_deps.cases.get(case.id)
    assert stored.status is Status.REJECTED
    assert fake_deps.cases.events(case.id)[-1].reason == "Заявитель не дал уточнение в установленный срок"


def test_the_resident_rates_the_published_answer(fake_deps, case):
    with pytest.raises(ApiError) as early:
        resident.rate(fake_deps, case.id, case.token, RatingIn(score=5))
    assert early.value.status == 409
    publish(fake_deps, case.id)
    resident.rate(fake_deps, case.id, case.token, RatingIn(score=4, comment="Спасибо"))
    assert fake_deps.cases.get(case.id).rating == 4


def test_reopening_sends_the_case_back_to_the_executor_with_a_new_deadline(fake_deps, clock, case):
    publish(fake_deps, case.id)
    first_deadline = fake_deps.cases.get(case.id).assignment.deadline_at
    clock.advance(days=5)
    resident.reopen(fake_deps, case.id, case.token, ReopenIn(reason="Мусор снова не вывозят"))
    drain(fake_deps)
    stored = fake_deps.cases.get(case.id)
    assert stored.status is Status.ASSIGNED and stored.executor_id == "adm_nevsky"
    assert stored.assignment.deadline_at > first_deadline
    webhook_ids = {headers["webhook-id"] for _, headers, _ in fake_deps.webhooks.requests}
    assert len(webhook_ids) == 2  # the first assignment and the reopened one


def test_reopening_is_closed_after_the_window(fake_deps, clock, case):
    publish(fake_deps, case.id)
    clock.advance(days=fake_deps.settings.reopen_days + 1)
    resident.expire_waiting(fake_deps)
    assert tracking.public_case(fake_deps, case.id, case.token)["reopen_until"] is None
    with pytest.raises(ApiError) as late:
        resident.reopen(fake_deps, case.id, case.token, ReopenIn(reason="Не решено"))
    assert late.value.status == 409
    assert late.value.message == ("Повторно открыть обращение можно в течение 30 дней после публикации ответа; "
                                  "этот срок истёк")
    assert fake_deps.cases.get(case.id).status is Status.CLOSED  # auto-closed meanwhile, and stays so


def test_a_case_closed_automatically_can_be_reopened_on_day_20(fake_deps, clock, case):
    publish(fake_deps, case.id)
    clock.advance(days=fake_deps.settings.auto_close_days, minutes=1)
    resident.expire_waiting(fake_deps)
    assert fake_deps.cases.get(case.id).status is Status.CLOSED
    clock.advance(days=20 - fake_deps.settings.auto_close_days)
    view = tracking.public_case(fake_deps, case.id, case.token)
    assert view["status"] == "closed" and view["reopen_until"].startswith("2026-12-23")
    resident.reopen(fake_deps, case.id, case.token, ReopenIn(reason="Мусор снова не вывозят"))
    drain(fake_deps)
    stored = fake_deps.cases.get(case.id)
    assert stored.status is Status.ASSIGNED and stored.executor_id == "adm_nevsky"
    assert stored.assignment.deadline_at > clock()


def test_a_rating_is_the_resident_s_reaction_and_closes_the_case(fake_deps, clock, case):
    publish(fake_deps, case.id)
    assert tracking.public_case(fake_deps, case.id, case.token)["can_rate"]
    resident.rate(fake_deps, case.id, case.token, RatingIn(score=5))
    drain(fake_deps)
    stored = fake_deps.cases.get(case.id)
    assert (stored.status, stored.rating, stored.pending_step) == (Status.CLOSED, 5, None)
    closing = fake_deps.cases.events(case.id)[-1]
    assert (closing.to_status, closing.reason) == (Status.CLOSED, "Заявитель оценил ответ: 5 из 5")
    assert "Заявитель оценил ответ: 5 из 5" in letters(fake_deps)[-1][1]
    clock.advance(days=fake_deps.settings.auto_close_days + 1)
    assert resident.expire_waiting(fake_deps)["resident_reaction"] == 0
    reasons = [e.reason for e in fake_deps.cases.events(case.id)]
    assert not any("не оценил" in r for r in reasons)
    with pytest.raises(ApiError) as twice:
        resident.rate(fake_deps, case.id, case.token, RatingIn(score=1))
    assert (twice.value.status, twice.value.message) == (409, "Ответ уже оценён")
    view = tracking.public_case(fake_deps, case.id, case.token)
    assert not view["can_rate"] and view["reopen_until"]


def test_a_low_rating_closes_the_case_but_the_resident_may_still_reopen_it(fake_deps, clock, case):
    publish(fake_deps, case.id)
    resident.rate(fake_deps, case.id, case.token, RatingIn(score=1, comment="Ничего не сделано"))
    clock.advance(days=3)
    resident.reopen(fake_deps, case.id, case.token, ReopenIn(reason="Контейнеры так и стоят полные"))
    assert fake_deps.cases.get(case.id).status is Status.ASSIGNED


def test_a_silent_resident_may_still_rate_after_the_auto_close(fake_deps, clock, case):
    publish(fake_deps, case.id)
    clock.advance(days=fake_deps.settings.auto_close_days, minutes=1)
    resident.expire_waiting(fake_deps)
    resident.rate(fake_deps, case.id, case.token, RatingIn(score=4))
    stored = fake_deps.cases.get(case.id)
    assert (stored.status, stored.rating, stored.closed_as) == (Status.CLOSED, 4, "rated")


def test_a_case_an_operator_closed_cannot_be_reopened(fake_deps, case):
    publish(fake_deps, case.id)
    admin_actions.close(fake_deps, Principal("ivanova", Role.REGION_OPERATOR, "Оператор"), case.id,
                "Дубль обращения из другого канала")
    with pytest.raises(ApiError) as closed:
        resident.reopen(fake_deps, case.id, case.token, ReopenIn(reason="Не решено"))
    assert (closed.value.status, closed.value.message) == (
        409, "Обращение закрыто оператором, повторно открыть его нельзя")
    assert tracking.public_case(fake_deps, case.id, case.token)["reopen_until"] is None


def test_without_a_reaction_the_case_closes_by_itself(fake_deps, clock, case):
    publish(fake_deps, case.id)
    clock.advance(days=fake_deps.settings.auto_close_days - 1)
    assert resident.expire_waiting(fake_deps)["resident_reaction"] == 0
    clock.advance(days=2)
    assert resident.expire_waiting(fake_deps)["resident_reaction"] == 1
    assert fake_deps.cases.get(case.id).status is Status.CLOSED


def test_the_resident_clarifies_only_when_asked(fake_deps, case):
    executor_api.post_answer(fake_deps, "adm_nevsky", case.id, AnswerIn(kind="final", text=FORMAL))
    assert fake_deps.cases.get(case.id).status is Status.RETURNED
    with pytest.raises(ApiError) as unasked:
        resident.clarify(fake_deps, case.id, case.token, ResidentClarificationIn(text="Второй подъезд"))
    assert unasked.value.status == 409
    assert unasked.value.message == "Уточнение сейчас не запрашивалось: ответить можно, только когда задан вопрос"
    assert fake_deps.cases.get(case.id).status is Status.RETURNED


def test_the_published_answer_never_shows_the_resident_s_name_or_contacts(fake_deps, case):
    text = ("Уважаемая Анна! " + SUBSTANTIVE + " Копия ответа направлена на RESIDENT@example.org; "
            "мастер звонил Анне по номеру 8 (921) 000-00-00, диспетчерская: 123-45-67.")
    executor_api.post_answer(fake_deps, "adm_nevsky", case.id, AnswerIn(kind="final", text=text))
    drain(fake_deps)
    assert fake_deps.cases.get(case.id).status is Status.PUBLISHED
    note = next(e["note"] for e in tracking.public_case(fake_deps, case.id, case.token)["timeline"]
                if e["kind"] == "answer_published")
    letter = letters(fake_deps)[-1][1]
    for shown in (note, letter):
        assert "Уважаемая [имя скрыто]!" in shown and "звонил [имя скрыто] по номеру [телефон скрыт]" in shown
        assert "Анн" not in shown and "example.org" not in shown and "123-45-67" not in shown


def test_the_tracking_page_gets_the_published_answer_once_and_who_asked_for_a_clarification(fake_deps, case):
    from chalicelib.services import tracking
    from tests.unit.operators import USERS

    def asked_by(view):
        return next(e["by"] for e in reversed(view["timeline"]) if e["status"] == "clarification")

    executor_api.request_clarification(fake_deps, "adm_nevsky", case.id, ClarificationIn(question="Какой подъезд?"))
    assert asked_by(tracking.public_case(fake_deps, case.id, case.token)) == "executor"
    resident.clarify(fake_deps, case.id, case.token, ResidentClarificationIn(text="Второй подъезд"))
    admin_actions.clarify(fake_deps, USERS["operator"], case.id, "Во дворе или на улице?")
    view = tracking.public_case(fake_deps, case.id, case.token)
    assert asked_by(view) == "operator" and "operator:" not in str(view)  # the role, never the login
    resident.clarify(fake_deps, case.id, case.token, ResidentClarificationIn(text="Во дворе"))
    assert tracking.public_case(fake_deps, case.id, case.token)["answer"] is None
    publish(fake_deps, case.id)
    answer = tracking.public_case(fake_deps, case.id, case.token)["answer"]
    assert answer["text"].startswith("Вывоз мусора во дворе дома 12 выполнен") and answer["published_at"]


def test_a_resident_whose_appeal_joins_an_open_case_hears_of_it(fake_deps):
    place = {"lat": 59.9335, "lon": 30.3790, "municipality": "nevsky"}
    first = intake.submit_appeal(fake_deps, AppealIn(text="Во дворе дома 12 не вывозят мусор, контейнеры переполнены",
                                                     **place))
    drain(fake_deps)
    second = intake.submit_appeal(fake_deps, AppealIn(
        text="У дома 12 мусор не вывозят уже неделю, контейнеры переполнены", **place,
        contact={"email": EMAIL}, consent=True))
    drain(fake_deps)
    assert fake_deps.cases.get(second.id).duplicate_of == first.id
    subjects_and_texts = letters(fake_deps)
    assert len(subjects_and_texts) == 2  # received, then joined: no «assigned» of its own
    assert "присоединено к обращению о той же проблеме" in subjects_and_texts[1][1]
