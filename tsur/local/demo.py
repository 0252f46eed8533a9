"""Demo data for the local stack: the St Petersburg region's executors get webhook endpoints and secrets.

The region, its districts, executors, routing rules and rubricator ship with the code
(chalicelib/data/); what lives in the database is what each executor configures: where its webhooks
go and the secrets they are signed with. Re-seeding keeps existing secrets and only re-points URLs.
"""

from __future__ import annotations

from typing import Any

from chalicelib import reference
from chalicelib.adapters.ports import ExecutorDirectory, ExecutorEndpoint
from chalicelib.services.deps import current
from chalicelib.webhooks import generate_secret


def seed_demo(agency_base_url: str, directory: ExecutorDirectory | None = None) -> dict[str, Any]:
    directory = directory or current().directory
    executors = []
    for executor in reference.region().executors.values():
        url = f"{agency_base_url.rstrip('/')}/hooks/{executor.id}"
        existing = directory.endpoint(executor.id)
        secrets = existing.secrets if existing else (generate_secret(),)
        if existing is None or existing.url != url:
            directory.save_endpoint(ExecutorEndpoint(executor.id, url, secrets))
        executors.append({"id": executor.id, "name": executor.name, "webhook_url": url,
                          "webhook_secret": secrets[0]})
    return {"region": reference.region().name, "executors": executors}
