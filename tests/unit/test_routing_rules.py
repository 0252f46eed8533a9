"""Routing rules operators load into the running system: checked against the region, versioned, used by
the assign step; `tsur route` dry-runs a file exactly as the system routes; history in the region's words."""

import json
from dataclasses import replace
from pathlib import Path

import pytest
from chalice.test import Client
from click.testing import CliRunner

from app import app
from chalicelib import reference
from chalicelib.adapters.dynamo_routing import CachedRoutingRules
from chalicelib.adapters.memory import InMemoryRoutingRules
from chalicelib.adapters.ports import ConcurrentUpdate
from chalicelib.auth.operators import OperatorUser, Principal, Role, hash_password
from chalicelib.domain.case import Case, Classification
from chalicelib.domain.routing_rules import LoadedRouting, RoutingRulesError, parse_document
from chalicelib.domain.vocabulary import Vocabulary
from chalicelib.services import executor_api, routing, routing_rules
from chalicelib.services.deps import Dependencies
from tsur.cli import main
from tsur.local.demo import seed_demo
from tsur.routing_vocabulary import proposal_id, propose_executor

EXAMPLE = Path(__file__).parents[2] / "docs" / "examples" / "routing_rules.json"
YARD = "landscaping.yard"  # the district administration's, by executor type
FALLBACK = {"id": "region:fallback", "executor": "governor_office"}
CKB_NEW = {"id": "ckb_north", "name": "СПб ГКУ «Центр благоустройства Севера»", "type": "landscaping_center",
           "territory": "vyborgsky", "supervisor": "landscaping_committee"}


def yard_case(deps, case_id="c_1", municipality="nevsky", category=YARD):
    case = Case(id=case_id, token_hash="h", text="Во дворе сломана скамейка", created_at=deps.clock(),
                municipality=municipality)
    rubricated = reference.rubricator().get(category)
    case.classify(Classification(rubricated.sector, category, 0.9, "test"), deps.clock())
    deps.cases.add(case)
    return case


def assigned(deps, **kwargs):
    case = yard_case(deps, **kwargs)
    assert routing.assign_step(deps, case, deps.clock()) == "notify"
    return case


def dry_run(lines, *args):
    result = CliRunner().invoke(main, ["route", *args], input="".join(json.dumps(line, ensure_ascii=False) + "\n"
                                                                      for line in lines))
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_route_dry_runs_data_labels_and_district_names_exactly_as_the_assign_step(fake_deps):
    lines = [{"reason": YARD, "district": "Невский"},
             {"reason": "Неубранный снег", "district": "кировский район"},
             {"reason": "Повреждения дорожного покрытия", "district": "tsentralny"}]
    out = dry_run(lines)
    for n, (line, got) in enumerate(zip(lines, out, strict=True)):
        case = yard_case(fake_deps, f"c_{n}", got["municipality"], got["category"])
        decision, _ = routing.route(fake_deps, case)
        assert (got["executor"], got["rule"]) == (decision.executor_id, decision.rule.id), line
    nevsky = out[0]
    assert (nevsky["category"], nevsky["municipality"], nevsky["executor"]) == (YARD, "nevsky", "adm_nevsky")
    assert nevsky["rule"] == "type:district_administration@nevsky"
    assert (nevsky["executor_name"], nevsky["municipality_name"]) == ("Администрация Невского района", "Невский район")
    assert nevsky["rule_text"] == "Правило: по типу исполнителя (администрация района) — Невский район"
    assert out[1]["category"] == "roads.snow" and out[1]["executor"] == "ckb"  # the portal's label, mapped
    assert (out[2]["executor"], out[2]["rule"]) == ("gudp_center", "roads.pothole @ tsentralny")  # a contractor


