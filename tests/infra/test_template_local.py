"""The standalone part of infra/template.json, created by moto's CloudFormation as the local stack does."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from tsur.local.template import TEMPLATE_PATH, create_stack, standalone_template

REGION = "us-east-1"
ACCOUNT = "123456789012"  # moto's default account
STEPS = ("intake", "classify", "assign", "notify", "mail")
OUTPUTS = {
    "CasesTableName", "IdempotencyTableName", "AttachmentsBucketName", "AdminSiteBucketName",
    *(f"{s.capitalize()}QueueUrl" for s in STEPS),
    *(f"{s.capitalize()}DeadLetterQueueUrl" for s in STEPS),
}


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[boto3.Session]:
    for var in ("AWS_ENDPOINT_URL", "AWS_PROFILE"):
        monkeypatch.delenv(var, raising=False)
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(var, "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    with mock_aws():
        yield boto3.Session(region_name=REGION)


@pytest.fixture
def outputs(aws: boto3.Session) -> dict[str, str]:
    return create_stack(aws.client("cloudformation"), "local", {})


def test_standalone_template_drops_only_the_merge_pieces() -> None:
    raw = json.loads(TEMPLATE_PATH.read_text())
    template = standalone_template(TEMPLATE_PATH)
    assert "Globals" in raw and "Globals" not in template
    partial = {name for name, res in raw["Resources"].items() if "Type" not in res}
    aws_only = {name for name, res in raw["Resources"].items() if res.get("Condition") == "IsDeployed"}
    assert {"OperatorsUserPool", "AdminDistribution"} <= aws_only
    assert partial == {"OnIntake", "OnClassify", "OnAssign", "OnNotify", "OnMail", "RestAPI"}
    assert set(template["Resources"]) == set(raw["Resources"]) - partial - aws_only
    assert set(template["Outputs"]) == OUTPUTS
    assert {"PublicWebAcl", "PublicWebAclAssociation"} <= aws_only  # the rate limits: AWS's, enforced locally
    assert set(template["Parameters"]) == {"Stage", "QueueVisibilityTimeout", "MaxReceiveCount", "WidgetOrigins"}


def test_outputs_resolve(outputs: dict[str, str]) -> None:
    assert outputs["CasesTableName"] == "tsur-local-cases"
    assert outputs["IdempotencyTableName"] == "tsur-local-idempotency"
    assert outputs["AttachmentsBucketName"] == f"tsur-local-attachments-{ACCOUNT}"
    assert outputs["AdminSiteBucketName"] == f"tsur-local-admin-{ACCOUNT}"
    for step in STEPS:
        assert outputs[f"{step.capitalize()}QueueUrl"].endswith(f"/tsur-local-{step}")
        assert outputs[f"{step.capitalize()}DeadLetterQueueUrl"].endswith(f"/tsur-local-{step}-dlq")
    assert set(outputs) == OUTPUTS


def _keys(schema: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(k["AttributeName"], k["KeyType"]) for k in schema]


def test_tables(aws: boto3.Session, outputs: dict[str, str]) -> None:
    ddb = aws.client("dynamodb")
    cases = ddb.describe_table(TableName=outputs["CasesTableName"])["Table"]
    assert _keys(cases["KeySchema"]) == [("pk", "HASH"), ("sk", "RANGE")]
    assert cases["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    gsis = {g["IndexName"]: g for g in cases["GlobalSecondaryIndexes"]}
    assert {name: _keys(g["KeySchema"]) for name, g in gsis.items()} == {
        "by_executor": [("executor_id", "HASH"), ("status_created", "RANGE")],
        "by_deadline": [("deadline_shard", "HASH"), ("next_action_at", "RANGE")],
        "by_geo": [("geo_key", "HASH"), ("geo_at", "RANGE")],
        "by_pending": [("pending_step", "HASH"), ("pending_since", "RANGE")],
        "by_delivery": [("delivery_state", "HASH"), ("delivery_at", "RANGE")],
        "by_status": [("case_status", "HASH"), ("created_utc", "RANGE")],
        "by_month": [("case_month", "HASH"), ("created_utc", "RANGE")],
        "by_municipality": [("case_municipality", "HASH"), ("created_utc", "RANGE")],
    }
    assert {g["Projection"]["ProjectionType"] for g in gsis.values()} == {"ALL"}
    idem = ddb.describe_table(TableName=outputs["IdempotencyTableName"])["Table"]
    assert _keys(idem["KeySchema"]) == [("id", "HASH")]


def test_queues_have_dead_letter_queues(aws: boto3.Session, outputs: dict[str, str]) -> None:
    sqs = aws.client("sqs")
    for step in STEPS:
        url = outputs[f"{step.capitalize()}QueueUrl"]
        dlq_url = outputs[f"{step.capitalize()}DeadLetterQueueUrl"]
        attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        dlq = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["All"])["Attributes"]
        redrive = json.loads(attrs["RedrivePolicy"])
        assert redrive["deadLetterTargetArn"] == dlq["QueueArn"]
        assert int(redrive["maxReceiveCount"]) == 5
        assert attrs["VisibilityTimeout"] == "120"
        assert dlq["MessageRetentionPeriod"] == "1209600"
        assert "RedrivePolicy" not in dlq


def test_buckets(aws: boto3.Session, outputs: dict[str, str]) -> None:
    s3 = aws.client("s3")
    for key in ("AttachmentsBucketName", "AdminSiteBucketName"):
        s3.head_bucket(Bucket=outputs[key])
        rules = s3.get_bucket_encryption(Bucket=outputs[key])["ServerSideEncryptionConfiguration"]["Rules"]
        assert rules[0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"


def test_create_stack_again_returns_the_same_outputs(aws: boto3.Session, outputs: dict[str, str]) -> None:
    assert create_stack(aws.client("cloudformation"), "local", {}) == outputs


def test_parameters_are_passed(aws: boto3.Session) -> None:
    outputs = create_stack(
        aws.client("cloudformation"), "dev", {"MaxReceiveCount": "3", "QueueVisibilityTimeout": "90"}
    )
    attrs = aws.client("sqs").get_queue_attributes(QueueUrl=outputs["NotifyQueueUrl"], AttributeNames=["All"])
    assert json.loads(attrs["Attributes"]["RedrivePolicy"])["maxReceiveCount"] == 3
    assert attrs["Attributes"]["VisibilityTimeout"] == "90"
    assert outputs["CasesTableName"] == "tsur-dev-cases"


def test_stage_parameter_must_match_stage(aws: boto3.Session) -> None:
    with pytest.raises(ValueError):
        create_stack(aws.client("cloudformation"), "local", {"Stage": "prod"})



SITE = "d111.cloudfront.net"


def resolve(node: Any, parameters: dict[str, str], conditions: dict[str, bool]) -> Any:
    """The few intrinsic functions the origins use, evaluated as CloudFormation would."""
    if isinstance(node, list):
        return [resolve(item, parameters, conditions) for item in node]
    if not isinstance(node, dict):
        return node
    (name, arg), = node.items()
    if name == "Fn::If":
        return resolve(arg[1] if conditions[arg[0]] else arg[2], parameters, conditions)
    if name == "Fn::Split":
        return resolve(arg[1], parameters, conditions).split(arg[0])
    if name == "Ref":
        return parameters[arg]
    assert name == "Fn::Sub", name
    return arg.replace("${AdminDistribution.DomainName}", SITE).replace("${WidgetOrigins}",
                                                                         parameters["WidgetOrigins"])


@pytest.mark.parametrize(("widgets", "expected"), [
    ("", [f"https://{SITE}"]),
    ("https://gov.example.ru,https://spb.example.ru", [f"https://{SITE}", "https://gov.example.ru",
                                                        "https://spb.example.ru"]),
])
def test_deployed_the_widgets_origins_are_the_cloudfront_site_and_widget_origins(widgets: str, expected: list[str]
                                                                                   ) -> None:
    template = json.loads(TEMPLATE_PATH.read_text())
    conditions = {"IsDeployed": True, "HasWidgetOrigins": bool(widgets)}
    rule, = template["Resources"]["AttachmentsBucket"]["Properties"]["CorsConfiguration"]["CorsRules"]
    assert sorted(rule["AllowedMethods"]) == ["GET", "POST"]  # the widget's presigned POST; photos' GET links
    assert resolve(rule["AllowedOrigins"], {"WidgetOrigins": widgets}, conditions) == expected
    env = template["Globals"]["Function"]["Environment"]["Variables"]
    assert resolve(env["CORS_ORIGINS"], {"WidgetOrigins": widgets}, conditions) == ",".join(expected)
    assert resolve(env["ADMIN_ORIGINS"], {"WidgetOrigins": widgets}, conditions) == f"https://{SITE}"
    # the links in letters
    assert resolve(env["TRACKING_PAGE_URL"], {"WidgetOrigins": widgets}, conditions) == f"https://{SITE}/track/"


def test_locally_the_widgets_origins_are_the_ones_the_stack_passes() -> None:
    rule, = standalone_template()["Resources"]["AttachmentsBucket"]["Properties"]["CorsConfiguration"]["CorsRules"]
    assert resolve(rule["AllowedOrigins"], {"WidgetOrigins": "http://127.0.0.1:8000"}, {}) == [
        "http://127.0.0.1:8000"]
