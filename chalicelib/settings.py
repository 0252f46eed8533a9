"""Run-time configuration, read from the environment once per container.

In AWS the variables come from the packaged template (see infra/); locally the stack sets them.
boto3 itself honours AWS_ENDPOINT_URL, which is how the same code talks to moto locally.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

PIPELINE_STEPS = ("intake", "classify", "assign", "notify")


def stage() -> str:
    return os.environ.get("TSUR_STAGE", "dev")


def queue_name(step: str, stage_name: str | None = None) -> str:
    """The SQS queue name of a pipeline step, as infra/ names it: tsur-<stage>-<step>."""
    return f"tsur-{stage_name or stage()}-{step}"


def _csv(name: str, default: str = "") -> tuple[str, ...]:
    raw = os.environ.get(name, default)
    return tuple(part.strip() for part in raw.split(",") if part.strip())


@dataclass(frozen=True)
class Settings:
    stage: str
    cases_table: str
    idempotency_table: str
    attachments_bucket: str
    queue_urls: dict[str, str] = field(default_factory=dict)
    public_base_url: str = ""  # empty: derived from the request (API Gateway's domain and stage)
    cors_origins: tuple[str, ...] = ()
    allow_loopback_webhooks: bool = False

    @classmethod
    def from_env(cls) -> Settings:
        st = stage()
        return cls(
            stage=st,
            cases_table=os.environ.get("CASES_TABLE", f"tsur-{st}-cases"),
            idempotency_table=os.environ.get("IDEMPOTENCY_TABLE", f"tsur-{st}-idempotency"),
            attachments_bucket=os.environ.get("ATTACHMENTS_BUCKET", f"tsur-{st}-attachments"),
            queue_urls={step: os.environ.get(f"{step.upper()}_QUEUE_URL", "") for step in PIPELINE_STEPS},
            public_base_url=os.environ.get("PUBLIC_BASE_URL", "").rstrip("/"),
            cors_origins=_csv("CORS_ORIGINS"),
            allow_loopback_webhooks=os.environ.get("ALLOW_LOOPBACK_WEBHOOKS", "") == "1",
        )
