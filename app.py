"""tsur: the Chalice application. Only wiring: each handler parses input and calls one service."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from chalice import Chalice, CognitoUserPoolAuthorizer, Rate, Response
from chalice.app import Request, SQSEvent

from chalicelib import reference
from chalicelib.api import openapi
from chalicelib.api.admin_schemas import (
    ApiKeyIn,
    CaseQuery,
    CategoryIn,
    DeliveryQuery,
    HeatmapQuery,
    LoginIn,
    QuestionIn,
    ReasonIn,
    ReassignIn,
    RedriveIn,
)
from chalicelib.api.cors import cors_headers, preflight_paths
from chalicelib.api.http import (
    M,
    api_errors,
    framework_error,
    ids_fit,
    json_response,
    not_found,
    parse_body,
    parse_headers,
    parse_query,
    text_response,
)
from chalicelib.api.schemas import (
    AnswerIn,
    AppealHeaders,
    AppealIn,
    CaseListQuery,
    ClarificationIn,
    DeclineIn,
    NotifyMessage,
    RatingIn,
    ReopenIn,
    ResidentClarificationIn,
    StepMessage,
    UploadRequest,
)
from chalicelib.api.vk import VkCallbackIn
from chalicelib.auth.operators import Principal
from chalicelib.batch import process_batch
from chalicelib.domain.attachments import case_prefix
from chalicelib.domain.sectors import SECTORS
from chalicelib.services import (
    admin,
    admin_actions,
    analytics,
    deadlines,
    deliveries,
    executor_api,
    intake,
    mail,
    notify,
    operations,
    operators,
    resident,
    routing,
    social,
    steps,
    sweeper,
    tracking,
    uploads,
)
from chalicelib.services.deps import current as deps
from chalicelib.services.pipeline import Action, run_step
from chalicelib.settings import cognito_enabled, queue_name

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


@app.middleware("http")
def http_edge(event: Request, get_response: Any) -> Response:
    """Every answer: ids too long to exist are 404, framework errors in the API's shape, CORS for allowed origins."""
    response = framework_error(get_response(event)) if ids_fit(event.uri_params) else not_found()
    settings = deps().settings
    response.headers.update(cors_headers(event.headers.get("origin"), event.path, settings.cors_origins,
                                         settings.admin_origins))
    return response


@app.route("/health")
def health() -> Response:
    return json_response({"status": "ok"})


@app.route(openapi.OPENAPI_PATH)
def openapi_document() -> Response:
    return json_response(openapi.build_document(app.routes))


app.route(openapi.OPENAPI_V1_PATH, name="openapi_document_v1")(openapi_document)


@app.route("/v1/sectors")
def list_sectors() -> Response:
    return json_response({"sectors": [{"id": k, "name": v} for k, v in SECTORS.items()]})


@app.route("/v1/municipalities")
def list_municipalities() -> Response:
    region = reference.region()
    return json_response({"municipalities": [{"id": m.id, "name": m.name}
                                             for m in region.municipalities.values()]})


@app.route("/v1/districts")
def list_districts() -> Response:
    """The districts as SVG paths, for picking the point on a map; the same for everyone, so cacheable."""
    return json_response(reference.district_map(), headers={"Cache-Control": "public, max-age=86400"})


@app.route("/v1/appeals", methods=["POST"])
@api_errors
def submit_appeal() -> Response:
    request = _request()
    appeal, headers = parse_body(request.raw_body, AppealIn), parse_headers(request.headers, AppealHeaders)
    accepted = intake.submit_appeal(deps(), appeal, headers.idempotency_key, _base_url(request))
    return json_response(accepted.model_dump(), 202)


@app.route("/v1/appeals/{case_id}")
@api_errors
def get_appeal(case_id: str) -> Response:
    return _tracked(case_id)


def _token() -> str | None:
    request = _request()
    params: dict[str, str] = dict(request.query_params or {})
    return request.headers.get("x-tracking-token") or params.get("token")


def _tracked(case_id: str) -> Response:
    view = tracking.public_case(deps(), case_id, _token())
    return json_response(view) if view else not_found()


@app.route("/v1/appeals/{case_id}/clarification", methods=["POST"])
@api_errors
def clarify_appeal(case_id: str) -> Response:
    resident.clarify(deps(), case_id, _token(), parse_body(_request().raw_body, ResidentClarificationIn))
    return _tracked(case_id)


