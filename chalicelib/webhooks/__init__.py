"""Standard Webhooks: signing outgoing callbacks and verifying them on the receiving side."""

from chalicelib.webhooks.signing import (
    SignatureError,
    generate_secret,
    sign,
    signature_headers,
    verify,
)

__all__ = ["SignatureError", "generate_secret", "sign", "signature_headers", "verify"]
