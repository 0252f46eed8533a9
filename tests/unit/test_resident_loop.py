"""The resident's side: letters, clarification and its timeout, rating, reopening, auto-close."""

from dataclasses import replace

import pytest

from chalicelib.api.errors import ApiError
from chalicelib.api.schemas import AnswerIn, AppealIn, ClarificationIn, RatingIn, ReopenIn, ResidentClarificationIn
from chalicelib.domain.statuses import Status
from chalicelib.services import executor_api, intake, resident, resident_mail
from tests.unit.test_executor_api import SUBSTANTIVE
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
    publish(fake_deps, case.id)
    texts = [text for _, text in letters(fake_deps)]
    assert len(texts) == 3  # received, assigned, answer published
    assert all(f"http://tsur.test/track/?id={case.id}&token={case.token}" in t for t in texts)
    assert "Администрация Невского района" in texts[1]
    assert "Вывоз мусора во дворе дома 12 выполнен" in texts[2]
    assert all("+7 921" not in t for t in texts)


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
    with pytest.raises(ApiError) as late:
        resident.reopen(fake_deps, case.id, case.token, ReopenIn(reason="Не решено"))
    assert late.value.status == 409


def test_without_a_reaction_the_case_closes_by_itself(fake_deps, clock, case):
    publish(fake_deps, case.id)
    clock.advance(days=fake_deps.settings.auto_close_days - 1)
    assert resident.expire_waiting(fake_deps)["resident_reaction"] == 0
    clock.advance(days=2)
    assert resident.expire_waiting(fake_deps)["resident_reaction"] == 1
    assert fake_deps.cases.get(case.id).status is Status.CLOSED


def test_the_tracking_page_gets_the_published_answer_once_and_who_asked_for_a_clarification(fake_deps, case):
    from chalicelib.services import admin_actions, tracking
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
