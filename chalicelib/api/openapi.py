"""The OpenAPI 3.1 document of the HTTP API, built from the routes Chalice knows and the pydantic models
that validate the requests: no hand-written copy of a schema that could drift from the code.

`OPERATIONS` names, per view function, what the route reads (body model, query model), who may call it
and what it answers on success. A route missing from it still appears (the test suite fails until it
is described here).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from chalicelib.api import admin_schemas as admin
from chalicelib.api import schemas as public
from chalicelib.api.vk import VkCallbackIn

OPENAPI_PATH = "/openapi.json"
OPENAPI_V1_PATH = "/v1/openapi.json"  # where it was served first; kept for the clients that read it there
TRACKING, EXECUTOR, OPERATOR = "trackingToken", "executorKey", "operatorBearer"


@dataclass(frozen=True)
class Operation:
    summary: str
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    security: str | None = None
    status: int = 200
    reply: type[BaseModel] | None = None
    text_reply: bool = False
    headers: type[BaseModel] | None = None


OPERATIONS: dict[str, Operation] = {
    "health": Operation("Проверка работоспособности"),
    "openapi_document": Operation("Этот документ OpenAPI"),
    "openapi_document_v1": Operation("Этот документ OpenAPI (прежний адрес)"),
    "list_sectors": Operation("Сферы для виджета"),
    "list_municipalities": Operation("Районы для виджета"),
    "list_districts": Operation("Карта районов (SVG-пути) для выбора точки"),
    "submit_appeal": Operation("Подать обращение", body=public.AppealIn, status=202, reply=public.AppealAccepted,
                               headers=public.AppealHeaders),
    "get_appeal": Operation("Статус обращения для жителя", security=TRACKING),
    "clarify_appeal": Operation("Уточнение от жителя", body=public.ResidentClarificationIn, security=TRACKING),
    "rate_answer": Operation("Оценка ответа", body=public.RatingIn, security=TRACKING),
    "reopen_appeal": Operation("Повторное открытие", body=public.ReopenIn, security=TRACKING),
    "presign_resident_upload": Operation("Загрузка фото жителя", body=public.UploadRequest, status=201),
    "vk_callback": Operation("VK Callback API", body=VkCallbackIn, text_reply=True),
    "executor_cases": Operation("Обращения исполнителя", query=public.CaseListQuery, security=EXECUTOR),
    "executor_case": Operation("Обращение исполнителя", security=EXECUTOR),
    "executor_ack": Operation("Взять в работу", security=EXECUTOR),
    "executor_answer": Operation("Ответ исполнителя", body=public.AnswerIn, security=EXECUTOR),
    "executor_clarification": Operation("Запрос уточнения", body=public.ClarificationIn, security=EXECUTOR),
    "executor_decline": Operation("Отказ: не наше обращение", body=public.DeclineIn, security=EXECUTOR),
    "executor_upload": Operation("Вложение исполнителя", body=public.UploadRequest, security=EXECUTOR, status=201),
    "operator_login": Operation("Вход оператора", body=admin.LoginIn),
    "operator_me": Operation("Текущий оператор", security=OPERATOR),
    "admin_reference": Operation("Справочники", security=OPERATOR),
    "admin_cases": Operation("Поиск обращений", query=admin.CaseQuery, security=OPERATOR),
    "admin_moderation": Operation("Очередь модерации", security=OPERATOR),
    "admin_case": Operation("Карточка обращения", security=OPERATOR),
    "admin_accept": Operation("Принять с модерации", security=OPERATOR),
    "admin_category": Operation("Выбрать категорию", body=admin.CategoryIn, security=OPERATOR),
    "admin_confirm_link": Operation("Подтвердить объединение с открытым обращением", security=OPERATOR),
    "admin_unlink": Operation("Разъединить: рассматривать отдельно", body=admin.ReasonIn, security=OPERATOR),
    "admin_reject": Operation("Отклонить", body=admin.ReasonIn, security=OPERATOR),
    "admin_clarify": Operation("Запросить уточнение", body=admin.QuestionIn, security=OPERATOR),
    "admin_reassign": Operation("Переназначить", body=admin.ReassignIn, security=OPERATOR),
    "admin_publish": Operation("Опубликовать ответ", security=OPERATOR),
    "admin_publish_interim": Operation("Опубликовать задержанный промежуточный ответ", security=OPERATOR),
    "admin_return": Operation("Вернуть ответ", body=admin.ReasonIn, security=OPERATOR),
    "admin_close": Operation("Закрыть", body=admin.ReasonIn, security=OPERATOR),
    "admin_board": Operation("Сводка", security=OPERATOR),
    "admin_heatmap": Operation("Тепловая карта", query=admin.HeatmapQuery, security=OPERATOR),
    "admin_districts": Operation("Границы районов", security=OPERATOR),
    "admin_deliveries": Operation("Доставки вебхуков", query=admin.DeliveryQuery, security=OPERATOR),
    "admin_replay_delivery": Operation("Повторить доставку", security=OPERATOR),
    "admin_dlq": Operation("Очереди недоставленных", security=OPERATOR),
    "admin_dlq_messages": Operation("Сообщения очереди недоставленных", security=OPERATOR),
    "admin_dlq_redrive": Operation("Вернуть сообщения в работу", body=admin.RedriveIn, security=OPERATOR),
    "admin_issue_executor_key": Operation("Выдать API-ключ исполнителю (показывается один раз)", body=admin.ApiKeyIn,
                                          security=OPERATOR, status=201, reply=admin.IssuedApiKeyOut),
    "admin_executor_keys": Operation("API-ключи исполнителя (без самих ключей)", security=OPERATOR,
                                     reply=admin.ApiKeysOut),
    "admin_revoke_executor_key": Operation("Отозвать API-ключ исполнителя", security=OPERATOR, reply=admin.ApiKeyOut),
}
# Operations are grouped for people (the page web/api/ follows the tags, in this order) ...
TAGS = {
    "Жители и виджет": "Подача обращения, статус по ссылке, уточнение, оценка, повторное открытие",
    "Исполнители": "API исполнителей: свои обращения, ответы, уточнения, вложения",
    "Операторы": "Рабочее место оператора ЦУР: вход, модерация, работа с обращениями, аналитика",
    "Соцсети": "Инцидент Менеджмент: события VK Callback API",
    "Служебные": "Проверка работоспособности и этот документ",
}
# ... by the first prefix of the path that matches.
TAG_PREFIXES = (("/v1/executor/", "Исполнители"), ("/v1/admin/", "Операторы"), ("/v1/auth/", "Операторы"),
                ("/v1/social/", "Соцсети"), ("/v1/", "Жители и виджет"), ("/", "Служебные"))
_AUTH_ERRORS = {TRACKING: ("404",), EXECUTOR: ("401", "404"), OPERATOR: ("401", "403", "404")}

SECURITY_SCHEMES = {
    TRACKING: {"type": "apiKey", "in": "header", "name": "X-Tracking-Token",
               "description": "Токен отслеживания из ответа на подачу (или ?token=)"},
    EXECUTOR: {"type": "http", "scheme": "bearer", "description": "API-ключ исполнителя tsk_…"},
    OPERATOR: {"type": "http", "scheme": "bearer",
               "description": "Сессия оператора (локально) или токен Cognito (в AWS)"},
}
ERROR_SCHEMA = {
    "type": "object", "required": ["error", "message", "fields"], "additionalProperties": False,
    "properties": {
        "error": {"type": "string"}, "message": {"type": "string"},
        "fields": {"type": "array", "items": {
            "type": "object", "required": ["field", "message"],
            "properties": {"field": {"type": "string"}, "message": {"type": "string"}}}},
    },
}


def _models() -> list[type[BaseModel]]:
    found = {m for op in OPERATIONS.values() for m in (op.body, op.reply) if m is not None}
    return sorted(found, key=lambda m: m.__name__)


def _component_schemas() -> dict[str, Any]:
    _, top = models_json_schema([(model, "validation") for model in _models()],
                                ref_template="#/components/schemas/{model}")
    return {**top.get("$defs", {}), "Error": ERROR_SCHEMA}


def _ref(model: type[BaseModel]) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def _parameters(model: type[BaseModel], where: str) -> list[dict[str, Any]]:
    """The fields of a query or headers model as OpenAPI parameters (`where`: "query" or "header")."""
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    required = set(schema.get("required", []))
    return [{"name": name, "in": where, "required": name in required,
             "schema": _present(prop) if where == "header" else prop}
            for name, prop in schema.get("properties", {}).items()]


def _present(prop: dict[str, Any]) -> dict[str, Any]:
    """An optional header is absent, never null: its schema without the `null` branch."""
    branches = [b for b in prop.get("anyOf", []) if b.get("type") != "null"]
    return {**branches[0], "title": prop.get("title", "")} if len(branches) == 1 else prop


def _error(description: str) -> dict[str, Any]:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def _success(op: Operation) -> dict[str, Any]:
    if op.status == 204:
        return {"description": "Нет содержимого"}
    if op.text_reply:
        return {"description": "OK", "content": {"text/plain": {"schema": {"type": "string"}}}}
    schema = _ref(op.reply) if op.reply else {}
    return {"description": "OK", "content": {"application/json": {"schema": schema}}}


def _responses(op: Operation) -> dict[str, Any]:
    responses = {str(op.status): _success(op)}
    if op.body or op.query:
        responses.update({"400": _error("Тело не JSON-объект"), "413": _error("Слишком большой запрос"),
                          "422": _error("Ошибки в полях: по сообщению на поле")})
    for status in _AUTH_ERRORS.get(op.security or "", ()):
        responses[status] = _error("Нет доступа или не найдено")
    responses["429"] = _error("Слишком много запросов: повторите через Retry-After секунд")
    responses["4XX"] = _error("Другие ошибки клиента, в том же виде")
    return responses


def _tag(path: str) -> str:
    return next(name for prefix, name in TAG_PREFIXES if path.startswith(prefix))


def _operation(view_name: str, path: str, method: str) -> dict[str, Any]:
    if method == "OPTIONS":
        op = Operation("CORS preflight", status=204)
    else:
        op = OPERATIONS.get(view_name, Operation(f"{view_name} (не описан)"))
    result: dict[str, Any] = {"operationId": view_name, "summary": op.summary, "tags": [_tag(path)],
                              "responses": _responses(op)}
    parameters = [{"name": part[1:-1], "in": "path", "required": True, "schema": {"type": "string"}}
                  for part in path.split("/") if part.startswith("{")]
    if op.headers:
        parameters += _parameters(op.headers, "header")
    if op.query:
        parameters += _parameters(op.query, "query")
    if parameters:
        result["parameters"] = parameters
    if op.body:
        result["requestBody"] = {"required": True, "content": {"application/json": {"schema": _ref(op.body)}}}
    result["security"] = [{op.security: []}] if op.security else []
    return result


def build_document(routes: dict[str, dict[str, Any]], version: str = "1") -> dict[str, Any]:
    """`routes` is Chalice's `app.routes`: path → method → route entry (with `view_name`)."""
    paths = {path: {method.lower(): _operation(entry.view_name, path, method)
                    for method, entry in sorted(methods.items())}
             for path, methods in sorted(routes.items())}
    return {
        "openapi": "3.1.0",
        "info": {"title": "ЦУР: обращения жителей (tsur)", "version": version,
                 "description": "Ошибки клиента: JSON {error, message, fields: [{field, message}]}"},
        "tags": [{"name": name, "description": text} for name, text in TAGS.items()],
        "paths": paths,
        "components": {"schemas": _component_schemas(), "securitySchemes": SECURITY_SCHEMES},
    }
