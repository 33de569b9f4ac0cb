"""The values that cross module boundaries: spans, severities and findings."""

from __future__ import annotations

import enum
import operator
from collections.abc import Iterable
from dataclasses import dataclass


class Severity(enum.IntEnum):
    """Ordered so that `severity >= fail_on` reads naturally."""

    NOTE = 1
    WARNING = 2
    ERROR = 3

    @classmethod
    def parse(cls, text: str) -> Severity:
        return cls[text.upper()]

    @property
    def label(self) -> str:
        return _LABELS[self]  # reporters ask once per finding; an enum's name is slow to read


_LABELS = {severity: severity.name.lower() for severity in Severity}


@dataclass(frozen=True, slots=True)
class Span:
    """1-based, inclusive start, exclusive end column; produced only by document.py."""

    line: int
    column: int
    end_line: int
    end_column: int


@dataclass(frozen=True, slots=True)
class Finding:
    """One reported problem: where it is, which rule, what to say, and the (masked) source line."""

    path: str
    span: Span
    rule_id: str
    rule_name: str
    severity: Severity
    message: str
    yaml_path: str
    help: str = ""
    source: str = ""

    def sort_key(self) -> tuple[str, int, int, str, str, str, int, int, int, str, str]:
        """Position, rule and message first; the rest only orders findings that tie on those,
        so that the order never depends on how a set of findings was built."""
        span = self.span
        return (
            self.path, span.line, span.column, self.rule_id, self.message, self.yaml_path,
            span.end_line, span.end_column, int(self.severity), self.help, self.source,
        )  # fmt: skip


_KEY = operator.itemgetter(0)  # of a (sort key, finding) pair


def sorted_unique(findings: Iterable[Finding]) -> list[Finding]:
    """The findings in report order, each once.

    Equal findings have equal sort keys (the key holds every field but the rule's name, which
    its id decides), so duplicates end up side by side: no finding is hashed, and lists that
    are each sorted already (the shards of a split file) cost the sort little more than a
    merge.
    """
    keyed = sorted([(finding.sort_key(), finding) for finding in findings], key=_KEY)
    unique: list[Finding] = []
    last = None
    for key, finding in keyed:
        if key != last:
            unique.append(finding)
            last = key
    return unique
