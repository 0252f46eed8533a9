"""Operators of every role for the admin API's tests, and how they sign in through the test client."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from chalicelib.api.schemas import AppealIn
from chalicelib.auth.operators import Principal, Role, issue_session
from chalicelib.services import intake
from chalicelib.services.deps import Dependencies
from tests.unit.test_pipeline import drain

USERS = {
    "operator": Principal("operator", Role.REGION_OPERATOR, "Оператор"),
    "nevsky": Principal("nevsky", Role.MUNICIPAL_OPERATOR, "Невский", municipality="nevsky"),
    "kirovsky": Principal("kirovsky", Role.MUNICIPAL_OPERATOR, "Кировский", municipality="kirovsky"),
    "tsentralny": Principal("tsentralny", Role.MUNICIPAL_OPERATOR, "Центральный", municipality="tsentralny"),
    "roads": Principal("roads", Role.SECTOR_CURATOR, "Дороги", sectors=("roads",)),
    "landscaping": Principal("landscaping", Role.SECTOR_CURATOR, "Благоустройство", sectors=("landscaping",)),
    "waste": Principal("waste", Role.SECTOR_CURATOR, "Отходы", sectors=("waste",)),
    "adm_nevsky": Principal("adm_nevsky", Role.EXECUTOR, "Исполнитель", executor_id="adm_nevsky"),
    "adm_kirovsky": Principal("adm_kirovsky", Role.EXECUTOR, "Исполнитель", executor_id="adm_kirovsky"),
    "governor": Principal("governor", Role.HEAD, "Руководитель"),
}
PASSWORD = "correct horse"


def login(client: Any, username: str) -> dict[str, str]:
    response = client.http.post("/v1/auth/login", headers={"Content-Type": "application/json"},
                                body=json.dumps({"username": username, "password": PASSWORD}))
    assert response.status_code == 200, response.body
    return {"Authorization": f"Bearer {response.json_body['token']}", "Content-Type": "application/json"}


def session(deps: Dependencies, username: str) -> dict[str, str]:
    """The headers of a signed-in user, without the (slow, deliberately) password check of `login`."""
    token = issue_session(USERS[username], deps.settings.session_secret, deps.clock() + timedelta(hours=1))
    return {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}


def submit(deps: Dependencies, text: str, **fields: Any) -> str:
    accepted = intake.submit_appeal(deps, AppealIn(text=text, **fields))
    drain(deps)
    return accepted.id
