"""Case statuses and the transitions allowed between them: defined here once, enforced by `Case`."""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    RECEIVED = "received"
    MODERATION = "moderation"
    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    CLARIFICATION = "clarification"  # waiting for the resident to clarify; the deadline clock is paused
    ANSWERED = "answered"
    RETURNED = "returned"
    PUBLISHED = "published"
    REOPENED = "reopened"
    CLOSED = "closed"
    REJECTED = "rejected"
    LINKED = "linked"  # a duplicate: the resident follows the open case it was linked to


STATUS_LABELS: dict[Status, str] = {
    Status.RECEIVED: "Принято",
    Status.MODERATION: "На модерации",
    Status.ASSIGNED: "Назначено исполнителю",
    Status.IN_PROGRESS: "В работе",
    Status.CLARIFICATION: "Запрошено уточнение у заявителя",
    Status.ANSWERED: "Получен ответ, идёт проверка",
    Status.RETURNED: "Ответ возвращён исполнителю на доработку",
    Status.PUBLISHED: "Ответ опубликован",
    Status.REOPENED: "Открыто повторно",
    Status.CLOSED: "Закрыто",
    Status.REJECTED: "Отклонено",
    Status.LINKED: "Объединено с обращением о той же проблеме",
}

ALLOWED_TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.RECEIVED: frozenset({Status.MODERATION, Status.ASSIGNED, Status.REJECTED, Status.LINKED}),
    # From moderation an operator assigns (possibly after fixing the category), rejects or links a duplicate.
    # An operator may also ask the resident to clarify before deciding.
    Status.MODERATION: frozenset({Status.ASSIGNED, Status.REJECTED, Status.LINKED, Status.CLARIFICATION}),
    # An executor that declines a case sends it back to moderation, never to the resident.
    Status.ASSIGNED: frozenset({Status.IN_PROGRESS, Status.ANSWERED, Status.MODERATION, Status.CLARIFICATION,
                                Status.ASSIGNED}),
    Status.IN_PROGRESS: frozenset({Status.ANSWERED, Status.MODERATION, Status.CLARIFICATION, Status.ASSIGNED}),
    # The resident answers (back to work) or stays silent past the limit (rejected with that reason).
    Status.CLARIFICATION: frozenset({Status.IN_PROGRESS, Status.MODERATION, Status.REJECTED}),
    Status.ANSWERED: frozenset({Status.RETURNED, Status.PUBLISHED}),
    # An operator may override the automatic return and publish the answer after all.
    Status.RETURNED: frozenset({Status.IN_PROGRESS, Status.ANSWERED, Status.CLARIFICATION, Status.PUBLISHED}),
    Status.PUBLISHED: frozenset({Status.CLOSED, Status.REOPENED}),
    Status.REOPENED: frozenset({Status.ASSIGNED, Status.IN_PROGRESS, Status.MODERATION, Status.ANSWERED}),
    # The resident reopens a case closed by their rating or by their silence, within the reopen window
    # (Case.reopen; never one an operator closed, Case.transition checks how it was closed).
    Status.CLOSED: frozenset({Status.REOPENED}),
    Status.REJECTED: frozenset(),
    Status.LINKED: frozenset({Status.MODERATION}),  # an operator unlinks it: it is handled on its own
}

# Statuses in which the case waits on an executor, so its deadline clock is running.
OPEN_FOR_EXECUTOR = frozenset({Status.ASSIGNED, Status.IN_PROGRESS, Status.RETURNED, Status.REOPENED})


class InvalidTransition(ValueError):
    def __init__(self, current: Status, target: Status) -> None:
        super().__init__(f"transition {current.value} -> {target.value} is not allowed")
        self.current = current
        self.target = target


def can_transition(current: Status, target: Status) -> bool:
    return target in ALLOWED_TRANSITIONS[current]
