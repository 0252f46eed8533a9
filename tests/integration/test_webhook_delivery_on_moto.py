"""Deliveries, the sweeper's index, endpoints and dead-letter queues on moto; the operators' commands."""

import json
from datetime import timedelta

import boto3
import pytest
from click.testing import CliRunner

from app import app
from chalicelib.adapters.dead_letters import dead_letter_url
from chalicelib.adapters.ports import ConcurrentUpdate
from chalicelib.domain.delivery import Delivery, DeliveryStatus, RetrySchedule
from chalicelib.services import deps as deps_module
from chalicelib.services import endpoints, intake
from chalicelib.settings import QUEUES
from tests.integration.conftest import STAGE
from tests.integration.test_pipeline_on_sqs import GARBAGE, pump
from tsur.cli import main
from tsur.local.app_loader import schedule_runners, sqs_pollers


@pytest.fixture
def pollers(moto_deps):
    return {p.queue_url.rsplit("-", 1)[-1]: p for p in sqs_pollers(app, boto3.client("sqs"), STAGE, wait_seconds=0)}


def sweep():
    runner, = [r for r in schedule_runners(app, STAGE, 60) if r.name.endswith("sweep_deliveries")]
    return runner.run_once()


def test_a_delivery_is_stored_once_and_saved_only_from_its_latest_version(moto_deps, clock):
    repo = moto_deps.deliveries
    delivery = Delivery.create("msg_c_1_1", "c_1", "adm_nevsky", "case.assigned", '{"a": "б"}', clock())
    assert repo.add(delivery) and not repo.add(Delivery.create("msg_c_1_1", "c_1", "x", "y", "{}", clock()))
    stale, fresh = repo.get("c_1", "msg_c_1_1"), repo.get("c_1", "msg_c_1_1")
    fresh.hold(clock(), "нет адреса")
    repo.save(fresh)
    with pytest.raises(ConcurrentUpdate):
        repo.save(stale)
    stored, = repo.of_case("c_1")
    assert (stored.status, stored.body, stored.last_error) == (DeliveryStatus.DISABLED, '{"a": "б"}', "нет адреса")
    assert [d.id for d in repo.in_state("disabled")] == ["msg_c_1_1"] and repo.in_state("scheduled") == []


def test_a_retry_hours_away_is_found_through_the_index_when_due_and_made_by_the_consumer(
        moto_deps, pollers, clock):
    moto_deps.webhooks.status, moto_deps.webhooks.retry_after = 429, "3600"
    accepted = intake.submit_appeal(moto_deps, GARBAGE)
    pump(pollers)
    waiting, = moto_deps.deliveries.of_case(accepted.id)
    assert waiting.status is DeliveryStatus.RETRYING and waiting.next_attempt_at == clock() + timedelta(hours=1)
    page = boto3.client("dynamodb").query(
        TableName=moto_deps.settings.cases_table, IndexName="by_delivery",
        KeyConditionExpression="delivery_state = :s", ExpressionAttributeValues={":s": {"S": "scheduled"}})
    assert [i["id"]["S"] for i in page["Items"]] == [waiting.id]
    assert sweep() == {"sent": 0, "parked": 0}
    clock.advance(hours=1)
    moto_deps.webhooks.status = 204
    assert sweep() == {"sent": 1, "parked": 0}
    pump(pollers)
    assert moto_deps.deliveries.get(accepted.id, waiting.id).status is DeliveryStatus.DELIVERED
    assert moto_deps.deliveries.in_state("scheduled") == []  # delivered ones leave the index


def test_a_rotation_and_a_410_are_kept_with_the_endpoint(moto_deps, pollers, clock):
    _, new = endpoints.rotate_secret(moto_deps, "adm_nevsky", timedelta(hours=2))
    stored = moto_deps.directory.endpoint("adm_nevsky")
    assert stored.signing_secrets(clock())[0] == new and len(stored.signing_secrets(clock())) == 2
    assert stored.signing_secrets(clock() + timedelta(hours=2)) == (new,)
    moto_deps.webhooks.status = 410
    intake.submit_appeal(moto_deps, GARBAGE)
    pump(pollers)
    gone = moto_deps.directory.endpoint("adm_nevsky")
    assert not gone.active and gone.disabled_at == clock() and "410" in gone.disabled_reason
    assert [d.status for d in moto_deps.deliveries.in_state("disabled")] == [DeliveryStatus.DISABLED]


def park(stack, step, *bodies):
    sqs = boto3.client("sqs")
    for body in bodies:
        sqs.send_message(QueueUrl=stack[f"{step.capitalize()}DeadLetterQueueUrl"], MessageBody=body)


def queue_bodies(url):
    messages = boto3.client("sqs").receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
    return sorted(m["Body"] for m in messages)


def test_dead_letters_are_listed_in_place_and_sent_back_one_by_one_or_all(moto_deps, stack):
    assert all(dead_letter_url(stack[f"{q.capitalize()}QueueUrl"]) == stack[f"{q.capitalize()}DeadLetterQueueUrl"]
               for q in QUEUES)
    park(stack, "assign", '{"case_id": "c_1", "step": "assign"}', "{broken", '{"case_id": "c_3", "step": "assign"}')
    dlq = moto_deps.dead_letters
    listed = dlq.peek("assign")
    assert sorted(m.body for m in dlq.peek("assign")) == sorted(m.body for m in listed)  # still there
    assert dlq.count("assign") == 3 and listed[0].sent_at is not None
    broken = next(m.message_id for m in listed if m.body == "{broken")
    assert dlq.redrive("assign", {broken}) == 1
    assert queue_bodies(stack["AssignQueueUrl"]) == ["{broken"]
    assert dlq.redrive("assign") == 2 and dlq.count("assign") == 0


