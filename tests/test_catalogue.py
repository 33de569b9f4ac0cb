"""The rule catalogue: page format, the page <-> check bijection, and runnable examples."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest

from scrapelint.registry import checks, rules, rules_dir, section, split_front_matter
from tests.helpers import REPO, expectations, found_pairs, lint_text

PAGES = sorted((REPO / "rules").glob("SL*.md"))
SECTIONS = ("Why", "Bad", "Good", "Fix", "References")
YAML_BLOCK = re.compile(r"```yaml\n(.*?)```", re.DOTALL)


def _front_matter_schema() -> dict[str, object]:
    path = REPO / "scrapelint" / "schemas" / "rule-front-matter.schema.json"
    return json.loads(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def test_every_check_has_a_page_and_every_page_a_check() -> None:
    assert sorted(checks()) == sorted(path.stem for path in PAGES)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem)
def test_front_matter_is_valid(page: Path) -> None:
    meta, _ = split_front_matter(page.read_text(encoding="utf-8"))
    jsonschema.validate(meta, _front_matter_schema())
    assert meta["id"] == page.stem


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem)
def test_page_has_every_section(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    for heading in SECTIONS:
        assert section(text, heading), f"{page.name} lacks a `## {heading}` section"


def test_names_are_unique() -> None:
    names = [rule.name for rule in rules().values()]
    assert len(names) == len(set(names))


def _blocks(heading: str) -> list[tuple[str, int, str, str | None]]:
    """(rule, index, config, manifests): a block whose first line is `# manifests` holds the
    Kubernetes manifests given beside the block before it."""
    found: list[tuple[str, int, str, str | None]] = []
    for page in PAGES:
        text = section(page.read_text(encoding="utf-8"), heading)
        for block in YAML_BLOCK.findall(text):
            if block.startswith("# manifests") and found and found[-1][0] == page.stem:
                rule_id, index, config, _ = found.pop()
                found.append((rule_id, index, config, block))
            else:
                index = sum(1 for f in found if f[0] == page.stem)
                found.append((page.stem, index, block, None))
    return found


@pytest.mark.parametrize(
    ("rule_id", "index", "block", "manifests"), _blocks("Bad"), ids=lambda v: str(v)[:8]
)
def test_bad_example_gives_exactly_its_expected_findings(
    rule_id: str, index: int, block: str, manifests: str | None
) -> None:
    expected = expectations(block)
    assert expected, f"{rule_id} Bad block {index} has no `# expect:` comment"
    assert found_pairs(lint_text(block, {rule_id}, manifests=manifests)) == expected


@pytest.mark.parametrize(
    ("rule_id", "index", "block", "manifests"), _blocks("Good"), ids=lambda v: str(v)[:8]
)
def test_good_example_is_clean_for_every_rule(
    rule_id: str, index: int, block: str, manifests: str | None
) -> None:
    findings = lint_text(block, manifests=manifests)
    assert not findings, [f"{f.span.line} {f.rule_id} {f.message}" for f in findings]


def test_every_page_has_bad_and_good_examples() -> None:
    with_bad = {rule_id for rule_id, *_ in _blocks("Bad")}
    with_good = {rule_id for rule_id, *_ in _blocks("Good")}
    assert with_bad == with_good == {page.stem for page in PAGES}


def test_checkout_catalogue_is_the_one_found() -> None:
    # In an editable install or a checkout the registry reads the repository's rules/.
    assert Path(rules_dir()).resolve() == (REPO / "rules").resolve()
    assert set(rules()) == {page.stem for page in PAGES}
