"""The pipeline bench's capacity units: DynamoDB's billing rules applied to the calls, indexes included."""

from tsur.bench_capacity import CapacityMeter

TABLE = "tsur-local-cases"


def case_item(status: str, executor: str | None = None) -> dict:
    item = {"pk": {"S": "CASE#c_1"}, "sk": {"S": "CASE"}, "case_status": {"S": status},
            "created_utc": {"S": "2026-12-02T10:00:00+00:00"}, "case_month": {"S": "2026-12"}}
    if executor:
        item |= {"executor_id": {"S": executor}, "status_created": {"S": f"{status}#2026-12-02"}}
    return item


def put(meter: CapacityMeter, item: dict) -> float:
    return meter.call("PutItem", {"TableName": TABLE, "Item": item}, {})[0]


def test_a_write_pays_for_the_table_and_for_each_index_the_item_is_in():
    meter = CapacityMeter()
    assert put(meter, case_item("received")) == 1 + 2  # the table, by_status and by_month
    assert put(meter, case_item("received")) == 1 + 2  # the same keys: each index entry rewritten once
    # assigned: by_status's key changes (delete + put), by_month stays, the item enters by_executor
    assert put(meter, case_item("assigned", "adm_nevsky")) == 1 + 2 + 1 + 1


def test_a_transaction_doubles_the_table_s_units_and_a_refused_write_changes_no_index():
    meter = CapacityMeter()
    transaction = {"TransactItems": [{"Put": {"TableName": TABLE, "Item": case_item("received")}},
                                     {"Update": {"TableName": TABLE, "Key": {"pk": {"S": "COUNTER"},
                                                                             "sk": {"S": "X"}}}}]}
    assert meter.call("TransactWriteItems", transaction, {"Error": {"Code": "TransactionCanceledException"}}) == (
        4.0, 0.0)
    assert meter.call("TransactWriteItems", transaction, {}) == (2 + 2 + 2, 0.0)


def test_reads_cost_by_consistency():
    meter = CapacityMeter()
    item = {"Item": case_item("received")}
    assert meter.call("GetItem", {"TableName": TABLE, "ConsistentRead": True}, item) == (0.0, 1.0)
    assert meter.call("Query", {"TableName": TABLE, "IndexName": "by_status"}, {"Items": [item["Item"]] * 3}) == (
        0.0, 0.5)
