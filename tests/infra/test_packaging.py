"""`chalice package --merge-template infra/template.json` on a copy of the real project, then cfn-lint.

Slow (packaging downloads manylinux wheels from PyPI), so the project is packaged once per module.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tsur.packaging import copy_project

pytestmark = [pytest.mark.infra, pytest.mark.timeout(900)]

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
STAGES = ("dev", "prod")
# pipeline step -> (Chalice function resource, the template's queue resource)
CONSUMERS = {
    "intake": ("OnIntake", "IntakeQueue"),
    "classify": ("OnClassify", "ClassifyQueue"),
    "assign": ("OnAssign", "AssignQueue"),
    "notify": ("OnNotify", "NotifyQueue"),
    "mail": ("OnMail", "MailQueue"),
}
FUNCTIONS = {"APIHandler", "CheckDeadlines", "SweepPending", "SweepDeliveries",
             *(fn for fn, _ in CONSUMERS.values())}
RESOURCE_ENV = {
    "CASES_TABLE": {"Ref": "CasesTable"},
    "IDEMPOTENCY_TABLE": {"Ref": "IdempotencyTable"},
    "INTAKE_QUEUE_URL": {"Ref": "IntakeQueue"},
    "CLASSIFY_QUEUE_URL": {"Ref": "ClassifyQueue"},
    "ASSIGN_QUEUE_URL": {"Ref": "AssignQueue"},
    "NOTIFY_QUEUE_URL": {"Ref": "NotifyQueue"},
    "MAIL_QUEUE_URL": {"Ref": "MailQueue"},
    "ATTACHMENTS_BUCKET": {"Ref": "AttachmentsBucket"},
}
ORIGINS_ENV = {"CORS_ORIGINS", "ADMIN_ORIGINS"}  # from the template: the CloudFront site and WidgetOrigins
SITE_ENV = {*ORIGINS_ENV, "TRACKING_PAGE_URL", "MAIL_FROM"}  # the site's tracking page; the SES sender
POLICY_FILES = [REPO / ".chalice" / f"policy-{stage}.json" for stage in STAGES]


@pytest.fixture(scope="module")
def packaged(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """stage -> packaged sam.json (both stages from one copy; the second reuses the deployment zip)."""
    if not (REPO / "app.py").exists():
        pytest.skip("app.py does not exist yet")
    project = tmp_path_factory.mktemp("package")
    copy_project(REPO, project)
    env = {**os.environ, "AWS_DEFAULT_REGION": os.environ.get("AWS_DEFAULT_REGION", "us-east-1")}
    env.pop("TSUR_STAGE", None)  # chalice sets it from the stage's environment_variables on import
    result = {}
    for stage in STAGES:
        proc = subprocess.run(
            [str(BIN / "chalice"), "package", "--stage", stage, "--merge-template", "infra/template.json",
             f"out-{stage}/"],
            cwd=project, env=env, capture_output=True, text=True, timeout=800,
        )
        assert proc.returncode == 0, f"chalice package --stage {stage} failed:\n{proc.stdout}\n{proc.stderr}"
        result[stage] = project / f"out-{stage}" / "sam.json"
    return result


@pytest.fixture(scope="module")
def templates(packaged: dict[str, Path]) -> dict[str, dict[str, Any]]:
    return {stage: json.loads(path.read_text()) for stage, path in packaged.items()}


def _functions(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    resources = template["Resources"]
    return {name: res for name, res in resources.items() if res.get("Type") == "AWS::Serverless::Function"}


def test_cfn_lint_accepts_packaged_templates(packaged: dict[str, Path]) -> None:
    proc = subprocess.run(
        [str(BIN / "cfn-lint"), *map(str, packaged.values())], capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_cfn_lint_accepts_standalone_template(tmp_path: Path) -> None:
    from tsur.local.template import standalone_template

    path = tmp_path / "standalone.json"
    path.write_text(json.dumps(standalone_template(REPO / "infra" / "template.json")))
    proc = subprocess.run([str(BIN / "cfn-lint"), str(path)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize("stage", STAGES)
def test_every_overridden_resource_was_generated_by_chalice(stage: str, templates: dict[str, Any]) -> None:
    # A typeless entry in the merge template that chalice did not generate means a handler was renamed.
    raw = json.loads((REPO / "infra" / "template.json").read_text())
    partial = {name for name, res in raw["Resources"].items() if "Type" not in res}
    untyped = {name for name, res in templates[stage]["Resources"].items() if "Type" not in res}
    assert partial and not untyped, f"overrides without a chalice resource: {sorted(untyped)}"
    assert set(_functions(templates[stage])) >= FUNCTIONS


@pytest.mark.parametrize("stage", STAGES)
@pytest.mark.parametrize("step", list(CONSUMERS))
def test_sqs_consumer_reports_batch_item_failures_from_template_queue(
    stage: str, step: str, templates: dict[str, Any]
) -> None:
    function, queue = CONSUMERS[step]
    events = templates[stage]["Resources"][function]["Properties"]["Events"]
    sqs = {key: ev for key, ev in events.items() if ev["Type"] == "SQS"}
    assert list(sqs) == [f"{function}SqsEventSource"]
    props = sqs[f"{function}SqsEventSource"]["Properties"]
    assert props["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert props["Queue"] == {"Fn::Sub": f"${{{queue}.Arn}}"}
    assert props["BatchSize"] == 10


@pytest.mark.parametrize("stage", STAGES)
def test_no_other_sqs_consumers(stage: str, templates: dict[str, Any]) -> None:
    expected = {fn for fn, _ in CONSUMERS.values()}
    consumers = {
        name
        for name, res in _functions(templates[stage]).items()
        for ev in res["Properties"].get("Events", {}).values()
        if ev["Type"] == "SQS"
    }
    assert consumers == expected


@pytest.mark.parametrize("stage", STAGES)
def test_packaged_template_has_project_resources(stage: str, templates: dict[str, Any]) -> None:
    resources = templates[stage]["Resources"]
    expected = {"CasesTable": "AWS::DynamoDB::Table", "IdempotencyTable": "AWS::DynamoDB::Table",
                "AttachmentsBucket": "AWS::S3::Bucket", "AdminSiteBucket": "AWS::S3::Bucket"}
    for _, queue in CONSUMERS.values():
        dlq = queue.replace("Queue", "DeadLetterQueue")
        expected[queue] = expected[dlq] = "AWS::SQS::Queue"
        redrive = resources[queue]["Properties"]["RedrivePolicy"]
        assert redrive["deadLetterTargetArn"] == {"Fn::GetAtt": [dlq, "Arn"]}
        assert redrive["maxReceiveCount"] == {"Ref": "MaxReceiveCount"}
        assert resources[queue]["Properties"]["VisibilityTimeout"] == {"Ref": "QueueVisibilityTimeout"}
    assert {name: resources[name]["Type"] for name in expected} == expected
    assert templates[stage]["Transform"] == "AWS::Serverless-2016-10-31"


@pytest.mark.parametrize("stage", STAGES)
def test_every_function_gets_the_environment(stage: str, templates: dict[str, Any]) -> None:
    template = templates[stage]
    global_vars = template["Globals"]["Function"]["Environment"]["Variables"]
    assert {k: v for k, v in global_vars.items() if k not in SITE_ENV} == {"TSUR_STAGE": {"Ref": "Stage"},
                                                                           **RESOURCE_ENV}
    assert global_vars["MAIL_FROM"] == {"Ref": "MailFrom"}
    assert global_vars["ADMIN_ORIGINS"] == {"Fn::If": ["IsDeployed", {
        "Fn::Sub": "https://${AdminDistribution.DomainName}"}, ""]}
    for name, res in _functions(template).items():
        local_vars = res["Properties"].get("Environment", {}).get("Variables", {})
        # SAM merges Globals into each function; function-level keys win, so they must not shadow these.
        assert not set(local_vars) & (set(RESOURCE_ENV) | SITE_ENV), name
        effective = {**global_vars, **local_vars}
        assert effective["TSUR_STAGE"] in (stage, {"Ref": "Stage"}), name
        assert set(effective) >= {"TSUR_STAGE", *RESOURCE_ENV}, name


@pytest.mark.parametrize("stage", STAGES)
def test_queue_visibility_covers_lambda_timeout(stage: str, templates: dict[str, Any]) -> None:
    # The default must cover the longest function; lower values are for the local stack and tests
    # (AWS itself refuses an SQS event source whose queue times out before its function).
    param = templates[stage]["Parameters"]["QueueVisibilityTimeout"]
    for name, res in _functions(templates[stage]).items():
        assert res["Properties"]["Timeout"] <= param["Default"], name


@pytest.mark.parametrize("stage", STAGES)
def test_functions_use_the_stage_policy(stage: str, templates: dict[str, Any]) -> None:
    policy = json.loads((REPO / ".chalice" / f"policy-{stage}.json").read_text())
    roles = [res for res in templates[stage]["Resources"].values() if res.get("Type") == "AWS::IAM::Role"]
    assert roles
    for role in roles:
        assert [p["PolicyDocument"] for p in role["Properties"]["Policies"]] == [policy]


def _as_list(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else value


@pytest.mark.parametrize("path", POLICY_FILES, ids=lambda p: p.name)
def test_policy_has_no_wildcard_action_on_wildcard_resource(path: Path) -> None:
    policy = json.loads(path.read_text())
    for statement in policy["Statement"]:
        assert "NotAction" not in statement and "NotResource" not in statement, statement
        actions = _as_list(statement["Action"])
        resources = _as_list(statement["Resource"])
        wildcard_action = any(a == "*" or a.endswith(":*") for a in actions)
        assert not (wildcard_action and "*" in resources), statement
        assert "*" not in resources, statement


@pytest.mark.parametrize("stage", STAGES)
def test_policy_is_scoped_to_its_stage(stage: str) -> None:
    policy = json.loads((REPO / ".chalice" / f"policy-{stage}.json").read_text())
    other = {s for s in STAGES if s != stage}
    for statement in policy["Statement"]:
        for resource in _as_list(statement["Resource"]):
            assert not any(f"tsur-{o}-" in resource for o in other), resource
            if resource.startswith(("arn:aws:dynamodb", "arn:aws:sqs", "arn:aws:s3")):
                assert f"tsur-{stage}-" in resource, resource


@pytest.mark.parametrize("stage", STAGES)
def test_operator_routes_are_guarded_by_the_stacks_cognito_user_pool(stage: str, templates: dict[str, Any]) -> None:
    body = templates[stage]["Resources"]["RestAPI"]["Properties"]["DefinitionBody"]
    authorizer = body["securityDefinitions"]["TsurOperators"]
    assert authorizer["x-amazon-apigateway-authtype"] == "cognito_user_pools"
    assert authorizer["x-amazon-apigateway-authorizer"]["providerARNs"] == [
        {"Fn::If": ["IsDeployed", {"Fn::GetAtt": ["OperatorsUserPool", "Arn"]}, {"Ref": "AWS::NoValue"}]}]
    admin_paths = [p for p in body["paths"] if p.startswith("/v1/admin/")]
    assert admin_paths
    for path in admin_paths:
        for method, operation in body["paths"][path].items():
            if method != "options":
                assert operation.get("security") == [{"TsurOperators": []}], (path, method)
    assert "security" not in body["paths"]["/v1/appeals"]["post"]


@pytest.mark.parametrize("stage", STAGES)
def test_the_admin_page_can_preflight_and_read_401s_from_the_gateway(stage: str, templates: dict[str, Any]) -> None:
    body = templates[stage]["Resources"]["RestAPI"]["Properties"]["DefinitionBody"]
    for path in ("/v1/admin/cases", "/v1/admin/cases/{case_id}/reassign", "/v1/auth/login",
                 "/v1/admin/dlq/{queue}/redrive"):
        assert "security" not in body["paths"][path]["options"], path  # a preflight carries no token
    unauthorized = body["x-amazon-apigateway-gateway-responses"]["UNAUTHORIZED"]["Fn::If"][1]
    assert unauthorized["responseParameters"]["gatewayresponse.header.Access-Control-Allow-Origin"] == {
        "Fn::Sub": "'https://${AdminDistribution.DomainName}'"}


@pytest.mark.parametrize("stage", STAGES)
def test_public_paths_are_rate_limited_per_client_ip_by_waf(stage: str, templates: dict[str, Any]) -> None:
    from tsur.local.template import api_limits

    template = templates[stage]
    acl = template["Resources"]["PublicWebAcl"]
    assert (acl["Type"], acl["Condition"], acl["Properties"]["Scope"]) == ("AWS::WAFv2::WebACL", "IsDeployed",
                                                                        "REGIONAL")
    (rule,) = acl["Properties"]["Rules"]
    rated = rule["Statement"]["RateBasedStatement"]
    assert rated["AggregateKeyType"] == "IP" and rated["EvaluationWindowSec"] == 300
    assert rated["Limit"] == {"Ref": "PublicRateLimitPer5Min"}
    assert template["Parameters"]["PublicRateLimitPer5Min"]["Default"] == api_limits().per_client == 600
    public = re.compile(rated["ScopeDownStatement"]["RegexMatchStatement"]["RegexString"])
    stage_name = json.loads((REPO / ".chalice" / "config.json").read_text())["stages"][stage]["api_gateway_stage"]
    for path in ("/v1/appeals", "/v1/appeals/c_1", "/v1/appeals/c_1/rating", "/v1/uploads", "/v1/social/vk"):
        assert public.search(f"/{stage_name}{path}") and public.search(path), path
    for path in ("/v1/admin/cases", "/v1/executor/cases", "/v1/sectors", "/health", "/openapi.json"):
        assert not public.search(f"/{stage_name}{path}"), path
    block = rule["Action"]["Block"]["CustomResponse"]
    assert block["ResponseCode"] == 429 and block["ResponseHeaders"][0]["Name"] == "Retry-After"
    body = json.loads(acl["Properties"]["CustomResponseBodies"][block["CustomResponseBodyKey"]]["Content"])
    assert set(body) == {"error", "message", "fields"}
    association = template["Resources"]["PublicWebAclAssociation"]["Properties"]
    assert association["WebACLArn"] == {"Fn::GetAtt": ["PublicWebAcl", "Arn"]}
    assert association["ResourceArn"] == {"Fn::Sub": "arn:${AWS::Partition}:apigateway:${AWS::Region}::/restapis/"
                                                     "${RestAPI}/stages/${RestAPI.Stage}"}


@pytest.mark.parametrize("stage", STAGES)
def test_the_api_stage_is_throttled_for_all_clients_together(stage: str, templates: dict[str, Any]) -> None:
    from tsur.local.template import api_limits

    template = templates[stage]
    api = template["Resources"]["RestAPI"]["Properties"]
    assert api["MethodSettings"] == [{"ResourcePath": "/*", "HttpMethod": "*",
                                      "ThrottlingRateLimit": {"Ref": "ApiThrottlingRateLimit"},
                                      "ThrottlingBurstLimit": {"Ref": "ApiThrottlingBurstLimit"}}]
    parameters = template["Parameters"]
    assert (parameters["ApiThrottlingRateLimit"]["Default"], parameters["ApiThrottlingBurstLimit"]["Default"]) == (
        api_limits().rate_per_s, api_limits().burst) == (100, 200)
    throttled = api["DefinitionBody"]["x-amazon-apigateway-gateway-responses"]["THROTTLED"]
    assert throttled["statusCode"] == 429
    assert set(json.loads(throttled["responseTemplates"]["application/json"])) == {"error", "message", "fields"}


def _sam_transform(template: dict[str, Any], stage: str) -> dict[str, Any]:
    """What CloudFormation's SAM transform makes of the packaged template (offline: code from a dummy S3 key)."""
    from samtranslator.translator.transform import transform

    class NoManagedPolicies:
        def load(self) -> dict[str, str]:
            return {}

    template = json.loads(json.dumps(template))
    for resource in template["Resources"].values():
        if resource.get("Type") == "AWS::Serverless::Function":
            resource["Properties"]["CodeUri"] = "s3://artifacts/deployment.zip"
    os.environ.setdefault("AWS_DEFAULT_REGION", "eu-central-1")
    return dict(transform(template, {"Stage": stage}, NoManagedPolicies()))


@pytest.mark.parametrize("stage", STAGES)
def test_after_the_sam_transform_waf_guards_the_deployed_stage(stage: str, templates: dict[str, Any]) -> None:
    resources = _sam_transform(templates[stage], stage)["Resources"]
    stages = [name for name, res in resources.items() if res["Type"] == "AWS::ApiGateway::Stage"]
    assert stages == ["RestAPIapiStage"]
    settings = resources["RestAPIapiStage"]["Properties"]["MethodSettings"]
    assert settings[0]["ThrottlingRateLimit"] == {"Ref": "ApiThrottlingRateLimit"}
    arn = resources["PublicWebAclAssociation"]["Properties"]["ResourceArn"]["Fn::Sub"]
    assert arn.endswith("/restapis/${RestAPI}/stages/${RestAPIapiStage}")  # a reference: made after the stage
    body = resources["RestAPI"]["Properties"]["Body"]
    assert body["x-amazon-apigateway-gateway-responses"]["THROTTLED"]["statusCode"] == 429