def test_route_reads_a_rules_file_with_its_executors_and_flags_what_it_cannot_place(tmp_path):
    rules = tmp_path / "rules.json"
    rules.write_text(json.dumps({"rules": [{"id": "yard @ vyborgsky", "category": YARD, "municipality": "vyborgsky",
                                            "executor": "ckb_north"}, FALLBACK],
                                 "executors": [CKB_NEW]}, ensure_ascii=False), encoding="utf-8")
    north, other, unknown, nowhere = dry_run([{"reason": YARD, "district": "Выборгский"},
                                              {"reason": YARD, "district": "Невский"},
                                              {"reason": "Что-то своё", "district": "Невский"},
                                              {"reason": YARD, "district": "Атлантида"}], "--rules", str(rules))
    assert (north["executor"], north["executor_name"]) == ("ckb_north", "СПб ГКУ «Центр благоустройства Севера»")
    assert other["rule"] == "type:district_administration@nevsky"  # no rule for it: the executor type decides
    assert unknown["executor"] is None and "рубрикатор" in unknown["error"]
    assert nowhere["municipality"] is None and "Атлантида" in nowhere["warning"]
    assert nowhere["executor"] == "governor_office"  # as for a case with no district: no yard rule, the fallback


def test_a_rules_file_with_unknown_names_is_refused_with_every_rule_named(tmp_path):
    bad = {"rules": [{"id": "r1", "category": "Неубранный снег", "executor": "adm_nevsky"},
                     {"id": "r2", "sector": "roadz", "executor": "ЖА Невского"},
                     {"id": "r3", "category": YARD, "municipality": "Невский", "executor": "adm_nevsky"},
                     {"id": "r4", "category": YARD, "sector": "roads", "executor": "adm_nevsky"}],
           "executors": [{"id": "x", "name": "Икс", "type": "committee", "supervisor": "nobody"}]}
    with pytest.raises(RoutingRulesError) as caught:
        parse_document(bad, reference.region(), reference.rubricator())
    errors = "\n".join(caught.value.errors)
    for expected in ("правило «r1»: неизвестная тема «Неубранный снег»", "правило «r2»: неизвестный сектор «roadz»",
                     "правило «r2»: неизвестный исполнитель «ЖА Невского»", "правило «r3»: неизвестный район «Невский»",
                     "правило «r4»: тема «landscaping.yard» относится к сектору «landscaping»",
                     "нет правила для всего региона", "исполнитель «x»: id:"):
        assert expected in errors
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bad, ensure_ascii=False), encoding="utf-8")
    result = CliRunner().invoke(main, ["route", "--rules", str(path)], input="{}\n")
    assert result.exit_code != 0 and "правило «r1»" in result.output


def test_loaded_rules_route_the_assign_step_and_each_load_is_a_new_version(fake_deps):
    assert assigned(fake_deps).executor_id == "adm_nevsky"  # the region file's rules: by executor type
    document = {"rules": [{"id": "yard → ЦКБ Севера", "category": YARD, "executor": "ckb_north"}, FALLBACK],
                "executors": [CKB_NEW]}
    first = routing_rules.load(fake_deps, document, "operator:anna", "rules.json")
    assert (first.version, first.loaded_by) == (1, "operator:anna")
    case = assigned(fake_deps, case_id="c_2")
    assert (case.executor_id, case.assignment.rule) == ("ckb_north", "yard → ЦКБ Севера")
    assert fake_deps.executors["ckb_north"].supervisor == "landscaping_committee"  # known everywhere now
    second = routing_rules.load(fake_deps, {"rules": [FALLBACK]}, "operator:boris")
    assert second.version == 2 and assigned(fake_deps, case_id="c_3").executor_id == "adm_nevsky"
    assert "ckb_north" not in fake_deps.executors
    with pytest.raises(RoutingRulesError):
        routing_rules.load(fake_deps, {"rules": [{"id": "r", "executor": "nobody"}]}, "operator:anna")
    assert fake_deps.routing_rules.current().version == 2  # nothing half-valid is stored


def test_two_operators_loading_at_once_cannot_both_win(fake_deps, clock):
    store = fake_deps.routing_rules
    store.save(LoadedRouting({"rules": [FALLBACK], "executors": []}, 1, clock(), "operator:anna"))
    with pytest.raises(ConcurrentUpdate):
        store.save(LoadedRouting({"rules": [FALLBACK], "executors": []}, 1, clock(), "operator:boris"))


