"""Line-independent identities for findings (SARIF partialFingerprints, GitLab fingerprints).

A finding is identified by rule, file and YAML path, never by line, so an alert survives edits
that move lines; the n-th finding with the same identity gets `:n` appended. The value hashes
only names, never the text of a line, so it cannot carry a secret.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable

from scrapelint.findings import Finding


def identity(finding: Finding) -> str:
    return f"{finding.rule_id}|{finding.path}|{finding.yaml_path or finding.span.line}"


def fingerprints(findings: Iterable[Finding]) -> list[str]:
    seen: Counter[str] = Counter()
    result = []
    for finding in findings:
        key = identity(finding)
        seen[key] += 1
        suffix = f":{seen[key]}" if seen[key] > 1 else ""
        result.append(hashlib.sha256((key + suffix).encode()).hexdigest()[:32])
    return result
