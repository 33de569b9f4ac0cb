"""Shared test helpers: `# expect:` comments and linting text in memory."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

from scrapelint.defaults import LintOptions
from scrapelint.document import parse
from scrapelint.engine import lint_document
from scrapelint.findings import Finding
from scrapelint.registry import checks
from scrapelint.settings import Settings, from_mapping

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


SETTINGS_MARKER = re.compile(r"^# settings: (\{.*\})$", re.MULTILINE)


def lint_text(
    text: str, rules: set[str] | None = None, path: str = "test.yml", **options: object
) -> list[Finding]:
    """Lint with every rule enabled; keep the findings of `rules` (all when None).

    A line `# settings: {...}` (JSON, settings-file keys) in the text applies those settings.
    """
    document = parse(path, text)
    marker = SETTINGS_MARKER.search(text)
    if marker:
        settings = from_mapping(json.loads(marker.group(1)))
    else:
        settings = Settings(lint=LintOptions(**options))  # type: ignore[arg-type]
    findings = lint_document(document, settings, set(checks()))
    return [f for f in findings if rules is None or f.rule_id in rules]


def found_pairs(findings: list[Finding]) -> Counter[tuple[int, str]]:
    return Counter((finding.span.line, finding.rule_id) for finding in findings)