@app.route("/v1/appeals/{case_id}/rating", methods=["POST"])
@api_errors
def rate_answer(case_id: str) -> Response:
    resident.rate(deps(), case_id, _token(), parse_body(_request().raw_body, RatingIn))
    return _tracked(case_id)


@app.route("/v1/appeals/{case_id}/reopen", methods=["POST"])
@api_errors
def reopen_appeal(case_id: str) -> Response:
    resident.reopen(deps(), case_id, _token(), parse_body(_request().raw_body, ReopenIn))
    return _tracked(case_id)


@app.route("/v1/uploads", methods=["POST"])
@api_errors
def presign_resident_upload() -> Response:
    upload = parse_body(_request().raw_body, UploadRequest)
    return json_response(uploads.presign(deps(), uploads.RESIDENT_PREFIX, upload), 201)


@app.route("/v1/social/vk", methods=["POST"])
@api_errors
def vk_callback() -> Response:
    """VK Callback API: the confirmation code or `ok`, as plain text; 403 for a wrong secret."""
    return text_response(social.take_vk_event(deps(), parse_body(_request().raw_body, VkCallbackIn)))


# -- the executors' API: each key sees and changes only its own executor's cases ------------------
def _executor() -> str:
    return executor_api.authenticate(deps(), _request().headers.get("authorization"))


def _executor_case(case_id: str) -> Response:
    case = executor_api.own_case(deps(), _executor(), case_id)
    return json_response(executor_api.executor_view(deps(), case))


@app.route("/v1/executor/cases")
@api_errors
def executor_cases() -> Response:
    query = parse_query(_request().query_params, CaseListQuery)
    return json_response(executor_api.list_cases(deps(), _executor(), query))


@app.route("/v1/executor/cases/{case_id}")
@api_errors
def executor_case(case_id: str) -> Response:
    return _executor_case(case_id)


@app.route("/v1/executor/cases/{case_id}/ack", methods=["POST"])
@api_errors
def executor_ack(case_id: str) -> Response:
    executor_api.acknowledge(deps(), _executor(), case_id)
    return _executor_case(case_id)


@app.route("/v1/executor/cases/{case_id}/answers", methods=["POST"])
@api_errors
def executor_answer(case_id: str) -> Response:
    executor_api.post_answer(deps(), _executor(), case_id, parse_body(_request().raw_body, AnswerIn))
    return _executor_case(case_id)


@app.route("/v1/executor/cases/{case_id}/clarifications", methods=["POST"])
@api_errors
def executor_clarification(case_id: str) -> Response:
    body = parse_body(_request().raw_body, ClarificationIn)
    executor_api.request_clarification(deps(), _executor(), case_id, body)
    return _executor_case(case_id)


@app.route("/v1/executor/cases/{case_id}/decline", methods=["POST"])
@api_errors
def executor_decline(case_id: str) -> Response:
    body = parse_body(_request().raw_body, DeclineIn)
    routing.decline(deps(), _executor(), case_id, body.reason)
    return json_response({"id": case_id, "declined": True})


@app.route("/v1/executor/cases/{case_id}/attachments", methods=["POST"])
@api_errors
def executor_upload(case_id: str) -> Response:
    case = executor_api.own_case(deps(), _executor(), case_id)
    upload = parse_body(_request().raw_body, UploadRequest)
    return json_response(uploads.presign(deps(), case_prefix(case.id), upload), 201)


# -- the operators' API: Cognito in AWS (API Gateway checks the token), signed sessions locally -----
OPERATORS = (CognitoUserPoolAuthorizer("TsurOperators", provider_arns=[os.environ.get(
    "COGNITO_USER_POOL_ARN", "arn:aws:cognito-idp:eu-central-1:000000000000:userpool/set-by-infra")])
    if cognito_enabled() else None)


def _operator() -> Principal:
    request = _request()
    return operators.identify(deps(), request.headers.get("authorization"), request.context)


def _admin_case(case_id: str) -> Response:
    return json_response(admin.detail(deps(), _operator(), case_id))


def _body(model: type[M]) -> M:
    return parse_body(_request().raw_body, model)


@app.route("/v1/auth/login", methods=["POST"])
@api_errors
def operator_login() -> Response:
    return json_response(operators.login(deps(), _body(LoginIn)))