def test_the_assign_step_reads_the_rules_through_a_cache_with_a_short_ttl():
    inner, now = InMemoryRoutingRules(), [0.0]
    cached = CachedRoutingRules(inner, ttl_s=60, monotonic=lambda: now[0])
    assert cached.current() is None and cached.current() is None
    assert inner.reads == 1
    inner.versions.append(LoadedRouting({"rules": [FALLBACK]}, 1, None, "operator:anna"))  # type: ignore[arg-type]
    now[0] = 59.0
    assert cached.current() is None  # still the cached answer
    now[0] = 60.0
    assert cached.current().version == 1 and inner.reads == 2


def test_rules_that_no_longer_fit_the_rubricator_fall_back_to_the_region_file(fake_deps, clock):
    fake_deps.routing_rules.save(LoadedRouting({"rules": [{"id": "old", "category": "roads.gone", "executor":
                                                           "governor_office"}, FALLBACK]}, 1, clock(), "x"))
    assert fake_deps.routing().version is None
    assert assigned(fake_deps).executor_id == "adm_nevsky"
    assert routing_rules.in_force(fake_deps)["in_use"] is False


def test_the_assignment_event_names_the_deciding_rule_in_russian(fake_deps):
    case = assigned(fake_deps)
    event = next(e for e in case.new_events if e.kind == "status" and e.to_status.value == "assigned")
    assert event.reason == f"Срок ответа: {reference.rubricator().get(YARD).deadline.describe().rstrip('.')}. " \
        "Правило: по типу исполнителя (администрация района) — Невский район"
    assert event.public and event.data["rule"] == "type:district_administration@nevsky"


def test_the_region_vocabulary_maps_names_to_ids():
    words = Vocabulary(reference.region(), reference.rubricator())
    assert words.category("Неубранный снег") == "roads.snow" and words.category(YARD) == YARD
    assert words.category("Нет такой темы") is None
    assert {words.territory(n) for n in ("Невский", "невский район", "Невский район", "nevsky")} == {"nevsky"}
    assert words.territory_name("nevsky") == "Невский район"
    assert words.executor("СПб ГКУ ЖА Невского района") == "ja_nevsky"  # the portal's spelling, an alias
    assert words.executor("СПб ГКУ «Центр комплексного благоустройства»") == "ckb"  # other quotes
    assert words.executor("Комитет по благоустройству Санкт-Петербурга") == "landscaping_committee"
    assert words.executor("ООО «Неизвестно»") is None


def test_unknown_organisations_become_proposed_executors_typed_from_their_names():
    region = reference.region()
    without = region.__class__(region.id, region.name, region.timezone, region.municipalities,
                               {k: v for k, v in region.executors.items() if k not in ("ja_kirovsky", "ckb")})
    agency = propose_executor("СПб ГКУ ЖА Кировского района", without)
    assert (agency.type, agency.territory, agency.supervisor) == ("housing_agency", "kirovsky", "adm_kirovsky")
    center = propose_executor('СПб ГКУ "Центр комплексного благоустройства"', without)
    assert (center.type, center.territory, center.supervisor) == \
        ("subordinate_institution", None, "landscaping_committee")
    company = propose_executor('ООО "Жилкомсервис № 3 Невского района"', region)
    assert (company.type, company.territory, company.supervisor) == ("management_company", "nevsky", "ja_nevsky")
    inspection = propose_executor("Государственная административно-техническая инспекция", region)
    assert inspection.type == "inspection" and inspection.id.startswith("gati_")
    assert proposal_id("Государственная административно-техническая инспекция") == inspection.id  # stable
    document = {"rules": [FALLBACK], "executors": [e.to_data() for e in (agency, company, inspection)]}
    parse_document(document, region, reference.rubricator())  # ids and supervisors the loader accepts


