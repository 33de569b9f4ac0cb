"""`sarif`: SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.

One run; `tool.driver.rules` is the whole catalogue; results point at repository-relative URIs
under %SRCROOT% (the directory scrapelint ran in). No timestamps, so output is reproducible.
"""

from __future__ import annotations

import json
import os
from urllib.parse import quote

from scrapelint import __version__
from scrapelint.findings import Finding, Severity
from scrapelint.registry import Rule, rules, section
from scrapelint.reporters import Batch
from scrapelint.reporters.fingerprints import fingerprints

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/scrapelint/scrapelint"
# GitHub's bands: >= 9 critical, 7-8.9 high, 4-6.9 medium, below 4 low.
_SECURITY_SEVERITY = {Severity.ERROR: "7.5", Severity.WARNING: "5.0", Severity.NOTE: "2.0"}
_PROBLEM_SEVERITY = {
    Severity.ERROR: "error",
    Severity.WARNING: "warning",
    Severity.NOTE: "recommendation",
}


def _rule_descriptor(rule: Rule) -> dict[str, object]:
    properties: dict[str, object] = {"tags": list(rule.tags), "precision": "high"}
    if "security" in rule.tags:
        properties["security-severity"] = _SECURITY_SEVERITY[rule.severity]
    else:
        properties["problem.severity"] = _PROBLEM_SEVERITY[rule.severity]
    fix = section(rule.page, "Fix")
    return {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": rule.summary or rule.title},
        "help": {
            "text": fix or rule.summary or rule.title,
            "markdown": rule.page.partition("\n---\n")[2].strip(),
        },
        "helpUri": rule.help_uri,
        "defaultConfiguration": {"level": rule.severity.label},
        "properties": properties,
    }


def artifact_location(path: str) -> dict[str, str]:
    if os.path.isabs(path):
        return {"uri": "file://" + quote(path.replace(os.sep, "/"))}
    return {"uri": quote(path.replace(os.sep, "/")), "uriBaseId": "%SRCROOT%"}


def _result(finding: Finding, index: int, fingerprint: str) -> dict[str, object]:
    span = finding.span
    location: dict[str, object] = {
        "physicalLocation": {
            "artifactLocation": artifact_location(finding.path),
            "region": {
                "startLine": span.line,
                "startColumn": span.column,
                "endLine": span.end_line,
                "endColumn": max(span.end_column, 1),
            },
        }
    }
    if finding.yaml_path:
        location["logicalLocations"] = [{"fullyQualifiedName": finding.yaml_path}]
    message = finding.message + (f"\n\n{finding.help}" if finding.help else "")
    return {
        "ruleId": finding.rule_id,
        "ruleIndex": index,
        "level": finding.severity.label,
        "message": {"text": message},
        "locations": [location],
        "partialFingerprints": {"primaryLocationLineHash": fingerprint},
    }


def render(batch: Batch) -> str:
    catalogue = list(rules().values())
    index = {rule.id: position for position, rule in enumerate(catalogue)}
    findings = batch.findings
    results = [
        _result(finding, index[finding.rule_id], fingerprint)
        for finding, fingerprint in zip(findings, fingerprints(findings), strict=True)
    ]
    run = {
        "tool": {
            "driver": {
                "name": "scrapelint",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": INFORMATION_URI,
                "rules": [_rule_descriptor(rule) for rule in catalogue],
            }
        },
        "automationDetails": {"id": "scrapelint/"},
        "columnKind": "unicodeCodePoints",
        "results": results,
    }
    log = {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"
