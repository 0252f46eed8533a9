"""The DynamoDB adapters on moto, against the tables and indexes infra/ defines."""

from datetime import timedelta

import boto3
import pytest

from chalicelib.adapters.ports import AlreadyExists, ConcurrentUpdate
from chalicelib.domain.case import MAX_STEP_RESENDS, Assignment, Case, Classification, Contact
from chalicelib.domain.consent import Consent
from chalicelib.domain.owed_effects import MAX_SWEEPS
from chalicelib.domain.statuses import Status
from chalicelib.services import effects


def full_case(now, case_id="c_full"):
    case = Case(id=case_id, token_hash="h", text="Нет отопления, батареи холодные", created_at=now,
                sector_hint="housing_utilities", address="ул. Ленина, 5", lat=59.93, lon=30.31,
                municipality="nevsky", contact=Contact(name="Иван", email="ivan@example.org"), consent=Consent(now),
                attachments=("cases/c_full/a.jpg",), correlation_id="corr")
    case.classify(Classification("housing_utilities", "housing_utilities.heating", 0.8, "keywords",
                                 (("housing_utilities.other", 0.2),)), now)
    case.assign(Assignment("housing_committee", now + timedelta(hours=24), "cat:x"), now)
    case.await_step("notify", now)
    case.own_case = True  # an operator had unlinked it from a duplicate
    return case


def test_a_case_round_trips_with_everything_it_holds(moto_deps, clock):
    case = full_case(clock())
    moto_deps.cases.add(case)
    loaded = moto_deps.cases.get(case.id)
    assert loaded.version == 1 and case.version == 1
    for field in ("text", "contact", "consent", "own_case", "duplicate_confirmed", "classification", "assignment",
                  "status", "lat", "attachments", "pending_step", "pending_since", "municipality"):
        assert getattr(loaded, field) == getattr(case, field), field
    assert [e.kind for e in moto_deps.cases.events(case.id)] == ["classified", "status"]


def test_adding_the_same_case_twice_is_refused(moto_deps, clock):
    moto_deps.cases.add(full_case(clock()))
    with pytest.raises(AlreadyExists):
        moto_deps.cases.add(full_case(clock()))


def test_a_stale_version_loses_and_writes_nothing(moto_deps, clock):
    moto_deps.cases.add(full_case(clock()))
    first, second = moto_deps.cases.get("c_full"), moto_deps.cases.get("c_full")
    first.transition(Status.IN_PROGRESS, clock(), actor="executor")
    moto_deps.cases.save(first)
    second.transition(Status.ANSWERED, clock(), actor="executor")
    with pytest.raises(ConcurrentUpdate):
        moto_deps.cases.save(second)
    stored = moto_deps.cases.get("c_full")
    assert stored.status is Status.IN_PROGRESS and stored.version == 2
    assert [e.to_status for e in moto_deps.cases.events("c_full") if e.kind == "status"][-1] is Status.IN_PROGRESS


def test_a_case_given_up_on_leaves_the_sweep_and_is_found_as_given_up(moto_deps, clock):
    now = clock()
    moto_deps.cases.add(full_case(now, "c_a"))
    exhausted = moto_deps.cases.get("c_a")
    exhausted.pending_sweeps = MAX_STEP_RESENDS
    moto_deps.cases.save(exhausted)
    later = now + timedelta(hours=1)
    assert moto_deps.cases.waiting_since("notify", later) == []
    (found,) = moto_deps.cases.given_up("notify", later)
    assert (found.id, found.pending_since, found.is_waiting_for("notify")) == ("c_a", now, True)
    assert moto_deps.cases.given_up("notify", now - timedelta(minutes=1)) == []


def test_waiting_and_due_cases_come_from_sparse_indexes(moto_deps, clock):
    now = clock()
    moto_deps.cases.add(full_case(now, "c_a"))
    done = full_case(now, "c_b")
    done.await_step(None, now)
    moto_deps.cases.add(done)
    assert [c.id for c in moto_deps.cases.waiting_since("notify", now + timedelta(minutes=1))] == ["c_a"]
    assert moto_deps.cases.waiting_since("notify", now) == []
    # by_deadline holds the time of each running case's next deadline stage: here the 50% reminder.
    assert moto_deps.cases.due_before(now + timedelta(hours=11, minutes=59)) == []
    assert {c.id for c in moto_deps.cases.due_before(now + timedelta(hours=12))} == {"c_a", "c_b"}
    answered = moto_deps.cases.get("c_a")
    answered.transition(Status.ANSWERED, now, actor="executor")  # the clock stops: out of the index
    moto_deps.cases.save(answered)
    assert {c.id for c in moto_deps.cases.due_before(now + timedelta(hours=25))} == {"c_b"}


