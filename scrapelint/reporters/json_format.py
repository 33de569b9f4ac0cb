"""`json`: a versioned document; the schema is scrapelint/schemas/output-v1.schema.json."""

from __future__ import annotations

import json

from scrapelint import __version__
from scrapelint.findings import Finding
from scrapelint.reporters import Batch, counts

SCHEMA_VERSION = 1


def _finding(finding: Finding) -> dict[str, object]:
    span = finding.span
    return {
        "path": finding.path,
        "line": span.line,
        "column": span.column,
        "end_line": span.end_line,
        "end_column": span.end_column,
        "rule": finding.rule_id,
        "name": finding.rule_name,
        "severity": finding.severity.label,
        "message": finding.message,
        "help": finding.help,
        "yaml_path": finding.yaml_path,
    }


def render(batch: Batch) -> str:
    findings = batch.findings
    by_severity = counts(findings)
    document = {
        "version": SCHEMA_VERSION,
        "tool": {"name": "scrapelint", "version": __version__},
        "findings": [_finding(finding) for finding in findings],
        "summary": {
            "files": batch.files_linted,
            "findings": len(findings),
            **{f"{severity.label}s": count for severity, count in by_severity.items()},
        },
    }
    return json.dumps(document, indent=2, sort_keys=False) + "\n"
