"""POST /v1/social/vk, the VK Callback API endpoint, and the answer's way back to the connector."""

import json
from dataclasses import replace

import pytest
from chalice.test import Client

from app import app
from chalicelib.adapters.ports import ExecutorEndpoint
from chalicelib.api.schemas import AnswerIn, NotifyMessage
from chalicelib.domain.social import SocialRef
from chalicelib.services import deliveries, executor_api, intake, social, tracking
from chalicelib.social_config import VkConfig, VkConfigError, VkGroupConfig
from chalicelib.webhooks import generate_secret, verify
from tests.unit.test_pipeline import GARBAGE, drain

GROUP, SECRET, CODE = 218000001, "s3cr3t-vk", "a1b2c3d4"
COMPLAINT = "Во дворе дома 5 по Невскому проспекту не вывозят мусор, контейнеры переполнены, мой тел. +7 921 123-45-67"
CHATTER = "Спасибо администрации за новую детскую площадку во дворе!"
WALL_POST = {"id": 501, "owner_id": -GROUP, "from_id": 777001, "post_type": "post", "text": COMPLAINT,
             "date": 1700000000, "attachments": [{"type": "photo"}]}
WALL_REPLY = {"id": 9001, "from_id": 777002, "post_id": 501, "post_owner_id": -GROUP, "owner_id": -GROUP,
              "date": 1700000100, "text": COMPLAINT, "parents_stack": [], "thread": {"count": 0}}
BOARD_POST = {"id": 31, "from_id": 777003, "topic_id": 42, "topic_owner_id": GROUP, "date": 1700000200,
              "text": COMPLAINT}


@pytest.fixture
def client(fake_deps):
    fake_deps.settings = replace(fake_deps.settings, vk=VkConfig(groups={GROUP: VkGroupConfig(CODE, SECRET)}))
    with Client(app) as test_client:
        yield test_client


def send(client, event_type, obj=None, secret=SECRET, event_id="ev-1", group_id=GROUP):
    body = {"type": event_type, "group_id": group_id, "event_id": event_id, "v": "5.199",
            **({"object": obj} if obj is not None else {}), **({"secret": secret} if secret is not None else {})}
    return client.http.post("/v1/social/vk", body=json.dumps(body), headers={"Content-Type": "application/json"})


def cases(deps):
    return [deps.cases.get(m["case_id"]) for step, m in deps.queue.sent if step == "intake"]


def test_the_confirmation_event_gets_the_configured_code_as_plain_text(client):
    response = send(client, "confirmation", secret=None)
    assert response.status_code == 200
    assert response.body.decode() == CODE
    assert response.headers["Content-Type"].startswith("text/plain")


@pytest.mark.parametrize(("event_type", "secret"), [
    ("wall_reply_new", "wrong"), ("wall_reply_new", None), ("wall_reply_new", ""), ("confirmation", "wrong")])
def test_a_wrong_or_missing_secret_is_refused_and_nothing_is_stored(client, fake_deps, event_type, secret):
    response = send(client, event_type, WALL_REPLY, secret=secret)
    assert response.status_code == 403
    assert response.body.decode() not in ("ok", CODE)
    assert fake_deps.queue.sent == []


def test_a_community_we_do_not_serve_is_refused(client, fake_deps):
    assert send(client, "confirmation", secret=None, group_id=GROUP + 1).status_code == 403
    assert send(client, "wall_reply_new", WALL_REPLY, group_id=GROUP + 1).status_code == 403


@pytest.mark.parametrize(("event_type", "obj", "ref"), [
    ("wall_post_new", WALL_POST, SocialRef("vk", "wall_post", GROUP, -GROUP, 501, 777001, None, "ev-1")),
    ("wall_reply_new", WALL_REPLY, SocialRef("vk", "wall_reply", GROUP, -GROUP, 501, 777002, 9001, "ev-1")),
    ("board_post_new", BOARD_POST, SocialRef("vk", "board_post", GROUP, -GROUP, 42, 777003, 31, "ev-1")),
])
def test_each_event_type_becomes_a_social_case_carrying_where_it_was_posted(client, fake_deps, event_type, obj, ref):
    response = send(client, event_type, obj)
    assert response.status_code == 200 and response.body.decode() == "ok"
    case, = cases(fake_deps)
    assert case.source == "social" and case.text == COMPLAINT
    assert case.social == ref


