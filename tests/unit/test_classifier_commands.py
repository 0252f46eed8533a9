"""`tsur train`, `tsur classify`, `tsur rubricator check` and `tsur eval|bench classifier` as a user runs them."""

import csv
import json

from click.testing import CliRunner

from tests.unit.test_text_model import TRAINING
from tsur.cli import main


def test_train_then_classify_json_lines(tmp_path):
    data = tmp_path / "history.csv"
    with open(data, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "body", "topic"])
        writer.writerows((i, text, label) for i, (label, texts) in enumerate(TRAINING.items())
                         for text in texts)
    model = tmp_path / "model.bin"
    trained = CliRunner().invoke(main, ["train", "--data", str(data), "--text-column", "body",
                                        "--label-column", "topic", "--out", str(model), "--no-rubricator-examples"])
    assert trained.exit_code == 0, trained.output
    assert "3 labels" in trained.output and model.is_file()
    lines = "\n".join(json.dumps(x, ensure_ascii=False) for x in (
        {"id": 1, "text": "Огромная ЯМА на дороге"}, {"id": 2, "text": "батареи холодные, нет отопления"}))
    classified = CliRunner().invoke(main, ["classify", "--model", str(model)], input=lines + "\n")
    assert classified.exit_code == 0, classified.output
    first, second = (json.loads(line) for line in classified.output.splitlines())
    assert (first["id"], first["label"], first["category"], first["sector"]) == (1, "Яма на дороге", None, None)
    assert second["label"] == "Нет отопления" and 0 < second["label_confidence"] <= 1


def test_train_names_a_missing_column(tmp_path):
    data = tmp_path / "history.csv"
    data.write_text("id,text\n1,яма\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["train", "--data", str(data), "--out", str(tmp_path / "m")])
    assert result.exit_code != 0 and "no column 'reason'" in result.output


def test_rubricator_check_lists_every_error_with_its_line(tmp_path):
    path = tmp_path / "r.jsonl"
    path.write_text('{"id": "roads.x", "sector": "road", "name": "X", "deadline": {"days": 3}, '
                    '"executor_type": "roads_committee"}\n{"id": ', encoding="utf-8")
    result = CliRunner().invoke(main, ["rubricator", "check", str(path)])
    assert result.exit_code == 1
    assert "r.jsonl, line 1 (roads.x): unknown sector 'road'" in result.output
    assert "r.jsonl, line 2: not valid JSON" in result.output


def test_the_default_rubricator_checks_clean(tmp_path):
    from chalicelib import reference

    result = CliRunner().invoke(main, ["rubricator", "check", str(reference.rubricator_path())])
    assert result.exit_code == 0 and "⚠" not in result.output


def test_evaluation_and_benchmark_say_so_when_the_data_is_absent(tmp_path, monkeypatch):
    monkeypatch.setenv("TSUR_DATA_DIR", str(tmp_path))
    for command in (["eval", "classifier"], ["bench", "classifier"]):
        result = CliRunner().invoke(main, command)
        assert result.exit_code == 0 and "data file not found" in result.output
