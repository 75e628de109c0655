"""The golden request/response files (tests/golden/*.json, see README.md there) through the
Python package: every scenario runs in order on a fresh SQLite database and every response must
equal the one in the file, up to the placeholders. The C++ runner (tests/golden/golden_test.cpp)
runs the same files and is the one that rewrites them (CRM_GOLDEN_UPDATE=1)."""

import copy
import json
import pathlib
import re

import pytest

import crm

GOLDEN = pathlib.Path(__file__).resolve().parent.parent / "golden"
TIMESTAMP = "<timestamp>"
ELAPSED = "<elapsed>"
INSTANT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z")


def kind(value):
    # bool is an int in Python and 1 == 1.0: the contract tells them apart.
    for name, types in (("null", type(None)), ("boolean", bool), ("integer", int),
                        ("float", float), ("string", str), ("array", list), ("object", dict)):
        if isinstance(value, types):
            return name
    return "other"


def dump(value):
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def compare(expected, actual, path="response"):
    """Every difference between an expected and an actual value, one line each, by JSON path."""
    if expected == TIMESTAMP:
        ok = isinstance(actual, str) and INSTANT.fullmatch(actual)
        return [] if ok else [f"{path}: expected <timestamp>, got {dump(actual)}"]
    if expected == ELAPSED:
        # A duration up to now (e.g. an open opportunity's time in its stage).
        ok = kind(actual) in ("integer", "float") and actual >= 0
        return [] if ok else [f"{path}: expected <elapsed>, got {dump(actual)}"]
    if kind(expected) != kind(actual):
        return [f"{path}: expected {dump(expected)}, got {dump(actual)}"]
    differences = []
    if isinstance(expected, dict):
        for key, value in expected.items():
            if key not in actual:
                differences.append(f"{path}.{key}: missing (expected {dump(value)})")
            else:
                differences += compare(value, actual[key], f"{path}.{key}")
        for key, value in actual.items():
            if key not in expected:
                differences.append(f"{path}.{key}: unexpected member {dump(value)}")
    elif isinstance(expected, list):
        if len(expected) != len(actual):
            differences.append(f"{path}: expected {len(expected)} items, got {len(actual)}")
        for i, (item, other) in enumerate(zip(expected, actual)):
            differences += compare(item, other, f"{path}[{i}]")
    elif expected != actual:
        differences.append(f"{path}: expected {dump(expected)}, got {dump(actual)}")
    return differences


def run_scenario(scenario, directory):
    """Runs a scenario; returns the report of every step that did not match ("" when all did)."""
    # The scenario's user is the first administrator of the fresh database (bootstrap_admins).
    user = scenario.get("user", "golden-user")
    config = {"database": {"dialect": "sqlite", "path": str(directory / "crm.db")},
              "organisation": {"bootstrap_admins": [user]}}
    # A scenario may configure the domain sections it shows (calendars, lifecycle ...).
    config.update(scenario.get("config", {}))
    report = []
    with crm.Client(config) as client, client.session(user) as session:
        for number, step in enumerate(scenario["steps"], 1):
            # An object is sent as its JSON text, a string as raw text (malformed requests).
            request = step["request"]
            actual = session.request(request if isinstance(request, str) else dump(request))
            differences = compare(step.get("response"), actual)
            if differences:
                text = request if isinstance(request, str) else dump(request)
                report.append(f"step {number}: {text}")
                report += [f"  {line}" for line in differences]
                report.append(f"  expected: {dump(step.get('response'))}")
                report.append(f"  actual:   {dump(actual)}")
    return "\n".join(report)


def golden_files():
    return sorted(GOLDEN.glob("*.json"))


@pytest.mark.parametrize("path", golden_files(), ids=lambda path: path.stem)
def test_every_response_matches(path, tmp_path):
    scenario = json.loads(path.read_text(encoding="utf-8"))
    report = run_scenario(scenario, tmp_path)
    assert report == "", f"{path.name}:\n{report}"


# The runner itself: a golden file that no longer matches must fail, naming the step.
def test_there_are_scenarios():
    assert len(golden_files()) >= 8


def test_reports_a_changed_value(tmp_path):
    scenario = json.loads(golden_files()[0].read_text(encoding="utf-8"))
    changed = copy.deepcopy(scenario)
    changed["steps"][0]["response"]["ok"] = not changed["steps"][0]["response"]["ok"]
    report = run_scenario(changed, tmp_path)
    assert "step 1: " in report and "response.ok: expected" in report, report


def test_reports_missing_and_extra_members_and_types():
    assert compare({"a": 1, "b": "x"}, {"a": 1.0, "c": None}, "r") == [
        "r.a: expected 1, got 1.0", 'r.b: missing (expected "x")', "r.c: unexpected member null"]
    assert compare({"a": True}, {"a": 1}, "r") == ["r.a: expected true, got 1"]


def test_timestamp_placeholder_matches_only_utc_instants():
    for good in ("2026-12-01T14:31:51Z", "2026-12-01T14:31:51.123456Z"):
        assert compare(TIMESTAMP, good) == []
    for bad in ("2026-12-01T14:31:51+08:00", "2026-12-01", None):
        assert len(compare(TIMESTAMP, bad)) == 1


def test_elapsed_placeholder_matches_only_numbers_not_negative():
    for good in (0, 530, 0.00053):
        assert compare(ELAPSED, good) == []
    for bad in (-1, "530", None, True):
        assert len(compare(ELAPSED, bad)) == 1
