"""`github`: workflow commands that GitHub Actions turns into annotations."""

from __future__ import annotations

from scrapelint.findings import Finding, Severity
from scrapelint.reporters import Batch

_COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "notice"}
# GitHub keeps 10 error and 10 warning annotations per step and drops the rest silently.
ANNOTATION_LIMIT = 10


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(finding: Finding) -> str:
    span = finding.span
    properties = {
        "file": finding.path,
        "line": span.line,
        "col": span.column,
        "endLine": span.end_line,
        "endColumn": span.end_column,
        "title": f"{finding.rule_id} {finding.rule_name}",
    }
    rendered = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties.items())
    return f"::{_COMMANDS[finding.severity]} {rendered}::{escape_data(finding.message)}"


def render(batch: Batch) -> str:
    findings = batch.findings
    lines = [command(finding) for finding in findings]
    per_level = {level: sum(f.severity is level for f in findings) for level in Severity}
    if any(count > ANNOTATION_LIMIT for count in per_level.values()):
        lines.append(
            f"scrapelint: {len(findings)} findings; GitHub shows at most {ANNOTATION_LIMIT} "
            "annotations of each level per step, see the full list with --format text"
        )
    return "".join(line + "\n" for line in lines)
