"""`gitlab`: a Code Quality report (artifacts:reports:codequality)."""

from __future__ import annotations

import json

from scrapelint.findings import Finding, Severity
from scrapelint.registry import rule
from scrapelint.reporters import Batch
from scrapelint.reporters.fingerprints import fingerprints

_SEVERITY = {Severity.ERROR: "major", Severity.WARNING: "minor", Severity.NOTE: "info"}


def _severity(finding: Finding) -> str:
    if finding.severity is Severity.ERROR and "security" in rule(finding.rule_id).tags:
        return "critical"
    return _SEVERITY[finding.severity]


def _issue(finding: Finding, fingerprint: str) -> dict[str, object]:
    security = "security" in rule(finding.rule_id).tags
    return {
        "type": "issue",
        "check_name": finding.rule_id,
        "description": f"{finding.rule_id} {finding.message}",
        "content": {"body": finding.help},
        "categories": ["Security"] if security else ["Bug Risk"],
        "severity": _severity(finding),
        "fingerprint": fingerprint,
        "location": {
            "path": finding.path,
            "lines": {"begin": finding.span.line, "end": finding.span.end_line},
        },
    }


def render(batch: Batch) -> str:
    findings = batch.findings
    issues = [_issue(f, fp) for f, fp in zip(findings, fingerprints(findings), strict=True)]
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"
