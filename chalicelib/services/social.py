"""Инцидент Менеджмент over VK: Callback API events in, published answers back out through a connector.

In: `take_vk_event` answers VK's confirmation, checks the community's secret, and turns a resident's
post that describes a concrete problem into a case through the ordinary intake (source `social`, the
post's reference kept on the case). Chatter is acknowledged and dropped. VK retries an event until it
hears `ok`; the event id is the idempotency key, so a retry never makes a second case.

Out: `reply_to_source` sends the published answer, with personal data masked, as a signed webhook
(`social.reply`) to the network's connector (`connector:vk`, an endpoint like an executor's), which
posts it under the resident's post or comment.
"""

from __future__ import annotations

import hmac
from typing import Any

from chalicelib.api.errors import ApiError
from chalicelib.api.schemas import MAX_TEXT, AppealIn
from chalicelib.api.vk import VkCallbackIn
from chalicelib.domain.case import Case
from chalicelib.domain.delivery import Delivery
from chalicelib.domain.privacy import mask_personal_data
from chalicelib.domain.social import BOARD_POST, SocialPayloadError, SocialPost, connector_id, vk_post
from chalicelib.domain.social_trigger import assess_post
from chalicelib.observability import log, log_context
from chalicelib.services import intake
from chalicelib.services.deliveries import send_webhook
from chalicelib.services.deps import Dependencies
from chalicelib.social_config import VkGroupConfig

OK = "ok"
CONFIRMATION = "confirmation"
REPLY_EVENT = "social.reply"


def take_vk_event(deps: Dependencies, event: VkCallbackIn) -> str:
    """What to answer VK with (plain text): the confirmation code, or `ok` once the event is taken."""
    group = deps.settings.vk.group(event.group_id)
    if group is None:
        raise ApiError(403, "vk_not_configured", "Сообщество не подключено к ЦУР")
    _check_secret(group, event)
    if event.type == CONFIRMATION:
        if not group.confirmation_code:
            raise ApiError(403, "vk_not_configured", "Для сообщества не задан код подтверждения")
        return group.confirmation_code
    try:
        post = vk_post(event.type, event.group_id, event.event_id, event.object)
    except SocialPayloadError as exc:
        raise ApiError(400, "bad_request", "Событие VK без нужных полей", [{"field": "object",
                                                                          "message": str(exc)}]) from None
    if post is None:
        log("vk event not taken", event_type=event.type, group_id=event.group_id)
    else:
        _take(deps, post)
    return OK


def _check_secret(group: VkGroupConfig, event: VkCallbackIn) -> None:
    # VK may confirm the server before a secret is set, so a confirmation without one is let through.
    if event.type == CONFIRMATION and event.secret is None:
        return
    given = (event.secret or "").encode()
    if not group.secret or not hmac.compare_digest(group.secret.encode(), given):
        raise ApiError(403, "forbidden", "Неверный секретный ключ")


def _take(deps: Dependencies, post: SocialPost) -> None:
    ref = post.ref
    with log_context(vk_group_id=str(ref.group_id), vk_kind=ref.kind, vk_event_id=ref.event_id):
        if post.by_a_community:
            log("vk post by a community, not a resident; dropped")
            return
        decision = assess_post(post.text)
        if not decision.actionable:
            log("vk post is chatter; dropped", reason=decision.reason)
            return
        appeal = AppealIn.model_validate({"text": _clip(post.text), "source": "social"})
        try:
            accepted = intake.submit_appeal(deps, appeal, idempotency_key=_idempotency_key(post), social=ref)
        except ApiError as exc:
            if exc.code != "idempotency_key_reused":
                raise
            log("vk event seen before with other content; kept the first")
            return
        log("vk post taken as a case", taken_case_id=accepted.id, reason=decision.reason)


def _idempotency_key(post: SocialPost) -> str:
    ref = post.ref
    if ref.event_id:
        return f"vk:{ref.group_id}:{ref.event_id}"
    return f"vk:{ref.group_id}:{ref.kind}:{ref.owner_id}:{ref.post_id}:{ref.comment_id or 0}"


def _clip(text: str) -> str:
    return text if len(text) <= MAX_TEXT else text[:MAX_TEXT - 1] + "…"


def social_reply_payload(case: Case, answer_text: str) -> dict[str, Any]:
    """The connector's webhook data: which VK method to call with which parameters to post the answer.

    The message is published on VK, so personal data in it is masked; the author's id is not sent.
    """
    ref = case.social
    if ref is None:
        raise ValueError(f"case {case.id} did not come from social media")
    message = f"Ответ по обращению {case.id}:\n{mask_personal_data(answer_text, case.contact)}"
    params: dict[str, Any]
    if ref.kind == BOARD_POST:
        method = "board.createComment"
        params = {"group_id": abs(ref.owner_id), "topic_id": ref.post_id, "from_group": 1, "message": message}
    else:
        method = "wall.createComment"
        params = {"owner_id": ref.owner_id, "post_id": ref.post_id, "from_group": ref.group_id, "message": message}
        if ref.comment_id is not None:
            params["reply_to_comment"] = ref.comment_id
    return {"case_id": case.id, "network": ref.network, "kind": ref.kind, "method": method, "params": params}


def reply_to_source(deps: Dependencies, case: Case, answer_text: str, answer_id: str | None = None
                    ) -> Delivery | None:
    """Queue the published answer for the post it came from; None when the case did not come from social media.

    One delivery per published answer (the webhook-id is stable), so a re-run sends nothing twice.
    """
    if case.social is None:
        return None
    key = f"social-{answer_id or case.published_answer_id or 'answer'}"
    return send_webhook(deps, case, connector_id(case.social.network), REPLY_EVENT,
                        social_reply_payload(case, answer_text), key=key,
                        announce="Ответ отправлен туда, где было опубликовано сообщение")
