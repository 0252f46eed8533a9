"""Loaded routing rules in DynamoDB: versions under a condition, read by the assign step through the cache."""

import boto3
import pytest

from chalicelib.adapters.dynamo_routing import ROUTING_PK, CachedRoutingRules, DynamoRoutingRules
from chalicelib.adapters.ports import ConcurrentUpdate
from chalicelib.domain.case import Case, Classification
from chalicelib.services import routing, routing_rules

RULES = {"rules": [{"id": "yard → ГАТИ", "category": "landscaping.yard", "executor": "gati"},
                   {"id": "region:fallback", "executor": "governor_office"}],
         "executors": [{"id": "gati", "name": "Государственная административно-техническая инспекция",
                        "type": "inspection", "supervisor": "governor_office"}]}


def test_loaded_rules_are_versioned_in_dynamodb_and_route_the_assign_step(moto_deps, stack, clock):
    store = DynamoRoutingRules(stack["CasesTableName"])
    moto_deps.routing_rules = CachedRoutingRules(store, ttl_s=0)  # production keeps them a minute
    first = routing_rules.load(moto_deps, RULES, "operator:anna", "rules.json")
    assert store.current() == first
    with pytest.raises(ConcurrentUpdate):  # someone else's version 1 came first
        store.save(first)
    second = routing_rules.load(moto_deps, RULES, "operator:boris")
    assert (store.current().version, store.current().loaded_by) == (2, "operator:boris") and second.version == 2
    kept = boto3.client("dynamodb").query(TableName=stack["CasesTableName"], KeyConditionExpression="pk = :pk",
                                          ExpressionAttributeValues={":pk": {"S": ROUTING_PK}})
    assert sorted(i["sk"]["S"] for i in kept["Items"]) == ["CURRENT", "V#000001", "V#000002"]

    case = Case(id="c_1", token_hash="h", text="Во дворе сломана скамейка", created_at=clock(), municipality="nevsky")
    case.classify(Classification("landscaping", "landscaping.yard", 0.9, "test"), clock())
    moto_deps.cases.add(case)
    assert routing.assign_step(moto_deps, case, clock()) == "notify"
    assert (case.executor_id, case.assignment.rule) == ("gati", "yard → ГАТИ")
