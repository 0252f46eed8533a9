"""What the Lambda runtime hands a handler: a context object, account and region constants."""

from __future__ import annotations

import logging

from chalice.local import LambdaContext

LOCAL_ACCOUNT_ID = "123456789012"  # moto's default account
LOCAL_REGION = "eu-central-1"
DEFAULT_TIMEOUT_S = 60
DEFAULT_MEMORY_MB = 256

log = logging.getLogger("tsur.local")


def lambda_context(function_name: str, timeout_s: int = DEFAULT_TIMEOUT_S) -> LambdaContext:
    """A fresh context per invocation, as Lambda gives one (new aws_request_id, its own deadline)."""
    context = LambdaContext(function_name=function_name, memory_size=DEFAULT_MEMORY_MB,
                            max_runtime_ms=timeout_s * 1000)
    context.invoked_function_arn = f"arn:aws:lambda:{LOCAL_REGION}:{LOCAL_ACCOUNT_ID}:function:{function_name}"
    context.log_group_name = f"/aws/lambda/{function_name}"
    return context
