"""The app's log lines, as CloudWatch would get them: JSON, one appeal followed by its ids, no personal data."""

from __future__ import annotations

import json
import logging

import pytest

import app as tsur_app
from chalicelib.api.schemas import AppealIn
from chalicelib.observability import get_logger
from chalicelib.services import intake

TEXT = "Во дворе дома 5 по Невскому проспекту не вывозят мусор, контейнеры переполнены"
CONTACT = {"name": "Пётр Смирнов", "email": "petr.smirnov@example.org", "phone": "+7 921 555-44-33"}


@pytest.fixture(autouse=True)
def info_level():
    """As in Lambda: INFO and up (operators' commands run in-process elsewhere turn it down)."""
    logger = get_logger()
    level = logger.level
    logger.setLevel(logging.INFO)
    yield
    logger.setLevel(level)


def sqs_event(step: str, messages: list[dict[str, str]]) -> dict:
    """An SQS event as Lambda passes it to the handler."""
    records = [{"messageId": f"m{i}", "body": json.dumps(m), "receiptHandle": f"r{i}", "attributes": {},
                "messageAttributes": {}, "eventSourceARN": f"arn:aws:sqs:eu-central-1:000000000000:{step}"}
               for i, m in enumerate(messages)]
    return {"Records": records}


def log_lines(captured: str) -> list[dict]:
    return [json.loads(line) for line in captured.splitlines() if line.strip()]


def test_each_step_logs_json_with_the_case_and_correlation_ids_and_no_personal_data(fake_deps, capsys):
    appeal = AppealIn.model_validate({"text": TEXT, "municipality": "nevsky", "contact": CONTACT, "consent": True})
    accepted = intake.submit_appeal(fake_deps, appeal)
    handlers = {"intake": tsur_app.on_intake, "classify": tsur_app.on_classify, "assign": tsur_app.on_assign,
                "notify": tsur_app.on_notify, "mail": tsur_app.on_mail}
    for _ in range(20):  # deliver every queued message to the app's own SQS handler
        if not fake_deps.queue.sent:
            break
        step, message = fake_deps.queue.sent.pop(0)
        assert handlers[step](sqs_event(step, [message]), None) == {"batchItemFailures": []}

    captured = capsys.readouterr().out
    lines = log_lines(captured)
    case = fake_deps.cases.get(accepted.id)
    about_case = [line for line in lines if line.get("case_id") == accepted.id]
    assert {line.get("step") for line in about_case} >= {"intake", "classify", "assign", "deliver"}
    assert {line["correlation_id"] for line in about_case} == {case.correlation_id}
    assert all({"ts", "level", "msg"} <= set(line) for line in lines)
    for secret in (TEXT[:20], "Смирнов", "petr.smirnov", "555-44-33", accepted.token):
        assert secret not in captured


def test_a_poison_message_is_logged_as_json_without_its_body(fake_deps, capsys):
    result = tsur_app.on_classify(sqs_event("classify", [{"case_id": "Пётр Смирнов +79215554433"}]), None)
    assert result == {"batchItemFailures": [{"itemIdentifier": "m0"}]}
    (line,) = log_lines(capsys.readouterr().out)
    assert (line["level"], line["message_id"]) == ("ERROR", "m0")
    assert "Смирнов" not in json.dumps(line, ensure_ascii=False)