def test_the_demo_seeding_gives_every_executor_an_endpoint_and_a_key(fake_deps: Dependencies):
    routing_rules.load(fake_deps, {"rules": [FALLBACK], "executors": [CKB_NEW]}, "operator:anna")
    seeded = seed_demo("http://agency.test", fake_deps)
    by_id = {e["id"]: e for e in seeded["executors"]}
    assert set(by_id) == set(fake_deps.executors) and "ckb_north" in by_id and "mc_zhks2_pushkinsky" in by_id
    for executor_id, entry in by_id.items():
        assert fake_deps.directory.endpoint(executor_id).url == f"http://agency.test/hooks/{executor_id}"
        assert executor_api.authenticate(fake_deps, f"Bearer {entry['api_key']}") == executor_id


def test_the_region_file_names_each_kind_of_executor_the_issue_asks_for():
    kinds = {e.type for e in reference.region().executors.values()}
    assert {"district_administration", "housing_agency", "landscaping_center", "management_company",
            "road_contractor", "polyclinic", "traffic_directorate"} <= kinds
    assert len([e for e in reference.region().executors.values() if e.type == "housing_agency"]) == 18
    raw = json.loads((reference.DATA_DIR / "region_spb.json").read_text(encoding="utf-8"))
    assert any("timezone" in e for e in raw["executors"])
    for executor in reference.region().executors.values():
        assert executor.supervisor is None or executor.supervisor in reference.region().executors, executor.id


def test_the_example_rules_file_loads_and_routes(fake_deps):
    example = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    loaded = routing_rules.load(fake_deps, example, "operator:anna", "routing_rules.json")
    assert loaded.version == 1 and assigned(fake_deps).executor_id != "governor_office"


def operators_command(deps, *args):
    return CliRunner().invoke(main, list(args), obj={"deps": deps})


def test_operators_load_a_rules_file_from_the_command_line_and_see_it_in_force(fake_deps, tmp_path):
    before = operators_command(fake_deps, "routing", "show")
    assert before.exit_code == 0 and "из файла региона" in before.output
    loaded = operators_command(fake_deps, "routing", "load", str(EXAMPLE), "--operator", "anna")
    assert loaded.exit_code == 0, loaded.output
    assert "Загружена версия 1" in loaded.output and "новых исполнителей 1" in loaded.output
    assert "gati" in loaded.output and "set-url" in loaded.output  # the new executor has no webhook address yet
    shown = operators_command(fake_deps, "routing", "show")
    assert "Действует версия 1" in shown.output and "operator:anna" in shown.output
    document = json.loads(operators_command(fake_deps, "routing", "show", "--json").output)
    assert {"construction.site", "region:fallback"} <= {r["id"] for r in document["rules"]}
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps({"rules": [{"id": "r", "category": "roads.snow", "executor": "nobody"}]}), "utf-8")
    refused = operators_command(fake_deps, "routing", "load", str(broken), "--operator", "anna")
    assert refused.exit_code != 0 and "правило «r»: неизвестный исполнитель «nobody»" in refused.output
    assert fake_deps.routing_rules.current().version == 1


def test_the_admin_page_names_loaded_executors_too(fake_deps):
    fake_deps.settings = replace(fake_deps.settings, session_secret="test-secret")
    fake_deps.operators.save(OperatorUser(Principal("anna", Role.REGION_OPERATOR, "Анна"), hash_password("pw")))
    routing_rules.load(fake_deps, {"rules": [FALLBACK], "executors": [CKB_NEW]}, "operator:anna")
    with Client(app) as client:
        token = client.http.post("/v1/auth/login", headers={"Content-Type": "application/json"},
                                 body=json.dumps({"username": "anna", "password": "pw"})).json_body["token"]
        names = client.http.get("/v1/admin/reference", headers={"Authorization": f"Bearer {token}"}).json_body
    assert {"id": "ckb_north", "name": CKB_NEW["name"], "type": "landscaping_center", "territory": "vyborgsky"} in \
        names["executors"]
