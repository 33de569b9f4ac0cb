"""Every tests/fixtures/<RULE>/*.yml: `# expect:` comments match that rule's findings exactly."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import REPO, expectations, found_pairs, lint_text

FIXTURES = sorted((REPO / "tests" / "fixtures").glob("SL*/*.yml"))


def _id(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


@pytest.mark.parametrize("fixture", FIXTURES, ids=_id)
def test_fixture_findings_match_expect_comments(fixture: Path) -> None:
    rule_id = fixture.parent.name
    text = fixture.read_text(encoding="utf-8")
    expected = expectations(text)
    assert all(rule == rule_id for _, rule in expected), "expect comments name another rule"
    beside = fixture.with_suffix(".manifests.yaml")
    manifests = beside.read_text(encoding="utf-8") if beside.exists() else None
    findings = lint_text(text, {rule_id}, path=str(fixture), manifests=manifests)
    assert found_pairs(findings) == expected, "\n".join(
        f"{f.span.line}:{f.span.column} {f.rule_id} {f.message}" for f in findings
    )


@pytest.mark.parametrize("fixture", FIXTURES, ids=_id)
def test_fixture_names_say_bad_or_good(fixture: Path) -> None:
    has_expectations = bool(expectations(fixture.read_text(encoding="utf-8")))
    assert fixture.name.startswith("bad_" if has_expectations else "good_")


def test_every_rule_has_bad_and_good_fixtures() -> None:
    from scrapelint.registry import checks

    for rule_id in checks():
        folder = REPO / "tests" / "fixtures" / rule_id
        assert list(folder.glob("bad_*.yml")), f"{rule_id} has no bad fixture"
        assert list(folder.glob("good_*.yml")), f"{rule_id} has no good fixture"
