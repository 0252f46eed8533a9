"""Email to residents through Amazon SES (locally, moto's SES keeps the messages for the mailbox page)."""

from __future__ import annotations

from typing import Any

import boto3

from chalicelib.adapters.ports import Mailer


class SesMailer(Mailer):
    def __init__(self, sender: str, client: Any = None) -> None:
        self._sender = sender
        self._ses = client or boto3.client("ses")

    def send(self, to: str, subject: str, text: str) -> None:
        self._ses.send_email(
            Source=self._sender, Destination={"ToAddresses": [to]},
            Message={"Subject": {"Data": subject, "Charset": "UTF-8"},
                     "Body": {"Text": {"Data": text, "Charset": "UTF-8"}}})
