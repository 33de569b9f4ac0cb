"""`junit`: JUnit XML as GitLab and Jenkins render it.

One test case per linted file. A file fails when it has findings at or above the fail-on level;
its single `<failure>` lists every such finding, one per line (several `<failure>` elements in
one case are shown by neither GitLab nor Jenkins). Findings below the level go to system-out.
"""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

from scrapelint.engine import FileResult
from scrapelint.findings import Finding
from scrapelint.reporters import Batch
from scrapelint.reporters.text import headline


def _lines(findings: list[Finding]) -> str:
    return escape("\n".join(headline(finding) for finding in findings))


def _testcase(result: FileResult) -> tuple[str, bool]:
    failing = [f for f in result.findings if f.severity >= result.fail_on]
    others = [f for f in result.findings if f.severity < result.fail_on]
    parts = [
        f'    <testcase classname="scrapelint" name={quoteattr(result.path)} '
        f"file={quoteattr(result.path)}>"
    ]
    if failing:
        rules = ", ".join(sorted({f.rule_id for f in failing}))
        message = f"{len(failing)} finding{'s' if len(failing) != 1 else ''}: {rules}"
        parts.append(
            f'      <failure type="scrapelint" message={quoteattr(message)}>'
            f"{_lines(failing)}</failure>"
        )
    if others:
        parts.append(f"      <system-out>{_lines(others)}</system-out>")
    parts.append("    </testcase>")
    return "\n".join(parts), bool(failing)


def render(batch: Batch) -> str:
    cases = [_testcase(result) for result in batch.results]
    failures = sum(failed for _, failed in cases)
    counts = f'tests="{len(cases)}" failures="{failures}" errors="0" skipped="0"'
    body = "\n".join(text for text, _ in cases)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<testsuites name="scrapelint" {counts}>\n'
        f'  <testsuite name="scrapelint" {counts}>\n'
        + (body + "\n" if body else "")
        + "  </testsuite>\n</testsuites>\n"
    )