def run(*args, deps=None):
    result = CliRunner().invoke(main, list(args), obj={"deps": deps} if deps else None, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_operators_commands_list_and_replay_deliveries_and_dead_letters(moto_deps, pollers, stack, clock):
    moto_deps.webhooks.status, moto_deps.webhooks.retry_after = 503, str(3 * 24 * 3600)
    moto_deps.retry_schedule = RetrySchedule(delays=())  # one attempt only
    accepted = intake.submit_appeal(moto_deps, GARBAGE)
    pump(pollers)
    parked, = json.loads(run("deliveries", "list", "--json", deps=moto_deps))
    assert (parked["case_id"], parked["status"], parked["attempts"][0]["status"]) == (accepted.id, "parked", 503)
    assert "HTTP 503" in run("deliveries", "show", parked["webhook_id"], deps=moto_deps)
    moto_deps.webhooks.status = 204
    assert "replayed: 1" in run("deliveries", "replay", "--all-parked", deps=moto_deps)
    pump(pollers)
    assert json.loads(run("deliveries", "list", "--case", accepted.id, "--json", deps=moto_deps))[0]["status"] == (
        "delivered")

    park(stack, "notify", '{"case_id": "c_9", "step": "notify"}')
    assert "notify     1" in run("dlq", "list", deps=moto_deps)
    assert json.loads(run("dlq", "list", "notify", "--json", deps=moto_deps))[0]["case_id"] == "c_9"
    assert "sent back: 1" in run("dlq", "replay", "notify", "--all", deps=moto_deps)

    assert "whsec_" in run("executors", "rotate-secret", "adm_nevsky", "--overlap-hours", "1", deps=moto_deps)
    assert "adm_nevsky" in run("executors", "disable", "adm_nevsky", "--reason", "переезд", deps=moto_deps)
    assert "переезд" in run("executors", "list", "--disabled", deps=moto_deps)


def test_the_commands_find_the_app_s_resources_from_the_environment_alone(moto_deps, stack, monkeypatch, tmp_path):
    for queue in QUEUES:
        monkeypatch.setenv(f"{queue.upper()}_QUEUE_URL", "")  # restored afterwards; the command finds them
    deps_module.from_environment.cache_clear()
    try:
        park(stack, "mail", '{"case_id": "c_5"}')
        out = run("dlq", "list", "--state-dir", str(tmp_path))
        assert "mail       1" in out
        assert "nothing" in run("deliveries", "list", "--state-dir", str(tmp_path))
    finally:
        deps_module.from_environment.cache_clear()


def test_executor_keys_are_issued_listed_and_revoked_with_the_command(moto_deps, stack):
    from chalice.test import Client

    out = run("executors", "issue-key", "adm_nevsky", "--label", "учётная система", deps=moto_deps)
    key = out.split("shown once: ")[1].strip()
    key_id = out.split("key id ")[1].split()[0]
    items = boto3.client("dynamodb").scan(TableName=stack["CasesTableName"])["Items"]
    assert key not in json.dumps(items, ensure_ascii=False)  # stored only as its hash
    listed, = json.loads(run("executors", "keys", "adm_nevsky", "--json", deps=moto_deps))
    assert (listed["key_id"], listed["label"], listed["revoked_at"]) == (key_id, "учётная система", None)
    assert key not in run("executors", "keys", "adm_nevsky", deps=moto_deps)
    with Client(app) as client:
        headers = {"Authorization": f"Bearer {key}"}
        assert client.http.get("/v1/executor/cases", headers=headers).status_code == 200
        assert "revoked" in run("executors", "revoke-key", "adm_nevsky", key_id, deps=moto_deps)
        assert client.http.get("/v1/executor/cases", headers=headers).status_code == 401
    assert json.loads(run("executors", "keys", "adm_nevsky", "--json", deps=moto_deps))[0]["revoked_at"]
    unknown = CliRunner().invoke(main, ["executors", "issue-key", "adm_atlantis"], obj={"deps": moto_deps})
    assert unknown.exit_code != 0 and "Исполнитель не найден" in unknown.output


def test_the_vk_connector_is_managed_by_the_executors_commands(moto_deps, stack, clock):
    out = run("executors", "set-url", "connector:vk", "https://vk-poster.example.org/replies", deps=moto_deps)
    assert "whsec_" in out  # a first endpoint gets its secret, shown once
    item = boto3.client("dynamodb").get_item(TableName=stack["CasesTableName"],
                                             Key={"pk": {"S": "CONNECTOR#vk"}, "sk": {"S": "ENDPOINT"}})["Item"]
    assert item["url"]["S"] == "https://vk-poster.example.org/replies"
    assert "whsec_" in run("executors", "rotate-secret", "connector:vk", "--overlap-hours", "1", deps=moto_deps)
    assert len(moto_deps.directory.endpoint("connector:vk").signing_secrets(clock())) == 2
    run("executors", "disable", "connector:vk", "--reason", "VK-постер на обслуживании", deps=moto_deps)
    off, = json.loads(run("executors", "list", "--disabled", "--json", deps=moto_deps))
    assert (off["executor_id"], off["disabled_reason"]) == ("connector:vk", "VK-постер на обслуживании")
    assert off["name"].startswith("Коннектор VK")
    assert "включён / enabled" in run("executors", "enable", "connector:vk", deps=moto_deps)
    assert moto_deps.directory.endpoint("connector:vk").active
    unknown = CliRunner().invoke(main, ["executors", "enable", "connector:ok"], obj={"deps": moto_deps})
    assert unknown.exit_code != 0 and "не найден" in unknown.output
