"""Social-media cases on DynamoDB: the post's reference is stored with the case, the connector under CONNECTOR#vk."""

from dataclasses import replace
from datetime import timedelta

import boto3

from chalicelib.adapters.dynamo import to_dynamo
from chalicelib.adapters.ports import ExecutorEndpoint
from chalicelib.api.vk import VkCallbackIn
from chalicelib.domain.social import SocialRef, connector_id
from chalicelib.services import social
from chalicelib.social_config import VkConfig, VkGroupConfig

GROUP = 218000001
REPLY = {"id": 9001, "from_id": 777002, "post_id": 501, "post_owner_id": -GROUP,
         "text": "Во дворе дома 5 по Невскому проспекту не вывозят мусор, контейнеры переполнены"}


def test_a_vk_comment_becomes_one_stored_case_with_its_reference(moto_deps):
    moto_deps.settings = replace(moto_deps.settings, vk=VkConfig(default=VkGroupConfig("code", "secret")))
    event = VkCallbackIn(type="wall_reply_new", group_id=GROUP, event_id="ev-9001", secret="secret", object=REPLY)
    assert social.take_vk_event(moto_deps, event) == "ok"
    assert social.take_vk_event(moto_deps, event) == "ok"  # VK's retry
    case, = moto_deps.cases.waiting_since("intake", moto_deps.clock() + timedelta(seconds=1))
    assert case.source == "social"
    assert case.social == SocialRef("vk", "wall_reply", GROUP, -GROUP, 501, 777002, 9001, "ev-9001")


def test_the_connector_endpoint_lives_under_its_own_key(moto_deps):
    endpoint = ExecutorEndpoint(connector_id("vk"), "https://poster.example.org/vk", ("whsec_AAAA",))
    moto_deps.directory.save_endpoint(endpoint)
    assert moto_deps.directory.endpoint("connector:vk") == endpoint
    table = moto_deps.settings.cases_table
    raw = boto3.client("dynamodb").get_item(TableName=table, Key=to_dynamo({"pk": "CONNECTOR#vk", "sk": "ENDPOINT"}))
    assert raw["Item"]["url"]["S"] == "https://poster.example.org/vk"
