"""Turning bad input into clear 4xx answers with a message per field, in Russian."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError


class ApiError(Exception):
    """An error the client can fix; `app.py` turns it into a JSON response."""

    def __init__(self, status: int, code: str, message: str, fields: list[dict[str, str]] | None = None
                 ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.fields = fields or []

    def body(self) -> dict[str, Any]:
        return {"error": self.code, "message": self.message, "fields": self.fields}


_MESSAGES = {
    "missing": "Обязательное поле",
    "extra_forbidden": "Неизвестное поле",
    "string_too_short": "Поле не может быть пустым",
    "string_type": "Ожидается строка",
    "float_type": "Ожидается число",
    "float_parsing": "Ожидается число",
    "int_type": "Ожидается целое число",
    "finite_number": "Ожидается конечное число",
    "bool_type": "Ожидается true или false",
    "list_type": "Ожидается список",
    "model_type": "Ожидается объект",
    "dict_type": "Ожидается объект",
    "string_pattern_mismatch": "Неверный формат",
    "literal_error": "Недопустимое значение",
    "enum": "Недопустимое значение",
}


def _message(error: Any) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind == "string_too_long":
        return f"Не длиннее {ctx.get('max_length')} символов"
    if kind == "too_long":
        return f"Не больше {ctx.get('max_length')} элементов"
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        return "Значение вне допустимого диапазона"
    if kind == "value_error":
        return str(ctx.get("error", error["msg"]))
    if kind == "literal_error":
        return f"Допустимые значения: {ctx.get('expected')}"
    return _MESSAGES.get(kind, error["msg"])


def validation_failed(exc: ValidationError) -> ApiError:
    fields = [{"field": ".".join(str(p) for p in e["loc"]) or "body", "message": _message(e)}
              for e in exc.errors()]
    return ApiError(422, "validation_error", "Проверьте поля обращения", fields)


def bad_json() -> ApiError:
    return ApiError(400, "bad_request", "Тело запроса должно быть JSON-объектом",
                    [{"field": "body", "message": "Некорректный JSON"}])


def bad_field(field: str, message: str, summary: str = "Проверьте параметры запроса") -> ApiError:
    return ApiError(422, "validation_error", summary, [{"field": field, "message": message}])
