"""Инцидент Менеджмент through the running stack: a VK comment becomes a case, and its answer goes back
to the VK connector (the demo agency's /connectors/vk stands in for a real poster)."""

from __future__ import annotations

import json

import pytest
import requests

from tests.e2e.conftest import Stack, wait_for

pytestmark = pytest.mark.e2e
GROUP = 218000001
COMPLAINT = "Во дворе дома 7 по Невскому проспекту не вывозят мусор, контейнеры переполнены, крысы"
ANSWER = "Мусор во дворе дома 7 вывезен 24.11.2026, контейнерная площадка убрана и продезинфицирована."


def credentials(stack: Stack) -> dict:
    return json.loads((stack.state_dir / "credentials.json").read_text())


def vk(stack: Stack, event: dict) -> requests.Response:
    return requests.post(f"{stack.api}/v1/social/vk", json={"group_id": GROUP, "v": "5.199", **event}, timeout=5)


def test_a_vk_comment_becomes_a_case_whose_answer_goes_back_to_the_connector(stack: Stack) -> None:
    callback = credentials(stack)["vk_callback"]
    confirmed = vk(stack, {"type": "confirmation"})
    assert (confirmed.status_code, confirmed.text) == (200, callback["confirmation_code"])
    comment = {"type": "wall_reply_new", "event_id": "e2e-1", "secret": callback["secret"],
               "object": {"id": 9001, "from_id": 777002, "post_id": 501, "post_owner_id": -GROUP,
                          "text": COMPLAINT}}
    assert vk(stack, {**comment, "secret": "wrong"}).status_code == 403
    for _ in range(2):  # VK retries until it hears `ok`
        taken = vk(stack, comment)
        assert (taken.status_code, taken.text) == (200, "ok")

    def assigned() -> list[dict]:
        hooks = requests.get(f"{stack.agency}/deliveries", timeout=2).json()
        return [d for d in hooks if d["verified"] and d["body"]["data"].get("text") == COMPLAINT]

    delivery, = wait_for(assigned, 30, stack)
    case_id, executor_id = delivery["body"]["data"]["case_id"], delivery["executor_id"]
    key = next(e["api_key"] for e in credentials(stack)["executors"] if e["id"] == executor_id)
    answered = requests.post(f"{stack.api}/v1/executor/cases/{case_id}/answers", timeout=5,
                             headers={"Authorization": f"Bearer {key}"}, json={"kind": "final", "text": ANSWER})
    assert answered.status_code == 200 and answered.json()["status"] == "published", answered.text

    def replied() -> list[dict]:
        got = requests.get(f"{stack.agency}/deliveries", params={"executor_id": "connector:vk"}, timeout=2).json()
        return [d for d in got if d["verified"] and d["body"]["data"]["case_id"] == case_id]

    reply, = wait_for(replied, 30, stack)
    assert reply["body"]["type"] == "social.reply"
    assert reply["body"]["data"]["method"] == "wall.createComment"
    params = reply["body"]["data"]["params"]
    assert (params["owner_id"], params["post_id"], params["reply_to_comment"]) == (-GROUP, 501, 9001)
    assert ANSWER in params["message"] and "777002" not in json.dumps(reply["body"])
