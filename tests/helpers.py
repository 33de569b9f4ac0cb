"""Shared test helpers: `# expect:` comments and linting text in memory."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from scrapelint.defaults import LintOptions
from scrapelint.document import parse
from scrapelint.engine import lint_document
from scrapelint.findings import Finding
from scrapelint.registry import checks

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
EXPECT = re.compile(r"#\s*expect:\s*(SL\d{3}(?:\s*,\s*SL\d{3})*)")


def expectations(text: str) -> Counter[tuple[int, str]]:
    """(line, rule) pairs from `# expect: SL101, SL102` comments, with multiplicity."""
    found: Counter[tuple[int, str]] = Counter()
    for number, line in enumerate(text.splitlines(), start=1):
        match = EXPECT.search(line)
        if match:
            for rule_id in match.group(1).split(","):
                found[(number, rule_id.strip())] += 1
    return found


def lint_text(
    text: str, rules: set[str] | None = None, path: str = "test.yml", **options: object
) -> list[Finding]:
    enabled = set(checks()) if rules is None else rules
    document = parse(path, text)
    return lint_document(document, LintOptions(**options), enabled)  # type: ignore[arg-type]


def found_pairs(findings: list[Finding]) -> Counter[tuple[int, str]]:
    return Counter((finding.span.line, finding.rule_id) for finding in findings)
