"""`text` (finding, source line with caret, help, summary) and `concise` (one line each)."""

from __future__ import annotations

from scrapelint.findings import Finding, Severity
from scrapelint.reporters import Batch, counts

_COLORS = {Severity.ERROR: "31", Severity.WARNING: "33", Severity.NOTE: "36"}


def _paint(text: str, code: str, color: bool) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if color else text


def headline(finding: Finding, color: bool = False) -> str:
    span = finding.span
    severity, rule = finding.severity.label, finding.rule_id
    if color:  # (tested first: a large report without color makes ten thousand headlines)
        severity = _paint(severity, _COLORS[finding.severity], color)
        rule = _paint(rule, "1", color)
    return f"{finding.path}:{span.line}:{span.column}: {severity} {rule} {finding.message}"


def render_concise(batch: Batch) -> str:
    return "".join(headline(finding) + "\n" for finding in batch.findings)


def _snippet(finding: Finding) -> list[str]:
    span = finding.span
    number = str(span.line)
    gutter = " " * len(number)
    source = finding.source.expandtabs(1)
    width = span.end_column - span.column if span.end_line == span.line else 1
    width = max(1, min(width, max(1, len(source) - span.column + 1)))
    caret = " " * (span.column - 1) + "^" * width
    return [f"{gutter} |", f"{number} | {source}", f"{gutter} | {caret}"]


def render_full(batch: Batch) -> str:
    lines: list[str] = []
    for finding in batch.findings:
        lines.append(headline(finding, batch.color))
        lines.extend(_snippet(finding))
        if finding.help:
            lines.append(f"  help: {finding.help}")
        lines.append("")
    lines.append(summary(batch))
    return "\n".join(lines) + "\n"


def summary(batch: Batch) -> str:
    findings = batch.findings
    files = batch.files_linted
    noun = "file" if files == 1 else "files"
    if not findings:
        return f"No findings in {files} {noun}."
    parts = [
        f"{count} {severity.label}{'s' if count != 1 else ''}"
        for severity, count in sorted(counts(findings).items(), reverse=True)
        if count
    ]
    total = len(findings)
    return (
        f"Found {total} finding{'s' if total != 1 else ''} ({', '.join(parts)}) in {files} {noun}."
    )
