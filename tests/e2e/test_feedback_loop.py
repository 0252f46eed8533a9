"""The whole feedback loop through the running stack: webhook → «отписка» returned → answer on
substance published → the resident's letter → the resident's rating."""

from __future__ import annotations

import json

import pytest
import requests

from tests.e2e.conftest import Stack, track, wait_for

pytestmark = pytest.mark.e2e
EMAIL = "anna@example.org"
FORMAL = ("Ваше обращение рассмотрено. В соответствии с Федеральным законом № 59-ФЗ сообщаем, что вопрос "
          "будет рассмотрен в установленном порядке. Рекомендуем обратиться в управляющую компанию.")
SUBSTANTIVE = ("Вывоз мусора во дворе дома 12 выполнен 24.11.2026 бригадой подрядчика, контейнерная площадка "
               "убрана, график вывоза изменён на ежедневный.")


def executor_key(stack: Stack, executor_id: str) -> dict[str, str]:
    credentials = json.loads((stack.state_dir / "credentials.json").read_text())
    key = next(e["api_key"] for e in credentials["executors"] if e["id"] == executor_id)
    return {"Authorization": f"Bearer {key}"}


def answer(stack: Stack, case_id: str, headers: dict[str, str], text: str) -> dict:
    response = requests.post(f"{stack.api}/v1/executor/cases/{case_id}/answers", timeout=5, headers=headers,
                             json={"kind": "final", "text": text})
    assert response.status_code == 200, response.text
    return response.json()


def letters(stack: Stack) -> list[dict]:
    return requests.get(f"{stack.mailbox}/messages", params={"to": EMAIL}, timeout=5).json()


def test_an_appeal_answered_formally_then_on_substance_reaches_the_resident(stack: Stack) -> None:
    accepted = requests.post(f"{stack.api}/v1/appeals", timeout=5, json={
        "text": "Во дворе дома 12 не вывозят мусор уже неделю, контейнеры переполнены",
        "municipality": "nevsky", "contact": {"name": "Анна", "email": EMAIL}, "consent": True}).json()

    def delivered() -> bool:
        deliveries = requests.get(f"{stack.agency}/deliveries", timeout=2).json()
        return any(d["body"]["data"]["case_id"] == accepted["id"] and d["verified"] for d in deliveries)

    wait_for(delivered, 30, stack)
    headers = executor_key(stack, "adm_nevsky")
    other = executor_key(stack, "adm_kirovsky")
    assert requests.get(f"{stack.api}/v1/executor/cases/{accepted['id']}", headers=other, timeout=5).status_code == 404

    returned = answer(stack, accepted["id"], headers, FORMAL)
    assert returned["status"] == "returned" and returned["answers"][-1]["verdict"] == "formal"
    assert track(stack, accepted)["status"] != "published"
    published = answer(stack, accepted["id"], headers, SUBSTANTIVE)
    assert published["status"] == "published"

    def answer_letter() -> list[dict]:
        return [m for m in letters(stack) if SUBSTANTIVE[:40] in m["body"]]

    letter = wait_for(answer_letter, 20, stack)[0]
    assert f"/track/?id={accepted['id']}&token={accepted['token']}" in letter["body"]
    assert FORMAL[:40] not in json.dumps(letters(stack), ensure_ascii=False)

    rated = requests.post(f"{stack.api}/v1/appeals/{accepted['id']}/rating", timeout=5,
                          headers={"X-Tracking-Token": accepted["token"]}, json={"score": 5})
    assert rated.status_code == 200
    tracked = track(stack, accepted)  # the rating is the resident's reaction: the case closes with it
    assert tracked["status"] == "closed" and tracked["reopen_until"] and not tracked["can_rate"]
    assert [e["kind"] for e in tracked["timeline"]][-3:] == ["answer_published", "rated", "status"]
    assert tracked["timeline"][-1]["note"] == "Заявитель оценил ответ: 5 из 5"
