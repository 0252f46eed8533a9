"""Every operators' route × every role: a forbidden request gets 403 or 404 and changes nothing.

One world per test, on fakes: cases in every state an action needs (in Nevsky, sector `waste`, executor
adm_nevsky), a parked webhook delivery and a message in the notify dead-letter queue. The region operator's
request is made too, and must succeed: the refusals are refusals of an action that would have worked.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from typing import Any

import pytest

from app import app
from chalicelib.adapters.ports import DeadLetter
from chalicelib.api.schemas import AnswerIn
from chalicelib.domain.case import Classification
from chalicelib.services import answers, executor_api, executor_keys
from tests.unit.operators import session, submit
from tests.unit.test_pipeline import drain
from tests.unit.test_webhook_delivery import run_until_parked

GARBAGE = "Во дворе дома {n} не вывозят мусор, контейнеры переполнены"
NEVSKY = {"lat": 59.9037, "lon": 30.4736}  # пр. Большевиков
ANSWER = ("Мусор во дворе дома вывезен 24.11.2026: подрядчик убрал площадку, контейнеры заменены, "
          "вывоз проверен инспектором районной администрации.")

# Who tries: nobody here may touch the world's cases except the region operator (and read: their executor).
OUTSIDERS = {"kirovsky": "municipal operator of another district", "roads": "curator of other sectors",
             "adm_kirovsky": "executor of another executor", "governor": "head"}
CASE_EXECUTOR = "adm_nevsky"
ROLES = ["operator", *OUTSIDERS, CASE_EXECUTOR]


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # {moderation}, {linked}, {assigned}, {answered}, {published}, {delivery}: the world's ids
    body: dict[str, Any] | None = None
    refused: dict[str, tuple[int, ...]] | None = None  # role → allowed refusal statuses; others must succeed
    hidden: str | None = None  # a listing: the role gets 200 but the world's case `hidden` must not be in it


NOT_THEIRS = (404,)
NO_ROLE = (403,)
# Case work: out of scope is 404; a role that may not act is 403 (or 404 when it cannot even see the case).
CASE_WRITE = {"kirovsky": NOT_THEIRS, "roads": NOT_THEIRS, "adm_kirovsky": (403, 404), "governor": NO_ROLE,
              CASE_EXECUTOR: NO_ROLE}
CASE_READ = {"kirovsky": NOT_THEIRS, "roads": NOT_THEIRS, "adm_kirovsky": NOT_THEIRS, "governor": NO_ROLE}
REGION_ONLY = {role: NO_ROLE for role in [*OUTSIDERS, CASE_EXECUTOR]}
DASHBOARDS = {"adm_kirovsky": NO_ROLE, CASE_EXECUTOR: NO_ROLE}
LISTING = {"governor": NO_ROLE}

ROUTES = [
    Route("GET", "/v1/admin/me"), Route("GET", "/v1/admin/reference"), Route("GET", "/v1/admin/districts"),
    Route("GET", "/v1/admin/cases", refused=LISTING, hidden="assigned"),
    Route("GET", "/v1/admin/cases?municipality=nevsky", refused=LISTING, hidden="assigned"),
    Route("GET", "/v1/admin/cases?municipality=nevsky&status=moderation", refused=LISTING, hidden="moderation"),
    Route("GET", "/v1/admin/moderation", refused=LISTING, hidden="moderation"),
    Route("GET", "/v1/admin/cases/{assigned}", refused=CASE_READ),
    Route("POST", "/v1/admin/cases/{moderation}/accept", refused=CASE_WRITE),
    Route("POST", "/v1/admin/cases/{moderation}/category", {"category": "waste.collection"}, CASE_WRITE),
    Route("POST", "/v1/admin/cases/{moderation}/reject", {"reason": "Спам"}, CASE_WRITE),
    Route("POST", "/v1/admin/cases/{moderation}/clarify", {"question": "Какой дом?"}, CASE_WRITE),
    Route("POST", "/v1/admin/cases/{linked}/confirm-link", refused=CASE_WRITE),
    Route("POST", "/v1/admin/cases/{linked}/unlink", {"reason": "Другой двор"}, CASE_WRITE),
    Route("POST", "/v1/admin/cases/{assigned}/reassign", {"executor_id": "adm_kirovsky", "reason": "Не их"},
          CASE_WRITE),
    Route("POST", "/v1/admin/cases/{answered}/publish", refused=CASE_WRITE),
    Route("POST", "/v1/admin/cases/{working}/answers/{held}/publish", refused=CASE_WRITE),
    Route("POST", "/v1/admin/cases/{answered}/return", {"reason": "Нет фото"}, CASE_WRITE),
    Route("POST", "/v1/admin/cases/{published}/close", {"reason": "Решено"}, CASE_WRITE),
    Route("GET", "/v1/admin/board", refused=DASHBOARDS),
    Route("GET", "/v1/admin/heatmap?sector=waste", refused={**DASHBOARDS, "roads": NO_ROLE}),
    Route("GET", "/v1/admin/deliveries", refused=REGION_ONLY),
    Route("POST", "/v1/admin/deliveries/{delivery}/replay", refused=REGION_ONLY),
    Route("GET", "/v1/admin/dlq", refused=REGION_ONLY),
    Route("GET", "/v1/admin/dlq/{queue}", refused=REGION_ONLY),
    Route("POST", "/v1/admin/dlq/{queue}/redrive", {"message_ids": ["m1"]}, REGION_ONLY),
    Route("POST", "/v1/admin/executors/{executor}/keys", {"label": "учётная система"}, REGION_ONLY),
    Route("GET", "/v1/admin/executors/{executor}/keys", refused=REGION_ONLY),
    Route("POST", "/v1/admin/executors/{executor}/keys/{key}/revoke", refused=REGION_ONLY),
]


def _shape(method: str, path: str) -> str:
    """`POST /v1/admin/cases/{}/accept`: the route a request goes to, whatever its ids and query."""
    return f"{method} {re.sub(r'{[^}]+}', '{}', path.split('?')[0])}"


@pytest.fixture
def world(admin_client, fake_deps) -> dict[str, Any]:
    deps = fake_deps
    deps.settings = replace(deps.settings, answer_review="operator")
    vague = submit(deps, "Прошу разобраться с ситуацией около дома номер семь", municipality="nevsky")
    moderated = deps.cases.get(vague)
    moderated.classification = Classification("waste", "waste.collection", 0.4, "model")  # low confidence
    deps.cases.save(moderated)
    assigned = submit(deps, GARBAGE.format(n=12), **NEVSKY)
    linked = submit(deps, GARBAGE.format(n=12) + ", опять", lat=NEVSKY["lat"] + 0.0005, lon=NEVSKY["lon"])
    answered, published = (submit(deps, GARBAGE.format(n=n), municipality="nevsky") for n in (30, 40))
    for case_id in (answered, published):
        executor_api.post_answer(deps, CASE_EXECUTOR, case_id, AnswerIn(kind="final", text=ANSWER))
    answers.confirm(deps, published, "operator:setup")
    working = submit(deps, GARBAGE.format(n=60), municipality="nevsky")
    held = executor_api.post_answer(deps, CASE_EXECUTOR, working, AnswerIn(
        kind="interim", text="Ваше обращение находится на рассмотрении.")).answers[-1]
    drain(deps)
    deps.webhooks.status, deps.rng = 500, lambda: 0.5
    parked = submit(deps, GARBAGE.format(n=50), municipality="nevsky")
    run_until_parked(deps, deps.clock)
    deps.dead_letters.parked["notify"].append(DeadLetter("m1", json.dumps({"case_id": parked, "step": "notify"}),
                                                         None, 5))
    key = executor_keys.issue(deps, CASE_EXECUTOR, "система района").record.key_id
    ids = {"key": key, "executor": CASE_EXECUTOR, "moderation": vague, "assigned": assigned, "linked": linked,
           "answered": answered, "published": published, "working": working, "held": held.id,
           "delivery": deps.deliveries.of_case(parked)[0].id, "queue": "notify"}
    assert deps.cases.get(linked).status.value == "linked" and deps.cases.get(answered).status.value == "answered"
    assert deps.deliveries.of_case(parked)[0].status.value == "parked"
    return {"client": admin_client, "deps": deps, "ids": ids,
            "cases": [vague, assigned, linked, answered, published, parked, working]}


def snapshot(world: dict[str, Any]) -> dict[str, Any]:
    """Everything a request could change: cases (version, status, history), queues, deliveries, DLQs."""
    deps, repo = world["deps"], world["deps"].cases
    cases = {i: (c.version, c.status, len(repo.events(i)), c.linked_cases)
             for i, c in ((i, repo.get(i)) for i in world["cases"])}
    delivered = {d.id: (d.version, d.status) for i in world["cases"] for d in deps.deliveries.of_case(i)}
    return {"cases": cases, "deliveries": delivered, "queued": len(deps.queue.sent),
            "parked": {k: len(v) for k, v in deps.dead_letters.parked.items()},
            "redriven": {k: len(v) for k, v in deps.dead_letters.redriven.items()},
            "training": len(deps.training.all()),
            "keys": [(k.key_id, k.active) for k in deps.api_keys.of_executor(CASE_EXECUTOR)]}


def call(world, route: Route, role: str) -> Any:
    path = route.path.format(**world["ids"])
    headers = session(world["deps"], role)
    body = json.dumps(route.body or {}) if route.method == "POST" else None
    return world["client"].http.request(route.method, path, headers=headers, body=body)


def test_the_table_has_every_operators_route() -> None:
    routes = {_shape(method, path) for path, methods in app.routes.items() if path.startswith("/v1/admin/")
              for method in methods if method != "OPTIONS"}
    assert routes == {_shape(r.method, r.path) for r in ROUTES}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", ROUTES, ids=lambda r: f"{r.method} {r.path}")
def test_a_forbidden_request_is_refused_and_changes_nothing(world, route: Route, role: str) -> None:
    before = snapshot(world)
    response = call(world, route, role)
    refusals = (route.refused or {}).get(role)
    if refusals:
        assert response.status_code in refusals, (role, response.status_code, response.body)
        assert snapshot(world) == before
        return
    assert 200 <= response.status_code < 300, (role, response.status_code, response.body)
    if route.hidden and role != "operator":
        listed = {c["id"] for c in response.json_body["cases"]}
        hidden = world["ids"][route.hidden]
        visible_to_executor = role == CASE_EXECUTOR and route.hidden == "assigned"
        assert (hidden in listed) is visible_to_executor, (role, route.path)
        assert snapshot(world) == before
    elif route.method == "POST":
        assert snapshot(world) != before  # the region operator's request did something