def test_chatter_is_acknowledged_and_dropped_with_a_log_line(client, fake_deps, monkeypatch):
    logged = []
    monkeypatch.setattr(social, "log", lambda message, **fields: logged.append((message, fields)))
    response = send(client, "wall_reply_new", {**WALL_REPLY, "text": CHATTER})
    assert response.body.decode() == "ok"
    assert fake_deps.queue.sent == []
    assert logged == [("vk post is chatter; dropped", {"reason": "Благодарность или отзыв, жалобы нет"})]


def test_a_retried_event_makes_one_case(client, fake_deps):
    for _ in range(3):
        assert send(client, "wall_reply_new", WALL_REPLY, event_id="ev-retry").body.decode() == "ok"
    assert len(cases(fake_deps)) == 1
    send(client, "wall_reply_new", {**WALL_REPLY, "id": 9002}, event_id="ev-other")
    assert len(cases(fake_deps)) == 2


def test_our_own_comments_and_other_events_make_no_case(client, fake_deps):
    assert send(client, "wall_reply_new", {**WALL_REPLY, "from_id": -GROUP}).body.decode() == "ok"
    assert send(client, "wall_post_new", {**WALL_POST, "post_type": "postpone"}).body.decode() == "ok"
    assert send(client, "wall_reply_edit", WALL_REPLY).body.decode() == "ok"
    assert send(client, "group_join", {"user_id": 1, "join_type": "join"}).body.decode() == "ok"
    assert fake_deps.queue.sent == []


def test_an_event_without_the_posts_ids_is_a_400(client, fake_deps):
    response = send(client, "wall_reply_new", {k: v for k, v in WALL_REPLY.items() if k != "post_id"})
    assert response.status_code == 400
    assert response.json_body["fields"][0]["field"] == "object"


def test_where_it_was_posted_is_never_public_nor_sent_to_the_executor(client, fake_deps):
    send(client, "wall_reply_new", WALL_REPLY)
    case, = cases(fake_deps)
    drain(fake_deps)
    view = tracking.public_case(fake_deps, case.id, case.tracking_token)
    assert view is not None and view["status"] == "assigned"
    assert "777002" not in json.dumps(view) and "social" not in view
    (_, _, body), = fake_deps.webhooks.requests  # the executor's case.assigned webhook
    assert json.loads(body)["data"]["text"] == COMPLAINT and "777002" not in body


@pytest.mark.parametrize(("event_type", "obj", "method", "params"), [
    ("wall_post_new", WALL_POST, "wall.createComment", {"owner_id": -GROUP, "post_id": 501, "from_group": GROUP}),
    ("wall_reply_new", WALL_REPLY, "wall.createComment", {"owner_id": -GROUP, "post_id": 501, "from_group": GROUP,
                                                          "reply_to_comment": 9001}),
    ("board_post_new", BOARD_POST, "board.createComment", {"group_id": GROUP, "topic_id": 42, "from_group": 1}),
])
def test_the_reply_payload_says_where_to_post_and_masks_personal_data(client, fake_deps, event_type, obj, method,
                                                                      params):
    send(client, event_type, obj)
    case, = cases(fake_deps)
    answer = "Мусор вывезен 24.11. Вопросы: Иванов, +7 (812) 555-12-34, ivanov@adm.spb.ru"
    payload = social.social_reply_payload(case, answer)
    assert payload["method"] == method and payload["case_id"] == case.id
    assert {k: v for k, v in payload["params"].items() if k != "message"} == params
    message = payload["params"]["message"]
    assert "Мусор вывезен 24.11" in message and case.id in message
    assert "555-12-34" not in message and "ivanov@adm.spb.ru" not in message
    assert str(obj["from_id"]) not in json.dumps(payload)


