"""`--json` for CI: every command's object validates against its documented schema and says what
the command found, also when the command fails (bad data: each problem located)."""

from __future__ import annotations

import csv
import json
import shutil

import pytest
from conftest import BUNDLED
from jsonschema import Draft202012Validator

from nap_analysis.pipeline.machine import COMMANDS, SCHEMAS


def valid(command: str, text: str) -> dict:
    """The printed object, parsed and checked against the command's schema (or the error schema)."""
    obj = json.loads(text)
    schema = SCHEMAS["error" if obj.get("ok") is False and "error" in obj else command]
    errors = sorted(Draft202012Validator(schema).iter_errors(obj), key=str)
    assert errors == [], [e.message for e in errors]
    return obj


def csv_rows(name: str) -> int:
    with (BUNDLED / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        return sum(1 for _ in csv.DictReader(handle))


def test_every_schema_is_a_valid_json_schema_and_every_json_command_has_one():
    for schema in SCHEMAS.values():
        Draft202012Validator.check_schema(schema)
    assert set(COMMANDS) == {"validate", "progress", "flags", "indicators", "check", "verify", "collect"}


def test_validate_json_counts_the_rows_of_every_table(cli):
    result = cli("validate", "--json")
    obj = valid("validate", result.out)
    assert result.code == 0 and obj["ok"] and obj["data"] == str(BUNDLED)
    assert obj["tables"]["activities"] == csv_rows("activities") and obj["tables"]["motions"] == csv_rows("motions")


def test_progress_flags_and_indicators_json_hold_the_analysis_rows(cli, bundled):
    from nap_analysis.analysis import flags, indicator_changes, progress

    obj = valid("progress", cli("progress", "--year", "2025", "--json").out)
    table = progress(bundled.activities, 2025)
    assert obj["year"] == 2025 and len(obj["rows"]) == len(table) and obj["columns"] == list(table.columns)
    assert sum(row["n"] for row in obj["rows"]) == int(table["n"].sum())
    stopped = [
        r for r in valid("flags", cli("flags", "--year", "2025", "--json").out)["rows"] if r["flag"] == "newly_stopped"
    ]
    assert [r["activity_id"] for r in stopped] == list(
        flags(bundled.activities, 2025, 2024).query("flag == 'newly_stopped'")["activity_id"]
    )
    obj = valid("indicators", cli("indicators", "--json").out)
    assert len(obj["rows"]) == len(indicator_changes(bundled.indicators))
    assert all(r["p_value"] is None or 0 <= r["p_value"] <= 1 for r in obj["rows"])  # NaN is null, not NaN


def test_check_and_verify_json(cli, built):
    found = cli("check", "--year", "2025", "--out", built.out_dir.parent, "--json")
    obj = valid("check", found.out)
    assert found.code == 1 and obj["ok"] is False and obj["documents_checked"]
    assert sum(obj["counts"].values()) == len(obj["findings"]) > 0
    # without the folder's copy of its inputs there is nothing to rerun: the object shows the edit and
    # that, without the 20-second rerun (test_verify reruns a copy with every kind of hand edit)
    copy = built.out_dir.parent.parent / "verify-json" / "2025"
    shutil.copytree(built.out_dir, copy)
    (copy / "briefing.html").write_text("bewerkt", encoding="utf-8")
    shutil.rmtree(copy / "data")
    result = cli("verify", copy, "--json", "--allow-other-versions")
    obj = valid("verify", result.out)
    assert result.code == 1 and not obj["ok"] and result.err == ""
    assert any(d.endswith("briefing.html: verschilt") for d in obj["differences"]), obj["differences"]
    assert any(str(copy / "data") in d for d in obj["differences"]), obj["differences"]


def test_bad_data_prints_the_error_object_with_every_problem_located(cli, small_copy):
    path = small_copy / "activities.csv"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "A2;2024;1;Tweede;OCW;in uitvoering;", "A2;2024;1;Tweede;OCW;bijna klaar;"
        ),
        "utf-8",
    )
    for lang, word in (("nl", "rij"), ("en", "row")):
        result = cli("validate", "--data", small_copy, "--json", "--lang", lang)
        obj = valid("validate", result.out)
        assert result.code == 2 and obj["ok"] is False and obj["error"]["exit_code"] == 2
        [problem] = obj["error"]["problems"]
        assert (problem["file"], problem["sheet"], problem["row"], problem["column"]) == (
            "activities.csv",
            None,
            3,
            "status",
        )
        assert problem["key"].startswith("load.") and "bijna klaar" in problem["message"]
        assert word in obj["error"]["message"]


def test_a_usage_error_is_an_error_object_too(cli):
    result = cli("progress", "--year", "1990", "--json")
    obj = valid("progress", result.out)
    assert result.code == 2 and obj["error"]["key"] == "error.year_missing" and obj["error"]["problems"] == []


@pytest.mark.parametrize("command", COMMANDS)
def test_the_readme_documents_json_for_every_command_that_has_it(command):
    from conftest import ROOT

    rows = [
        line
        for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
        if line.startswith(f"| `nap-analysis {command}")
    ]
    assert rows and all("--json" in row for row in rows)
