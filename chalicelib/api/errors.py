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
    "string_unicode": "Строка с недопустимыми символами (ожидается текст в Юникоде)",
    "string_not_ascii": "Допустимы только символы ASCII",
    "float_type": "Ожидается число",
    "float_parsing": "Ожидается число",
    "int_type": "Ожидается целое число",
    "int_parsing": "Ожидается целое число",
    "int_parsing_size": "Слишком большое число",
    "int_from_float": "Ожидается целое число, без дробной части",
    "finite_number": "Ожидается конечное число",
    "multiple_of": "Значение не кратно допустимому шагу",
    "bool_type": "Ожидается true или false",
    "bool_parsing": "Ожидается true или false",
    "list_type": "Ожидается список",
    "tuple_type": "Ожидается список",
    "set_type": "Ожидается список",
    "iterable_type": "Ожидается список",
    "model_type": "Ожидается объект",
    "model_attributes_type": "Ожидается объект",
    "dict_type": "Ожидается объект",
    "mapping_type": "Ожидается объект",
    "none_required": "Поле должно быть пустым (null)",
    "string_pattern_mismatch": "Неверный формат",
    "date_type": "Ожидается дата (ГГГГ-ММ-ДД)",
    "date_parsing": "Ожидается дата (ГГГГ-ММ-ДД)",
    "date_from_datetime_parsing": "Ожидается дата (ГГГГ-ММ-ДД)",
    "date_from_datetime_inexact": "Ожидается дата без времени",
    "datetime_type": "Ожидаются дата и время (ISO 8601)",
    "datetime_parsing": "Ожидаются дата и время (ISO 8601)",
    "datetime_from_date_parsing": "Ожидаются дата и время (ISO 8601)",
    "datetime_object_invalid": "Недопустимые дата и время",
    "time_type": "Ожидается время (ЧЧ:ММ)",
    "time_parsing": "Ожидается время (ЧЧ:ММ)",
    "timezone_naive": "Время должно быть без часового пояса",
    "timezone_aware": "Укажите часовой пояс",
    "uuid_type": "Ожидается UUID",
    "uuid_parsing": "Ожидается UUID",
    "url_type": "Ожидается адрес (URL)",
    "url_parsing": "Ожидается адрес (URL)",
    "url_syntax_violation": "Ожидается адрес (URL)",
    "url_scheme": "Недопустимая схема адреса",
    "json_invalid": "Некорректный JSON",
    "json_type": "Ожидается строка с JSON",
    "recursion_loop": "Слишком глубокая вложенность",
    "recursion_depth_exceeded": "Слишком глубокая вложенность",
    "union_tag_invalid": "Недопустимый тип объекта",
    "union_tag_not_found": "Не указан тип объекта",
}
FALLBACK = "Недопустимое значение"


def _message(error: Any) -> str:
    """A Russian message for a pydantic error; never pydantic's own English one (`msg`)."""
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind == "string_too_long":
        return f"Не длиннее {ctx.get('max_length')} символов"
    if kind in ("too_long", "too_short"):
        bound = ctx.get("max_length") if kind == "too_long" else ctx.get("min_length")
        return f"{'Не больше' if kind == 'too_long' else 'Не меньше'} {bound} элементов"
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        return "Значение вне допустимого диапазона"
    if kind == "value_error":  # raised by our validators, in Russian
        return str(ctx.get("error", FALLBACK))
    if kind in ("literal_error", "enum") and ctx.get("expected"):
        return f"Допустимые значения: {str(ctx['expected']).replace(' or ', ', ')}"
    return _MESSAGES.get(kind, FALLBACK)


def validation_failed(exc: ValidationError) -> ApiError:
    fields = [{"field": ".".join(str(p) for p in e["loc"]) or "body", "message": _message(e)}
              for e in exc.errors()]
    return ApiError(422, "validation_error", "Проверьте поля обращения", fields)


def bad_json(reason: str = "Некорректный JSON") -> ApiError:
    return ApiError(400, "bad_request", "Тело запроса должно быть JSON-объектом",
                    [{"field": "body", "message": reason}])


def bad_field(field: str, message: str, summary: str = "Проверьте параметры запроса") -> ApiError:
    return ApiError(422, "validation_error", summary, [{"field": field, "message": message}])
