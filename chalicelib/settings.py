"""Run-time configuration, read from the environment once per container.

In AWS the variables come from the packaged template (see infra/); locally the stack sets them.
boto3 itself honours AWS_ENDPOINT_URL, which is how the same code talks to moto locally.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import timedelta

from chalicelib.social_config import VkConfig

COGNITO_STAGES = ("dev", "prod")  # operators sign in with Cognito in AWS; elsewhere with signed sessions
PIPELINE_STEPS = ("intake", "classify", "assign", "notify")
QUEUES = (*PIPELINE_STEPS, "mail")  # mail: messages to residents, outside the case pipeline


def stage() -> str:
    return os.environ.get("TSUR_STAGE", "dev")


def cognito_enabled() -> bool:
    """Operators sign in with Cognito only in a deployed stage, which always names itself."""
    return os.environ.get("TSUR_STAGE", "") in COGNITO_STAGES


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
    cors_origins: tuple[str, ...] = ()  # the sites that embed the widget, and the tracking page's
    admin_origins: tuple[str, ...] = ()  # the admin page's site (the stack's CloudFront domain)
    allow_loopback_webhooks: bool = False
    cognito: bool = False
    session_secret: str = ""  # signs operators' sessions where Cognito is not used; empty: no sign-in
    tracking_page_url: str = ""  # the residents' tracking page, for links in letters
    answer_review: str = "operator"  # or "auto": publish substantive answers without waiting for an operator
    mail_from: str = "ЦУР <no-reply@tsur.example.org>"
    operators_alert_email: str = ""  # where operators' alerts go (410 Gone); empty: only the log and the views
    reopen_days: int = 30
    auto_close_days: int = 14
    clarification_days: int = 3
    vk: VkConfig = field(default_factory=VkConfig)  # VK Callback API communities (chalicelib/social_config.py)

    @property
    def reopen_window(self) -> timedelta:
        """How long after an answer is published the resident may reopen the case (closed or not)."""
        return timedelta(days=self.reopen_days)

    @classmethod
    def from_env(cls) -> Settings:
        st = stage()
        return cls(
            stage=st,
            cases_table=os.environ.get("CASES_TABLE", f"tsur-{st}-cases"),
            idempotency_table=os.environ.get("IDEMPOTENCY_TABLE", f"tsur-{st}-idempotency"),
            attachments_bucket=os.environ.get("ATTACHMENTS_BUCKET", f"tsur-{st}-attachments"),
            queue_urls={step: os.environ.get(f"{step.upper()}_QUEUE_URL", "") for step in QUEUES},
            public_base_url=os.environ.get("PUBLIC_BASE_URL", "").rstrip("/"),
            cors_origins=_csv("CORS_ORIGINS"),
            admin_origins=_csv("ADMIN_ORIGINS"),
            allow_loopback_webhooks=os.environ.get("ALLOW_LOOPBACK_WEBHOOKS", "") == "1",
            answer_review=os.environ.get("ANSWER_REVIEW", "operator"),
            tracking_page_url=os.environ.get("TRACKING_PAGE_URL", ""),
            session_secret=os.environ.get("SESSION_SECRET", ""),
            cognito=cognito_enabled(),
            mail_from=os.environ.get("MAIL_FROM", cls.mail_from),
            operators_alert_email=os.environ.get("OPERATORS_ALERT_EMAIL", "").strip(),
            vk=VkConfig.from_env(),
        )