def test_the_published_answer_goes_to_the_connector_signed(client, fake_deps):
    secret = generate_secret()
    fake_deps.directory.save_endpoint(ExecutorEndpoint("connector:vk", "https://poster.test/vk", (secret,)))
    send(client, "wall_reply_new", WALL_REPLY)
    case, = cases(fake_deps)
    fake_deps.queue.sent.clear()
    case.published_answer_id = "a1b2c3d4e5f6"
    delivery = social.reply_to_source(fake_deps, case, "Мусор вывезен, площадка убрана.")
    assert delivery is not None and delivery.executor_id == "connector:vk"
    assert social.reply_to_source(fake_deps, case, "Мусор вывезен, площадка убрана.").id == delivery.id
    (_, message), = fake_deps.queue.sent
    deliveries.attempt(fake_deps, NotifyMessage(**message))
    (url, headers, body), = fake_deps.webhooks.requests
    assert url == "https://poster.test/vk"
    verify(secret, headers, body)
    sent = json.loads(body)
    assert sent["type"] == "social.reply" and sent["data"]["params"]["reply_to_comment"] == 9001


def test_a_case_from_the_widget_has_no_source_to_reply_to(fake_deps):
    accepted = intake.submit_appeal(fake_deps, GARBAGE)
    case = fake_deps.cases.get(accepted.id)
    assert social.reply_to_source(fake_deps, case, "Ответ") is None
    with pytest.raises(ValueError):
        social.social_reply_payload(case, "Ответ")


def test_communities_are_configured_from_the_environment(monkeypatch):
    monkeypatch.setenv("VK_CONFIRMATION_CODE", "default-code")
    monkeypatch.setenv("VK_SECRET", "default-secret")
    monkeypatch.setenv("VK_GROUPS", json.dumps({"42": {"confirmation_code": "c42", "secret": "s42"}}))
    config = VkConfig.from_env()
    assert config.group(42) == VkGroupConfig("c42", "s42")
    assert config.group(7) == VkGroupConfig("default-code", "default-secret")
    monkeypatch.setenv("VK_GROUPS", "{not json")
    with pytest.raises(VkConfigError, match="VK_GROUPS must be JSON"):
        VkConfig.from_env()


def test_without_any_vk_settings_no_community_is_served(monkeypatch):
    for name in ("VK_CONFIRMATION_CODE", "VK_SECRET", "VK_GROUPS"):
        monkeypatch.delenv(name, raising=False)
    assert VkConfig.from_env().group(GROUP) is None


def test_a_vk_comment_answered_on_substance_is_answered_under_the_comment(client, fake_deps):
    secret = generate_secret()
    fake_deps.directory.save_endpoint(ExecutorEndpoint("connector:vk", "https://poster.test/vk", (secret,)))
    fake_deps.settings = replace(fake_deps.settings, answer_review="auto")
    send(client, "wall_reply_new", WALL_REPLY)
    case, = cases(fake_deps)
    drain(fake_deps)
    executor = fake_deps.cases.get(case.id).executor_id
    formal = "Рекомендуем обратиться в управляющую компанию."
    executor_api.post_answer(fake_deps, executor, case.id, AnswerIn(kind="final", text=formal))
    executor_api.post_answer(fake_deps, executor, case.id, AnswerIn(
        kind="final", text="Мусор вывезен 24.11, площадка убрана. Мастер: тел. 8 (812) 555-12-34."))
    drain(fake_deps)
    replies = [json.loads(body) for url, _, body in fake_deps.webhooks.requests if url == "https://poster.test/vk"]
    reply, = replies
    assert reply["data"]["params"]["reply_to_comment"] == 9001
    assert "Мусор вывезен 24.11" in reply["data"]["params"]["message"]
    assert "555-12-34" not in reply["data"]["params"]["message"] and formal not in json.dumps(replies)
