from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from matching.scenario import ScenarioError, load_scenario


def _example(example_path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(example_path.read_text(encoding="utf-8"))
    return data


def test_example_scenario_loads_every_record(example_path: Path) -> None:
    scenario = load_scenario(example_path)
    assert [w.id for w in scenario.workers] == ["w1", "w2", "w3", "w4", "w5", "w6"]
    assert scenario.jobs[1].trade == "electrician"
    assert scenario.workers[0].available[0][0].utcoffset() is not None


def test_unknown_fields_are_ignored(example_path: Path) -> None:
    data = _example(example_path)
    data["workers"][0]["shoe_size"] = 42
    assert load_scenario(data).workers[0].id == "w1"


def test_optional_fields_default(example_path: Path) -> None:
    data = _example(example_path)
    for name in ("min_wage", "reliability"):
        data["workers"][0].pop(name)
    data["jobs"][0].pop("booked")
    scenario = load_scenario(data)
    assert scenario.workers[0].min_wage == 0 and scenario.workers[0].reliability is None
    assert scenario.jobs[0].booked == ()
    assert scenario.workers[0].idle_days == 0


def test_idle_days_are_read(example_path: Path) -> None:
    data = _example(example_path)
    data["workers"][2]["idle_days"] = 9
    data["workers"][3]["idle_days"] = 4.0
    workers = load_scenario(data).workers
    assert (workers[2].idle_days, workers[3].idle_days, workers[0].idle_days) == (9, 4, 0)


@pytest.mark.parametrize(
    ("kind", "position", "field", "value", "expected"),
    [
        ("workers", 1, "lat", 91.0, "workers[1] (id 'w2'): field 'lat'"),
        ("workers", 0, "lon", None, "workers[0] (id 'w1'): field 'lon': is missing"),
        ("workers", 2, "trades", [{"code": "astronaut"}], "field 'trades[0].code': unknown trade"),
        ("workers", 0, "available", [["2026-12-07 07:00", "x"]], "field 'available': bad time"),
        ("workers", 0, "certificates", ["pilot"], "field 'certificates': unknown certificate"),
        ("jobs", 3, "trade", "astronaut", "jobs[3] (id 'j4'): field 'trade': unknown trade"),
        ("jobs", 0, "end", "2026-12-07T07:00:00+08:00", "jobs[0] (id 'j1'): field 'end'"),
        ("jobs", 1, "headcount", -1, "jobs[1] (id 'j2'): field 'headcount': must not be negative"),
        ("jobs", 0, "start", "2026-12-07T08:00:00", "field 'start': bad time"),
        ("jobs", 4, "lon", 181, "jobs[4] (id 'j5'): field 'lon': 181 is out of range"),
        ("jobs", 2, "wage", "lots", "jobs[2] (id 'j3'): field 'wage': must be a number"),
        ("workers", 1, "idle_days", -3, "workers[1] (id 'w2'): field 'idle_days': -3 is out"),
        ("workers", 1, "idle_days", 2.5, "field 'idle_days': must be a whole number"),
        ("workers", 1, "idle_days", "long", "field 'idle_days': must be a whole number"),
    ],
)
def test_bad_field_error_names_record_and_field(
    example_path: Path, kind: str, position: int, field: str, value: Any, expected: str
) -> None:
    data = copy.deepcopy(_example(example_path))
    if value is None:
        del data[kind][position][field]
    else:
        data[kind][position][field] = value
    with pytest.raises(ScenarioError, match=None) as caught:
        load_scenario(data)
    assert expected in str(caught.value)


def test_duplicate_id_is_an_error(example_path: Path) -> None:
    data = _example(example_path)
    data["jobs"][1]["id"] = "j1"
    with pytest.raises(ScenarioError, match=r"jobs\[1\] \(id 'j1'\): field 'id': duplicate"):
        load_scenario(data)


def test_wrong_format_is_an_error(example_path: Path) -> None:
    data = _example(example_path)
    data["format"] = "linggong-scenario/9"
    with pytest.raises(ScenarioError, match="field 'format'"):
        load_scenario(data)


def test_unreadable_file_is_a_scenario_error(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    with pytest.raises(ScenarioError, match="not JSON"):
        load_scenario(broken)
