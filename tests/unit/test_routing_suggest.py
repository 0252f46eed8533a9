"""Rules learnt from labelled history, the dry run of a rules file, and district shapes from points."""

import csv
import json

from click.testing import CliRunner

from chalicelib.domain.geo import Territories
from tsur import routing_learn
from tsur.cli import main
from tsur.routing_learn import Example


def history(label, territory, executor, n):
    return [Example(label, territory, executor)] * n


SNOW = [*history("Снег", "Невский", "ЖА Невского", 5), *history("Снег", "Кировский", "ЖА Кировского", 4),
        *history("Снег", "Кировский", "ЖА Невского", 1), *history("Яма", "Невский", "Комитет", 3),
        *history("Яма", "Кировский", "Комитет", 3), *history("Яма", "Кировский", "Подрядчик", 1)]


def test_a_label_rule_with_exceptions_per_territory_and_a_region_fallback():
    rules = routing_learn.suggest(SNOW)
    by_id = {r["id"]: r for r in rules}
    assert by_id["Снег"]["executor"] == "ЖА Невского"
    assert by_id["Снег @ Кировский"]["executor"] == "ЖА Кировского"
    assert by_id["Яма"]["executor"] == "Комитет"
    assert "Яма @ Кировский" not in by_id  # one odd case does not make a rule
    assert by_id["region:fallback"]["executor"] == "ЖА Невского"
    routes = routing_learn.router(rules)
    assert routing_learn.route_one(routes, "Снег", "Кировский").executor_id == "ЖА Кировского"
    assert routing_learn.route_one(routes, "Снег", "Выборгский").rule.id == "Снег"
    assert routing_learn.route_one(routes, "Неизвестно", "").rule.id == "region:fallback"


def test_the_prior_weighs_a_territory_against_the_label_everywhere():
    odd = [*history("Яма", "Невский", "Комитет", 20), *history("Яма", "Кировский", "Подрядчик", 1)]
    assert len(routing_learn.suggest(odd, prior=2)) == 2  # the label rule and the fallback
    assert {r["id"] for r in routing_learn.suggest(odd, prior=0)} >= {"Яма @ Кировский"}


def test_the_evaluation_counts_the_lookup_and_the_rules_side_by_side():
    test = [Example("Снег", "Кировский", "ЖА Кировского"), Example("Снег", "Выборгский", "ЖА Невского"),
            Example("Яма", "Кировский", "Подрядчик")]
    result = routing_learn.evaluate(SNOW, test, routing_learn.suggest(SNOW))
    assert (result.rows, result.lookup_right, result.rules_right) == (3, 1, 2)  # the lookup has no Выборгский
    assert result.decided_by == {"pair": 1, "label": 2}


SNOW_LABEL, POTHOLE = "Неубранный снег", "Повреждения дорожного покрытия"
JA = "СПб ГКУ ЖА {} района"
CONTRACTOR = "ООО «Дорожник»"  # not an executor of the region: proposed


def write_csv(path, rows):
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["created", "district", "reason", "executor_org"])
        writer.writeheader()
        for created, district, reason, executor in rows:
            writer.writerow({"created": created, "district": district, "reason": reason, "executor_org": executor})
    return path


HISTORY = [*[("2020-11-01", "Невский", SNOW_LABEL, JA.format("Невского"))] * 5,
           *[("2020-11-01", "Кировский", SNOW_LABEL, JA.format("Кировского"))] * 4,
           *[("2020-11-01", "Выборгский", POTHOLE, CONTRACTOR)] * 3]


def test_suggest_writes_rules_in_the_regions_vocabulary_that_load_and_route(tmp_path):
    data = write_csv(tmp_path / "appeals.csv", HISTORY)
    out, executors = tmp_path / "rules.json", tmp_path / "executors.json"
    result = CliRunner().invoke(main, ["routing", "suggest", "--data", str(data), "--out", str(out),
                                       "--executors-out", str(executors)])
    assert result.exit_code == 0, result.output
    rules = {r["id"]: r for r in json.loads(out.read_text(encoding="utf-8"))["rules"]}
    assert rules["roads.snow"]["executor"] == "ja_nevsky"
    assert rules["roads.snow @ kirovsky"]["executor"] == "ja_kirovsky"
    # Выборгский had no snow cases: its own housing agency, as every district's snow went to its own.
    assert rules["roads.snow @ vyborgsky"]["executor"] == "ja_vyborgsky"
    proposed, = json.loads(executors.read_text(encoding="utf-8"))["executors"]
    assert (proposed["name"], proposed["type"], proposed["territory"], proposed["proposed"]) == \
        (CONTRACTOR, "contractor", None, True)
    assert rules["roads.pothole"]["executor"] == proposed["id"]
    lines = '{"reason": "Неубранный снег", "district": "Выборгский"}\n{"reason": "roads.pothole"}\n'
    routed = CliRunner().invoke(main, ["route", "--rules", str(out), "--executors", str(executors)], input=lines)
    assert routed.exit_code == 0, routed.output
    snow, pothole = (json.loads(line) for line in routed.stdout.splitlines())
    assert (snow["executor"], snow["rule"]) == ("ja_vyborgsky", "roads.snow @ vyborgsky")
    assert (pothole["executor"], pothole["executor_name"]) == (proposed["id"], CONTRACTOR)


def test_suggest_can_keep_the_datas_own_names(tmp_path):
    data = write_csv(tmp_path / "appeals.csv", [("2020-11-01", ex.territory, ex.label, ex.executor) for ex in SNOW])
    out = tmp_path / "rules.json"
    result = CliRunner().invoke(main, ["routing", "suggest", "--data", str(data), "--out", str(out),
                                       "--vocabulary", "data"])
    assert result.exit_code == 0, result.output
    assert {r["id"] for r in json.loads(out.read_text(encoding="utf-8"))["rules"]} == \
        {"Снег", "Снег @ Кировский", "Яма", "region:fallback"}


def test_evaluate_prints_the_lookup_beside_the_rules_through_the_systems_router(tmp_path):
    test = [("2021-02-02", "Выборгский", SNOW_LABEL, JA.format("Выборгского")),
            ("2021-02-02", "Кировский", SNOW_LABEL, JA.format("Кировского"))]
    data = write_csv(tmp_path / "appeals.csv", HISTORY + test)
    result = CliRunner().invoke(main, ["routing", "evaluate", "--data", str(data)])
    assert result.exit_code == 0, result.output
    lookup, _, system = (line.rsplit(None, 1) for line in result.output.splitlines()[1:4])
    assert (lookup[1], system[1]) == ("50.0%", "100.0%")  # the lookup has no (Выборгский, snow) pair
    assert "system router" in system[0]


def test_district_shapes_are_drawn_from_labelled_points(tmp_path):
    from tsur import districts

    points = [(name, lat + 0.002 * (i % 7), lon + 0.004 * (i // 7)) for name, lat, lon in
              (("west", 59.90, 30.20), ("east", 59.90, 30.26)) for i in range(49)]
    grid = districts.grid_for([(lat, lon) for _, lat, lon in points], 300)
    labels = districts.absorb_islands(districts.vote(points, grid, reach=2, min_weight=1.0), min_cells=2)
    shapes = Territories.from_geojson(districts.feature_collection(labels, grid, {}, "test"))
    assert shapes.locate(59.906, 30.212) == "west" and shapes.locate(59.906, 30.272) == "east"
    assert shapes.locate(59.5, 30.0) is None
