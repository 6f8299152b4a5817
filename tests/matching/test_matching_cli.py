from __future__ import annotations

import json
from pathlib import Path

import pytest

from matching.cli import main


def test_rank_on_example_lists_exactly_the_feasible_pairs(
    example_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["rank", str(example_path)]) == 0
    output = json.loads(capsys.readouterr().out)
    pairs = {(w, e["job"]) for w, entries in output["workers"].items() for e in entries}
    assert pairs == {("w1", "j1"), ("w3", "j2"), ("w6", "j5")}
    assert output["jobs"]["j3"] == [] and output["jobs"]["j4"] == []
    assert output["workers"]["w1"][0]["reason"].startswith("painter · ")


def test_dispatch_on_example_assigns_the_three_feasible_pairs(
    example_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["dispatch", str(example_path), "--lang", "zh"]) == 0
    output = json.loads(capsys.readouterr().out)
    assert {(a["worker"], a["job"]) for a in output["assignments"]} == {
        ("w1", "j1"),
        ("w3", "j2"),
        ("w6", "j5"),
    }
    assert output["unfilled"] == {"j1": 2, "j3": 4, "j4": 1, "j5": 1}
    assert sorted(output["idle"]) == ["w2", "w4", "w5"]


def test_bad_scenario_exits_2_naming_record_and_field(
    example_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = json.loads(example_path.read_text(encoding="utf-8"))
    data["jobs"][2]["headcount"] = -2
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data), encoding="utf-8")
    assert main(["rank", str(bad)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "jobs[2] (id 'j3'): field 'headcount'" in captured.err


def test_unknown_subcommand_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fly"]) == 2
    assert "invalid choice" in capsys.readouterr().err


def test_dispatch_reads_idle_days_and_places_the_worker_idle_longest(
    example_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = json.loads(example_path.read_text(encoding="utf-8"))
    rested = {**data["workers"][0], "id": "w7", "idle_days": 5}
    rested["trades"] = [{"code": "painter", "level": 1}]  # a lower fit than w1
    data["workers"].append(rested)
    data["jobs"][0]["headcount"] = 1  # j1: one slot, w1 or w7
    path = tmp_path / "rotation.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    assert main(["dispatch", str(path)]) == 0
    output = json.loads(capsys.readouterr().out)
    assert ("w7", "j1") in {(a["worker"], a["job"]) for a in output["assignments"]}
    assert "w1" in output["idle"]
