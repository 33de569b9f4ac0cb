"""Inline directives (`# scrapelint: disable=SL201 -- reason`), applied after the checks.

A directive is read only from a real comment: a `#` at the start of a line or after white space,
outside every scalar's span (a `#` inside a quoted or block scalar is content). Only files that
contain `scrapelint:` are searched at all.
"""

from __future__ import annotations

import datetime
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from scrapelint.document import Document, ScalarNode, walk
from scrapelint.findings import Finding, Span
from scrapelint.settings import Settings

UNSUPPRESSIBLE = frozenset({"SL001"})
_DIRECTIVE = re.compile(
    r"^\s*scrapelint:\s*(?P<kind>disable-file|disable)\s*=\s*"
    r"(?P<codes>[A-Za-z0-9]+(?:\s*,\s*[A-Za-z0-9]+)*)"
    r"(?:\s+until=(?P<until>\S+))?"
    r"\s*(?:--\s*(?P<reason>(?!#).*?))?"
    r"\s*(?:\s#.*)?$"  # a further comment may follow
)


@dataclass(frozen=True, eq=False, repr=False)
class Directive:
    """One `scrapelint:` comment: what it disables, where, until when, and why."""

    document: Document
    span: Span
    scope: str  # "line", "next" or "file"
    target_line: int | None
    codes: tuple[str, ...]
    until: datetime.date | None
    until_text: str | None
    reason: str

    def expired(self, today: datetime.date) -> bool:
        return self.until is not None and today > self.until

    def covers(self, finding: Finding) -> bool:
        return self.scope == "file" or finding.span.line == self.target_line


def find_directives(document: Document) -> list[Directive]:
    if "scrapelint:" not in document.text or document.problem is not None:
        # A file that does not parse has no reliable comments to read (and only SL001).
        return []
    lines = document.lines
    candidates = [n for n, text in enumerate(lines) if "scrapelint:" in text]
    covered = _scalar_columns(document, set(candidates))
    found: list[Directive] = []
    for index in candidates:
        directive = _directive_on(document, lines, index, covered.get(index, []))
        if directive is not None:
            found.append(directive)
    return found


def _scalar_columns(document: Document, wanted: set[int]) -> dict[int, list[tuple[int, int]]]:
    """Per wanted line (0-based), the column ranges that scalars occupy."""
    covered: dict[int, list[tuple[int, int]]] = {}
    if document.root is None:
        return covered
    for node, _ in walk(document.root):
        if not isinstance(node, ScalarNode):
            continue
        start, end = node.start_mark, node.end_mark
        for line in range(start.line, end.line + 1):
            if line in wanted:
                first = start.column if line == start.line else 0
                last = end.column if line == end.line else 1 << 30
                covered.setdefault(line, []).append((first, last))
    return covered


def _comment_start(text: str, occupied: list[tuple[int, int]]) -> int | None:
    for position, char in enumerate(text):
        if char != "#" or (position and text[position - 1] not in " \t"):
            continue
        if not any(first <= position < last for first, last in occupied):
            return position
    return None


def _directive_on(
    document: Document, lines: list[str], index: int, occupied: list[tuple[int, int]]
) -> Directive | None:
    text = lines[index]
    start = _comment_start(text, occupied)
    if start is None:
        return None
    match = _DIRECTIVE.match(text[start + 1 :])
    if match is None:
        return None
    own_line = not text[:start].strip()
    scope = "file" if match["kind"] == "disable-file" else ("next" if own_line else "line")
    target = None if scope == "file" else (_next_code_line(lines, index) if own_line else index + 1)
    return Directive(
        document=document,
        span=Span(index + 1, start + 1, index + 1, len(text) + 1),
        scope=scope,
        target_line=target,
        codes=tuple(code.strip().upper() for code in match["codes"].split(",")),
        until=_parse_date(match["until"]),
        until_text=match["until"],
        reason=(match["reason"] or "").strip(),
    )


def _next_code_line(lines: list[str], index: int) -> int | None:
    """The next line that holds YAML, skipping blank and comment-only lines (1-based)."""
    for following in range(index + 1, len(lines)):
        stripped = lines[following].strip()
        if stripped and not stripped.startswith("#"):
            return following + 1
    return None


def _parse_date(text: str | None) -> datetime.date | None:
    if text is None:
        return None
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        return datetime.date.min  # an unreadable date never suppresses; SL006 says so


@dataclass(frozen=True, eq=False, repr=False)
class Outcome:
    """What the directives did: the findings kept, and how often each directive was used."""

    kept: tuple[Finding, ...]
    used: Counter[tuple[int, str]]  # (directive index, code) -> findings suppressed


def apply(
    findings: Iterable[Finding],
    directives: list[Directive],
    locked: frozenset[str],
    today: datetime.date,
) -> Outcome:
    kept: list[Finding] = []
    used: Counter[tuple[int, str]] = Counter()
    for finding in findings:
        hit = _suppressing(finding, directives, locked, today)
        if hit is None:
            kept.append(finding)
        else:
            used[hit] += 1
    return Outcome(tuple(kept), used)


def _suppressing(
    finding: Finding, directives: list[Directive], locked: frozenset[str], today: datetime.date
) -> tuple[int, str] | None:
    if finding.rule_id in UNSUPPRESSIBLE or finding.rule_id in locked:
        return None
    for index, directive in enumerate(directives):
        applies = directive.document.path == finding.path and finding.rule_id in directive.codes
        if applies and directive.covers(finding) and not directive.expired(today):
            return index, finding.rule_id
    return None


def directive_codes(directives: list[Directive]) -> Iterator[tuple[int, Directive, str]]:
    for index, directive in enumerate(directives):
        for code in directive.codes:
            yield index, directive, code


@dataclass(frozen=True, eq=False, repr=False)
class DirectiveContext:
    """What the rules about directives (SL005-SL007) look at."""

    directives: list[Directive]
    outcome: Outcome
    enabled: set[str]
    settings: Settings
    today: datetime.date
