"""infra/template.json as the local stack uses it: the project's own resources, made by CloudFormation.

The file is also the `--merge-template` of `chalice package`, so it holds pieces that only make sense merged
into Chalice's SAM output: the `Globals` section and partial `Resources` entries without a `Type`
(overrides of Chalice-generated functions). `standalone_template` drops exactly those; everything else
(tables, queues, buckets, parameters, outputs) is created as is, e.g. by moto's CloudFormation.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError

TEMPLATE_PATH = Path(__file__).resolve().parents[2] / "infra" / "template.json"

# Top-level sections that exist only for the SAM transform of the packaged template.
_SAM_ONLY_SECTIONS = ("Globals",)
_DONE = ("CREATE_COMPLETE", "UPDATE_COMPLETE")
# Resources only a deployed stack has (Cognito sign-in, CloudFront): the local stack signs operators in
# itself and serves the pages from its own server.
AWS_ONLY = "IsDeployed"


def standalone_template(path: str | Path = TEMPLATE_PATH) -> dict[str, Any]:
    """The template without `Globals`, the `Resources` entries that have no `Type`, and what only a
    deployed stack has (`Condition: IsDeployed`; a `Fn::If` on it is its "else" value)."""
    template: dict[str, Any] = json.loads(Path(path).read_text(encoding="utf-8"))
    for section in _SAM_ONLY_SECTIONS:
        template.pop(section, None)
    template["Resources"] = {
        name: resource
        for name, resource in template.get("Resources", {}).items()
        if isinstance(resource, dict) and "Type" in resource and resource.get("Condition") != AWS_ONLY
    }
    template["Outputs"] = {name: output for name, output in template.get("Outputs", {}).items()
                           if output.get("Condition") != AWS_ONLY}
    conditions = template.pop("Conditions", {})
    template = dict(_not_deployed(template))
    used = json.dumps(template)  # a condition only IsDeployed's branches used would be left dangling
    kept = {name: rule for name, rule in conditions.items() if name != AWS_ONLY and f'"{name}"' in used}
    if kept:
        template["Conditions"] = kept
    template["Parameters"] = _used_parameters(template)
    return template


def _not_deployed(node: Any) -> Any:
    """`node` with every `{"Fn::If": ["IsDeployed", yes, no]}` replaced by `no`."""
    if isinstance(node, list):
        return [_not_deployed(item) for item in node]
    if not isinstance(node, dict):
        return node
    branches = node.get("Fn::If")
    if len(node) == 1 and isinstance(branches, list) and branches[:1] == [AWS_ONLY]:
        return _not_deployed(branches[2])
    return {key: _not_deployed(value) for key, value in node.items()}


def _used_parameters(template: dict[str, Any]) -> dict[str, Any]:
    """The parameters something left in the template still refers to (the rate limits serve only AWS)."""
    rest = json.dumps({k: v for k, v in template.items() if k != "Parameters"})
    return {name: spec for name, spec in template.get("Parameters", {}).items()
            if f'{{"Ref": "{name}"}}' in rest or f"${{{name}}}" in rest}


@dataclass(frozen=True)
class Refusal:
    """What AWS answers when a limit is hit: the status and the JSON body (in the API's error shape)."""

    status: int
    body: bytes


@dataclass(frozen=True)
class ApiLimits:
    """The API's rate limits as the template sets them for AWS, for the local stack to enforce alike."""

    per_client: int  # requests per client IP in `window_s`, on the paths `public_paths` matches
    window_s: int
    public_paths: str  # the WAF rule's regular expression over the URI path
    per_client_refusal: Refusal
    rate_per_s: float  # all clients together: API Gateway's stage throttling, a token bucket
    burst: int
    throttled_refusal: Refusal


def api_limits(path: str | Path = TEMPLATE_PATH) -> ApiLimits:
    """Read from the WAF rule `PublicPerClientIp` and the RestAPI's MethodSettings, with the parameter defaults."""
    raw: dict[str, Any] = json.loads(Path(path).read_text(encoding="utf-8"))
    value = lambda v: raw["Parameters"][v["Ref"]]["Default"] if isinstance(v, dict) else v  # noqa: E731
    acl = raw["Resources"]["PublicWebAcl"]["Properties"]
    (rule,) = [r for r in acl["Rules"] if r["Name"] == "PublicPerClientIp"]
    rated = rule["Statement"]["RateBasedStatement"]
    block = rule["Action"]["Block"]["CustomResponse"]
    api = raw["Resources"]["RestAPI"]["Properties"]
    (throttling,) = [m for m in api["MethodSettings"] if m["ResourcePath"] == "/*" and m["HttpMethod"] == "*"]
    throttled = api["DefinitionBody"]["x-amazon-apigateway-gateway-responses"]["THROTTLED"]
    return ApiLimits(
        per_client=int(value(rated["Limit"])), window_s=int(rated["EvaluationWindowSec"]),
        public_paths=rated["ScopeDownStatement"]["RegexMatchStatement"]["RegexString"],
        per_client_refusal=Refusal(int(block["ResponseCode"]),
                                   acl["CustomResponseBodies"][block["CustomResponseBodyKey"]]["Content"].encode()),
        rate_per_s=float(value(throttling["ThrottlingRateLimit"])),
        burst=int(value(throttling["ThrottlingBurstLimit"])),
        throttled_refusal=Refusal(int(throttled["statusCode"]),
                                  throttled["responseTemplates"]["application/json"].encode()))


def stack_name(stage: str) -> str:
    return f"tsur-{stage}"


def create_stack(
    cloudformation_client: Any,
    stage: str,
    parameters: dict[str, str] | None = None,
    *,
    template_path: str | Path = TEMPLATE_PATH,
    timeout: float = 60.0,
) -> dict[str, str]:
    """Create stack `tsur-<stage>` from the standalone template and return its Outputs as {key: value}.

    `parameters` are further template parameters (QueueVisibilityTimeout, MaxReceiveCount); `Stage` is
    `stage`. If the stack already exists and is complete, its outputs are returned unchanged.
    """
    if parameters and parameters.get("Stage", stage) != stage:
        raise ValueError(f"parameters['Stage']={parameters['Stage']!r} contradicts stage={stage!r}")
    template = standalone_template(template_path)
    values = {**(parameters or {}), "Stage": stage}
    name = stack_name(stage)
    try:
        cloudformation_client.create_stack(
            StackName=name,
            TemplateBody=json.dumps(template),
            Parameters=[{"ParameterKey": k, "ParameterValue": str(v)} for k, v in values.items()],
        )
    except ClientError as err:
        if err.response.get("Error", {}).get("Code") != "AlreadyExistsException":
            raise
    stack = _wait(cloudformation_client, name, timeout)
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
    missing = sorted(set(template.get("Outputs", {})) - set(outputs))
    if missing:
        raise RuntimeError(f"stack {name} has no value for outputs {missing}")
    return outputs


def _wait(cloudformation_client: Any, name: str, timeout: float) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        stack: dict[str, Any] = cloudformation_client.describe_stacks(StackName=name)["Stacks"][0]
        status = stack["StackStatus"]
        if status in _DONE:
            return stack
        if not status.endswith("_IN_PROGRESS"):
            raise RuntimeError(f"stack {name} is {status}: {_failures(cloudformation_client, name)}")
        if time.monotonic() > deadline:
            raise TimeoutError(f"stack {name} still {status} after {timeout:.0f}s")
        time.sleep(0.2)


def _failures(cloudformation_client: Any, name: str) -> str:
    try:
        events = cloudformation_client.describe_stack_events(StackName=name)["StackEvents"]
    except ClientError:
        return "(no stack events)"
    reasons = [
        f"{e.get('LogicalResourceId')}: {e.get('ResourceStatusReason')}"
        for e in events
        if str(e.get("ResourceStatus", "")).endswith("_FAILED")
    ]
    return "; ".join(reasons) or "(no failed resources reported)"
