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


def test_route_reads_json_lines_and_writes_the_executor_and_the_deciding_rule(tmp_path):
    rules = tmp_path / "rules.json"
    rules.write_text(json.dumps({"rules": routing_learn.suggest(SNOW)}, ensure_ascii=False), encoding="utf-8")
    lines = '{"reason": "Снег", "district": "Кировский", "id": 7}\n\n{"reason": "Что-то", "district": null}\n'
    result = CliRunner().invoke(main, ["route", "--rules", str(rules)], input=lines)
    assert result.exit_code == 0, result.output
    first, second = (json.loads(line) for line in result.output.splitlines())
    assert (first["id"], first["executor"], first["rule"]) == (7, "ЖА Кировского", "Снег @ Кировский")
    assert second["rule"] == "region:fallback"
    broken = CliRunner().invoke(main, ["route", "--rules", str(rules)], input="{not json\n")
    assert broken.exit_code != 0 and "line 1" in broken.output


def test_suggest_writes_a_rules_file_the_router_reads(tmp_path):
    data = tmp_path / "appeals.csv"
    with data.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["created", "district", "reason", "executor_org"])
        writer.writeheader()
        for ex in SNOW:
            writer.writerow({"created": "2020-11-01", "district": ex.territory, "reason": ex.label,
                             "executor_org": ex.executor})
    out = tmp_path / "rules.json"
    result = CliRunner().invoke(main, ["routing", "suggest", "--data", str(data), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert {r["id"] for r in json.loads(out.read_text(encoding="utf-8"))["rules"]} == \
        {"Снег", "Снег @ Кировский", "Яма", "region:fallback"}


def test_district_shapes_are_drawn_from_labelled_points(tmp_path):
    from tsur import districts

    points = [(name, lat + 0.002 * (i % 7), lon + 0.004 * (i // 7)) for name, lat, lon in
              (("west", 59.90, 30.20), ("east", 59.90, 30.26)) for i in range(49)]
    grid = districts.grid_for([(lat, lon) for _, lat, lon in points], 300)
    labels = districts.absorb_islands(districts.vote(points, grid, reach=2, min_weight=1.0), min_cells=2)
    shapes = Territories.from_geojson(districts.feature_collection(labels, grid, {}, "test"))
    assert shapes.locate(59.906, 30.212) == "west" and shapes.locate(59.906, 30.272) == "east"
    assert shapes.locate(59.5, 30.0) is None