def test_cases_by_executor_and_status_are_served_by_an_index(moto_deps, clock):
    moto_deps.cases.add(full_case(clock()))
    page = boto3.client("dynamodb").query(
        TableName=moto_deps.settings.cases_table, IndexName="by_executor",
        KeyConditionExpression="executor_id = :e AND begins_with(status_created, :s)",
        ExpressionAttributeValues={":e": {"S": "housing_committee"}, ":s": {"S": "assigned#"}})
    assert [i["id"]["S"] for i in page["Items"]] == ["c_full"]


def test_idempotency_claims_are_exclusive_until_released(moto_deps):
    store = moto_deps.idempotency
    assert store.begin("k", "fp") is None
    assert store.begin("k", "fp").response is None  # first still in progress
    store.complete("k", {"id": "c_1"})
    assert store.begin("k", "fp").response == {"id": "c_1"}
    store.release("k")
    assert store.begin("k", "fp2") is None


def test_executor_endpoints_are_stored_with_their_secrets(moto_deps):
    endpoint = moto_deps.directory.endpoint("adm_nevsky")
    assert endpoint.url.endswith("/adm_nevsky") and endpoint.secrets[0].startswith("whsec_")
    assert moto_deps.directory.endpoint("nobody") is None


def test_the_executor_s_filtered_listing_walks_the_by_executor_index_with_its_cursor(moto_deps, clock):
    from chalicelib.api.schemas import CaseListQuery
    from chalicelib.services import executor_api

    for n in range(5):
        clock.advance(minutes=1)
        case = full_case(clock(), f"c_{n}")
        case.overdue = n % 2 == 1  # c_1 and c_3
        moto_deps.cases.add(case)
    calls = []
    moto_deps.cases._db.meta.events.register("before-call.dynamodb.*",
                                             lambda model, **_: calls.append(model.name))

    def page(**query):
        result = executor_api.list_cases(moto_deps, "housing_committee", CaseListQuery(**query))
        return [c["id"] for c in result["cases"]], result["next_cursor"]

    first, cursor = page(overdue=True, limit=1)
    assert first == ["c_3"] and cursor
    assert page(overdue=True, limit=1, cursor=cursor)[0] == ["c_1"]
    assert page(overdue=False, category="housing_utilities.heating")[0] == ["c_4", "c_2", "c_0"]
    assert set(calls) == {"Query"}  # the index, never a scan


def test_what_a_save_owes_is_written_with_it_swept_and_cleared(moto_deps, clock):
    now = clock()
    case = full_case(now, "c_owed")
    owed = effects.owed_by(case, now)  # the `classified` and `assigned` events: a letter for the assignment
    moto_deps.cases.add(case, owed)
    assert owed is not None and [e.kind for e in owed.events] == ["status"]
    later = now + timedelta(minutes=20)
    (found,) = moto_deps.cases.owed_since(later)
    assert found == owed
    assert moto_deps.cases.owed_since(now) == []
    assert [c.id for c in moto_deps.cases.waiting_since("notify", later)] == ["c_owed"]  # the step, not the item
    assert len(moto_deps.cases.events("c_owed")) == 2 and moto_deps.cases.get("c_owed").version == 1
    for _ in range(MAX_SWEEPS):
        found = found.swept(later)
        moto_deps.cases.keep_owed(found)
    assert moto_deps.cases.owed_since(later + timedelta(minutes=1)) == []
    assert moto_deps.cases.owed_since(later + timedelta(minutes=1), given_up=True) == [found]
    moto_deps.cases.settle(found)
    moto_deps.cases.keep_owed(found)  # a late stamp does not bring cleared effects back
    assert moto_deps.cases.owed_since(later + timedelta(days=1), given_up=True) == []