@app.route("/v1/admin/me", authorizer=OPERATORS)
@api_errors
def operator_me() -> Response:
    return json_response(_operator().public())


@app.route("/v1/admin/reference", authorizer=OPERATORS)
@api_errors
def admin_reference() -> Response:
    _operator()
    return json_response(reference.for_operators(deps().executors.values()))


@app.route("/v1/admin/cases", authorizer=OPERATORS)
@api_errors
def admin_cases() -> Response:
    return json_response(admin.search(deps(), _operator(), parse_query(_request().query_params, CaseQuery)))


@app.route("/v1/admin/moderation", authorizer=OPERATORS)
@api_errors
def admin_moderation() -> Response:
    return json_response(admin.moderation_queue(deps(), _operator()))


@app.route("/v1/admin/cases/{case_id}", authorizer=OPERATORS)
@api_errors
def admin_case(case_id: str) -> Response:
    return _admin_case(case_id)


@app.route("/v1/admin/cases/{case_id}/accept", methods=["POST"], authorizer=OPERATORS)
@api_errors
def admin_accept(case_id: str) -> Response:
    admin_actions.accept(deps(), _operator(), case_id)
    return _admin_case(case_id)


@app.route("/v1/admin/cases/{case_id}/category", methods=["POST"], authorizer=OPERATORS)
@api_errors
def admin_category(case_id: str) -> Response:
    admin_actions.choose_category(deps(), _operator(), case_id, _body(CategoryIn).category)
    return _admin_case(case_id)


@app.route("/v1/admin/cases/{case_id}/confirm-link", methods=["POST"], authorizer=OPERATORS)
@api_errors
def admin_confirm_link(case_id: str) -> Response:
    admin_actions.confirm_duplicate(deps(), _operator(), case_id)
    return _admin_case(case_id)


@app.route("/v1/admin/cases/{case_id}/unlink", methods=["POST"], authorizer=OPERATORS)
@api_errors
def admin_unlink(case_id: str) -> Response:
    admin_actions.unlink_duplicate(deps(), _operator(), case_id, _body(ReasonIn).reason)
    return _admin_case(case_id)


@app.route("/v1/admin/cases/{case_id}/reject", methods=["POST"], authorizer=OPERATORS)
@api_errors
def admin_reject(case_id: str) -> Response:
    admin_actions.reject(deps(), _operator(), case_id, _body(ReasonIn).reason)
    return _admin_case(case_id)


@app.route("/v1/admin/cases/{case_id}/clarify", methods=["POST"], authorizer=OPERATORS)
@api_errors
def admin_clarify(case_id: str) -> Response:
    admin_actions.clarify(deps(), _operator(), case_id, _body(QuestionIn).question)
    return _admin_case(case_id)


@app.route("/v1/admin/cases/{case_id}/reassign", methods=["POST"], authorizer=OPERATORS)
@api_errors
def admin_reassign(case_id: str) -> Response:
    body = _body(ReassignIn)
    admin_actions.reassign(deps(), _operator(), case_id, body.executor_id, body.reason)
    return _admin_case(case_id)


@app.route("/v1/admin/cases/{case_id}/publish", methods=["POST"], authorizer=OPERATORS)
@api_errors
def admin_publish(case_id: str) -> Response:
    admin_actions.publish(deps(), _operator(), case_id)
    return _admin_case(case_id)


@app.route("/v1/admin/cases/{case_id}/answers/{answer_id}/publish", methods=["POST"], authorizer=OPERATORS)
@api_errors
def admin_publish_interim(case_id: str, answer_id: str) -> Response:
    admin_actions.publish_interim(deps(), _operator(), case_id, answer_id)
    return _admin_case(case_id)


@app.route("/v1/admin/cases/{case_id}/return", methods=["POST"], authorizer=OPERATORS)
@api_errors
def admin_return(case_id: str) -> Response:
    admin_actions.send_back(deps(), _operator(), case_id, _body(ReasonIn).reason)
    return _admin_case(case_id)


@app.route("/v1/admin/cases/{case_id}/close", methods=["POST"], authorizer=OPERATORS)
@api_errors
def admin_close(case_id: str) -> Response:
    admin_actions.close(deps(), _operator(), case_id, _body(ReasonIn).reason)
    return _admin_case(case_id)


@app.route("/v1/admin/board", authorizer=OPERATORS)
@api_errors
def admin_board() -> Response:
    return json_response(analytics.board(deps(), _operator()))


