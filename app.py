"""tsur: the Chalice application. Only wiring: each handler parses input and calls one service."""

from __future__ import annotations

from typing import Any

from chalice import Chalice, Rate, Response
from chalice.app import Request, SQSEvent

from chalicelib import reference
from chalicelib.api.http import api_errors, json_response, not_found, parse_body
from chalicelib.api.schemas import AppealIn, StepMessage
from chalicelib.batch import process_batch
from chalicelib.domain.sectors import SECTORS
from chalicelib.services import deadlines, intake, notify, steps, sweeper, tracking
from chalicelib.services.deps import current as deps
from chalicelib.services.pipeline import Action, run_step
from chalicelib.settings import queue_name

app = Chalice(app_name="tsur")


def _request() -> Request:
    request = app.current_request
    assert request is not None, "only called inside a route"
    return request


def _base_url(request: Request) -> str:
    context = request.context or {}
    host = context.get("domainName") or request.headers.get("host", "")
    stage = context.get("stage", "")
    return f"https://{host}/{stage}" if context.get("domainName") and stage else f"http://{host}"


@app.route("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}


@app.route("/v1/sectors")
def list_sectors() -> Response:
    return json_response({"sectors": [{"id": k, "name": v} for k, v in SECTORS.items()]})


@app.route("/v1/municipalities")
def list_municipalities() -> Response:
    region = reference.region()
    return json_response({"municipalities": [{"id": m.id, "name": m.name}
                                             for m in region.municipalities.values()]})


@app.route("/v1/appeals", methods=["POST"])
@api_errors
def submit_appeal() -> Response:
    request = _request()
    appeal = parse_body(request.raw_body, AppealIn)
    accepted = intake.submit_appeal(deps(), appeal, request.headers.get("idempotency-key"), _base_url(request))
    return json_response(accepted.model_dump(), 202)


@app.route("/v1/appeals/{case_id}")
@api_errors
def get_appeal(case_id: str) -> Response:
    request = _request()
    token = request.headers.get("x-tracking-token") or (request.query_params or {}).get("token")  # type: ignore[call-overload]
    view = tracking.public_case(deps(), case_id, token or None)
    return json_response(view) if view else not_found()


def _consume(event: SQSEvent, step: str, action: Action) -> dict[str, Any]:
    return process_batch(event, StepMessage, lambda message: run_step(deps(), message, step, action))


@app.on_sqs_message(queue=queue_name("intake"), batch_size=10)
def on_intake(event: SQSEvent) -> dict[str, Any]:
    return _consume(event, "intake", steps.screen)


@app.on_sqs_message(queue=queue_name("classify"), batch_size=10)
def on_classify(event: SQSEvent) -> dict[str, Any]:
    return _consume(event, "classify", steps.classify)


@app.on_sqs_message(queue=queue_name("assign"), batch_size=10)
def on_assign(event: SQSEvent) -> dict[str, Any]:
    return _consume(event, "assign", steps.assign)


@app.on_sqs_message(queue=queue_name("notify"), batch_size=10)
def on_notify(event: SQSEvent) -> dict[str, Any]:
    return _consume(event, "notify", notify.deliver)


@app.schedule(Rate(1, unit=Rate.MINUTES))
def check_deadlines(event: Any) -> dict[str, int]:
    return {"overdue_marked": deadlines.check_deadlines(deps())}


@app.schedule(Rate(1, unit=Rate.MINUTES))
def sweep_pending(event: Any) -> dict[str, int]:
    return sweeper.sweep_pending(deps())
