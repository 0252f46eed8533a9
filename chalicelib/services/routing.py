"""Routing a case to its executor: the territory, the rule, the deadline; and changing it later.

- The pipeline's assign step: a duplicate of an open case nearby follows that case; otherwise the
  territory comes from the coordinates (the point in a district's shape) or from the municipality
  the resident chose, the router picks the executor (the case keeps the deciding rule) and the
  category's deadline is counted in the executor's time zone.
- An operator reassigns a case, with a reason (audited: who, when, from whom, to whom, why).
- An executor declines a case as not theirs: it goes back to the operators (`moderation`), never
  to the resident.
"""

from __future__ import annotations

from datetime import datetime

from chalicelib.api.errors import ApiError, bad_field
from chalicelib.domain.case import Assignment, Case
from chalicelib.domain.routing import NoRoute, RoutingDecision
from chalicelib.domain.routing_rules import OPERATOR_RULE, describe_rule
from chalicelib.domain.statuses import Status
from chalicelib.services import duplicates
from chalicelib.services.changes import change_case
from chalicelib.services.deps import Dependencies


def deadline_for(deps: Dependencies, case: Case, executor_id: str, now: datetime) -> datetime:
    """A new deadline for the case's category, counted in the executor's time zone from `now`, never
    past the case's legal term (30 days from receipt, plus the time it waited for the resident)."""
    assert case.classification is not None
    category = deps.rubricator.get(case.classification.category) or deps.rubricator.fallback_for(
        case.classification.sector)
    return category.deadline.due(now, deps.executors[executor_id].tz, cap=case.legal_deadline)


def territory_of(deps: Dependencies, case: Case) -> tuple[str | None, str]:
    """The case's district, and where it came from: "coordinates", "resident" or "none"."""
    return deps.territories.territory_of(case.lat, case.lon, case.municipality)


def route(deps: Dependencies, case: Case) -> tuple[RoutingDecision, str | None]:
    """The routing decision for a classified case and the territory it used (NoRoute if none), by the
    rules in force (`Dependencies.routing`: loaded by an operator, else the region file's)."""
    assert case.classification is not None
    territory, _ = territory_of(deps, case)
    decision = deps.routing().router.route_category(case.classification.category, territory,
                                                    sector=case.classification.sector)
    return decision, territory


def assign_step(deps: Dependencies, case: Case, now: datetime) -> str | None:
    """The pipeline's assign step; returns the next step (notify) or None."""
    assert case.classification is not None
    _note_territory(deps, case, territory_of(deps, case)[0], now)  # a linked case has its district too
    if duplicates.link_if_duplicate(deps, case, now):
        return None
    category = deps.rubricator.get(case.classification.category)
    if category is None:
        case.send_to_moderation(now, "Категория отсутствует в рубрикаторе")
        return None
    try:
        decision, territory = route(deps, case)
    except NoRoute:
        case.send_to_moderation(now, "Нет правила маршрутизации")
        return None
    _note_territory(deps, case, territory, now)
    active = deps.routing()
    executor = active.region.executors[decision.executor_id]
    deadline = category.deadline.due(now, executor.tz, cap=case.legal_deadline)
    rule = describe_rule(decision.rule, active.region, deps.rubricator)
    case.assign(Assignment(executor.id, deadline, decision.rule.id, territory), now,
                reason=f"Срок ответа: {category.deadline.describe().rstrip('.')}. {rule}",
                details={"rule": decision.rule.id, "rule_text": rule, "rules_version": active.version or 0})
    return "notify"


def _note_territory(deps: Dependencies, case: Case, territory: str | None, now: datetime) -> None:
    """Record a district found from the coordinates; fill it in if the resident gave none."""
    if territory is None or territory == case.municipality:
        return
    municipality = deps.region.municipalities.get(territory)
    case.note(now, "territory", f"Район по координатам: {municipality.name if municipality else territory}",
              territory=territory, resident_municipality=case.municipality)
    if case.municipality is None:
        case.municipality = territory


def reassign(deps: Dependencies, case_id: str, executor_id: str | None, reason: str, actor: str) -> Case:
    """An operator hands the case to another executor (or, with None, to the one the rules pick now,
    say after fixing its category). The new executor gets a full deadline and a webhook."""
    if not reason.strip():
        raise bad_field("reason", "Укажите причину", "Проверьте поля назначения")
    if executor_id is not None and executor_id not in deps.executors:
        raise bad_field("executor_id", "Неизвестный исполнитель", "Проверьте поля назначения")

    def hand_over(case: Case, now: datetime) -> None:
        if case.classification is None:
            raise ApiError(409, "no_category", "Сначала укажите тему обращения")
        target, rule, territory = _target(deps, case, executor_id)
        previous = case.executor_id
        if previous == target and case.status is Status.ASSIGNED:
            raise ApiError(409, "same_executor", "Обращение уже назначено этому исполнителю")
        case.assign(Assignment(target, deadline_for(deps, case, target, now), rule, territory), now,
                    actor=actor, reason=reason)
        case.note(now, "reassigned", reason, actor=actor, from_executor=previous, to_executor=target, rule=rule)
        case.await_step("notify", now)

    return change_case(deps, case_id, lambda case: True, hand_over)


def _target(deps: Dependencies, case: Case, executor_id: str | None) -> tuple[str, str, str | None]:
    if executor_id is not None:
        territory = case.assignment.territory if case.assignment else territory_of(deps, case)[0]
        return executor_id, OPERATOR_RULE, territory
    try:
        decision, territory = route(deps, case)
    except NoRoute as exc:
        raise ApiError(409, "no_route", "Нет правила маршрутизации: укажите исполнителя") from exc
    return decision.executor_id, decision.rule.id, territory


def decline(deps: Dependencies, executor_id: str, case_id: str, reason: str) -> Case:
    """The executor says the case is not theirs; only its own open case (others: 404)."""
    if not reason.strip():
        raise bad_field("reason", "Укажите причину", "Проверьте поля отказа")
    return change_case(deps, case_id, lambda case: case.executor_id == executor_id,
                       lambda case, now: case.decline(now, f"executor:{executor_id}", reason))
