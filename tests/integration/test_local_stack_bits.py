"""Pieces of `tsur local` a user meets directly: the web/ sites next to the API, the demo agency's
webhook receiver, and data surviving a restart."""

from __future__ import annotations

import http.client
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests
from chalice import Chalice
from moto import mock_aws

from chalicelib.webhooks import generate_secret, signature_headers
from tsur.local.agency import AgencyReceiver, AgencyServer
from tsur.local.api_server import make_api_server, serve_in_thread, stop_server
from tsur.local.aws import free_port
from tsur.local.scheduler import ScheduleRunner
from tsur.local.state import StateStore

# --- static sites next to the API -------------------------------------------------------------------


@pytest.fixture
def api_base(tmp_path: Path) -> Iterator[str]:
    web = tmp_path / "web"
    (web / "demo" / "sub").mkdir(parents=True)
    (web / "demo" / "index.html").write_text("<h1>Демо</h1>", encoding="utf-8")
    (web / "demo" / "app.js").write_text("console.log(1)")
    (web / "demo" / "sub" / "index.html").write_text("sub page")
    (web / "secret.txt").write_text("web-root secret")
    (tmp_path / "secret.txt").write_text("outside secret")
    app = Chalice(app_name="static-test")

    @app.route("/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.route("/demo/api")
    def demo_api() -> dict[str, str]:
        return {"from": "api"}

    port = free_port()
    server = make_api_server(app, web, "127.0.0.1", port)
    thread = serve_in_thread(server)
    yield f"http://127.0.0.1:{port}"
    stop_server(server, thread)


def raw_get(base: str, path: str) -> tuple[int, bytes]:
    """Send the path byte for byte (no client-side `..` normalisation)."""
    host, port = base.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=5)
    conn.request("GET", path)
    response = conn.getresponse()
    status, body = response.status, response.read()
    conn.close()
    return status, body


def test_site_index_and_content_types(api_base: str) -> None:
    page = requests.get(f"{api_base}/demo/", timeout=5)
    assert page.status_code == 200
    assert page.headers["Content-Type"] == "text/html; charset=utf-8"
    assert page.text == "<h1>Демо</h1>"

    script = requests.get(f"{api_base}/demo/app.js", timeout=5)
    assert script.headers["Content-Type"].startswith("text/javascript")
    assert script.text == "console.log(1)"

    assert requests.get(f"{api_base}/demo/sub/", timeout=5).text == "sub page"
    bare = requests.get(f"{api_base}/demo", timeout=5, allow_redirects=False)
    assert (bare.status_code, bare.headers["Location"]) == (301, "/demo/")


def test_api_still_answers_next_to_sites(api_base: str) -> None:
    assert requests.get(f"{api_base}/health", timeout=5).json() == {"status": "ok"}
    assert requests.get(f"{api_base}/demo/api", timeout=5).json() == {"from": "api"}
    assert requests.get(f"{api_base}/demo/missing.js", timeout=5).status_code == 404
    assert requests.post(f"{api_base}/demo/app.js", timeout=5).status_code == 405


@pytest.mark.parametrize("path", ["/demo/../secret.txt", "/demo/../../secret.txt", "/demo/%2e%2e/secret.txt",
                                  "/demo/..%2f..%2fsecret.txt", "/demo/sub/%2e%2e/%2e%2e/secret.txt"])
def test_directory_traversal_is_refused(api_base: str, path: str) -> None:
    status, body = raw_get(api_base, path)
    assert status in (403, 404)
    assert b"secret" not in body


# --- the demo agency ---------------------------------------------------------------------------------


def signed(secret: str, webhook_id: str, payload: dict[str, Any]) -> tuple[dict[str, str], bytes]:
    body = json.dumps(payload, ensure_ascii=False)
    return signature_headers([secret], webhook_id, body), body.encode()


def test_agency_accepts_once_and_rejects_bad_signatures() -> None:
    secret = generate_secret()
    receiver = AgencyReceiver({"ex-1": secret})
    headers, body = signed(secret, "msg_1", {"case_id": "C-1", "text": "Яма на дороге"})

    assert receiver.receive("ex-1", headers, body) == 204
    assert receiver.receive("ex-1", headers, body) == 204  # a retry of the same webhook
    [delivery] = receiver.deliveries()
    assert delivery["verified"] is True
    assert delivery["webhook_id"] == "msg_1"
    assert delivery["body"] == {"case_id": "C-1", "text": "Яма на дороге"}
    assert receiver.duplicates == 1

    forged_headers, forged_body = signed(generate_secret(), "msg_2", {"case_id": "C-2"})
    assert receiver.receive("ex-1", forged_headers, forged_body) == 401
    assert receiver.receive("ex-unknown", headers, body) == 404
    assert [d["verified"] for d in receiver.deliveries()] == [True, False]
    assert receiver.summary() == {"delivered": 1, "rejected": 1, "duplicates": 1}


def test_agency_over_http_lists_and_escapes() -> None:
    secret = generate_secret()
    server = AgencyServer(AgencyReceiver({"ex-1": secret, "ex-2": generate_secret()}), "127.0.0.1", free_port())
    server.start()
    try:
        headers, body = signed(secret, "msg_9", {"text": "<script>alert(1)</script>"})
        hook = requests.post(f"{server.base_url}/hooks/ex-1", data=body, headers=headers, timeout=5)
        assert hook.status_code == 204
        bad = requests.post(f"{server.base_url}/hooks/ex-2", data=body, headers=headers, timeout=5)
        assert bad.status_code == 401

        listed = requests.get(f"{server.base_url}/deliveries", params={"executor_id": "ex-1"}, timeout=5).json()
        assert [(d["executor_id"], d["webhook_id"], d["verified"]) for d in listed] == [("ex-1", "msg_9", True)]
        page = requests.get(f"{server.base_url}/", timeout=5)
        assert "text/html" in page.headers["Content-Type"]
        assert "<script>alert" not in page.text
        assert "&lt;script&gt;" in page.text
    finally:
        server.stop()