@app.route("/v1/admin/heatmap", authorizer=OPERATORS)
@api_errors
def admin_heatmap() -> Response:
    query = parse_query(_request().query_params, HeatmapQuery)
    return json_response(analytics.heatmap(deps(), _operator(), query))


@app.route("/v1/admin/districts", authorizer=OPERATORS)
@api_errors
def admin_districts() -> Response:
    _operator()
    return json_response(reference.district_shapes())


@app.route("/v1/admin/deliveries", authorizer=OPERATORS)
@api_errors
def admin_deliveries() -> Response:
    return json_response(operations.deliveries_list(deps(), _operator(), parse_query(_request().query_params,
                                                                               DeliveryQuery)))


@app.route("/v1/admin/deliveries/{webhook_id}/replay", methods=["POST"], authorizer=OPERATORS)
@api_errors
def admin_replay_delivery(webhook_id: str) -> Response:
    return json_response(operations.replay_delivery(deps(), _operator(), webhook_id))


@app.route("/v1/admin/dlq", authorizer=OPERATORS)
@api_errors
def admin_dlq() -> Response:
    return json_response(operations.dead_letter_overview(deps(), _operator()))


@app.route("/v1/admin/dlq/{queue}", authorizer=OPERATORS)
@api_errors
def admin_dlq_messages(queue: str) -> Response:
    return json_response(operations.dead_letter_messages(deps(), _operator(), queue))


@app.route("/v1/admin/dlq/{queue}/redrive", methods=["POST"], authorizer=OPERATORS)
@api_errors
def admin_dlq_redrive(queue: str) -> Response:
    body = _body(RedriveIn)
    return json_response(operations.redrive(deps(), _operator(), queue, body.message_ids))


@app.route("/v1/admin/executors/{executor_id}/keys", methods=["POST"], authorizer=OPERATORS)
@api_errors
def admin_issue_executor_key(executor_id: str) -> Response:
    return json_response(operations.issue_executor_key(deps(), _operator(), executor_id, _body(ApiKeyIn).label), 201)


@app.route("/v1/admin/executors/{executor_id}/keys", authorizer=OPERATORS)
@api_errors
def admin_executor_keys(executor_id: str) -> Response:
    return json_response(operations.executor_key_list(deps(), _operator(), executor_id))


@app.route("/v1/admin/executors/{executor_id}/keys/{key_id}/revoke", methods=["POST"], authorizer=OPERATORS)
@api_errors
def admin_revoke_executor_key(executor_id: str, key_id: str) -> Response:
    return json_response(operations.revoke_executor_key(deps(), _operator(), executor_id, key_id))


def preflight(**_path: str) -> Response:
    return Response(body="", status_code=204)


for _number, _path in enumerate(preflight_paths(list(app.routes))):  # after every route above
    app.route(_path, methods=["OPTIONS"], name=f"preflight_{_number}")(preflight)


def _batch(event: SQSEvent, model: type[M], handle: Callable[[M], None]) -> dict[str, Any]:
    """Each record on its own; what the batch sends on goes out together at its end."""
    return process_batch(event, model, handle, deps().queue)


def _consume(event: SQSEvent, step: str, action: Action) -> dict[str, Any]:
    return _batch(event, StepMessage, lambda message: run_step(deps(), message, step, action))


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
    return _batch(event, NotifyMessage, lambda message: notify.consume(deps(), message))


@app.on_sqs_message(queue=queue_name("mail"), batch_size=10)
def on_mail(event: SQSEvent) -> dict[str, Any]:
    return _batch(event, mail.MailMessage, lambda message: mail.consume(deps(), message))


@app.schedule(Rate(1, unit=Rate.MINUTES))
def check_deadlines(event: Any) -> dict[str, int]:
    return deadlines.check_deadlines(deps())


@app.schedule(Rate(1, unit=Rate.MINUTES))
def sweep_pending(event: Any) -> dict[str, int]:
    return sweeper.sweep_pending(deps())


@app.schedule(Rate(1, unit=Rate.MINUTES))
def sweep_deliveries(event: Any) -> dict[str, int]:
    return deliveries.sweep_due(deps())


@app.schedule(Rate(15, unit=Rate.MINUTES))
def expire_waiting(event: Any) -> dict[str, int]:
    return resident.expire_waiting(deps())