# --- data surviving a restart ------------------------------------------------------------------------

OUTPUTS = {"CasesTableName": "cases", "AttachmentsBucketName": "attachments", "IntakeQueueUrl": "ignored"}
ITEMS = [
    {"pk": {"S": "CASE#1"}, "sk": {"S": "META"}, "n": {"N": "42.5"}, "blob": {"B": b"\x00\xffbin"},
     "tags": {"SS": ["a", "b"]}, "ok": {"BOOL": True}, "none": {"NULL": True},
     "nested": {"M": {"list": {"L": [{"S": "Привет"}, {"B": b"\x01"}]}}}},
    {"pk": {"S": "CASE#2"}, "sk": {"S": "META"}, "text": {"S": "второе"}},
]


def create_resources(dynamodb: Any, s3: Any) -> None:
    dynamodb.create_table(
        TableName="cases", BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                              {"AttributeName": "sk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}])
    s3.create_bucket(Bucket="attachments", CreateBucketConfiguration={"LocationConstraint": "eu-central-1"})


def snapshot(dynamodb: Any, s3: Any) -> tuple[list[Any], dict[str, Any]]:
    items = sorted(dynamodb.scan(TableName="cases")["Items"], key=lambda i: i["pk"]["S"])
    objects = {}
    for obj in s3.list_objects_v2(Bucket="attachments").get("Contents", []):
        got = s3.get_object(Bucket="attachments", Key=obj["Key"])
        objects[obj["Key"]] = (got["Body"].read(), got["ContentType"], got["Metadata"])
    return items, objects


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-central-1")


@pytest.mark.usefixtures("aws_env")
def test_state_round_trip_across_a_restart(tmp_path: Path) -> None:
    with mock_aws():
        dynamodb, s3 = boto3.client("dynamodb"), boto3.client("s3")
        create_resources(dynamodb, s3)
        for item in ITEMS:
            dynamodb.put_item(TableName="cases", Item=item)
        s3.put_object(Bucket="attachments", Key="cases/1/фото.jpg", Body=b"\xff\xd8jpeg",
                      ContentType="image/jpeg", Metadata={"case": "1"})
        s3.put_object(Bucket="attachments", Key="tmp/gone.txt", Body=b"x")
        store = StateStore(tmp_path, OUTPUTS, dynamodb, s3)
        assert store.dump() is True
        s3.delete_object(Bucket="attachments", Key="tmp/gone.txt")
        assert store.dump() is True  # the deleted object is forgotten
        assert store.dump() is False  # nothing changed since
        before = snapshot(dynamodb, s3)

    with mock_aws():  # a new, empty moto: what `tsur local` sees after a restart
        dynamodb, s3 = boto3.client("dynamodb"), boto3.client("s3")
        create_resources(dynamodb, s3)
        assert StateStore(tmp_path, OUTPUTS, dynamodb, s3).restore() == {"cases": 2, "attachments": 1}
        after = snapshot(dynamodb, s3)

    assert after == before
    assert after[1]["cases/1/фото.jpg"] == (b"\xff\xd8jpeg", "image/jpeg", {"case": "1"})
    assert after[0][0]["blob"] == {"B": b"\x00\xffbin"}


# --- scheduled handlers ------------------------------------------------------------------------------


def test_schedule_keeps_running_after_a_failure_with_a_real_event() -> None:
    app = Chalice(app_name="schedule-test")
    seen: list[Any] = []

    @app.schedule("rate(1 minute)")
    def sweep(event: Any) -> None:
        seen.append(event)
        if len(seen) == 1:
            raise RuntimeError("first sweep fails")

    runner = ScheduleRunner("tsur-local-sweep", app.handler_map["sweep"], interval_s=0.05, first_delay_s=0.01)
    stop = threading.Event()
    thread = threading.Thread(target=runner.run, args=(stop,))
    thread.start()
    deadline = time.monotonic() + 5
    while len(seen) < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    stop.set()
    thread.join(timeout=2)

    assert len(seen) >= 3 and not thread.is_alive()
    assert seen[0].detail_type == "Scheduled Event" and seen[0].source == "aws.events"
    assert seen[0].resources == ["arn:aws:events:eu-central-1:123456789012:rule/tsur-local-sweep"]


def _received_after_retention(expired_first: bool) -> list[str]:
    from moto.sqs.models import sqs_backends

    sqs = boto3.client("sqs", region_name="eu-central-1")
    url = sqs.create_queue(QueueName="retained", Attributes={"MessageRetentionPeriod": "60"})["QueueUrl"]
    if expired_first:
        sqs.send_message(QueueUrl=url, MessageBody="old")
        queue = sqs_backends["123456789012"]["eu-central-1"].get_queue("retained")
        queue._messages[0].sent_timestamp -= 120_000  # sent two minutes ago, past the 60 s
    sqs.send_message(QueueUrl=url, MessageBody="new")
    return [m["Body"] for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])]


@pytest.mark.parametrize("expired_first", [True, False])
def test_sqs_receives_without_a_recount_answer_as_moto_s_own_check(expired_first):
    from moto import mock_aws

    from tsur.local.moto_sqs import retention_check_without_recount

    with mock_aws():
        own = _received_after_retention(expired_first)
    with mock_aws(), retention_check_without_recount():
        patched = _received_after_retention(expired_first)
    assert patched == own == ([] if expired_first else ["new"])  # moto stops at an expired message
